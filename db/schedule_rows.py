"""What the schedule stores of both backends share: their SQL (in SQLite's `?` style;
PostgreSQL numbers it with db.postgres.placeholders.numbered), and how a schedule becomes a
row and a row a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from trivia.model import Place
from trivia.schedule import Schedule, Timing

_SELECT = (
    "SELECT s.id, w.platform, w.ref, c.ref, s.at, s.zone, s.days, s.series, s.questions,"
    " s.paused, s.last_error, s.kind, s.reveal_at, s.created_at"
    " FROM schedules s JOIN channels c ON c.id = s.channel_id"
    " JOIN workspaces w ON w.id = c.workspace_id"
)
"""Every schedule with its place, as `schedule` reads it."""
ALL = _SELECT + " ORDER BY s.id"
"""Every schedule, oldest first."""
BY_ID = _SELECT + " WHERE s.id = ?"
"""One schedule."""
IN_WORKSPACE = _SELECT + " WHERE w.platform = ? AND w.ref = ? ORDER BY s.id"
"""A workspace's schedules (platform, workspace), oldest first."""
VERSION = "SELECT version FROM schedule_changes"
"""The number CHANGED moves."""
CHANGED = "UPDATE schedule_changes SET version = version + 1"
"""Run in the transaction of every schedule change: other processes re-arm on it."""
NEXT_NUMBER = "UPDATE schedule_numbers SET last = last + 1 RETURNING last"
"""A new schedule's number: one never given before (SQLite gives a deleted largest id again)."""
INSERT = (
    "INSERT INTO schedules (id, channel_id, at, zone, days, series, questions, kind, reveal_at,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
"""Store a new schedule: its number, then what `schedule_values` gives."""
PAUSE = "UPDATE schedules SET paused = ? WHERE id = ? RETURNING id"
"""Pause (1) or resume (0) a schedule: a row if there is one."""
REMOVE = "DELETE FROM schedules WHERE id = ? RETURNING id"
"""Delete a schedule and (by cascade) its slot history: a row if there was one."""
CLAIM = (
    "INSERT INTO schedule_slots (schedule_id, local_date, claimed_at) VALUES (?, ?, ?)"
    " ON CONFLICT (schedule_id, local_date) DO UPDATE SET claimed_at = excluded.claimed_at"
    " WHERE schedule_slots.finished_at IS NULL AND schedule_slots.claimed_at < ?"
    " RETURNING schedule_id"
)
"""Claim a slot (schedule, local date, now, stale before) in one statement: a row when won,
by the first claim or by taking over one left unfinished since before `stale before`. Of
claims at once, the later waits for the earlier and checks the row it left."""
UNFINISHED = (
    "SELECT schedule_id, local_date FROM schedule_slots"
    " WHERE finished_at IS NULL AND claimed_at < ? ORDER BY claimed_at"
)
"""Slots claimed before a moment and never finished."""
CLAIMED_DAYS = "SELECT local_date FROM schedule_slots WHERE schedule_id = ?"
"""The local dates claimed for a schedule."""


def _time(text: object) -> time:
    hour, minute = str(text).split(":")
    return time(int(hour), int(minute))


def schedule(row: Sequence[object]) -> Schedule:
    """A row of ALL, BY_ID or IN_WORKSPACE as a schedule."""
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


def schedule_values(
    channel_id: int,
    timing: Timing,
    *,
    series: str | None,
    questions: int | None,
    reveal_at: time | None,
    now: datetime,
) -> tuple[int, str, str, str, str | None, int, str, str | None, float]:
    """A new schedule's row after its number (INSERT_COLUMNS); questions None: the daily."""
    return (
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
