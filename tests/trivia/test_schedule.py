"""Schedule slots: local times in several zones, and DST days fire once, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from trivia.schedule import (
    ScheduleError,
    Timing,
    is_days,
    next_slot,
    parse_days,
    parse_timing,
    previous_day,
    reveal_instant,
    slot_at,
    slots_between,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", utc(2026, 1, 15, 14, 0)),
        ("Europe/London", utc(2026, 1, 15, 9, 0)),
        ("Asia/Tokyo", utc(2026, 1, 15, 0, 0)),
        ("Australia/Adelaide", utc(2026, 1, 14, 22, 30)),
    ],
    ids=str,
)
def test_slot_is_the_local_time_in_its_zone(zone: str, expected: datetime) -> None:
    """09:00 local is a different UTC instant in each zone."""
    assert slot_at(Timing(time(9, 0), zone), date(2026, 1, 15)) == expected


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Spring forward: 02:30 does not exist; post at the first valid minute (03:00).
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        ("Europe/London", date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        # Fall back: 01:30 happens twice; the first occurrence counts.
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("Europe/London", date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
        # Ordinary times on those days are unaffected.
        ("America/New_York", date(2026, 3, 8), time(9, 0), utc(2026, 3, 8, 13, 0)),
        ("Europe/London", date(2026, 10, 25), time(9, 0), utc(2026, 10, 25, 9, 0)),
    ],
    ids=repr,
)
def test_dst_days_have_exactly_one_slot(zone: str, day: date, at: time, expected: datetime) -> None:
    """The slot on a clock-change day is the documented instant."""
    assert slot_at(Timing(at, zone), day) == expected


@pytest.mark.parametrize(
    ("zone", "at", "start", "end"),
    [
        ("America/New_York", time(2, 30), utc(2026, 3, 5), utc(2026, 3, 12)),
        ("America/New_York", time(1, 30), utc(2026, 10, 29), utc(2026, 11, 5)),
        ("Europe/London", time(1, 30), utc(2026, 3, 26), utc(2026, 4, 2)),
        ("Europe/London", time(1, 30), utc(2026, 10, 22), utc(2026, 10, 29)),
    ],
    ids=repr,
)
def test_a_week_around_a_clock_change_has_one_slot_per_day(
    zone: str, at: time, start: datetime, end: datetime
) -> None:
    """Seven days, seven slots, each on its own local date: none doubled, none skipped."""
    slots = slots_between(Timing(at, zone), start, end)
    days = [d for d, _ in slots]
    assert len(days) == len(set(days)) == 7
    instants = [i for _, i in slots]
    assert instants == sorted(instants)


def test_days_of_the_week_are_respected() -> None:
    """A Monday/Wednesday/Friday schedule skips the other days."""
    timing = Timing(time(18, 0), "Europe/London", parse_days("mon,wed,fri"))
    slots = slots_between(timing, utc(2026, 1, 4), utc(2026, 1, 18))  # Sun 4th .. Sun 18th
    assert [d.strftime("%a") for d, _ in slots] == ["Mon", "Wed", "Fri"] * 2


def test_next_slot_is_strictly_after() -> None:
    """At the slot instant itself, the next slot is tomorrow's."""
    timing = Timing(time(9, 0), "Europe/London")
    day, instant = next_slot(timing, utc(2026, 1, 15, 9, 0))
    assert (day, instant) == (date(2026, 1, 16), utc(2026, 1, 16, 9, 0))


@pytest.mark.parametrize(
    ("at", "zone", "days", "message"),
    [
        ("25:00", "Europe/London", None, "Times are 24-hour HH:MM"),
        ("9am", "Europe/London", None, "Times are 24-hour HH:MM"),
        ("09:00", "Mars/Olympus", None, "Time zones are IANA names"),
        ("09:00", "EST5EDT/../x", None, "Time zones are IANA names"),
        ("09:00", "America", None, "Time zones are IANA names"),
        ("09:00", "Europe", None, "Time zones are IANA names"),
        ("09:00", "Europe/London", "funday", "Days are mon,tue"),
    ],
    ids=repr,
)
def test_invalid_input_names_the_valid_form(
    at: str, zone: str, days: str | None, message: str
) -> None:
    """Bad times, zones and days are refused with the form that works."""
    with pytest.raises(ScheduleError, match=message):
        parse_timing(at, zone, days)


def test_valid_input() -> None:
    """'9:05' in Asia/Tokyo on weekdays."""
    timing = parse_timing("9:05", "Asia/Tokyo", "weekdays")
    assert timing == Timing(time(9, 5), "Asia/Tokyo", frozenset(range(5)))


def test_the_daily_reveal_is_the_next_post_or_the_reveal_time_across_clock_changes() -> None:
    """09:00 London posted the day before clocks go back is revealed at 09:00 GMT next day
    (25 hours later); a 21:00 reveal in New York on the spring-forward day is 21:00 EDT."""
    london = Timing(time(9, 0), "Europe/London")
    assert reveal_instant(london, date(2030, 10, 26), None) == utc(2030, 10, 27, 9, 0)
    new_york = Timing(time(9, 0), "America/New_York")
    assert reveal_instant(new_york, date(2030, 3, 10), time(21, 0)) == utc(2030, 3, 11, 1, 0)
    assert reveal_instant(new_york, date(2030, 3, 10), time(8, 0)) == utc(2030, 3, 11, 12, 0)


def test_the_previous_day_follows_the_schedule_days() -> None:
    """Every day: yesterday. Weekdays: Monday's previous day is Friday."""
    assert previous_day(Timing(time(9, 0), "Europe/London"), date(2030, 1, 7)) == date(2030, 1, 6)
    weekdays = Timing(time(9, 0), "Europe/London", parse_days("weekdays"))
    assert previous_day(weekdays, date(2030, 1, 7)) == date(2030, 1, 4)


def test_a_mistyped_zone_gets_the_close_match() -> None:
    """'america/new_york' is refused with 'Did you mean America/New_York?'."""
    with pytest.raises(ScheduleError, match=r"Did you mean America/New_York\?"):
        parse_timing("09:00", "america/new_york")
    with pytest.raises(ScheduleError) as refused:
        parse_timing("09:00", "Mars/Olympus_Mons")
    assert "Did you mean" not in str(refused.value)


def test_days_are_named_by_three_letters_or_more_of_a_day() -> None:
    """'monday', 'Thurs' and 'sat' are days; a word that merely starts like one is not, so
    a schedule can take its days without the word 'days' and not mistake a name for them."""
    assert parse_days("monday, Thurs,sat") == frozenset({0, 3, 5})
    assert all(is_days(w) for w in ("weekdays", "Weekends", "daily", "mon,wed,", "Friday"))
    assert not any(is_days(w) for w in ("Monaco", "mo", "Sunbelt", "Athletics", "mon,x"))
    with pytest.raises(ScheduleError, match="Days are"):
        parse_days("monkey")
