"""What a hint says, the half points after one, and the daily result line: pure rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.records import shipped_packs
from tests.conftest import T0
from tests.generating import event
from trivia.daily import DailyInfo, DailyStreak
from trivia.hints import choice_hint, margin_hint
from trivia.margins import states_margin
from trivia.model import Choice, Difficulty, Place, Question, QuestionKind
from trivia.scoring import hinted_points
from trivia.share import ordinal, share_line
from trivia.store import AnswerRow, OpenQuestion

SAID = {
    "a thousandth of a second": Decimal("0.001"),
    "a hundredth of a second": Decimal("0.01"),
    "a tenth of a second": Decimal("0.1"),
    "a second": Decimal("1"),
    "ten seconds": Decimal("10"),
    "a millimetre": Decimal("1"),
    "a centimetre": Decimal("10"),
    "ten centimetres": Decimal("100"),
    "a metre": Decimal("1000"),
}
"""Each bound a hint names, in seconds or millimetres, written out here independently."""
BAND = re.compile(r"The margin is (?:under (.+)|at least (.+) but under (.+)|(.+) or more)\.")


def bounds(hint: str) -> tuple[Decimal, Decimal | None]:
    """The (inclusive low, exclusive high) a seconds or distance hint says."""
    found = BAND.fullmatch(hint)
    assert found, hint
    under, low, high, more = found.groups()
    if under:
        return Decimal(0), SAID[under]
    if more:
        return SAID[more], None
    return SAID[low], SAID[high]


@pytest.mark.parametrize(
    ("display", "unit", "said"),
    [
        ("0.001", "s", "under a hundredth of a second"),
        ("0.009", "s", "under a hundredth of a second"),
        ("0.000", "s", "under a hundredth of a second"),
        ("0.010", "s", "at least a hundredth of a second but under a tenth of a second"),
        ("0.01", "s", "under a tenth of a second"),
        ("0.00", "s", "under a tenth of a second"),
        ("0.0005", "s", "under a thousandth of a second"),
        ("0.5", "s", "under a second"),
        ("0.712", "s", "at least a tenth of a second but under a second"),
        ("1.234", "s", "at least a second but under ten seconds"),
        ("13", "s", "ten seconds or more"),
        ("6", "mm", "under a centimetre"),
        ("3", "cm", "under ten centimetres"),
        ("25", "cm", "at least ten centimetres but under a metre"),
    ],
)
def test_a_margin_hint_names_its_order_of_magnitude(display: str, unit: str, said: str) -> None:
    """Bands by the sport's unit, the lowest at least ten printed steps wide."""
    value = float(display)
    made = event(
        "e", margin_unit=unit, margin_display=display, margin_s=value if unit == "s" else None
    )
    assert margin_hint(made) == f"The margin is {said}."


def test_a_tie_hears_the_same_words_as_a_close_margin() -> None:
    """A dead heat in hundredths (0.00) is told what margins of 0.01 to 0.09 are told, and
    a horse-racing dead heat what a nose or a head is: the hint never gives the tie away."""
    for precision, shown in ((2, "0.0{}"), (3, "0.00{}")):
        tie = margin_hint(event("t", margin_s=0.0, margin_display=shown.format(0)))
        close = {
            margin_hint(event("c", margin_s=0.0, margin_display=shown.format(k)))
            for k in range(1, 10)
        }
        assert close == {tie}, precision
    words = {
        d: margin_hint(event("h", margin_unit="verbal", margin_display=d, margin_s=None))
        for d in (
            "dead heat",
            "nose",
            "short head",
            "head",
            "long head",
            "neck",
            "1 1/2 lengths",
            "photo finish",
        )
    }
    assert words["dead heat"] == words["nose"] == words["head"] == words["short head"]
    assert words["dead heat"] == "The margin is a head or less (the nose and head family)."
    assert (
        words["long head"]
        == words["neck"]
        == "The margin is more than a head but no more than a neck."
    )
    assert words["1 1/2 lengths"] == "The margin is half a length or more, counted in lengths."
    assert words["photo finish"] is None


def test_every_shipped_records_hint_is_true_for_its_printed_margin() -> None:
    """For each of the shipped records, the band a hint names holds the margin as printed
    (in millimetres for distances); a verbal margin is in the family it names."""
    checked = 0
    for pack, _ in shipped_packs():
        for e in pack.events:
            hint = margin_hint(e)
            if e.margin_unit == "verbal":
                assert hint is None or "head" in hint or "length" in hint, (e.key, hint)
                continue
            assert hint is not None, e.key
            value = Decimal(e.margin_display) * (10 if e.margin_unit == "cm" else 1)
            low, high = bounds(hint)
            assert low <= value, (e.key, e.margin_display, hint)
            assert high is None or value < high, (e.key, e.margin_display, hint)
            checked += 1
    assert checked > 500


def test_a_choice_hint_keeps_the_answer_and_one_wrong_choice() -> None:
    """Two wrong choices go, the same two each time for a question; a true-or-false
    question gets no hint (taking one away would give the answer)."""
    labels = ("Kyle Larson", "Chris Buescher", "Denny Hamlin", "Kyle Busch")
    for answer in range(4):
        q = question(choices=tuple(Choice(x) for x in labels), answer_index=answer)
        for question_id in range(1, 30):
            hint = choice_hint(q, question_id)
            assert hint is not None
            assert hint == choice_hint(q, question_id)
            kept = [
                letter
                for letter, label in zip("ABCD", labels, strict=True)
                if f"{letter}) {label}" in hint
            ]
            assert len(kept) == 2
            assert "ABCD"[answer] in kept
    true_false = question(choices=(Choice("True"), Choice("False")), answer_index=0)
    assert choice_hint(true_false, 1) is None


@pytest.mark.parametrize(
    ("points", "after"), [(0, 0), (1, 0), (10, 5), (25, 12), (30, 15), (45, 22)]
)
def test_an_answer_after_a_hint_scores_half_rounded_down(points: int, after: int) -> None:
    assert hinted_points(points, True) == after
    assert hinted_points(points, False) == points


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def question(**fields: object) -> Question:
    """A question with these fields over plain defaults."""
    values: dict[str, object] = {
        "kind": QuestionKind.MARGIN,
        "difficulty": Difficulty.HARD,
        "prompt": "?",
        "choices": (),
        "answer_index": None,
        "answer_value": None,
        "answer_text": "",
        "explanation": "",
        "sources": (),
        "event_keys": ("k",),
    }
    values.update(fields)
    return Question(**values)  # type: ignore[arg-type]


DAY = date(2026, 12, 2)
NAMES = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=4, max_size=12)
"""Competitors and venues: capitals only, so no word of the line itself can be one."""


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    precision=st.integers(min_value=0, max_value=4),
    steps=st.integers(min_value=0, max_value=99_999),
    guesses=st.lists(st.integers(min_value=0, max_value=200_000), min_size=1, max_size=8),
    me=st.integers(min_value=0, max_value=7),
    names=st.lists(NAMES, min_size=3, max_size=3),
    streak=st.integers(min_value=0, max_value=400),
    hinted=st.booleans(),
)
def test_the_guess_result_line_gives_nothing_away(
    precision: int,
    steps: int,
    guesses: list[int],
    me: int,
    names: list[str],
    streak: int,
    hinted: bool,
) -> None:
    """Whatever the margin and the guesses, the line never holds the margin as printed,
    a competitor or the venue; it holds the daily's number and the player's place."""
    step = 10.0**-precision
    printed = f"{steps * step:.{precision}f}"
    winner, second, venue = names
    daily = OpenQuestion(
        1, 1, 1, 1,
        question(
            kind=QuestionKind.GUESS_MARGIN,
            prompt=f"Guess the margin: {winner} beat {second} at {venue}.",
            answer_value=float(printed),
            answer_text=f"{printed} s",
            explanation=f"{winner} beat {second} by {printed} s at {venue}.",
            answer_step=step,
        ),
        T0, T0 + timedelta(days=1), Place("test", "w", "c"), DailyInfo(336, DAY, None),
    )  # fmt: skip
    answers = [
        AnswerRow(i + 1, i + 1, f"P{i}", None, g * 10.0 ** -(precision + 1), None, 0, T0, hinted)
        for i, g in enumerate(guesses)
    ]
    mine = answers[me % len(answers)]
    line = share_line(
        daily, answers, mine.player_id, DailyStreak(mine.player_id, streak, streak, DAY)
    )
    assert line is not None
    assert line.startswith("Photo Finish Daily #336: ")
    assert "closest of" in line
    assert all(name not in line for name in names)
    if precision:  # a decimal figure, whole (not the 0 of 0.1); a whole number needs its unit
        figure = rf"(?<![\d.]){re.escape(printed)}(?!\d|\.\d)"
        assert re.search(figure, line) is None, (printed, line)
    assert states_margin(line, event("e", margin_display=printed, margin_s=float(printed))) is False
    assert ("with a hint" in line) is hinted
    assert ("-day streak" in line) is (streak > 0)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8),
    answer=st.integers(min_value=0, max_value=3),
    names=st.lists(NAMES, min_size=3, max_size=3),
)
def test_the_choice_result_line_says_right_or_wrong_and_nothing_else(
    picks: list[int], answer: int, names: list[str]
) -> None:
    """At a choice daily the line says right (with the place among the right by time) or
    wrong; never the margin picked, a competitor or the venue."""
    labels = ("a nose", "a short head", "a head", "a neck")
    winner, second, venue = names
    daily = OpenQuestion(
        1, 1, 1, 1,
        question(
            prompt=f"Pick the margin: {winner} beat {second} at {venue}.",
            choices=tuple(Choice(x) for x in labels),
            answer_index=answer,
            answer_text=labels[answer],
        ),
        T0, T0 + timedelta(days=1), Place("test", "w", "c"), DailyInfo(7, DAY, None),
    )  # fmt: skip
    answers = [
        AnswerRow(i + 1, i + 1, f"P{i}", p, None, p == answer, 0, T0 + timedelta(seconds=i))
        for i, p in enumerate(picks)
    ]
    right = [a for a in answers if a.correct]
    for mine in answers:
        line = share_line(daily, answers, mine.player_id, None)
        assert line is not None
        if mine.correct:
            place = ordinal(right.index(mine) + 1)
            assert line == f"Photo Finish Daily #7: right, {place} of {len(right)} right by time"
        else:
            assert line == f"Photo Finish Daily #7: wrong ({len(right)} of {len(answers)} right)"
        assert all(text not in line for text in (*names, *labels))
    assert share_line(daily, answers, 999, None) is None
