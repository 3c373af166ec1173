"""What the schedule stores of both backends share: the query that reads schedules, the
change counter, and how a schedule becomes a row and a row a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from trivia.model import Place
from trivia.schedule import Schedule, Timing

SELECT = (
    "SELECT s.id, w.platform, w.ref, c.ref, s.at, s.zone, s.days, s.series, s.questions,"
    " s.paused, s.last_error, s.kind, s.reveal_at, s.created_at"
    " FROM schedules s JOIN channels c ON c.id = s.channel_id"
    " JOIN workspaces w ON w.id = c.workspace_id"
)
"""Every schedule with its place, as `schedule` reads it (append a WHERE or ORDER BY)."""
CHANGED = "UPDATE schedule_changes SET version = version + 1"
"""Run in the transaction of every schedule change: other processes re-arm on it."""
INSERT_COLUMNS = "id, channel_id, at, zone, days, series, questions, kind, reveal_at, created_at"
"""The columns of a new schedule: its number, then what `schedule_values` gives, in order."""


def _time(text: object) -> time:
    hour, minute = str(text).split(":")
    return time(int(hour), int(minute))


def schedule(row: Sequence[object]) -> Schedule:
    """A row of SELECT as a schedule."""
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
