"""Pacing: posts spread out to stay inside a platform's rate limit."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.pacing import Pacer, RateLimit


async def test_a_window_never_holds_more_than_its_limit() -> None:
    """12 callers at once through 5 per 0.2 s go one every 0.04 s (a few ms of timer
    slack allowed), so the last goes 0.44 s after the first."""
    window = RateLimit(5, 0.2)
    stamps: list[float] = []

    async def send() -> None:
        await window.wait()
        stamps.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(send() for _ in range(12)))
    assert time.monotonic() - began >= 0.43
    assert min(b - a for a, b in itertools.pairwise(stamps)) >= 0.035


async def test_per_channel_pacing_only_holds_back_the_same_channel() -> None:
    """One post a channel per 0.2 s: another channel goes at once, the same one waits."""
    pacer = Pacer(per_channel=(1, 0.2))
    began = time.monotonic()
    await pacer.wait("a")
    await pacer.wait("b")
    assert time.monotonic() - began < 0.1
    await pacer.wait("a")
    assert time.monotonic() - began >= 0.19
