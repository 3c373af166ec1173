"""Points for answers, ranking of margin guesses, and leaderboard periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trivia.margins import guess_is_correct
from trivia.model import Difficulty

BASE_POINTS = {Difficulty.EASY: 10, Difficulty.MEDIUM: 20, Difficulty.HARD: 30}
SPEED_BONUS_SHARE = 0.5
GUESS_SHARES = (1.0, 2 / 3, 1 / 3)
CLOSENESS_SHARE = 0.25
"""Guesses after the three closest score up to this share of the base points, by closeness."""
CLOSENESS_RANGE = 10
"""A guess scores nothing once it is off by this many times the true margin (at least 1 ms)."""
HINT_DIVISOR = 2
"""An answer given after a hint scores this fraction of its points (half), rounded down."""
PERIODS = ("week", "month", "all")
DEFAULT_STEP = 0.001
"""The printed precision assumed for a margin question stored without one."""


def answer_points(difficulty: Difficulty, *, correct: bool, elapsed: float, window: float) -> int:
    """Base points by difficulty plus up to 50% more for answering fast; 0 when wrong."""
    if not correct:
        return 0
    base = BASE_POINTS[difficulty]
    remaining = max(0.0, min(1.0, 1 - elapsed / window)) if window > 0 else 0.0
    return base + round(base * SPEED_BONUS_SHARE * remaining)


def hinted_points(points: int, hinted: bool) -> int:
    """The points of an answer given after a hint: half, rounded down (25 -> 12, 1 -> 0)."""
    return points // HINT_DIVISOR if hinted else points


@dataclass(frozen=True)
class Guess:
    """A locked numeric guess."""

    answer_id: int
    value: float
    order: int


def rank_guesses(
    guesses: list[Guess], truth: float, difficulty: Difficulty, step: float = DEFAULT_STEP
) -> list[tuple[int, int, bool]]:
    """(answer id, points, correct) for every guess: closest first, ties by who answered first.

    The three closest guesses score 100%, 67% and 33% of the base points; the rest score
    up to 25% by how close they came. A guess counts as correct only when it is close
    (margins.guess_is_correct), however few guessed.
    """
    base = BASE_POINTS[difficulty]
    ranked = sorted(guesses, key=lambda g: (round(abs(g.value - truth), 9), g.order))
    scored = []
    for place, guess in enumerate(ranked):
        share = (
            GUESS_SHARES[place]
            if place < len(GUESS_SHARES)
            else CLOSENESS_SHARE * closeness(guess.value, truth)
        )
        scored.append(
            (guess.answer_id, round(base * share), guess_is_correct(guess.value, truth, step))
        )
    return scored


def score_picks(
    picks: list[tuple[int, int | None]], answer_index: int, difficulty: Difficulty
) -> list[tuple[int, int, bool]]:
    """(answer id, points, correct) for every pick at a daily choice question, settled at
    its reveal like a guess: the base points for the right choice, nothing for the others.
    No speed bonus: the whole day is the window."""
    base = BASE_POINTS[difficulty]
    return [
        (answer_id, base if index == answer_index else 0, index == answer_index)
        for answer_id, index in picks
    ]


def closeness(guess: float, truth: float) -> float:
    """1.0 for the true margin, falling linearly to 0 at CLOSENESS_RANGE times it off."""
    scale = CLOSENESS_RANGE * max(truth, 0.001)
    return max(0.0, 1 - abs(guess - truth) / scale)


def period_key(period: str, now: datetime) -> str:
    """The standings key for a period containing `now` (UTC): 'all', 'wYYYY-MM-DD', 'mYYYY-MM'."""
    now = now.astimezone(UTC)
    if period == "all":
        return "all"
    if period == "week":
        monday = now.date() - timedelta(days=now.weekday())
        return f"w{monday.isoformat()}"
    if period == "month":
        return f"m{now:%Y-%m}"
    raise ValueError(f"unknown period {period!r}")
