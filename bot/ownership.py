"""Which process does a workspace's scheduled work when several serve it (Slack replicas):
the one holding the workspace's lease in the database.

Every process serving the workspace tries to take or renew its lease on the timer, every
third of the lease; the holder keeps it by renewing, and when it stops (killed, or its
machine gone) the lease expires and the next process to try takes it over. A clean stop
releases it at once. Nothing is kept here that the database has not granted: this process
owns a workspace until the expiry it last stored, and no other process can take it before.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.runtime import Clock
from bot.stores import Leases
from trivia.model import Place

log = logging.getLogger(__name__)

RENEW_PARTS = 3
"""A lease is renewed every third of its length: two renewals can fail before it lapses."""


def holder_id() -> str:
    """This process as a lease holder: its host, its pid, and a random part (pids are
    reused, by a restart in a container say)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def workspace_lease(place: Place) -> str:
    """The lease that owns a workspace's scheduled posts: `slack:T123`."""
    return f"{place.platform}:{place.workspace}"


@dataclass
class Ownership:
    """The workspaces of the leased `platforms` this process owns."""

    leases: Leases
    clock: Clock
    lease: timedelta
    platforms: frozenset[str]
    holder: str = field(default_factory=holder_id)
    _held: frozenset[str] = frozenset()
    _until: datetime | None = None

    @property
    def renew_every(self) -> timedelta:
        """How often the timer renews."""
        return self.lease / RENEW_PARTS

    def owns(self, place: Place) -> bool:
        """Whether this process does the scheduled work of `place`'s workspace (always for
        a platform that is not leased)."""
        if place.platform not in self.platforms:
            return True
        alive = self._until is not None and self.clock() < self._until
        return alive and workspace_lease(place) in self._held

    async def renew(self, places: Iterable[Place]) -> bool:
        """Take or renew the leases of these places' workspaces (in one statement); whether
        the workspaces this process owns changed."""
        names = sorted({workspace_lease(p) for p in places if p.platform in self.platforms})
        now = self.clock()
        before = self._held if self._until is not None and now < self._until else frozenset()
        self._held = frozenset(await self.leases.take(names, self.holder, now, now + self.lease))
        self._until = now + self.lease
        return self._held != before

    async def release(self) -> None:
        """Give up every workspace at once (a clean stop): another process takes them at
        its next renewal. If the database refuses, one line is logged and the leases run
        out on their own."""
        held, self._held = self._held, frozenset()
        try:
            await self.leases.release(sorted(held), self.holder)
        except Exception as exc:
            log.warning(
                "could not give back %d workspaces (%s); they free up when their leases run out",
                len(held),
                exc,
            )
