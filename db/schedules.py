"""Stored schedules and their once-per-local-day slot claims."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time

from db.transactions import Writer
from trivia.model import Place
from trivia.schedule import Schedule, Timing

_SELECT = (
    "SELECT s.id, w.platform, w.ref, c.ref, s.at, s.zone, s.days, s.series, s.questions,"
    " s.paused, s.last_error, s.kind, s.reveal_at, s.created_at"
    " FROM schedules s JOIN channels c ON c.id = s.channel_id"
    " JOIN workspaces w ON w.id = c.workspace_id"
)


_CHANGED = "UPDATE schedule_changes SET version = version + 1"
"""Run in the transaction of every schedule change: other processes re-arm on it."""


def _time(text: object) -> time:
    hour, minute = str(text).split(":")
    return time(int(hour), int(minute))


def _schedule(row: tuple[object, ...]) -> Schedule:
    days = frozenset(int(d) for d in str(row[6]).split(",") if d)
    return Schedule(
        id=int(str(row[0])),
        place=Place(str(row[1]), str(row[2]), str(row[3])),
        timing=Timing(_time(row[4]), str(row[5]), days),
        series=None if row[7] is None else str(row[7]),
        questions=None if row[11] == "daily" else int(str(row[8])),
        paused=bool(row[9]),
        last_error=None if row[10] is None else str(row[10]),
        reveal_at=None if row[12] is None else _time(row[12]),
        created_at=datetime.fromtimestamp(float(str(row[13])), UTC),
    )


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
        values = (
            channel_id,
            timing.at.strftime("%H:%M"),
            timing.zone,
            ",".join(str(d) for d in sorted(timing.days)),
            series,
            questions or 1,
            "daily" if questions is None else "quiz",
            None if reveal_at is None else reveal_at.strftime("%H:%M"),
            now.timestamp(),
        )

        def add(conn: sqlite3.Connection) -> int:
            (number,) = conn.execute(
                "UPDATE schedule_numbers SET last = last + 1 RETURNING last"
            ).fetchone()
            conn.execute(
                "INSERT INTO schedules (id, channel_id, at, zone, days, series, questions, kind,"
                " reveal_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (number, *values),
            )
            conn.execute(_CHANGED)
            return int(number)

        return await self.writer.transaction(add)

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        rows = await self.writer.conn.execute_fetchall(_SELECT + " ORDER BY s.id", ())
        return [_schedule(tuple(row)) for row in rows]

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        rows = list(
            await self.writer.conn.execute_fetchall(_SELECT + " WHERE s.id = ?", (schedule_id,))
        )
        return _schedule(tuple(rows[0])) if rows else None

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
            conn.execute(_CHANGED)
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
