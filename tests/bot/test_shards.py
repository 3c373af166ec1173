"""Discord shards in several processes on one database: each process answers, reveals and
posts for the servers on its own shards only, and one of them syncs the commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from bot.app import run_platforms
from bot.config import Config, GameConfig
from tests.conftest import daily_schedules_missed_minutes_ago
from tests.fakes.discord_api import FakeDiscord, FakeGuild, FakeUser, Interaction
from trivia.model import Place

ON_SHARD_0 = FakeGuild(id=5001, name="Racing Club", channels=[6001], owner_id=9999)
ON_SHARD_1 = FakeGuild(id=(1 << 22) | 5003, name="Rowing Club", channels=[6201], owner_id=9999)
"""(guild_id >> 22) % 2 is 0 for the first server and 1 for the second."""
ALICE = FakeUser(7001, "alice", "Alice")
WINDOW_S = 3.0

pytestmark = pytest.mark.usefixtures("restore_discord_urls")


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[ON_SHARD_0, ON_SHARD_1]) as server:
        yield server


@asynccontextmanager
async def shard_process(discord: FakeDiscord, db: Path, shard: int) -> AsyncIterator[None]:
    """`photo-finish run` with `[discord] shard_count = 2` and `shard_ids = [shard]`, its
    own runtime on the shared database, until the block ends."""
    config = Config(
        db_path=db,
        game=GameConfig(answer_window_seconds=WINDOW_S),
        discord_token="fake-token",
        discord_api_base_url=discord.base_url,
        discord_gateway_url=discord.gateway_url,
        discord_shard_count=2,
        discord_shard_ids=(shard,),
    )
    task = asyncio.create_task(run_platforms(config, seed=3))
    try:
        await discord.shard_connected(shard)
        assert not task.done(), task
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def titles(discord: FakeDiscord, guild: FakeGuild) -> list[str]:
    """The titles of what everyone sees in the server's channel."""
    return [e["title"] for m in discord.visible_messages(guild.channels[0]) for e in m["embeds"]]


def dailies(discord: FakeDiscord, guild: FakeGuild) -> int:
    """Daily questions posted in the server's channels."""
    return sum(
        e["title"].startswith("Daily #")
        for c in guild.channels
        for m in discord.visible_messages(c)
        for e in m["embeds"]
    )


def reveals(discord: FakeDiscord, guild: FakeGuild) -> int:
    return sum(t.startswith("Answer:") for t in titles(discord, guild))


def command_syncs(discord: FakeDiscord) -> int:
    return sum(r.method == "PUT" and r.path.endswith("/commands") for r in discord.requests)


async def play(discord: FakeDiscord, guild: FakeGuild) -> None:
    """/trivia play in the server's channel, until the bot has answered with a question."""
    options = [{"type": 1, "name": "play", "options": []}]
    pushed: Interaction = await discord.slash(
        "trivia", options, user=ALICE, guild=guild, channel_id=guild.channels[0]
    )
    await discord.wait_for(lambda: pushed.original is not None)


async def test_two_shard_processes_each_serve_their_own_servers(
    discord: FakeDiscord, tmp_path: Path
) -> None:
    """Two processes run shard 0 and shard 1 of 2 on one database. A daily question missed
    in each server is posted once, by the process of the server's shard; only the shard-0
    process syncs the commands; each process answers its own servers' /trivia; a
    question's reveal is posted by its server's process (with that process down it waits
    for it, while the other process reveals its own)."""
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(
        db, [Place("discord", str(g.id), str(g.channels[0])) for g in (ON_SHARD_0, ON_SHARD_1)]
    )
    async with AsyncExitStack() as first_run_of_shard_1:
        await first_run_of_shard_1.enter_async_context(shard_process(discord, db, 1))
        await discord.wait_for(lambda: dailies(discord, ON_SHARD_1) == 1, timeout=30)
        assert dailies(discord, ON_SHARD_0) == 0
        assert command_syncs(discord) == 0
        async with shard_process(discord, db, 0):
            await discord.wait_for(lambda: dailies(discord, ON_SHARD_0) == 1, timeout=30)
            await discord.wait_for(lambda: command_syncs(discord) == 1, timeout=30)
            await play(discord, ON_SHARD_1)
            await play(discord, ON_SHARD_0)
            await discord.wait_for(lambda: reveals(discord, ON_SHARD_1) == 1, timeout=30)
            await discord.wait_for(lambda: reveals(discord, ON_SHARD_0) == 1, timeout=30)
            await play(discord, ON_SHARD_1)
            await first_run_of_shard_1.aclose()  # before its question's window closes
            await play(discord, ON_SHARD_0)  # closes after the other server's question
            await discord.wait_for(lambda: reveals(discord, ON_SHARD_0) == 2, timeout=30)
            assert reveals(discord, ON_SHARD_1) == 1, "revealed by the process of another shard"
            async with shard_process(discord, db, 1):
                await discord.wait_for(lambda: reveals(discord, ON_SHARD_1) == 2, timeout=30)
    assert (dailies(discord, ON_SHARD_0), dailies(discord, ON_SHARD_1)) == (1, 1)
    assert command_syncs(discord) == 1
    assert sorted(i["shard"] for i in discord.identifies) == [[0, 2], [1, 2], [1, 2]]


async def test_two_shard_processes_share_discords_global_rate_limit(tmp_path: Path) -> None:
    """Discord's 50 requests a second are per bot, not per process: two shard processes
    posting 40 missed daily questions each at once take half of it each, and no post is
    refused with a 429 (each took the whole before)."""
    big = [
        FakeGuild(id=guild.id, name=guild.name, channels=[c + i for i in range(40)])
        for guild, c in ((ON_SHARD_0, 7000), (ON_SHARD_1, 8000))
    ]
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(
        db, [Place("discord", str(g.id), str(c)) for g in big for c in g.channels]
    )
    async with FakeDiscord(guilds=big, global_limit=50) as discord, AsyncExitStack() as stack:
        for shard in (0, 1):
            await stack.enter_async_context(shard_process(discord, db, shard))
        await discord.wait_for(
            lambda: all(dailies(discord, g) == len(g.channels) for g in big), timeout=60
        )
    assert discord.global_429s == 0
