"""Pacing channel posts to stay inside each platform's rate limits, instead of waiting out
429s after the fact (discord.py and slack_sdk still handle any 429 that gets through)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

DISCORD_GLOBAL = (50, 1.05)
"""Discord: 50 requests a second per bot (interaction responses are exempt); the window is
5% longer so that network jitter cannot squeeze 51 into one second at Discord's end."""
SLACK_PER_CHANNEL = (1, 1.0)
"""Slack chat.postMessage: about one message a second per channel (short bursts allowed)."""
IDLE_WINDOWS_KEPT = 1024


@dataclass
class RateWindow:
    """At most `limit` sends in any `per`-second window (sliding), for every caller."""

    limit: int
    per: float
    clock: Callable[[], float] = time.monotonic
    _sent: deque[float] = field(default_factory=deque)
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        """Return once one more send fits in the window (callers go in arrival order)."""
        async with self._turn:
            while True:
                now = self.clock()
                while self._sent and now - self._sent[0] >= self.per:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self.per - (now - self._sent[0]))

    def idle(self) -> bool:
        """True once nothing sent is still inside the window."""
        return not self._sent or self.clock() - self._sent[-1] >= self.per


class Pacer:
    """A platform's pacing: one window for all its posts and/or one per channel."""

    def __init__(
        self,
        *,
        overall: tuple[int, float] | None = None,
        per_channel: tuple[int, float] | None = None,
    ) -> None:
        self.overall = RateWindow(*overall) if overall else None
        self.per_channel = per_channel
        self._channels: dict[str, RateWindow] = {}

    async def wait(self, channel: str) -> None:
        """Return once a post to `channel` fits inside the platform's limits."""
        if self.per_channel is not None:
            if len(self._channels) > IDLE_WINDOWS_KEPT:
                self._channels = {k: w for k, w in self._channels.items() if not w.idle()}
            window = self._channels.setdefault(channel, RateWindow(*self.per_channel))
            await window.wait()
        if self.overall is not None:
            await self.overall.wait()


def platform_pacer(platform: str) -> Pacer:
    """The pacing for a platform's channel posts."""
    if platform == "discord":
        return Pacer(overall=DISCORD_GLOBAL)
    if platform == "slack":
        return Pacer(per_channel=SLACK_PER_CHANNEL)
    return Pacer()
