"""Tests for trivia.judging: reading what players type."""

from __future__ import annotations

import pytest

from trivia.judging import Verdict, VerdictStatus, judge, parse_margin
from trivia.model import Choice, Difficulty, Question, QuestionKind

ACCEPTED = VerdictStatus.ACCEPTED
INVALID = VerdictStatus.INVALID
UNCLEAR = VerdictStatus.UNCLEAR


def make_question(
    kind: QuestionKind, choices: tuple[Choice, ...], answer_index: int | None
) -> Question:
    return Question(
        kind=kind,
        difficulty=Difficulty.MEDIUM,
        prompt="Test prompt?",
        choices=choices,
        answer_index=answer_index,
        answer_value=None if answer_index is not None else 0.002,
        answer_text="answer",
        explanation="explanation",
        sources=(),
        event_keys=("test-event",),
    )


WINNER = make_question(
    QuestionKind.WINNER,
    (
        Choice("Kyle Larson"),
        Choice("Chris Buescher"),
        Choice("Kurt Busch"),
        Choice("Kyle Busch", accepts=("Rowdy",)),
    ),
    answer_index=1,
)

ACCENTED = make_question(
    QuestionKind.RUNNER_UP,
    (
        Choice("Daniel Suárez"),
        Choice("Dale Earnhardt Jr.", accepts=("Junior", "Dale Jr")),
        Choice("Ross Chastain"),
    ),
    answer_index=0,
)

MARGIN = make_question(
    QuestionKind.MARGIN,
    (
        Choice("0.001 s", number=0.001),
        Choice("0.002 s", number=0.002),
        Choice("0.010 s", number=0.010),
        Choice("0.020 s", number=0.020),
    ),
    answer_index=1,
)

SEASON = make_question(
    QuestionKind.SEASON,
    tuple(Choice(str(year), number=float(year)) for year in (2003, 2011, 2016, 2024)),
    answer_index=1,
)

TRUE_FALSE = make_question(
    QuestionKind.TRUE_FALSE,
    (Choice("True", accepts=("t", "yes", "y")), Choice("False", accepts=("f", "no", "n"))),
    answer_index=1,
)

GUESS = make_question(QuestionKind.GUESS_MARGIN, (), answer_index=None)

NOT_A_CHOICE_AD = "That isn't one of the choices. Answer with A\u2013D."
USE_LETTERS_AD = "Answer with A\u2013D (or the choice itself)."
BOTH_BUSCHES = "Which one: Kurt Busch or Kyle Busch?"


def close(letter: str, label: str) -> str:
    """The reply to a near miss: which letter to type, and no question to say yes to."""
    return f"Close to {letter}) {label}: type {letter} to answer that."


def accepted(question: Question, index: int) -> Verdict:
    return Verdict(ACCEPTED, choice_index=index, correct=index == question.answer_index)


WINNER_CASES = [
    ("b", accepted(WINNER, 1)),
    ("B)", accepted(WINNER, 1)),
    ("(b)", accepted(WINNER, 1)),
    ("d.", accepted(WINNER, 3)),
    ("2", accepted(WINNER, 1)),
    ("4", accepted(WINNER, 3)),
    ("chris buescher", accepted(WINNER, 1)),
    ("Chris  Buescher!", accepted(WINNER, 1)),
    ("buescher", accepted(WINNER, 1)),
    ("BUESCHER", accepted(WINNER, 1)),
    ("larson", accepted(WINNER, 0)),
    ("rowdy", accepted(WINNER, 3)),
    # One letter dropped from "buescher" (ratio 93): a typo, accepted.
    ("Bueschr", accepted(WINNER, 1)),
    # One letter off "buescher" (93) but two letters longer than "busch" (83): the nearer,
    # unambiguous name wins, so this common misspelling counts for Buescher.
    ("Buscher", accepted(WINNER, 1)),
    ("kyle bush", accepted(WINNER, 3)),
    ("larson kyle", accepted(WINNER, 0)),
    ("kyle karson", accepted(WINNER, 0)),
    ("busch", Verdict(UNCLEAR, message=BOTH_BUSCHES)),
    ("Busch!", Verdict(UNCLEAR, message=BOTH_BUSCHES)),
    # Nearest to the shared surname "busch": still ambiguous, never guessed.
    ("bush", Verdict(UNCLEAR, message=BOTH_BUSCHES)),
    ("larsen", Verdict(UNCLEAR, message=close("A", "Kyle Larson"))),
    ("bueshcer", Verdict(UNCLEAR, message=close("B", "Chris Buescher"))),
    ("e", Verdict(INVALID, message=USE_LETTERS_AD)),
    ("(f)", Verdict(INVALID, message=USE_LETTERS_AD)),
    ("5", Verdict(INVALID, message=USE_LETTERS_AD)),
    ("0", Verdict(INVALID, message=USE_LETTERS_AD)),
    ("", Verdict(INVALID, message="Type an answer, e.g. /trivia answer B")),
    ("   ", Verdict(INVALID, message="Type an answer, e.g. /trivia answer B")),
    ("Jeff Gordon", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("kyle", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    # Short fragments are never fuzzy-matched, even though "son" ends "Larson".
    ("ky", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("son", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("0.002", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("!!!", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
]


@pytest.mark.parametrize(
    ("text", "expected"), WINNER_CASES, ids=[t or "<empty>" for t, _ in WINNER_CASES]
)
def test_winner_question(text: str, expected: Verdict) -> None:
    assert judge(WINNER, text) == expected


ACCENTED_CASES = [
    ("Suarez", accepted(ACCENTED, 0)),
    ("Suárez", accepted(ACCENTED, 0)),
    ("SUÁREZ", accepted(ACCENTED, 0)),
    ("daniel suarez", accepted(ACCENTED, 0)),
    ("Suarex", Verdict(UNCLEAR, message=close("A", "Daniel Suárez"))),
    ("Junior", accepted(ACCENTED, 1)),
    ("earnhardt", accepted(ACCENTED, 1)),
    ("Dale Earnhardt Jr", accepted(ACCENTED, 1)),
    ("dale earnhardt junior", accepted(ACCENTED, 1)),
    ("Earnhart", accepted(ACCENTED, 1)),
    ("Junoir", Verdict(UNCLEAR, message=close("B", "Dale Earnhardt Jr."))),
    ("d", Verdict(INVALID, message="Answer with A\u2013C (or the choice itself).")),
    (
        "Chase Elliott",
        Verdict(INVALID, message="That isn't one of the choices. Answer with A\u2013C."),
    ),
]


@pytest.mark.parametrize(("text", "expected"), ACCENTED_CASES, ids=[t for t, _ in ACCENTED_CASES])
def test_accents_suffixes_and_aliases(text: str, expected: Verdict) -> None:
    assert judge(ACCENTED, text) == expected


MARGIN_CASES = [
    ("0.002", accepted(MARGIN, 1)),
    (".002s", accepted(MARGIN, 1)),
    ("0,002 s", accepted(MARGIN, 1)),
    ("2 ms", accepted(MARGIN, 1)),
    ("two thousandths", accepted(MARGIN, 1)),
    ("0.002 s", accepted(MARGIN, 1)),
    ("0.01", accepted(MARGIN, 2)),
    ("ten thousandths", accepted(MARGIN, 2)),
    ("one hundredth", accepted(MARGIN, 2)),
    ("0.0200", accepted(MARGIN, 3)),
    ("0.00100000000001", accepted(MARGIN, 0)),
    ("c", accepted(MARGIN, 2)),
    ("1", accepted(MARGIN, 0)),
    ("0.003", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("0.5", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("7", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    # A typo in a number is never fuzzy-matched to a nearby margin.
    ("0.02o s", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
]


@pytest.mark.parametrize(("text", "expected"), MARGIN_CASES, ids=[t for t, _ in MARGIN_CASES])
def test_margin_choice_question(text: str, expected: Verdict) -> None:
    assert judge(MARGIN, text) == expected


SEASON_CASES = [
    ("2011", accepted(SEASON, 1)),
    ("b", accepted(SEASON, 1)),
    ("2024", accepted(SEASON, 3)),
    ("3", accepted(SEASON, 2)),
    ("2012", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("11", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
    ("201l", Verdict(INVALID, message=NOT_A_CHOICE_AD)),
]


@pytest.mark.parametrize(("text", "expected"), SEASON_CASES, ids=[t for t, _ in SEASON_CASES])
def test_season_question(text: str, expected: Verdict) -> None:
    assert judge(SEASON, text) == expected


TRUE_FALSE_CASES = [
    ("true", accepted(TRUE_FALSE, 0)),
    ("True.", accepted(TRUE_FALSE, 0)),
    ("F", accepted(TRUE_FALSE, 1)),
    ("t", accepted(TRUE_FALSE, 0)),
    ("yes", accepted(TRUE_FALSE, 0)),
    ("Y", accepted(TRUE_FALSE, 0)),
    ("no", accepted(TRUE_FALSE, 1)),
    ("n", accepted(TRUE_FALSE, 1)),
    ("a", accepted(TRUE_FALSE, 0)),
    ("b)", accepted(TRUE_FALSE, 1)),
    ("2", accepted(TRUE_FALSE, 1)),
    ("flase", Verdict(UNCLEAR, message=close("B", "False"))),
    ("c", Verdict(INVALID, message="Answer with A\u2013B (or the choice itself).")),
    ("3", Verdict(INVALID, message="Answer with A\u2013B (or the choice itself).")),
    ("maybe", Verdict(INVALID, message="That isn't one of the choices. Answer with A\u2013B.")),
]


@pytest.mark.parametrize(
    ("text", "expected"), TRUE_FALSE_CASES, ids=[t for t, _ in TRUE_FALSE_CASES]
)
def test_true_false_question(text: str, expected: Verdict) -> None:
    assert judge(TRUE_FALSE, text) == expected


def test_correct_flag_follows_answer_index() -> None:
    assert judge(WINNER, "b").correct is True
    assert judge(WINNER, "a").correct is False
    assert judge(TRUE_FALSE, "false").correct is True
    assert judge(TRUE_FALSE, "true").correct is False


def test_three_way_surname_tie_lists_all_in_choice_order() -> None:
    question = make_question(
        QuestionKind.WINNER,
        (Choice("Kyle Busch"), Choice("Joey Logano"), Choice("Kurt Busch"), Choice("Ty Busch")),
        answer_index=0,
    )
    verdict = judge(question, "busch")
    assert verdict == Verdict(UNCLEAR, message="Which one: Kyle Busch, Kurt Busch or Ty Busch?")


MARGIN_TEXTS = [
    ("0.001", 0.001),
    (".001", 0.001),
    ("0,001", 0.001),
    ("0.001s", 0.001),
    ("0.001 s", 0.001),
    ("0.001 sec", 0.001),
    ("0.001 secs", 0.001),
    ("0.001 seconds", 0.001),
    ("1ms", 0.001),
    ("1 ms", 0.001),
    ("1 millisecond", 0.001),
    ("1 milliseconds", 0.001),
    ("one thousandth", 0.001),
    ("a thousandth", 0.001),
    ("1 thousandth", 0.001),
    ("one thousandth of a second", 0.001),
    ("two thousandths", 0.002),
    ("ten thousandths", 0.010),
    ("one hundredth", 0.01),
    ("three hundredths", 0.03),
    ("one tenth", 0.1),
    ("half a second", 0.5),
    ("twenty-two thousandths", 0.022),
    ("twenty two thousandths", 0.022),
    ("Ninety-Nine hundredths", 0.99),
    ("zero", 0.0),
    ("0", 0.0),
    ("1/1000", 0.001),
    ("2011", 2011.0),
    ("+0.002", 0.002),
    ("~0.002", 0.002),
    ("about 0.002", 0.002),
    ("about two thousandths", 0.002),
    ("  0.1  ", 0.1),
    ("0.3", 0.3),
    ("3 hundredths", 0.03),
]


@pytest.mark.parametrize(("text", "expected"), MARGIN_TEXTS, ids=[t for t, _ in MARGIN_TEXTS])
def test_parse_margin(text: str, expected: float) -> None:
    assert parse_margin(text) == expected


BAD_MARGIN_TEXTS = [
    "",
    "fast",
    "-0.1",
    "-1",
    "0.001 furlongs",
    "nan",
    "NaN",
    "inf",
    "1e-3",
    "1/0",
    "two thousandths please",
    "about",
    "a",
    "one two",
    "twenty-zero thousandths",
    "hundred",
    "9" * 400,
]


@pytest.mark.parametrize(
    "text", BAD_MARGIN_TEXTS, ids=[t[:20] or "<empty>" for t in BAD_MARGIN_TEXTS]
)
def test_parse_margin_rejects(text: str) -> None:
    assert parse_margin(text) is None


def test_parse_margin_rounds_float_noise() -> None:
    assert parse_margin("0.3 ms") == 0.0003
    assert parse_margin("three hundredths") == 0.03


TOO_BIG = "A margin guess is at most 600 seconds, e.g. 0.002"
NUMERIC_CASES = [
    ("0.002", Verdict(ACCEPTED, value=0.002)),
    ("two thousandths", Verdict(ACCEPTED, value=0.002)),
    ("1 ms", Verdict(ACCEPTED, value=0.001)),
    ("0", Verdict(ACCEPTED, value=0.0)),
    ("fast", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("-0.1", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("0.001 furlongs", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("nan", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("b", Verdict(INVALID, message="Type the margin in seconds, e.g. 0.002")),
    ("600", Verdict(ACCEPTED, value=600.0)),
    # No photo finish is decided by ten minutes: an absurd guess is refused, not locked in.
    ("600.001", Verdict(INVALID, message=TOO_BIG)),
    ("99999999999999999999999999", Verdict(INVALID, message=TOO_BIG)),
    ("about 2000 seconds", Verdict(INVALID, message=TOO_BIG)),
]


@pytest.mark.parametrize(
    ("text", "expected"), NUMERIC_CASES, ids=[t or "<empty>" for t, _ in NUMERIC_CASES]
)
def test_numeric_question(text: str, expected: Verdict) -> None:
    verdict = judge(GUESS, text)
    assert verdict == expected
    assert verdict.correct is None


def test_judging_is_deterministic() -> None:
    texts = [t for t, _ in WINNER_CASES] + ["Buscher", "larsen", "busch"]
    first = [judge(WINNER, t) for t in texts]
    for _ in range(3):
        assert [judge(WINNER, t) for t in texts] == first
    assert [judge(GUESS, t) for t, _ in MARGIN_TEXTS] == [judge(GUESS, t) for t, _ in MARGIN_TEXTS]


@pytest.mark.parametrize(
    ("question", "text"),
    [(WINNER, "9" * 4400), (SEASON, "9" * 4400), (GUESS, "1/" + "9" * 4400), (GUESS, "x" * 201)],
    ids=["digits to a name", "digits to a season", "a huge fraction", "201 letters"],
)
def test_an_overlong_answer_is_refused_with_the_limit(question: Question, text: str) -> None:
    """Python refuses to read a number over 4,300 digits; the judge never tries."""
    assert judge(question, text) == Verdict(
        INVALID, message="That answer is too long: 200 characters at most."
    )


def test_a_near_miss_says_which_letter_to_type_and_invites_no_yes() -> None:
    """'stock car' used to get "Close: did you mean Stock car racing?", and the "yes" it
    invited was refused as not one of the choices."""
    sport = make_question(
        QuestionKind.SPORT,
        tuple(Choice(name) for name in ("Athletics", "Stock car racing", "Swimming", "Luge")),
        answer_index=1,
    )

    near = judge(sport, "stock car")

    assert near == Verdict(UNCLEAR, message=close("B", "Stock car racing"))
    assert near.message is not None
    assert "?" not in near.message
    assert judge(sport, "B") == accepted(sport, 1)
