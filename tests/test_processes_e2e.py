"""Several real bot processes (`python -m bot run`, one per Discord shard) on one database of
either backend, against the loopback Discord fake: every channel gets its daily question
exactly once, every answer the bot acknowledged is stored once and every reveal is posted
once, also when one process is killed with SIGKILL in the middle of its fan-out and then
restarted ([schedule] takeover_seconds is short here so that its work is taken over in
seconds, not minutes)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from db.backend import is_url, open_store
from tests.conftest import Databases, daily_schedules_missed_minutes_ago, query
from tests.fakes.discord_api import FakeDiscord, FakeGuild, FakeUser, Interaction
from tests.isolation import clean_env
from trivia.model import Place

JSON = dict[str, Any]
log = logging.getLogger(__name__)

CHANNELS = 48
"""Scheduled channels, spread evenly over the shards."""
TAKEOVER_S = 2
WINDOW_S = 5
PLAYERS = [FakeUser(7001 + i, f"player{i}", f"Player {i}") for i in range(3)]
EPHEMERAL = 1 << 6
LOADING = 1 << 7
"""A deferred reply's "thinking..." flag: the bot fills the message in later."""
ACK_WAIT_S = 3.5
"""Discord drops an interaction not acknowledged within 3 s; a little more to see it."""
POLL_S = 0.02
FILLED_IN_S = 30.0
"""How long a deferred reply may take to be filled in on a loaded machine."""
STARTED_S = 60.0
"""How long cold starts of several processes on a loaded 2-core machine may take."""


def guilds(shards: int) -> list[FakeGuild]:
    """A server on each shard ((id >> 22) % shards is the shard), with its share of the
    scheduled channels and one more channel (the last) where players play."""
    per_shard = CHANNELS // shards
    return [
        FakeGuild(
            id=(shard << 22) | 5000,
            name=f"Club {shard}",
            channels=[10_000 + 100 * shard + i for i in range(per_shard + 1)],
            owner_id=9999,
        )
        for shard in range(shards)
    ]


def scheduled(guild: FakeGuild) -> list[int]:
    return guild.channels[:-1]


def play_channel(guild: FakeGuild) -> int:
    return guild.channels[-1]


def titles(fake: FakeDiscord, channel: int) -> list[str]:
    """The titles of what everyone sees in a channel."""
    return [e["title"] for m in fake.visible_messages(channel) for e in m.get("embeds", [])]


def dailies(fake: FakeDiscord, channel: int) -> int:
    return sum(t.startswith("Daily #") for t in titles(fake, channel))


def reveals(fake: FakeDiscord, channel: int) -> int:
    return sum(t.startswith("Answer:") for t in titles(fake, channel))


@dataclass
class BotProcess:
    """`python -m bot --config X run` serving one shard of the fake, on the shared database."""

    shard: int
    shards: int
    database: Path | str
    fake: FakeDiscord
    folder: Path
    proc: asyncio.subprocess.Process | None = None
    runs: int = 0

    def config(self) -> Path:
        where = f'url = "{self.database}"' if is_url(self.database) else f'path = "{self.database}"'
        path = self.folder / f"{self.shards}p-shard{self.shard}.toml"
        path.write_text(
            f"[database]\n{where}\n\n[game]\nanswer_window_seconds = {WINDOW_S}\n\n"
            f"[schedule]\ntakeover_seconds = {TAKEOVER_S}\n\n"
            f'[discord]\ntoken = "e2e-token"\napi_base_url = "{self.fake.base_url}"\n'
            f'gateway_url = "{self.fake.gateway_url}"\n'
            f"shard_count = {self.shards}\nshard_ids = [{self.shard}]\n",
            encoding="utf-8",
        )
        return path

    @property
    def log(self) -> Path:
        return self.folder / f"{self.shards}p-shard{self.shard}.run{self.runs}.log"

    async def start(self) -> None:
        self.runs += 1
        with self.log.open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(self.config()),
                "run",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
                env=clean_env(self.folder),
                cwd=self.folder,
            )

    async def kill(self) -> None:
        """SIGKILL: nothing in the process runs after this."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        """SIGTERM, as a service manager stops it; SIGKILL if it hangs."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with suppress(ProcessLookupError):
            self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            await self.kill()

    def tail(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return f"--- shard {self.shard} run {self.runs} log:\n{text[-3000:]}"


def reply(inter: Interaction) -> JSON | None:
    """The reply a user sees: the message the bot answered with, or, after a deferral, the
    message that filled in "thinking..." (None while there is none)."""
    if inter.response() is None:
        return None
    shown = inter.original
    if shown is None:
        data = inter.response() or {}
        return data.get("data")
    return None if shown["flags"] & LOADING else shown


async def seen_reply(push: Awaitable[Interaction]) -> JSON | None:
    """Push an interaction and wait for the reply the user sees; None when no process
    acknowledged it within Discord's deadline (its shard's process is down)."""
    try:
        inter = await push
    except AssertionError:  # no process is connected on that shard
        return None
    for _ in range(int(ACK_WAIT_S / POLL_S)):
        if inter.response() is not None:
            break
        await asyncio.sleep(POLL_S)
    else:
        return None
    for _ in range(int(FILLED_IN_S / POLL_S)):  # deferred ("thinking..."): filled in later
        if (shown := reply(inter)) is not None:
            return shown
        await asyncio.sleep(POLL_S)
    return None


@dataclass
class Players:
    """Players asking and answering questions in one server's play channel until one of
    their answers was acknowledged and they are told to stop, and what they sent and what
    the bot acknowledged."""

    fake: FakeDiscord
    guild: FakeGuild
    stop: asyncio.Event
    sent: set[tuple[int, int]] = field(default_factory=set)
    """(question id, player id) of every click sent."""
    acked: set[tuple[int, int]] = field(default_factory=set)
    """(question id, player id) of every click answered "Locked in"."""
    asked: int = 0
    """Questions the players saw."""

    async def play(self) -> None:
        channel = play_channel(self.guild)
        while not (self.acked and self.stop.is_set()):
            shown = await seen_reply(
                self.fake.slash(
                    "trivia",
                    [{"type": 1, "name": "play", "options": []}],
                    user=PLAYERS[0],
                    guild=self.guild,
                    channel_id=channel,
                )
            )
            if shown is None or shown["flags"] & EPHEMERAL:  # down, or "already open here"
                await asyncio.sleep(0.2)
                continue
            self.asked += 1
            buttons = [c["custom_id"] for r in shown.get("components", []) for c in r["components"]]
            for i, player in enumerate(PLAYERS if buttons else []):
                question = int(buttons[0].split(":")[2])
                self.sent.add((question, player.id))
                button = buttons[i % len(buttons)]
                locked = await seen_reply(
                    self.fake.click(button, message=shown, user=player, guild=self.guild)
                )
                if locked is not None and locked["embeds"][0]["title"].startswith("Locked in"):
                    self.acked.add((question, player.id))
            await self.fake.wait_for(lambda: reveals(self.fake, channel) >= self.asked, 60)


async def settled(database: Path | str) -> bool:
    """Nothing is owed: every post made, every slot finished, every question revealed
    (but the dailies, revealed tomorrow)."""
    soon = datetime.now(UTC).timestamp() + 3600
    [(owed,)] = await query(
        database,
        "SELECT (SELECT count(*) FROM outbox WHERE posted_at IS NULL)"
        " + (SELECT count(*) FROM schedule_slots WHERE finished_at IS NULL)"
        f" + (SELECT count(*) FROM questions WHERE revealed_at IS NULL AND closes_at < {soon})",
    )
    return int(owed) == 0


async def stored_answers(database: Path | str) -> list[tuple[int, int]]:
    rows = await query(
        database, "SELECT a.question_id, p.ref FROM answers a JOIN players p ON p.id = a.player_id"
    )
    return [(int(q), int(p)) for q, p in rows]


async def questions_by_channel(database: Path | str) -> Counter[int]:
    rows = await query(
        database,
        "SELECT c.ref FROM questions q JOIN rounds r ON r.id = q.round_id"
        " JOIN channels c ON c.id = r.channel_id",
    )
    return Counter(int(ref) for (ref,) in rows)


@asynccontextmanager
async def bots(
    database: Path | str, fake: FakeDiscord, folder: Path, shards: int
) -> AsyncIterator[list[BotProcess]]:
    """One process per shard, started together, stopped (SIGTERM) at the end; their logs
    are shown if the block fails."""
    processes = [BotProcess(s, shards, database, fake, folder) for s in range(shards)]
    try:
        await asyncio.gather(*(p.start() for p in processes))
        for p in processes:
            await fake.shard_connected(p.shard, timeout=STARTED_S)
        yield processes
    except BaseException:
        for p in processes:
            log.error("%s", p.tail())
        raise
    finally:
        await asyncio.gather(*(p.stop() for p in processes))


async def prepared(databases: Databases, servers: list[FakeGuild]) -> Path | str:
    """A database holding the shipped records and a daily schedule in every scheduled
    channel, missed five minutes ago (each process posts its shard's at start)."""
    database = databases.new(migrated=True)
    async with open_store(database) as stores:
        await stores.records.seed()
    places = [Place("discord", str(g.id), str(c)) for g in servers for c in scheduled(g)]
    await daily_schedules_missed_minutes_ago(database, places)
    return database


@dataclass
class Outcome:
    """What users saw and what the database holds after one run."""

    shards: int
    at_kill: int
    victims: int
    caught_up_s: float
    took_s: float
    dailies: dict[int, int]
    reveals: dict[int, int]
    questions: Counter[int]
    asked: dict[int, int]
    acked: set[tuple[int, int]]
    sent: set[tuple[int, int]]
    stored: list[tuple[int, int]]
    slot_errors: list[tuple[Any, ...]]
    requested: int
    """Daily posts Discord accepted: more than shown when a takeover reposted one Discord
    already had (its nonce returned the message Discord had)."""
    throttled: int
    statuses: Counter[int]
    """The daily posts Discord got, by the status it answered."""
    """Requests Discord refused with a 429 (over its global limit; retried)."""
    shown: int


async def kill_mid_fan_out(databases: Databases, folder: Path, shards: int) -> Outcome:
    """`shards` processes, one per shard, start together on one database with 48 dailies
    missed; the last shard's process is killed (SIGKILL) once it posted some of its
    channels' dailies, and restarted. Players ask and answer questions in a channel on
    every shard throughout, until the restart (and one acknowledged answer each)."""
    servers = guilds(shards)
    victim = servers[-1]
    database = await prepared(databases, servers)
    restarted = asyncio.Event()
    began = time.monotonic()
    async with FakeDiscord(guilds=servers, global_limit=50) as fake:
        players = [Players(fake, g, restarted) for g in servers]
        async with bots(database, fake, folder, shards) as processes:
            playing = [asyncio.create_task(p.play()) for p in players]

            def victims_dailies() -> int:
                return sum(dailies(fake, c) for c in scheduled(victim))

            await fake.wait_for(lambda: victims_dailies() >= 3, timeout=STARTED_S)
            await processes[-1].kill()
            at_kill, killed_at = victims_dailies(), time.monotonic()
            await processes[-1].start()
            await fake.shard_connected(victim.id >> 22, timeout=STARTED_S)
            restarted.set()
            everyone = [c for g in servers for c in scheduled(g)]
            await fake.wait_for(lambda: all(dailies(fake, c) >= 1 for c in everyone), 60)
            caught_up = time.monotonic() - killed_at
            await asyncio.gather(*playing)
            deadline = time.monotonic() + 60
            while not await settled(database):
                assert time.monotonic() < deadline, "posts, slots or reveals still owed"
                await asyncio.sleep(0.1)
        took = time.monotonic() - began
    plays = [play_channel(g) for g in servers]
    posts_to = {f"/channels/{c}/messages" for c in everyone}
    return Outcome(
        shards=shards,
        at_kill=at_kill,
        victims=len(scheduled(victim)),
        caught_up_s=caught_up,
        took_s=took,
        dailies={c: dailies(fake, c) for c in everyone},
        reveals={c: reveals(fake, c) for c in plays},
        questions=await questions_by_channel(database),
        asked={play_channel(p.guild): p.asked for p in players},
        acked=set().union(*(p.acked for p in players)),
        sent=set().union(*(p.sent for p in players)),
        stored=await stored_answers(database),
        slot_errors=await query(database, "SELECT * FROM schedule_slots WHERE error IS NOT NULL"),
        requested=sum(
            r.method == "POST" and r.path in posts_to and r.status == 200 for r in fake.requests
        ),
        throttled=fake.global_429s,
        statuses=Counter(
            r.status for r in fake.requests if r.method == "POST" and r.path in posts_to
        ),
        shown=sum(len(fake.visible_messages(c)) for c in everyone),
    )


async def test_two_and_three_processes_post_and_count_once_through_a_kill_mid_fan_out(
    databases: Databases, tmp_path: Path
) -> None:
    """Two processes (shard_count 2) and, at the same time on another database and fake,
    three (shard_count 3), each with one process killed mid-fan-out and restarted: every
    channel has exactly one daily, every question asked is revealed once, every answer
    acknowledged with "Locked in" is stored (and nothing nobody sent), and no slot was
    finished with an error."""
    outcomes = await asyncio.gather(*(kill_mid_fan_out(databases, tmp_path, n) for n in (2, 3)))
    for run in outcomes:
        log.info(
            "%d processes on %s: killed after %d of its %d dailies; all %d posted %.1f s"
            " after the kill; %d answers acknowledged; %d daily posts accepted for %d"
            " shown (statuses %s); %d 429s; %.1f s in all",
            run.shards,
            databases.backend,
            run.at_kill,
            run.victims,
            len(run.dailies),
            run.caught_up_s,
            len(run.acked),
            run.requested,
            run.shown,
            dict(run.statuses),
            run.throttled,
            run.took_s,
        )
        assert 3 <= run.at_kill < run.victims, "the kill did not land mid-fan-out"
        assert run.dailies == dict.fromkeys(run.dailies, 1)
        for channel, seen in run.reveals.items():
            assert seen == run.questions[channel] >= run.asked[channel] >= 1
        assert len(run.stored) == len(set(run.stored))
        assert run.acked <= set(run.stored) <= run.sent
        assert run.slot_errors == []
