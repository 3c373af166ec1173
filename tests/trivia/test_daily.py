"""The daily question's record for a date, its number, streak arithmetic, guess spread and
the choice of margins in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.generating import event, generator, records
from trivia.bank import Bank
from trivia.daily import (
    EPOCH,
    DailyInfo,
    DailyStreak,
    advance_streaks,
    daily_number,
    daily_pool,
    deal_cycle,
    guess_spread,
    is_on_this_day,
    verbal_others,
)
from trivia.margins import VERBAL_MARGINS
from trivia.model import RecordsPack, Result


def test_a_cycle_is_the_same_whatever_order_the_pool_is_in(mini_pack: RecordsPack) -> None:
    """Every channel everywhere gets the same question for a date and pool."""
    pool = list(mini_pack.events)
    assert deal_cycle(pool, 1, None, "all") == deal_cycle(list(reversed(pool)), 1, None, "all")
    assert daily_number(EPOCH) == 1
    assert daily_number(date(2026, 11, 21)) == 325


def test_a_cycle_deals_every_record_once_and_never_starts_with_the_last(
    mini_pack: RecordsPack,
) -> None:
    """Each cycle uses every record once; consecutive cycles never repeat across the seam."""
    pool = list(mini_pack.events)
    previous = None
    first = 1
    for _ in range(30):
        keys = deal_cycle(pool, first, previous, "all")
        assert sorted(keys) == sorted(e.key for e in pool)
        assert keys[0] != previous
        previous, first = keys[-1], first + len(keys)


def test_a_race_run_on_this_day_is_preferred(mini_pack: RecordsPack) -> None:
    """A date whose month and day match a race in the cycle gets that race."""
    pool = list(mini_pack.events)
    kansas = next(e for e in pool if e.key == "nascar-cup-2024-05-05-kansas")
    number = daily_number(date(2026, 5, 5))
    keys = deal_cycle(pool, number - 3, None, "all")
    assert keys[3] == kansas.key
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


def test_a_choice_daily_offers_four_official_margins_never_a_misreported_one() -> None:
    """A head that some pages print as a nose: the choices are the head and three other
    margins under half a length, shortest first, never the nose; with two misreadings
    named, too few wrong margins are left and the record is not asked. A dead heat is
    never asked as a choice of margins."""
    head = event(
        "h1", sport="Horse racing", series="Derby", margin_unit="verbal", margin_s=None,
        margin_display="head", corrections=("Some pages say 'by a nose'; it was a head.",),
    )  # fmt: skip
    for seed in range(20):
        q = generator(records([head]), seed).choice_daily(head)
        assert q is not None
        labels = [c.label for c in q.choices]
        assert "a nose" not in labels
        assert labels == sorted(labels, key=VERBAL_MARGINS.index)
        assert q.answer_index is not None
        assert labels[q.answer_index] == "a head"
    twice = replace(head, corrections=("Reports give a short head or a nose; it was a head.",))
    assert verbal_others(twice) == ["a short neck", "a neck"]
    assert generator(records([twice])).choice_daily(twice) is None
    dead_heat = replace(
        head, key="h2", name="Stakes", margin_display="dead heat", corrections=(),
        results=(Result(1, "A"), Result(1, "B"), Result(3, "C")),
    )  # fmt: skip
    bank = Bank(records([head, dead_heat]))
    assert [e.key for e in daily_pool(bank, "Horse racing").events] == ["h1"]
