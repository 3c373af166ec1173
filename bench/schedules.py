"""10,000 daily-question schedules due at the same minute, posted through Discord.

The bot runs as its own process (`python -m bot run`), pointed at the loopback Discord fake
from the tests, which enforces Discord's global limit of 50 requests a second and answers
any request over it with a 429. The figures: the time from the slot to the last post, as
a multiple of the floor the limit sets (10,000 / 50 per second = 200 s), the 429s, and the
bot process's peak resident memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bot_process import bot_command
from bench.report import figure, heading, progress, verdict
from db.connection import open_db
from db.game import GameStore
from tests.fakes.discord_api import FakeDiscord, FakeGuild, Recorded
from trivia.model import Place
from trivia.schedule import Timing

SCHEDULES = 10_000
CHANNELS_PER_GUILD = 500
GLOBAL_LIMIT = 50
LEAD = timedelta(seconds=45)
"""The slot is the first whole minute at least this long after the database is ready."""
POST_TIMEOUT_S = 900.0
FLOOR_FRACTION_TARGET = 1.2
GUILDS = [
    FakeGuild(
        id=40_000 + g,
        name=f"Bench Guild {g}",
        channels=[1_000_000 + g * CHANNELS_PER_GUILD + c for c in range(CHANNELS_PER_GUILD)],
    )
    for g in range(math.ceil(SCHEDULES / CHANNELS_PER_GUILD))
]


@dataclass(frozen=True)
class FanOut:
    """The figures of this benchmark, for the summary."""

    posted: int
    seconds: float
    throttled: int
    peak_rss_mb: float

    @property
    def floor_s(self) -> float:
        """The least time Discord's global limit allows for the posts."""
        return SCHEDULES / GLOBAL_LIMIT

    @property
    def floor_fraction(self) -> float:
        """Time taken as a multiple of the floor."""
        return self.seconds / self.floor_s


async def _prepare(db: Path) -> datetime:
    """A database with the shipped records and SCHEDULES daily schedules, one per channel,
    all at one minute in UTC; that minute."""
    async with open_db(db) as conn:
        store = GameStore(conn)
        await store.records.seed()
        now = datetime.now(UTC)
        slot = (now + LEAD + timedelta(seconds=59)).replace(second=0, microsecond=0)
        timing = Timing(slot.time(), "Etc/UTC")
        channels = [(g.id, c) for g in GUILDS for c in g.channels][:SCHEDULES]
        for guild, channel in channels:
            place = Place("discord", str(guild), str(channel))
            await store.schedules.add(
                await store.channel_id(place),
                timing,
                series=None,
                questions=None,
                reveal_at=None,
                now=now,
            )
    return slot


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


class _Fake(FakeDiscord):
    """The fake, also telling the driver when every schedule has posted."""

    def __init__(self) -> None:
        super().__init__(guilds=GUILDS, global_limit=GLOBAL_LIMIT)
        self.all_posted = asyncio.Event()
        self._accepted = 0

    async def _post_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        answer = await super()._post_message(rec, m)
        self._accepted += 1
        if self._accepted >= SCHEDULES:
            self.all_posted.set()
        return answer


def _posts(fake: FakeDiscord) -> list[float]:
    """Arrival times of the channel messages the fake accepted."""
    return [
        r.time
        for r in fake.requests
        if r.method == "POST" and r.path.endswith("/messages") and r.status == 200
    ]


async def run() -> FanOut:
    """Prepare, start the bot process, wait for the slot, and count the posts."""
    heading("6. Scheduled fan-out: 10,000 schedules due at the same minute, through Discord")
    with tempfile.TemporaryDirectory(prefix="photo-finish-fanout-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        began = time.perf_counter()
        slot = await _prepare(db)
        progress(f"{SCHEDULES:,} schedules stored in {time.perf_counter() - began:.1f} s")
        async with _Fake() as fake:
            with (Path(tmp) / "bot.log").open("wb") as log:
                bot = await asyncio.create_subprocess_exec(
                    *bot_command(Path(tmp) / "config.toml", db, fake),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
                gc.collect()
                gc.disable()  # the fake's collector pauses would bunch up arrivals it counts
                try:
                    await fake.connected(timeout=120)
                    wait = (slot - datetime.now(UTC)).total_seconds()
                    progress(f"bot connected; the slot is {slot:%H:%M:%S} UTC, in {wait:.0f} s")
                    async with asyncio.timeout(POST_TIMEOUT_S + wait):
                        await fake.all_posted.wait()
                    peak = _peak_rss_mb(bot.pid)
                finally:
                    gc.enable()
                    with contextlib.suppress(ProcessLookupError):
                        bot.terminate()
                    await bot.wait()
                    await fake.disconnect_clients()
            posts = _posts(fake)
            slot_mono = time.monotonic() - (datetime.now(UTC) - slot).total_seconds()
            throttled = sum(1 for r in fake.requests if r.status == 429)
    result = FanOut(len(posts), max(posts) - slot_mono, throttled, peak)
    progress(f"first post {min(posts) - slot_mono:.1f} s after the slot")
    figure("posted", f"{result.posted:,}")
    figure("slot to last post", f"{result.seconds:,.1f} s", f"floor {result.floor_s:.0f} s")
    figure("  as a fraction of the floor", f"{result.floor_fraction:.3f}")
    figure(
        f"  target <= {FLOOR_FRACTION_TARGET}",
        verdict(result.floor_fraction, FLOOR_FRACTION_TARGET, at_least=False),
    )
    figure("429 responses", f"{result.throttled}", "target 0")
    figure("bot process peak memory", f"{result.peak_rss_mb:,.0f} MiB")
    return result
