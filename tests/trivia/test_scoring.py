"""Points, guess ranking and leaderboard periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trivia.model import Difficulty
from trivia.scoring import Guess, answer_points, period_key, rank_guesses


@pytest.mark.parametrize(
    ("difficulty", "elapsed", "points"),
    [
        (Difficulty.EASY, 0, 15),
        (Difficulty.EASY, 10, 12),
        (Difficulty.EASY, 20, 10),
        (Difficulty.MEDIUM, 0, 30),
        (Difficulty.HARD, 0, 45),
        (Difficulty.HARD, 25, 30),
    ],
    ids=repr,
)
def test_base_points_plus_speed_bonus(difficulty: Difficulty, elapsed: float, points: int) -> None:
    """Base by difficulty, up to 50% more for an instant answer, none at the window's end."""
    assert answer_points(difficulty, correct=True, elapsed=elapsed, window=20) == points


def test_wrong_answers_score_nothing() -> None:
    """A wrong answer is 0 however fast."""
    assert answer_points(Difficulty.HARD, correct=False, elapsed=0, window=20) == 0


def test_guesses_rank_by_distance_then_by_time() -> None:
    """Closest first; equal distance goes to the earlier answer; the three closest share the
    points, the rest score a little by how close they came, and nothing when far off."""
    guesses = [Guess(1, 0.010, 0), Guess(2, 0.003, 1), Guess(3, 0.001, 2), Guess(4, 0.003, 3)]
    scored = rank_guesses([*guesses, Guess(5, 0.5, 4)], 0.002, Difficulty.HARD)
    assert scored == [(2, 30, True), (3, 20, True), (4, 10, True), (1, 4, False), (5, 0, False)]


def test_a_far_off_guess_is_not_correct_even_when_it_is_the_only_one() -> None:
    """Correct means close: within half the margin, or one step of the printed precision."""
    assert rank_guesses([Guess(1, 0.002, 0)], 0.712, Difficulty.HARD) == [(1, 30, False)]
    assert rank_guesses([Guess(1, 0.5, 0)], 0.712, Difficulty.HARD) == [(1, 30, True)]
    assert rank_guesses([Guess(1, 0.02, 0)], 0.01, Difficulty.HARD, 0.01) == [(1, 30, True)]
    assert rank_guesses([Guess(1, 0.03, 0)], 0.01, Difficulty.HARD, 0.01) == [(1, 30, False)]


@pytest.mark.parametrize(
    ("moment", "week", "month"),
    [
        (datetime(2026, 11, 22, 23, 59, tzinfo=UTC), "w2026-11-16", "m2026-11"),
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), "w2026-11-23", "m2026-11"),
        (
            datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
            "w2026-11-30",
            "m2026-11",
        ),
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "w2026-12-28", "m2027-01"),
    ],
    ids=repr,
)
def test_periods_are_utc_weeks_from_monday_and_months(
    moment: datetime, week: str, month: str
) -> None:
    """Week and month keys are taken in UTC, weeks starting on Monday."""
    assert period_key("week", moment) == week
    assert period_key("month", moment) == month
    assert period_key("all", moment) == "all"
