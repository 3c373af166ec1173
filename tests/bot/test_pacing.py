"""Pacing: posts spread out to stay inside a platform's rate limit, on a fake clock."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.pacing import Pacer, RateLimit


class FakeTime:
    """A clock that only moves when someone sleeps; `stall` adds to the next sleep, as if
    the event loop had been busy elsewhere when the sleeper was due."""

    def __init__(self) -> None:
        self.now = 100.0
        self.stall = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.stall
        self.stall = 0.0
        await asyncio.sleep(0)


async def _sends(limit: RateLimit, count: int, clock: FakeTime) -> list[float]:
    stamps: list[float] = []

    async def send() -> None:
        await limit.wait()
        stamps.append(clock.now)

    await asyncio.gather(*(send() for _ in range(count)))
    return stamps


async def test_callers_at_once_go_one_every_per_over_limit_seconds() -> None:
    """12 callers at once through 5 per 0.2 s: one every 0.04 s, never 6 in 0.2 s."""
    clock = FakeTime()
    stamps = await _sends(RateLimit(5, 0.2, clock, clock.sleep), 12, clock)
    assert [round(t - 100.0, 6) for t in stamps] == [round(0.04 * i, 6) for i in range(12)]


async def test_a_stalled_loop_does_not_release_a_burst() -> None:
    """A sleeper woken 1 s late: the posts queued behind it still go 0.04 s apart."""
    clock = FakeTime()
    clock.stall = 1.0
    stamps = await _sends(RateLimit(5, 0.2, clock, clock.sleep), 4, clock)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(stamps)]
    assert gaps == [1.04, 0.04, 0.04]


async def test_per_channel_pacing_only_holds_back_the_same_channel() -> None:
    """One post a channel per second: another channel goes at once, the same one waits."""
    clock = FakeTime()
    pacer = Pacer(per_channel=(1, 1.0), clock=clock, sleep=clock.sleep)
    await pacer.wait("a")
    await pacer.wait("b")
    assert clock.now == 100.0
    await pacer.wait("a")
    assert clock.now == pytest.approx(101.0)
