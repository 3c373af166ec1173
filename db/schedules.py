"""Stored schedules and their once-per-local-day slot claims."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time

from db import schedule_rows as sql
from db.schedule_rows import schedule, schedule_values
from db.transactions import Writer
from trivia.model import Place
from trivia.schedule import Schedule, Timing


class ScheduleStore:
    """Schedules, and the claims that make each slot post exactly once."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

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

        def add(conn: sqlite3.Connection) -> int:
            (number,) = conn.execute(sql.NEXT_NUMBER).fetchone()
            conn.execute(sql.INSERT, (number, *values))
            conn.execute(sql.CHANGED)
            return int(number)

        return await self.writer.transaction(add)

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        return await self._read(sql.ALL, ())

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        found = await self._read(sql.BY_ID, (schedule_id,))
        return found[0] if found else None

    async def in_workspace(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        return await self._read(sql.IN_WORKSPACE, (place.platform, place.workspace))

    async def _read(self, query: str, params: tuple[object, ...]) -> list[Schedule]:
        return [schedule(tuple(r)) for r in await self.writer.conn.execute_fetchall(query, params)]

    async def version(self) -> int:
        """A number that moves with every change to the schedules, by any process."""
        rows = await self.writer.conn.execute_fetchall(sql.VERSION, ())
        return int(next(iter(rows))[0])

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume; False if there is no such schedule."""
        return await self._change(sql.PAUSE, (int(paused), schedule_id))

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule and its slot history; False if there is none."""
        return await self._change(sql.REMOVE, (schedule_id,))

    async def _change(self, statement: str, params: tuple[int, ...]) -> bool:
        """Change schedules and count the change, in one transaction; False if no row."""

        def change(conn: sqlite3.Connection) -> bool:
            if not conn.execute(statement, params).fetchall():
                return False
            conn.execute(sql.CHANGED)
            return True

        return await self.writer.transaction(change)

    async def claim(
        self, schedule_id: int, local_day: date, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim a slot: the first claim of a (schedule, local date) succeeds, and so does
        a claim of one left unfinished since before `stale_before` (its process stopped)."""
        won = await self.writer.execute(
            sql.CLAIM,
            (schedule_id, local_day.isoformat(), now.timestamp(), stale_before.timestamp()),
        )
        return bool(won)

    async def unfinished(self, stale_before: datetime) -> list[tuple[int, date]]:
        """Slots claimed before `stale_before` and never finished."""
        rows = await self.writer.conn.execute_fetchall(sql.UNFINISHED, (stale_before.timestamp(),))
        return [(int(row[0]), date.fromisoformat(str(row[1]))) for row in rows]

    async def claimed_days(self, schedule_id: int) -> set[date]:
        """Local dates already claimed for a schedule."""
        rows = await self.writer.conn.execute_fetchall(sql.CLAIMED_DAYS, (schedule_id,))
        return {date.fromisoformat(str(row[0])) for row in rows}

    async def for_workspace(self, place: Place, schedule_id: int) -> Schedule | None:
        """One of the workspace's schedules, by number."""
        found = [s for s in await self.in_workspace(place) if s.id == schedule_id]
        return found[0] if found else None
