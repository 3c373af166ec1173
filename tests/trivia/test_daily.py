"""The daily question's record for a date, its number, streak arithmetic and guess spread."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from trivia.daily import (
    EPOCH,
    DailyInfo,
    DailyStreak,
    advance_streaks,
    daily_event,
    daily_number,
    guess_spread,
    is_on_this_day,
)
from trivia.pack import RecordsPack


def test_a_date_gets_the_same_record_whatever_order_the_pool_is_in(
    mini_pack: RecordsPack,
) -> None:
    """Every channel everywhere gets the same question for a date."""
    pool = list(mini_pack.events)
    day = date(2026, 11, 21)
    assert daily_event(pool, day) == daily_event(list(reversed(pool)), day)
    assert daily_number(EPOCH) == 1
    assert daily_number(day) == 325


def test_no_record_repeats_until_the_pool_is_exhausted(mini_pack: RecordsPack) -> None:
    """Each run of len(pool) days from the epoch uses every record once."""
    pool = list(mini_pack.events)
    for cycle in range(3):
        first = EPOCH + timedelta(days=cycle * len(pool))
        keys = [daily_event(pool, first + timedelta(days=i)).key for i in range(len(pool))]
        assert sorted(keys) == sorted(e.key for e in pool)


def test_a_race_run_on_this_day_is_preferred(mini_pack: RecordsPack) -> None:
    """A date whose month and day match a race in the cycle gets that race."""
    pool = list(mini_pack.events)
    kansas = next(e for e in pool if e.key == "nascar-cup-2024-05-05-kansas")
    cycle_of = (date(2026, 5, 5) - EPOCH).days // len(pool)
    first = EPOCH + timedelta(days=cycle_of * len(pool))
    last = first + timedelta(days=len(pool) - 1)
    assert first <= date(2026, 5, 5) <= last
    assert daily_event(pool, date(2026, 5, 5)) == kansas
    assert is_on_this_day(kansas, date(2026, 5, 5))


def test_streaks_grow_on_consecutive_days_and_a_missed_day_breaks_them() -> None:
    """Alice plays 1, 2, misses 3, plays 4; Bob plays every day."""
    days = [date(2030, 1, d) for d in (1, 2, 3, 4)]
    played = {days[0]: {1, 2}, days[1]: {1, 2}, days[2]: {2}, days[3]: {1, 2}}
    streaks: dict[int, DailyStreak] = {}
    for i, day in enumerate(days):
        info = DailyInfo(daily_number(day), day, days[i - 1] if i else None)
        for changed in advance_streaks(streaks.values(), played[day], info):
            streaks[changed.player_id] = changed
        if day == days[2]:
            assert streaks[1].current == 0
            assert streaks[1].best == 2
    assert streaks[1] == DailyStreak(1, 1, 2, days[3])
    assert streaks[2] == DailyStreak(2, 4, 4, days[3])


def test_a_streak_follows_the_schedule_days_not_the_calendar() -> None:
    """A weekday schedule: Friday then Monday is consecutive."""
    friday, monday = date(2030, 1, 4), date(2030, 1, 7)
    before = [DailyStreak(1, 3, 3, friday)]
    [after] = advance_streaks(before, [1], DailyInfo(daily_number(monday), monday, friday))
    assert after == DailyStreak(1, 4, 4, monday)


def test_a_bot_outage_day_restarts_the_streak_and_a_repeat_reveal_changes_nothing() -> None:
    """Playing after a gap starts again at 1; counting the same day twice is a no-op."""
    day = date(2030, 1, 10)
    stale = DailyStreak(1, 5, 7, day - timedelta(days=2))
    info = DailyInfo(daily_number(day), day, day - timedelta(days=1))
    assert advance_streaks([stale], [1], info) == [DailyStreak(1, 1, 7, day)]
    assert advance_streaks([replace(stale, last_day=day)], [1], info) == []


def test_the_spread_counts_guesses_by_distance() -> None:
    """Bands of 1 ms, 10 ms, 100 ms and further from the true margin."""
    spread = guess_spread([0.002, 0.0015, 0.009, 0.05, 0.4, 2.0], 0.002)
    assert spread == "within 0.001 s: 2 · within 0.01 s: 1 · within 0.1 s: 1 · further: 2"
