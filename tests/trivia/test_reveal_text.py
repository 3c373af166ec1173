"""What a reveal says about the guesses: counts, range and who came closest."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import T0
from tests.generating import event, generator, records
from trivia.model import Place, QuestionKind
from trivia.questions import Request
from trivia.replies import locked_reply, reveal_reply
from trivia.store import AnswerRow, OpenQuestion


def margin_question(truth: float) -> OpenQuestion:
    """An open guess-the-margin question whose true margin is `truth`."""
    finish = event("race", margin_s=truth, margin_display=f"{truth:.3f}")
    q = generator(records([finish])).generate(Request(kinds=(QuestionKind.GUESS_MARGIN,)))
    place = Place("test", "g", "c")
    return OpenQuestion(1, 1, 1, 1, q, T0, T0 + timedelta(seconds=30), place)


def guess(n: int, name: str, value: float, points: int) -> AnswerRow:
    return AnswerRow(n, n, name, None, value, None, points, T0 + timedelta(seconds=n))


def test_one_guess_is_not_shown_as_a_range() -> None:
    """'Guesses: 1: 0.002 s', not 'from 0.002 s to 0.002 s'."""
    fields = dict(reveal_reply(margin_question(0.001), [guess(1, "Ann", 0.002, 30)]).fields)
    assert fields["Guesses"] == "1: 0.002 s"
    two_same = [guess(1, "Ann", 0.002, 30), guess(2, "Bo", 0.002, 20)]
    assert dict(reveal_reply(margin_question(0.001), two_same).fields)["Guesses"] == (
        "2: all 0.002 s"
    )


def test_closest_lists_guesses_by_distance_to_the_truth() -> None:
    """Two guesses with the same rounded points are listed nearest first."""
    answers = [
        guess(1, "Far", 0.43, 5),
        guess(2, "Near", 0.4, 5),
        guess(3, "Best", 0.1, 30),
    ]
    closest = dict(reveal_reply(margin_question(0.1), answers).fields)["Closest"]
    assert closest.index("Best") < closest.index("Near") < closest.index("Far")


def test_guesses_are_never_shown_in_exponent_form() -> None:
    """A guess of 0.00001 s is locked in and revealed as typed, not as '1e-05 s'."""
    open_q = margin_question(0.001)
    answers = [guess(1, "Ann", 0.00001, 30), guess(2, "Bo", 123.4567, 0)]

    locked = locked_reply(open_q.question, None, 0.00001)
    fields = dict(reveal_reply(open_q, answers).fields)

    assert locked.title == "Locked in: 0.00001 s"
    assert fields["Closest"] == "Ann 0.00001 s (+30)"
    assert fields["Guesses"] == "2, from 0.00001 s to 123.4567 s"
