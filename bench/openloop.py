"""Open-loop Discord latency: /trivia commands arriving at a fixed rate (Poisson arrivals),
whether or not earlier ones have been answered, as members' commands do; our bot against a
bare discord.py handler in the same run.

Two figures: the p99 at RATE commands/s, ours (one process) over bare; and capacity, the
highest arrival rate whose p99 stays under LIMIT_MS (rates double from RATE until one
misses, then are bisected, SEARCH_STEPS rates in all), ours with two shard processes on
one SQLite file over one bare process. The mix is bench/discord.py's: half the arrivals
are the next step of a channel's round (play, three answers, stop: a step goes to a
channel whose previous step has been answered), half are leaderboards and stats. Two
servers, one on each shard. Latency is from the gateway push to the interaction callback,
timed by the fake in this process; a command not acknowledged within ACK_WAIT_S counts as
infinitely slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import math
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.bot_process import bot_command
from bench.discord import (
    ACK_WAIT_S,
    ANSWERS_PER_ROUND,
    READS,
    USERS,
    WINDOW_S,
    Fake,
    answer_text,
    bare_client,
    ready,
    sub,
)
from bench.report import figure, heading, percentile, progress, verdict
from tests.fakes.discord_api import FakeGuild, FakeUser, Interaction, shard_of

RATE = 200.0
DURATION_S = 5.0
WARMUP = 200
LIMIT_MS = 100.0
SEARCH_STEPS = 7
SHARDS = 2
P99_RATIO_TARGET = 2.0
CAPACITY_RATIO_TARGET = 0.6
CHANNELS_PER_GUILD = 25
SEED = 20
GUILDS = tuple(
    FakeGuild(
        id=(shard << 22) + 5001,
        name=f"Bench Club {shard}",
        channels=[6001 + 100 * shard + i for i in range(CHANNELS_PER_GUILD)],
    )
    for shard in range(SHARDS)
)
assert [shard_of(g.id, SHARDS) for g in GUILDS] == list(range(SHARDS)), "one server a shard"

T = TypeVar("T")
Command = Callable[[Fake, Path], list[list[str]]]
"""The handler's processes (their command lines) for a fake, in a scratch folder."""


@dataclass(frozen=True)
class Step:
    """One arrival rate's figures."""

    rate: float
    latencies_ms: list[float]

    @property
    def p99_ms(self) -> float:
        """99th-percentile push-to-callback latency (inf if over 1% went unanswered)."""
        return percentile(self.latencies_ms, 0.99)

    @property
    def p50_ms(self) -> float:
        """Median push-to-callback latency."""
        return percentile(self.latencies_ms, 0.50)

    @property
    def unanswered(self) -> int:
        """Commands not acknowledged within ACK_WAIT_S."""
        return sum(math.isinf(ms) for ms in self.latencies_ms)


@dataclass(frozen=True)
class OpenLoop:
    """The figures of this benchmark, for the summary."""

    ours: Step
    bare: Step
    ours_capacity: float
    bare_capacity: float

    @property
    def p99_ratio(self) -> float:
        """Our p99 over the bare handler's at RATE."""
        return self.ours.p99_ms / self.bare.p99_ms

    @property
    def capacity_ratio(self) -> float:
        """Our capacity (two shard processes) over the bare handler's (one process); nan
        when no rate tried passed for the bare handler."""
        return self.ours_capacity / self.bare_capacity if self.bare_capacity else math.nan


@dataclass
class _Channel:
    """A channel's round: the next step (0 play, then answers, then stop)."""

    guild: FakeGuild
    channel: int
    step: int = 0
    round: int = 0
    play: Interaction | None = None


class _Arrivals:
    """Pushes commands at Poisson arrival times and collects their latencies."""

    def __init__(self, fake: Fake, seed: int) -> None:
        self.fake = fake
        self.rng = random.Random(seed)
        self.free: list[_Channel] = [
            _Channel(guild, channel) for guild in GUILDS for channel in guild.channels
        ]
        self.kinds = itertools.count()
        self.reads = 0

    async def _push(self, user: FakeUser, at: tuple[FakeGuild, int], name: str,
                    **options: str) -> Interaction:  # fmt: skip
        """Push one /trivia subcommand and wait (up to ACK_WAIT_S) for its callback."""
        guild, channel = at
        pushed = await self.fake.slash(
            "trivia", sub(name, **options), user=user, guild=guild, channel_id=channel
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ACK_WAIT_S):
                await self.fake.acked(pushed.token).wait()
        return pushed

    async def _round_step(self, at: _Channel) -> float:
        """The channel's next step; the channel is free again once it is answered."""
        players = [
            USERS[(at.round * ANSWERS_PER_ROUND + k) % len(USERS)]
            for k in range(ANSWERS_PER_ROUND + 1)
        ]
        where = (at.guild, at.channel)
        try:
            if at.step == 0:
                pushed = at.play = await self._push(players[-1], where, "play")
            elif at.step <= ANSWERS_PER_ROUND:
                assert at.play is not None
                text = answer_text(at.play, at.round + at.step)
                pushed = await self._push(players[at.step - 1], where, "answer", text=text)
            else:
                pushed = await self._push(players[-1], where, "stop")
            return _latency_ms(pushed)
        finally:
            at.step = (at.step + 1) % (ANSWERS_PER_ROUND + 2)
            at.round += at.step == 0
            self.free.append(at)

    async def _read(self, n: int) -> float:
        subcommand, period = READS[n % len(READS)]
        guild = GUILDS[n % len(GUILDS)]
        user = USERS[(n * 7) % len(USERS)]
        channel = guild.channels[n % len(guild.channels)]
        options = {"period": period} if period else {}
        return _latency_ms(await self._push(user, (guild, channel), subcommand, **options))

    def _next(self) -> asyncio.Task[float]:
        """The next arrival: every other one a round's step (when a channel is free)."""
        n = next(self.kinds)
        if n % 2 == 0 and self.free:
            at = self.free.pop(self.rng.randrange(len(self.free)))
            return asyncio.create_task(self._round_step(at))
        self.reads += 1
        return asyncio.create_task(self._read(self.reads))

    async def run(self, rate: float, count: int) -> list[float]:
        """Push `count` commands at Poisson arrivals of `rate` a second; their latencies."""
        tasks = []
        due = time.perf_counter()
        for _ in range(count):
            due += self.rng.expovariate(rate)
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(self._next())
        return list(await asyncio.gather(*tasks))


def _latency_ms(pushed: Interaction) -> float:
    """Push to callback; infinite when it never came."""
    return math.inf if pushed.latency is None else pushed.latency * 1000


async def _start(
    fake: Fake, lines: list[list[str]], logs: Path
) -> list[asyncio.subprocess.Process]:
    """Start the handler's processes one after another, each connected before the next
    (the first syncs the commands)."""
    processes = []
    for n, line in enumerate(lines):
        with (logs / f"handler{n}.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *line, stdout=asyncio.subprocess.DEVNULL, stderr=log
            )
        processes.append(process)
        if len(lines) == 1:
            await ready(fake, process)
        else:
            await ready(fake, process, shard=n)
    return processes


async def _measure(label: str, command: Command, work: Callable[[_Arrivals], Awaitable[T]]) -> T:
    """Start the handler's processes against a fresh fake, warm them up, and run `work`."""
    with tempfile.TemporaryDirectory(prefix="photo-finish-bench-") as tmp:
        async with Fake(GUILDS) as fake:
            processes = await _start(fake, command(fake, Path(tmp)), Path(tmp))
            try:
                progress(f"{label}: {len(processes)} process(es) connected")
                arrivals = _Arrivals(fake, SEED)
                await arrivals.run(RATE / 2, WARMUP)
                return await work(arrivals)
            finally:
                for process in processes:
                    with contextlib.suppress(ProcessLookupError):
                        process.terminate()
                for process in processes:
                    await process.wait()
                await fake.disconnect_clients()


async def _step(arrivals: _Arrivals, label: str, rate: float) -> Step:
    gc.collect()
    gc.disable()  # the fake's own collector pauses would be charged to the handler
    try:
        step = Step(rate, await arrivals.run(rate, round(rate * DURATION_S)))
    finally:
        gc.enable()
    progress(
        f"{label}: {rate:,.0f}/s for {DURATION_S:.0f} s: p50 {step.p50_ms:.1f} ms,"
        f" p99 {step.p99_ms:.1f} ms, {step.unanswered} unanswered"
    )
    return step


async def _capacity(arrivals: _Arrivals, label: str) -> float:
    """The highest rate tried whose p99 stays under LIMIT_MS: doubling from RATE (halving
    while it misses) until a rate passes and one misses, then bisecting, SEARCH_STEPS
    rates in all, or until the two are within 10% (0: nothing passed)."""
    good, bad, rate = 0.0, math.inf, RATE
    for _ in range(SEARCH_STEPS):
        if (await _step(arrivals, label, rate)).p99_ms < LIMIT_MS:
            good = rate
        else:
            bad = rate
        if math.isinf(bad):
            rate = good * 2
        elif not good:
            rate = bad / 2
        elif bad / good > 1.1:
            rate = (good + bad) / 2
        else:
            break
    return good


def _ours(shards: int) -> Command:
    """Our bot on one fresh SQLite file: one process, or one process per shard."""

    def command(fake: Fake, tmp: Path) -> list[list[str]]:
        db = tmp / "bot.sqlite3"
        if shards == 1:
            return [bot_command(tmp / "config.toml", db, fake, window_s=WINDOW_S)]
        return [
            bot_command(tmp / f"config{n}.toml", db, fake, window_s=WINDOW_S, shard=(n, shards))
            for n in range(shards)
        ]

    return command


def _bare(fake: Fake, tmp: Path) -> list[list[str]]:
    return [bare_client()(fake, tmp)]


async def run() -> OpenLoop:
    """Ours and bare at RATE, then the capacity search for each; print the figures."""
    heading("4b. Discord open loop: commands arriving at a fixed rate (Poisson)")
    progress(
        f"{DURATION_S:.0f} s a rate ({WARMUP} commands to warm up), p99 limit {LIMIT_MS:.0f} ms;"
        f" {len(GUILDS)} servers of {CHANNELS_PER_GUILD} channels, one on each of {SHARDS} shards"
    )

    async def at_rate(arrivals: _Arrivals, label: str) -> Step:
        return await _step(arrivals, label, RATE)

    ours = await _measure("ours", _ours(1), lambda a: at_rate(a, "ours"))
    bare = await _measure("bare", _bare, lambda a: at_rate(a, "bare"))
    label = f"ours, {SHARDS} shard processes"
    ours_capacity = await _measure(label, _ours(SHARDS), lambda a: _capacity(a, label))
    bare_capacity = await _measure("bare", _bare, lambda a: _capacity(a, "bare"))
    result = OpenLoop(ours, bare, ours_capacity, bare_capacity)
    figure(f"ours at {RATE:.0f}/s p50 / p99", f"{ours.p50_ms:.1f} / {ours.p99_ms:.1f} ms")
    figure(f"bare at {RATE:.0f}/s p50 / p99", f"{bare.p50_ms:.1f} / {bare.p99_ms:.1f} ms")
    figure("ratio ours / bare p99", f"{result.p99_ratio:.2f}")
    figure(
        f"  target <= {P99_RATIO_TARGET}",
        verdict(result.p99_ratio, P99_RATIO_TARGET, at_least=False),
    )
    figure(
        f"capacity, ours ({SHARDS} shards)", f"{ours_capacity:,.0f} /s", f"p99 < {LIMIT_MS:.0f} ms"
    )
    figure("capacity, bare (1 process)", f"{bare_capacity:,.0f} /s")
    figure("ratio ours / bare capacity", f"{result.capacity_ratio:.2f}")
    figure(
        f"  target >= {CAPACITY_RATIO_TARGET}",
        verdict(result.capacity_ratio, CAPACITY_RATIO_TARGET, at_least=True),
    )
    return result
