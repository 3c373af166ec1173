"""When scheduled quizzes fall due: one slot per local day, correct across DST changes.

A schedule names a wall-clock time in an IANA zone. Each local date on one of its days
has exactly one slot: on the spring-forward day a time that does not exist moves to the
first valid minute after it; on the fall-back day a repeated time is taken at its first
occurrence. The shell claims each (schedule, local date) slot once in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from trivia.model import Place
from trivia.names import did_you_mean

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = frozenset(range(7))
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A time, zone or day list that cannot be scheduled; the message says the valid form."""


@dataclass(frozen=True)
class Timing:
    """A local time of day in a zone, on some days of the week (0 = Monday)."""

    at: time
    zone: str
    days: frozenset[int] = EVERY_DAY

    @property
    def tz(self) -> ZoneInfo:
        """The zone."""
        return ZoneInfo(self.zone)


@dataclass(frozen=True)
class Schedule:
    """A stored schedule: where, when, and what it posts.

    `questions` None posts the daily question (revealed at `reveal_at` local time, or at
    the next post); a number posts a quiz of that many questions."""

    id: int
    place: Place
    timing: Timing
    series: str | None
    questions: int | None
    paused: bool
    last_error: str | None
    reveal_at: time | None = None
    created_at: datetime | None = None
    """When an admin set it: slots before then are not its to post."""


def describe_days(days: frozenset[int]) -> str:
    """'every day', 'weekdays', 'weekends' or 'mon, wed, fri'."""
    named = {EVERY_DAY: "every day", frozenset(range(5)): "weekdays", frozenset({5, 6}): "weekends"}
    return named.get(days) or ", ".join(DAY_NAMES[d] for d in sorted(days))


def parse_timing(at: str, zone: str, days: str | None = None) -> Timing:
    """Validate '09:00', 'America/New_York' and 'mon,wed,fri' (or 'weekdays', 'daily')."""
    at_time = parse_time(at)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder: OSError
        hint = did_you_mean(zone[:60], available_timezones())
        raise ScheduleError(
            f"Time zones are IANA names such as America/New_York or Europe/London, "
            f"not {zone[:40]!r}.{hint}"
        ) from None
    return Timing(at_time, zone, parse_days(days))


def parse_time(at: str) -> time:
    """'09:00' or '18:30' as a time of day."""
    match = _TIME.match(at.strip())
    if not match:
        raise ScheduleError(f"Times are 24-hour HH:MM, e.g. 09:00 or 18:30, not {at[:20]!r}.")
    return time(int(match[1]), int(match[2]))


def parse_days(days: str | None) -> frozenset[int]:
    """'mon,wed,fri', 'weekdays', 'weekends', 'daily' or None (every day)."""
    if days is None or days.casefold() in ("daily", "every day", "all"):
        return EVERY_DAY
    named = {"weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
    if days.casefold() in named:
        return named[days.casefold()]
    found = set()
    for part in days.casefold().replace(" ", "").split(","):
        day = _day(part)
        if day is None:
            raise ScheduleError("Days are mon,tue,wed,thu,fri,sat,sun, weekdays or weekends.")
        found.add(day)
    return frozenset(found)


def is_days(word: str) -> bool:
    """True for a word that can only be a list of days ('weekdays', 'mon,wed', 'Friday',
    'daily'), so a schedule may name its days without the word 'days'."""
    folded = word.casefold()
    if folded in ("daily", "weekdays", "weekends"):
        return True
    parts = folded.removesuffix(",").split(",")
    return all(_day(part) is not None for part in parts)


def _day(word: str) -> int | None:
    """0 for 'mon', 'Mon' or 'monday' (at least three letters of a day's name)."""
    if len(word) < 3:
        return None
    return next((i for i, name in enumerate(_FULL_DAY_NAMES) if name.startswith(word)), None)


def slot_at(timing: Timing, local_day: date) -> datetime:
    """The UTC instant of the day's slot (DST gaps move forward, repeats take the first)."""
    tz = timing.tz
    wall = datetime.combine(local_day, timing.at, tzinfo=tz)  # fold=0: first occurrence
    instant = wall.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
        # The wall time does not exist (clocks jumped over it): the first valid minute after.
        instant = _first_valid_after(wall.replace(tzinfo=None), tz)
    return instant


def _first_valid_after(naive: datetime, tz: ZoneInfo) -> datetime:
    probe = naive
    for _ in range(24 * 60):
        probe += timedelta(minutes=1)
        instant = probe.replace(tzinfo=tz).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == probe:
            return instant
    raise ScheduleError("no valid time on this day")  # pragma: no cover - no zone skips a day


def next_slot(timing: Timing, after: datetime) -> tuple[date, datetime]:
    """The first slot strictly after `after`: its local date and UTC instant."""
    local_day = after.astimezone(timing.tz).date() - timedelta(days=1)
    for _ in range(9):
        if local_day.weekday() in timing.days:
            instant = slot_at(timing, local_day)
            if instant > after:
                return local_day, instant
        local_day += timedelta(days=1)
    raise ScheduleError("this schedule has no days")


def slots_between(timing: Timing, start: datetime, end: datetime) -> list[tuple[date, datetime]]:
    """Every slot with start < instant <= end, oldest first (for catching up after a restart)."""
    found: list[tuple[date, datetime]] = []
    moment = start
    while True:
        local_day, instant = next_slot(timing, moment)
        if instant > end:
            return found
        found.append((local_day, instant))
        moment = instant


def previous_day(timing: Timing, local_day: date) -> date:
    """The schedule's last local date before `local_day` (yesterday, for a daily schedule)."""
    for back in range(1, 8):
        earlier = local_day - timedelta(days=back)
        if earlier.weekday() in timing.days:
            return earlier
    raise ScheduleError("this schedule has no days")


def reveal_instant(timing: Timing, local_day: date, reveal_at: time | None) -> datetime:
    """When the daily question posted on `local_day` is revealed: the first `reveal_at`
    local time after the post, or the schedule's next slot when there is none."""
    posted = slot_at(timing, local_day)
    if reveal_at is None:
        return next_slot(timing, posted)[1]
    return next_slot(Timing(reveal_at, timing.zone), posted)[1]
