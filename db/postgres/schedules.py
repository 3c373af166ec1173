"""Schedules and their slot claims on PostgreSQL: the same store as db.schedules.ScheduleStore,
in asyncpg. Each claim is one statement, so of several processes claiming one slot exactly
one wins."""

from __future__ import annotations

from datetime import date, datetime, time

from db.postgres.connection import Pool
from db.schedule_rows import CHANGED, INSERT_COLUMNS, SELECT, schedule, schedule_values
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
            number = await conn.fetchval(
                "UPDATE schedule_numbers SET last = last + 1 RETURNING last"
            )
            await conn.execute(
                f"INSERT INTO schedules ({INSERT_COLUMNS})"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                number,
                *values,
            )
            await conn.execute(CHANGED)
        return int(number)

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        return [schedule(tuple(row)) for row in await self.pool.fetch(SELECT + " ORDER BY s.id")]

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        row = await self.pool.fetchrow(SELECT + " WHERE s.id = $1", schedule_id)
        return None if row is None else schedule(tuple(row))

    async def in_workspace(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        rows = await self.pool.fetch(
            SELECT + " WHERE w.platform = $1 AND w.ref = $2 ORDER BY s.id",
            place.platform,
            place.workspace,
        )
        return [schedule(tuple(row)) for row in rows]

    async def version(self) -> int:
        """A number that moves with every change to the schedules, by any process."""
        return int(await self.pool.fetchval("SELECT version FROM schedule_changes"))

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume; False if there is no such schedule."""
        return await self._change(
            "UPDATE schedules SET paused = $1 WHERE id = $2 RETURNING id", int(paused), schedule_id
        )

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule and its slot history; False if there is none."""
        return await self._change("DELETE FROM schedules WHERE id = $1 RETURNING id", schedule_id)

    async def _change(self, sql: str, *params: int) -> bool:
        """Change schedules and count the change, in one transaction; False if no row."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetch(sql, *params):
                return False
            await conn.execute(CHANGED)
            return True

    async def claim(
        self, schedule_id: int, local_day: date, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim a slot: the first claim of a (schedule, local date) succeeds, and so does
        a claim of one left unfinished since before `stale_before` (its process stopped).
        A claim racing another waits for it and checks the row it left: one of them wins."""
        won = await self.pool.fetchval(
            "INSERT INTO schedule_slots (schedule_id, local_date, claimed_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (schedule_id, local_date) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE schedule_slots.finished_at IS NULL AND schedule_slots.claimed_at < $4"
            " RETURNING schedule_id",
            schedule_id,
            local_day.isoformat(),
            now.timestamp(),
            stale_before.timestamp(),
        )
        return won is not None

    async def unfinished(self, stale_before: datetime) -> list[tuple[int, date]]:
        """Slots claimed before `stale_before` and never finished."""
        rows = await self.pool.fetch(
            "SELECT schedule_id, local_date FROM schedule_slots"
            " WHERE finished_at IS NULL AND claimed_at < $1 ORDER BY claimed_at",
            stale_before.timestamp(),
        )
        return [(int(row[0]), date.fromisoformat(row[1])) for row in rows]

    async def claimed_days(self, schedule_id: int) -> set[date]:
        """Local dates already claimed for a schedule."""
        rows = await self.pool.fetch(
            "SELECT local_date FROM schedule_slots WHERE schedule_id = $1", schedule_id
        )
        return {date.fromisoformat(row[0]) for row in rows}

    async def for_workspace(self, place: Place, schedule_id: int) -> Schedule | None:
        """One of the workspace's schedules, by number."""
        found = [s for s in await self.in_workspace(place) if s.id == schedule_id]
        return found[0] if found else None
