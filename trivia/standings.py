"""Leaderboard standings: the periods an answer counts in, how a counted answer changes a
player's line, the order answers settle in, and the ranking.

Live scoring and `db rebuild` both fold answers through `count`, in settle order, so they
agree exactly. An answer settles when its correctness becomes known: a multiple-choice
answer as it is locked, a guess at the margin and any answer to a daily question at its
question's reveal. A streak advances in that order: a guess counts towards it at its
reveal, not when it was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from trivia.scoring import PERIODS, period_key


class Outcome(NamedTuple):
    """What an answer scores: its points, and whether it was right (None: not yet judged,
    as for a guess before its reveal)."""

    points: int
    correct: bool | None


class Line(NamedTuple):
    """A player's standing in one period. `answered` counts judged answers and `pending`
    the guesses waiting for their reveal; `last_scored_at` is the latest answer time (UTC
    seconds) of an answer that scored points, 0 if none did; `streak` counts the right
    answers settled since the last wrong one."""

    points: int = 0
    answered: int = 0
    correct: int = 0
    last_scored_at: float = 0.0
    streak: int = 0
    best_streak: int = 0
    pending: int = 0


@dataclass(frozen=True)
class LogEntry:
    """An answer as the log holds it, for a replay: `settled` is its place in the settle
    order (None while it is not judged)."""

    id: int
    workspace_id: int
    player_id: int
    answered_at: float
    outcome: Outcome
    settled: int | None


StandingKey = tuple[int, int, str]
"""(workspace id, player id, period key)."""


DAY = 86_400


def periods(answered_at: float) -> tuple[str, ...]:
    """The period keys an answer given at this moment (UTC seconds) counts in."""
    return _periods_of_day(int(answered_at // DAY))


@lru_cache(maxsize=64)
def _periods_of_day(day: int) -> tuple[str, ...]:
    """The period keys of a UTC day (days since the epoch): they change only at midnight."""
    moment = datetime.fromtimestamp(day * DAY, UTC)
    return tuple(period_key(period, moment) for period in PERIODS)


def settles(before: Outcome | None, after: Outcome) -> bool:
    """True if this change judges the answer (before None: the answer is being locked):
    that is when it takes its place in the settle order and moves the streak."""
    return after.correct is not None and (before is None or before.correct is None)


def count(line: Line, before: Outcome | None, after: Outcome, answered_at: float) -> Line:
    """A player's line once one of their answers is counted as `after`: a new answer
    (`before` None) adds to answered, or to pending while it is not judged (a guess before
    its reveal); a reveal's rescoring (`before`: what was counted when it was locked) moves
    the totals by the difference. Points only grow at a reveal, so `last_scored_at` is the
    latest time of a scoring answer in any order of counting."""
    gained = after.points - (before.points if before else 0)
    streak = line.streak
    if settles(before, after):
        streak = streak + 1 if after.correct else 0
    return Line(
        points=line.points + gained,
        answered=line.answered + _judged(after) - _judged(before),
        correct=line.correct + bool(after.correct) - bool(before and before.correct),
        last_scored_at=max(line.last_scored_at, answered_at) if gained > 0 else line.last_scored_at,
        streak=streak,
        best_streak=max(line.best_streak, streak),
        pending=line.pending + _waiting(after) - _waiting(before),
    )


def _judged(outcome: Outcome | None) -> bool:
    return outcome is not None and outcome.correct is not None


def _waiting(outcome: Outcome | None) -> bool:
    return outcome is not None and outcome.correct is None


def settle_order(answer: LogEntry) -> tuple[bool, int, int]:
    """Sort key of the replay: judged answers in the order they were judged, then those not
    yet judged (they move no streak, so their place among the rest changes nothing)."""
    return (answer.settled is None, answer.settled or 0, answer.id)


def replay(answers: Iterable[LogEntry]) -> dict[StandingKey, Line]:
    """Every standing the answer log gives, counting its answers in settle order."""
    lines: dict[StandingKey, Line] = {}
    for answer in sorted(answers, key=settle_order):
        for period in periods(answer.answered_at):
            key = (answer.workspace_id, answer.player_id, period)
            lines[key] = count(lines.get(key, Line()), None, answer.outcome, answer.answered_at)
    return lines


def rank_order(player_id: int, line: Line) -> tuple[int, int, float, int]:
    """Leaderboard sort key: most points, then most right answers, then who reached their
    score first, then the lower player id."""
    return (-line.points, -line.correct, line.last_scored_at, player_id)
