"""Discord and Slack in one process: both play, and one stopping leaves the other playing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import pytest

from bot.app import run_platforms
from bot.config import Config, GameConfig
from tests.fakes.discord_api import FakeDiscord, FakeGuild, FakeUser
from tests.fakes.slack_api import FakeSlack, slash_command_payload
from tests.isolation import clean_env

GUILD = FakeGuild(id=5001, name="Racing Club", channels=[6001], owner_id=9999)
ALICE = FakeUser(7001, "alice", "Alice")
SLACK_CHANNEL = "C1"
SLACK_USERS = {"U1": {"name": "alice", "real_name": "Alice", "is_admin": False}}
REPO = Path(__file__).resolve().parents[2]
AUTHENTICATION_FAILED = 4004  # what Discord's gateway sends once a bot's token is reset

pytestmark = pytest.mark.usefixtures("restore_discord_urls")


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[GUILD]) as server:
        yield server


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(users=SLACK_USERS) as server:
        yield server


@asynccontextmanager
async def running(
    discord: FakeDiscord, slack: FakeSlack, db: Path
) -> AsyncIterator[asyncio.Task[None]]:
    """`photo-finish run` with both platforms configured (Slack over Socket Mode)."""
    config = Config(
        db_path=db,
        game=GameConfig(answer_window_seconds=2),
        discord_token="fake-token",
        discord_api_base_url=discord.base_url,
        discord_gateway_url=discord.gateway_url,
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_signing_secret="s3cret",
        slack_mode="socket",
        slack_api_base_url=slack.api_url,
    )
    task = asyncio.create_task(run_platforms(config, seed=3))
    try:
        await discord.connected(timeout=10)
        await slack.socket_connected(timeout=10)
        await discord.wait_for(lambda: bool(discord.commands.get(None)) or task.done(), 10)
        assert not task.done(), task
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await discord.disconnect_clients()


async def play_on_discord(discord: FakeDiscord) -> None:
    options = [{"type": 1, "name": "play", "options": []}]
    asked = await discord.slash("trivia", options, user=ALICE, guild=GUILD, channel_id=6001)
    await discord.wait_for(lambda: asked.original is not None)


async def play_on_slack(slack: FakeSlack) -> None:
    seen = len(slack.posted(SLACK_CHANNEL))
    payload = slash_command_payload(
        "", user_id="U1", channel_id=SLACK_CHANNEL, response_url=slack.response_url("play")
    )
    await (await slack.send_envelope("slash_commands", payload)).wait_acked()
    await slack.wait_for(lambda: len(slack.posted(SLACK_CHANNEL)) > seen)


def discord_titles(discord: FakeDiscord) -> list[str]:
    return [e["title"] for m in discord.visible_messages(6001) for e in m["embeds"]]


def slack_titles(slack: FakeSlack) -> list[str]:
    return [m["text"] for m in slack.posted(SLACK_CHANNEL)]


def revealed(titles: list[str]) -> int:
    return sum(t.startswith("Answer:") for t in titles)


async def test_discord_and_slack_play_in_one_process(
    discord: FakeDiscord, slack: FakeSlack, tmp_path: Path
) -> None:
    """A question on each platform is asked there and revealed there, by the one process."""
    async with running(discord, slack, tmp_path / "bot.sqlite3"):
        await play_on_discord(discord)
        await play_on_slack(slack)
        await discord.wait_for(lambda: revealed(discord_titles(discord)) == 1, timeout=10)
        await slack.wait_for(lambda: revealed(slack_titles(slack)) == 1, timeout=10)
    assert discord_titles(discord)[0] == "Trivia"
    assert slack_titles(slack)[0] == "Trivia"


async def test_discord_stopping_leaves_slack_playing(
    discord: FakeDiscord, slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord ends the session (the token was reset): the error is logged, the open
    Discord question's reveal waits in the outbox for Discord's return, and Slack keeps
    asking and revealing."""
    caplog.set_level(logging.INFO)
    async with running(discord, slack, tmp_path / "bot.sqlite3") as task:
        await slack.wait_for(lambda: "connected: discord, slack" in caplog.text)
        await play_on_discord(discord)
        await discord.disconnect_clients(code=AUTHENTICATION_FAILED)
        await slack.wait_for(lambda: "discord stopped" in caplog.text)
        await play_on_slack(slack)
        await slack.wait_for(  # marked posted once its picture is uploaded after it
            lambda: (
                revealed(slack_titles(slack)) == 1
                and [platform for platform, _ in owed(tmp_path)] == ["discord"]
            ),
            timeout=10,
        )
        assert not task.done()
    assert "still running: slack" in caplog.text
    assert revealed(discord_titles(discord)) == 0
    assert [(platform, '"reveal"' in reply) for platform, reply in owed(tmp_path)] == [
        ("discord", True)
    ]


def owed(tmp_path: Path) -> list[tuple[str, str]]:
    """The posts not yet made: (platform, stored reply)."""
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        return db.execute("SELECT platform, reply FROM outbox WHERE posted_at IS NULL").fetchall()


async def test_run_ends_in_one_line_when_its_only_platform_stops(
    discord: FakeDiscord, tmp_path: Path
) -> None:
    """`photo-finish run` with only Discord, once connected, exits 1 with one line when the
    token is reset."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{discord.base_url}"\ngateway_url = "{discord.gateway_url}"\n',
        encoding="utf-8",
    )
    env = clean_env(tmp_path) | {"DISCORD_TOKEN": "fake-token"}
    bot = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", config, "--db", tmp_path / "bot.sqlite3"),
        "run",
        cwd=REPO,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert bot.stderr
    try:
        async with asyncio.timeout(20):
            while b"connected: discord" not in await bot.stderr.readline():
                assert bot.returncode is None
            await discord.disconnect_clients(code=AUTHENTICATION_FAILED)
            err = (await bot.stderr.read()).decode()
            await bot.wait()
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    assert bot.returncode == 1
    assert err.splitlines()[-1] == (
        "photo-finish: discord: the gateway closed the connection (code 4004); check DISCORD_TOKEN"
    )
    assert "Traceback" not in err, err


@pytest.mark.parametrize(
    ("bot_token", "app_token", "refused"),
    [
        ("xoxb-reset", "xapp-good", "the bot token was refused (invalid_auth); check "
         "SLACK_BOT_TOKEN or [slack] bot_token"),
        ("xoxb-good", "xapp-reset", "the app token was refused (invalid_auth); check "
         "SLACK_APP_TOKEN or [slack] app_token"),
    ],
)  # fmt: skip
async def test_a_refused_slack_token_ends_the_start_in_one_line(
    tmp_path: Path, bot_token: str, app_token: str, refused: str
) -> None:
    """Slack fails fast like Discord: the token it refuses is named in one line, at once
    (a refused app token used to be retried forever, with a traceback every 10 s)."""
    async with FakeSlack(users=SLACK_USERS, valid_tokens={"xoxb-good", "xapp-good"}) as slack:
        config = tmp_path / "config.toml"
        config.write_text(f'[slack]\napi_base_url = "{slack.api_url}"\n', encoding="utf-8")
        env = clean_env(tmp_path) | {"SLACK_BOT_TOKEN": bot_token, "SLACK_APP_TOKEN": app_token}
        bot = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "run", "--config", config),
            "--db",
            tmp_path / "bot.sqlite3",
            cwd=REPO,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(20):
                _, err = await bot.communicate()
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
    assert bot.returncode == 1
    assert err.decode().splitlines()[-1] == f"photo-finish: slack: {refused}"
    assert "Traceback" not in err.decode()


async def test_a_start_with_tokens_from_the_environment_logs_no_warnings(
    discord: FakeDiscord, slack: FakeSlack, tmp_path: Path
) -> None:
    """Nothing a user can do anything about is logged as a warning at every start:
    discord.py's "PyNaCl is not installed, voice will NOT be supported" (the bot has no
    voice) and slack-bolt's "As you gave `client` as well, `token` will be unused"."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{discord.base_url}"\ngateway_url = "{discord.gateway_url}"\n'
        f'[slack]\napi_base_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    tokens = {
        "DISCORD_TOKEN": "fake-token",
        "SLACK_BOT_TOKEN": "xoxb-t",
        "SLACK_APP_TOKEN": "xapp-t",
    }
    bot = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", config, "--db", tmp_path / "bot.sqlite3"),
        "run",
        cwd=REPO,
        env=clean_env(tmp_path) | tokens,
        stderr=asyncio.subprocess.PIPE,
    )
    assert bot.stderr
    logged: list[str] = []
    try:
        async with asyncio.timeout(20):
            while "connected: discord, slack" not in (logged or [""])[-1]:
                assert bot.returncode is None, logged
                logged.append((await bot.stderr.readline()).decode())
    finally:
        bot.terminate()
        await bot.wait()
    warned = [line for line in logged if " WARNING " in line or " ERROR " in line]
    assert warned == [], "".join(logged)
