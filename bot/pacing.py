"""Pacing channel posts to stay inside each platform's rate limits, instead of waiting out
429s after the fact (discord.py and slack_sdk still handle any 429 that gets through).

Posts are spread evenly, one every `per / limit` seconds, rather than sent in bursts of
`limit`: a burst arrives at the platform stretched by network and server jitter, and the
tail of one burst can share a second with the head of the next. One 429 also stalls
every post behind it for a second, and they then go out together.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

DISCORD_GLOBAL = (50, 1.1)
"""Discord: 50 requests a second per bot (interaction responses are exempt), with 10% to
spare for jitter between our send and Discord's count."""
SLACK_PER_CHANNEL = (1, 1.0)
"""Slack chat.postMessage: about one message a second per channel (short bursts allowed)."""
IDLE_WINDOWS_KEPT = 1024


@dataclass
class RateLimit:
    """At most `limit` sends per `per` seconds: callers go one at a time, in the order they
    arrive, each at least `per / limit` seconds after the previous one actually went (so
    a stalled event loop delays the queue rather than releasing a burst when it resumes)."""

    limit: int
    per: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _last: float = -math.inf
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        """Return at this caller's turn."""
        async with self._turn:
            due = self._last + self.per / self.limit
            if self.clock() < due:
                await self.sleep(due - self.clock())
            self._last = self.clock()

    def idle(self) -> bool:
        """True when the next caller would go at once."""
        return not self._turn.locked() and self.clock() >= self._last + self.per / self.limit


class Pacer:
    """A platform's pacing: one limit for all its posts and/or one per channel."""

    def __init__(
        self,
        *,
        overall: tuple[int, float] | None = None,
        per_channel: tuple[int, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock, self.sleep = clock, sleep
        self.overall = RateLimit(*overall, clock, sleep) if overall else None
        self.per_channel = per_channel
        self._channels: dict[str, RateLimit] = {}

    async def wait(self, channel: str) -> None:
        """Return once a post to `channel` fits inside the platform's limits."""
        if self.per_channel is not None:
            if len(self._channels) > IDLE_WINDOWS_KEPT:
                self._channels = {k: w for k, w in self._channels.items() if not w.idle()}
            window = self._channels.get(channel)
            if window is None:
                window = self._channels[channel] = RateLimit(
                    *self.per_channel, self.clock, self.sleep
                )
            await window.wait()
        if self.overall is not None:
            await self.overall.wait()


def platform_pacer(platform: str, share: float = 1.0) -> Pacer:
    """The pacing for a platform's channel posts, in a process that may use `share` of the
    platform's overall limit (Discord's is per bot, shared by all the processes running
    its shards)."""
    if platform == "discord":
        limit, per = DISCORD_GLOBAL
        return Pacer(overall=(limit, per / share))
    if platform == "slack":
        return Pacer(per_channel=SLACK_PER_CHANNEL)
    return Pacer()
