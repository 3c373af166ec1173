"""Slash commands per second and their latency: the real bot against a bare discord.py handler,
and against discord.py sending the bot's own replies with no engine or database (the replay).

Each runs as its own process (`python -m bot run`; bench/bare_discord.py), as it would beside
a remote Discord, against its own loopback fake of Discord (tests/fakes) in this process,
under the same load: WARMUP /trivia commands, then ROUNDS rounds of INTERACTIONS timed ones,
IN_FLIGHT at a time (the handler saturated: latency there is mostly queueing), and
SERIAL_INTERACTIONS one at a time (latency is each command's own service time); of each
kind, the round with the median p99 is reported. Latency is from the gateway push of
INTERACTION_CREATE to the interaction callback reaching the fake, both timed in this process,
whose garbage collector is paused while timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bot_process import bot_command
from bench.report import figure, heading, percentile, progress, verdict
from tests.fakes.discord_api import FakeDiscord, FakeGuild, FakeUser, Interaction, Recorded

INTERACTIONS = 2_000
WARMUP = 100
IN_FLIGHT = 20
ROUNDS = 3
SERIAL_INTERACTIONS = 500
CHANNELS = 50
PLAYERS = 100
ANSWERS_PER_ROUND = 3
READS: tuple[tuple[str, str], ...] = (
    ("leaderboard", "all"),
    ("stats", ""),
    ("leaderboard", "week"),
    ("leaderboard", "all"),
    ("stats", ""),
)
"""After each play..stop round: 3 leaderboards (2 all time, 1 this week) and 2 stats."""
BLOCK = 2 + ANSWERS_PER_ROUND + len(READS)
WINDOW_S = 120.0
ACK_WAIT_S = 10.0
READY_WAIT_S = 60.0
P99_RATIO_TARGET = 1.5
GUILD = FakeGuild(id=5001, name="Bench Club", channels=[6001 + i for i in range(CHANNELS)])
USERS = [FakeUser(7100 + i, f"player{i}", f"Player {i}") for i in range(PLAYERS)]
ERROR_COLOUR = 0xC53030
MIX = (
    f"per {BLOCK}: 1 play, {ANSWERS_PER_ROUND} answer, 1 stop (serial, one of {CHANNELS}"
    " channels), 2 leaderboard all, 1 leaderboard week, 2 stats"
)


@dataclass(frozen=True)
class Load:
    """One handler's figures under the load."""

    count: int
    seconds: float
    latencies_ms: list[float]
    failed: int

    @property
    def per_s(self) -> float:
        """Acknowledged interactions per second of wall time."""
        return len(self.latencies_ms) / self.seconds

    @property
    def p50_ms(self) -> float:
        """Median push-to-callback latency."""
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99_ms(self) -> float:
        """99th-percentile push-to-callback latency."""
        return percentile(self.latencies_ms, 0.99)


@dataclass(frozen=True)
class Comparison:
    """The figures of this benchmark, for the summary."""

    ours: Load
    bare: Load
    ours_serial: Load
    bare_serial: Load
    replay: Load
    replay_serial: Load

    @property
    def p99_ratio(self) -> float:
        """Our p99 latency over the bare handler's."""
        return self.ours.p99_ms / self.bare.p99_ms

    @property
    def serial_p99_ratio(self) -> float:
        """Our p99 over the bare handler's with one interaction at a time."""
        return self.ours_serial.p99_ms / self.bare_serial.p99_ms

    @property
    def replay_p99_ratio(self) -> float:
        """The replay's p99 over the bare handler's: what sending our replies costs."""
        return self.replay.p99_ms / self.bare.p99_ms

    @property
    def throughput_ratio(self) -> float:
        """Our interactions per second over the bare handler's."""
        return self.ours.per_s / self.bare.per_s


class Fake(FakeDiscord):
    """The fake, also telling the driver the moment an interaction callback arrives."""

    def __init__(self, guilds: tuple[FakeGuild, ...] = (GUILD,)) -> None:
        super().__init__(guilds=list(guilds))
        self._acks: dict[str, asyncio.Event] = {}

    def acked(self, token: str) -> asyncio.Event:
        """Set once the bot has called back for this interaction token (accepted or not)."""
        return self._acks.setdefault(token, asyncio.Event())

    async def _callback(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        try:
            return await super()._callback(rec, m)
        finally:
            self.acked(m["token"]).set()


def sub(name: str, **options: str) -> list[dict[str, Any]]:
    """A subcommand option list, e.g. sub("leaderboard", period="week")."""
    return [
        {"type": 1, "name": name, "options": [{"name": k, "value": v} for k, v in options.items()]}
    ]


def answer_text(play: Interaction, k: int) -> str:
    """A valid answer to the question play posted: a button's letter, else a margin."""
    data = (play.response() or {}).get("data") or {}
    ids = [c["custom_id"] for row in data.get("components") or [] for c in row["components"]]
    letters = [i.rsplit(":", 1)[1] for i in ids if i.startswith("pf:answer:")]
    return letters[k % len(letters)] if letters else f"{0.01 * (k + 1):.3f}"


class _Driver:
    """Pushes blocks of /trivia commands, some at a time, and keeps every interaction."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.pushed: list[Interaction] = []
        self.free: asyncio.Queue[int] = asyncio.Queue()
        for channel in GUILD.channels:
            self.free.put_nowait(channel)

    async def _one(self, user: FakeUser, channel: int, name: str, **options: str) -> Interaction:
        pushed = await self.fake.slash(
            "trivia", sub(name, **options), user=user, guild=GUILD, channel_id=channel
        )
        self.pushed.append(pushed)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ACK_WAIT_S):
                await self.fake.acked(pushed.token).wait()
        return pushed

    async def _round(self, block: int) -> None:
        """play, answers from different players, stop: in order, in a channel of its own."""
        channel = await self.free.get()
        try:
            players = [
                USERS[(block * ANSWERS_PER_ROUND + k) % PLAYERS]
                for k in range(ANSWERS_PER_ROUND + 1)
            ]
            play = await self._one(players[-1], channel, "play")
            for k in range(ANSWERS_PER_ROUND):
                await self._one(players[k], channel, "answer", text=answer_text(play, block + k))
            await self._one(players[-1], channel, "stop")
        finally:
            self.free.put_nowait(channel)

    async def _read(self, block: int, n: int) -> None:
        """One read; stats are asked by the previous block's players (some still answering)."""
        name, period = READS[n]
        user = USERS[(ANSWERS_PER_ROUND * (block - 1) + n % ANSWERS_PER_ROUND) % PLAYERS]
        channel = GUILD.channels[(block + n) % CHANNELS]
        await self._one(user, channel, name, **({"period": period} if period else {}))

    def _jobs(self, blocks: int) -> Iterator[Coroutine[Any, Any, None]]:
        """Each block's round, then its reads; coroutines are made as workers take them."""
        for b in range(blocks):
            yield self._round(b)
            for n in range(len(READS)):
                yield self._read(b, n)

    async def run(self, blocks: int, in_flight: int = IN_FLIGHT) -> float:
        """Push `blocks` blocks through `in_flight` workers; the seconds it took."""
        jobs = self._jobs(blocks)

        async def worker() -> None:
            for job in jobs:
                await job

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return time.perf_counter() - began

    def save_replies(self, path: Path) -> None:
        """Write the replies (callback bodies with a message) by subcommand, for the replay."""
        by_sub: dict[str, list[Any]] = {}
        for pushed in self.pushed:
            body = pushed.response() or {}
            if body.get("type") == 4:
                by_sub.setdefault(pushed.payload["data"]["options"][0]["name"], []).append(
                    body["data"]
                )
        path.write_text(json.dumps(by_sub), encoding="utf-8")

    def load(self, seconds: float, first: int) -> Load:
        """The figures for the interactions pushed since index `first`."""
        measured = self.pushed[first:]
        latencies = [i.latency * 1000 for i in measured if i.latency is not None]
        return Load(len(measured), seconds, latencies, len(measured) - len(latencies))


async def ready(fake: Fake, process: asyncio.subprocess.Process, shard: int | None = None) -> None:
    """Wait until the commands are synced and the process is connected to the gateway (on
    `shard`, when it runs one of several)."""
    await fake.wait_for(
        lambda: bool(fake.commands.get(None)) or process.returncode is not None, READY_WAIT_S
    )
    if process.returncode is not None:
        raise RuntimeError(f"the handler process stopped before it was ready: {process.returncode}")
    if shard is None:
        await fake.connected(timeout=READY_WAIT_S)
    else:
        await fake.shard_connected(shard, timeout=READY_WAIT_S)


async def _measure_process(
    label: str, command: Callable[[Fake, Path], list[str]], replies: Path | None = None
) -> tuple[Load, Load]:
    """Start the handler under test as its own process against a fresh fake, and measure it
    (saving its replies to `replies`, if given)."""
    with tempfile.TemporaryDirectory(prefix="photo-finish-bench-") as tmp:
        async with Fake() as fake:
            began = time.perf_counter()
            with (Path(tmp) / "handler.log").open("wb") as log:
                process = await asyncio.create_subprocess_exec(
                    *command(fake, Path(tmp)), stdout=asyncio.subprocess.DEVNULL, stderr=log
                )
            try:
                await ready(fake, process)
                progress(f"{label}: connected in {time.perf_counter() - began:.1f} s")
                return await _measure(fake, label, replies)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
                await process.wait()
                await fake.disconnect_clients()


async def _measure(fake: Fake, label: str, replies: Path | None) -> tuple[Load, Load]:
    """Warm up with WARMUP interactions, then ROUNDS rounds of INTERACTIONS with IN_FLIGHT
    at a time and SERIAL_INTERACTIONS one at a time; of each kind, the round whose p99 is
    the median (one round's p99 varies by 2x between runs here)."""
    driver = _Driver(fake)
    await driver.run(WARMUP // BLOCK)
    busy: list[Load] = []
    serial: list[Load] = []
    for n in range(1, ROUNDS + 1):
        for count, in_flight, loads in (
            (INTERACTIONS, IN_FLIGHT, busy),
            (SERIAL_INTERACTIONS, 1, serial),
        ):
            first = len(driver.pushed)
            gc.collect()
            gc.disable()  # the fake's own collector pauses would be charged to the handler
            try:
                seconds = await driver.run(count // BLOCK, in_flight)
            finally:
                gc.enable()
            load = driver.load(seconds, first)
            progress(
                f"{label}, round {n}/{ROUNDS}, {in_flight} in flight: {load.count:,} in"
                f" {seconds:.2f} s, p99 {load.p99_ms:.1f} ms, {load.failed} not acknowledged"
                f" within {ACK_WAIT_S:.0f} s, {_error_replies(driver.pushed[first:])} error replies"
            )
            loads.append(load)
    if replies is not None:
        driver.save_replies(replies)
    return _median_round(busy), _median_round(serial)


def _median_round(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda load: load.p99_ms)[len(loads) // 2]


def _error_replies(pushed: list[Interaction]) -> int:
    """Callbacks whose embed is an error (e.g. a wrong answer format, stats for nobody)."""
    colours = [
        embed.get("color")
        for i in pushed
        for embed in ((i.response() or {}).get("data") or {}).get("embeds") or []
    ]
    return colours.count(ERROR_COLOUR)


def _our_bot(fake: Fake, tmp: Path) -> list[str]:
    """`python -m bot run` on a fresh SQLite file (seeded from the shipped pack)."""
    return bot_command(tmp / "config.toml", tmp / "bot.sqlite3", fake, window_s=WINDOW_S)


def bare_client(*options: str) -> Callable[[Fake, Path], list[str]]:
    """The bare discord.py client of bench/bare_discord.py, with these options."""

    def command(fake: Fake, tmp: Path) -> list[str]:
        return [
            sys.executable, "-m", "bench.bare_discord", fake.base_url, fake.gateway_url, *options
        ]  # fmt: skip

    return command


def _show(label: str, load: Load) -> None:
    figure(label, f"{load.per_s:,.0f} interactions/s")
    figure("  latency p50 / p99", f"{load.p50_ms:,.1f} / {load.p99_ms:,.1f} ms")


async def run() -> Comparison:
    """Run the real bot, the bare handler and the replay under the same load; print them."""
    heading("4. Discord slash commands: our adapter vs a bare discord.py handler")
    progress(
        f"{ROUNDS} rounds of {INTERACTIONS:,} /trivia interactions ({WARMUP} more to warm up),"
        f" {IN_FLIGHT} in flight, {PLAYERS} players, each handler in its own process; {MIX}"
    )
    with tempfile.TemporaryDirectory(prefix="photo-finish-bench-") as tmp:
        replies = Path(tmp) / "replies.json"
        ours_busy, ours_serial = await _measure_process("our bot", _our_bot, replies)
        bare_busy, bare_serial = await _measure_process("bare discord.py", bare_client())
        replay_busy, replay_serial = await _measure_process(
            "discord.py replaying our replies", bare_client("--replies", str(replies))
        )
    result = Comparison(ours_busy, bare_busy, ours_serial, bare_serial, replay_busy, replay_serial)
    _show(f"ours (engine + SQLite), {IN_FLIGHT} in flight", result.ours)
    _show(f"bare (ack only), {IN_FLIGHT} in flight", result.bare)
    figure("ratio ours / bare p99", f"{result.p99_ratio:.2f}")
    figure(
        f"  target <= {P99_RATIO_TARGET}",
        verdict(result.p99_ratio, P99_RATIO_TARGET, at_least=False),
    )
    figure("ratio ours / bare throughput", f"{result.throughput_ratio:.2f}")
    _show("ours, one at a time", result.ours_serial)
    _show("bare, one at a time", result.bare_serial)
    figure("ratio ours / bare p99, one at a time", f"{result.serial_p99_ratio:.2f}")
    _show(f"replay (our replies, no engine or DB), {IN_FLIGHT} in flight", result.replay)
    _show("replay, one at a time", result.replay_serial)
    figure("ratio replay / bare p99", f"{result.replay_p99_ratio:.2f}")
    return result
