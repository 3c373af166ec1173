"""The standings rules: periods, counting answers, settle order and the replay."""

from __future__ import annotations

from datetime import UTC, datetime

from trivia.standings import Line, LogEntry, Outcome, count, periods, replay

MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC).timestamp()


def test_an_answer_counts_in_all_time_its_week_and_its_month() -> None:
    """A moment just before midnight on Sunday 29 November is in the week before the one
    that starts a second later, and both are in November."""
    assert periods(MONDAY - 1) == ("w2026-11-23", "m2026-11", "all")
    assert periods(MONDAY) == ("w2026-11-30", "m2026-11", "all")


def test_a_guess_moves_the_streak_at_its_reveal_live_and_in_the_replay() -> None:
    """Right, a guess (judged wrong only at its reveal), right: live, the streak reached 2
    before the reveal broke it, and replaying the log in settle order says the same."""
    right, guess, wrong = Outcome(10, True), Outcome(0, None), Outcome(5, False)
    live = count(Line(), None, right, 1.0)
    live = count(live, None, guess, 2.0)
    live = count(live, None, right, 3.0)
    live = count(live, guess, wrong, 2.0)
    assert live == Line(points=25, answered=3, correct=2, last_scored_at=3.0, best_streak=2)
    log = [
        LogEntry(1, 1, 7, 1.0, right, settled=1),
        LogEntry(2, 1, 7, 2.0, wrong, settled=3),
        LogEntry(3, 1, 7, 3.0, right, settled=2),
    ]
    assert replay(log) == {(1, 7, key): live for key in periods(1.0)}


def test_a_guess_is_pending_until_its_reveal_not_answered_and_wrong() -> None:
    """A locked guess is neither answered nor wrong before its reveal ("0/1 right" on the
    leaderboard, issue 19): it counts as pending, then as answered when it is judged."""
    guess, judged = Outcome(0, None), Outcome(30, True)
    locked = count(Line(), None, guess, 1.0)
    assert (locked.answered, locked.correct, locked.pending) == (0, 0, 1)
    revealed = count(locked, guess, judged, 1.0)
    assert (revealed.answered, revealed.correct, revealed.pending) == (1, 1, 0)
    log = [LogEntry(1, 1, 7, 1.0, guess, settled=None)]
    assert replay(log) == {(1, 7, key): locked for key in periods(1.0)}
