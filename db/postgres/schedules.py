"""Schedules and their slot claims on PostgreSQL: the same store as db.schedules.ScheduleStore,
running the same SQL (db.schedule_rows) in asyncpg. Each claim is one statement, so of
several processes claiming one slot at once exactly one wins."""

from __future__ import annotations

from datetime import date, datetime, time

from db import schedule_rows as sql
from db.postgres.connection import Pool
from db.postgres.placeholders import numbered
from db.schedule_rows import schedule, schedule_values
from trivia.model import Place
from trivia.schedule import Schedule, Timing


class PgSchedules:
    """Schedules, and the claims that make each slot post exactly once."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def add(
        self,
        channel_id: int,
        timing: Timing,
        *,
        series: str | None,
        questions: int | None,
        reveal_at: time | None,
        now: datetime,
    ) -> int:
        """Store a new schedule (questions None: the daily question) and return its id, a
        number never given before (not even to a schedule since removed)."""
        values = schedule_values(
            channel_id, timing, series=series, questions=questions, reveal_at=reveal_at, now=now
        )
        async with self.pool.acquire() as conn, conn.transaction():
            number = await conn.fetchval(sql.NEXT_NUMBER)
            await conn.execute(numbered(sql.INSERT), number, *values)
            await conn.execute(sql.CHANGED)
        return int(number)

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        return await self._read(sql.ALL)

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        found = await self._read(sql.BY_ID, schedule_id)
        return found[0] if found else None

    async def in_workspace(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        return await self._read(sql.IN_WORKSPACE, place.platform, place.workspace)

    async def _read(self, query: str, *params: object) -> list[Schedule]:
        return [schedule(tuple(r)) for r in await self.pool.fetch(numbered(query), *params)]

    async def version(self) -> int:
        """A number that moves with every change to the schedules, by any process."""
        return int(await self.pool.fetchval(sql.VERSION))

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume; False if there is no such schedule."""
        return await self._change(sql.PAUSE, int(paused), schedule_id)

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule and its slot history; False if there is none."""
        return await self._change(sql.REMOVE, schedule_id)

    async def _change(self, statement: str, *params: int) -> bool:
        """Change schedules and count the change, in one transaction; False if no row."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetch(numbered(statement), *params):
                return False
            await conn.execute(sql.CHANGED)
            return True

    async def claim(
        self, schedule_id: int, local_day: date, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim a slot: the first claim of a (schedule, local date) succeeds, and so does
        a claim of one left unfinished since before `stale_before` (its process stopped).
        A claim racing another waits for it and checks the row it left: one of them wins."""
        won = await self.pool.fetchval(
            numbered(sql.CLAIM),
            schedule_id,
            local_day.isoformat(),
            now.timestamp(),
            stale_before.timestamp(),
        )
        return won is not None

    async def unfinished(self, stale_before: datetime) -> list[tuple[int, date]]:
        """Slots claimed before `stale_before` and never finished."""
        rows = await self.pool.fetch(numbered(sql.UNFINISHED), stale_before.timestamp())
        return [(int(row[0]), date.fromisoformat(row[1])) for row in rows]

    async def claimed_days(self, schedule_id: int) -> set[date]:
        """Local dates already claimed for a schedule."""
        rows = await self.pool.fetch(numbered(sql.CLAIMED_DAYS), schedule_id)
        return {date.fromisoformat(row[0]) for row in rows}

    async def for_workspace(self, place: Place, schedule_id: int) -> Schedule | None:
        """One of the workspace's schedules, by number."""
        found = [s for s in await self.in_workspace(place) if s.id == schedule_id]
        return found[0] if found else None
