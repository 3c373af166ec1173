"""Stored schedules and their once-per-local-day slot claims."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time

from db.schedule_rows import CHANGED, INSERT_COLUMNS, SELECT, schedule, schedule_values
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
            (number,) = conn.execute(
                "UPDATE schedule_numbers SET last = last + 1 RETURNING last"
            ).fetchone()
            conn.execute(
                f"INSERT INTO schedules ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (number, *values),
            )
            conn.execute(CHANGED)
            return int(number)

        return await self.writer.transaction(add)

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        rows = await self.writer.conn.execute_fetchall(SELECT + " ORDER BY s.id", ())
        return [schedule(tuple(row)) for row in rows]

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        rows = list(
            await self.writer.conn.execute_fetchall(SELECT + " WHERE s.id = ?", (schedule_id,))
        )
        return schedule(tuple(rows[0])) if rows else None

    async def in_workspace(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        return [
            s
            for s in await self.all()
            if (s.place.platform, s.place.workspace) == (place.platform, place.workspace)
        ]

    async def version(self) -> int:
        """A number that moves with every change to the schedules, by any process."""
        rows = await self.writer.conn.execute_fetchall("SELECT version FROM schedule_changes", ())
        return int(next(iter(rows))[0])

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume; False if there is no such schedule."""
        return await self._change(
            "UPDATE schedules SET paused = ? WHERE id = ? RETURNING id", (int(paused), schedule_id)
        )

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule and its slot history; False if there is none."""
        return await self._change("DELETE FROM schedules WHERE id = ? RETURNING id", (schedule_id,))

    async def _change(self, sql: str, params: tuple[int, ...]) -> bool:
        """Change schedules and count the change, in one transaction; False if no row."""

        def change(conn: sqlite3.Connection) -> bool:
            if not conn.execute(sql, params).fetchall():
                return False
            conn.execute(CHANGED)
            return True

        return await self.writer.transaction(change)

    async def claim(
        self, schedule_id: int, local_day: date, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim a slot: the first claim of a (schedule, local date) succeeds, and so does
        a claim of one left unfinished since before `stale_before` (its process stopped)."""
        rows = await self.writer.execute(
            "INSERT INTO schedule_slots (schedule_id, local_date, claimed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (schedule_id, local_date) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE schedule_slots.finished_at IS NULL AND schedule_slots.claimed_at < ?"
            " RETURNING schedule_id",
            (schedule_id, local_day.isoformat(), now.timestamp(), stale_before.timestamp()),
        )
        return bool(rows)

    async def unfinished(self, stale_before: datetime) -> list[tuple[int, date]]:
        """Slots claimed before `stale_before` and never finished."""
        rows = await self.writer.conn.execute_fetchall(
            "SELECT schedule_id, local_date FROM schedule_slots"
            " WHERE finished_at IS NULL AND claimed_at < ? ORDER BY claimed_at",
            (stale_before.timestamp(),),
        )
        return [(int(row[0]), date.fromisoformat(str(row[1]))) for row in rows]

    async def claimed_days(self, schedule_id: int) -> set[date]:
        """Local dates already claimed for a schedule."""
        rows = await self.writer.conn.execute_fetchall(
            "SELECT local_date FROM schedule_slots WHERE schedule_id = ?", (schedule_id,)
        )
        return {date.fromisoformat(str(row[0])) for row in rows}

    async def for_workspace(self, place: Place, schedule_id: int) -> Schedule | None:
        """One of the workspace's schedules, by number."""
        found = [s for s in await self.in_workspace(place) if s.id == schedule_id]
        return found[0] if found else None
