"""Console seats: each console playing on one database gets a channel of its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from itertools import count

from bot.ownership import RENEW_PARTS, holder_id
from bot.runtime import Clock, utc_now
from bot.stores import Leases
from trivia.model import Place

log = logging.getLogger(__name__)


def seat_name(number: int) -> str:
    """The lease and channel of a seat: console, console-2, ..."""
    return "console" if number == 1 else f"console-{number}"


@asynccontextmanager
async def console_seat(
    leases: Leases, *, lease: timedelta, clock: Clock = utc_now, holder: str | None = None
) -> AsyncIterator[Place]:
    """The first free console channel of this database (console, console-2, ...), held
    under a lease in the database until the block ends: renewed while the console runs,
    released when it ends, and free `lease` after a console that was killed stopped
    renewing it. A question left open by a console that stopped is revealed by the next
    console in that seat, and two live consoles never share a channel."""
    holder = holder or holder_id()
    for number in count(1):
        name, now = seat_name(number), clock()
        if await leases.take([name], holder, now, now + lease):
            break
    renewing = asyncio.create_task(_renew(leases, name, holder, lease, clock))
    try:
        yield Place("console", "local", name)
    finally:
        renewing.cancel()
        await asyncio.gather(renewing, return_exceptions=True)
        await leases.release([name], holder)


async def _renew(leases: Leases, name: str, holder: str, lease: timedelta, clock: Clock) -> None:
    """Renew the seat every third of its lease; a failure is logged in one line."""
    while True:
        await asyncio.sleep(lease.total_seconds() / RENEW_PARTS)
        now = clock()
        try:
            if not await leases.take([name], holder, now, now + lease):
                log.error("console seat %s was taken by another console", name)
        except Exception as exc:
            log.warning("could not renew console seat %s (%s: %s)", name, type(exc).__name__, exc)
