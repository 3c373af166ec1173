"""Judge what a player typed against a generated question.

Everything here is pure and deterministic: the same question and text always give the same
verdict. Multiple-choice answers may be a letter, a position, a number, the choice text, a
surname or a near miss of one; numeric questions take a margin in seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from trivia.model import CHOICE_LETTERS, Choice, Question
from trivia.names import normalize, surname

__all__ = [
    "ACCEPT_SCORE",
    "CLOSE_SCORE",
    "MAX_GUESS_S",
    "Verdict",
    "VerdictStatus",
    "judge",
    "parse_margin",
]

ACCEPT_SCORE = 88.0
"""Fuzzy score at or above which a near miss selects the choice."""

CLOSE_SCORE = 72.0
"""Fuzzy score at or above which a near miss is answered with the choice it is close to."""

_EMPTY_MESSAGE = "Type an answer, e.g. /trivia answer B"
_MARGIN_MESSAGE = "Type the margin in seconds, e.g. 0.002"
MAX_GUESS_S = 600.0
"""The largest margin guess taken: no photo finish is decided by ten minutes."""
_TOO_BIG_MESSAGE = f"A margin guess is at most {MAX_GUESS_S:g} seconds, e.g. 0.002"
_MIN_FUZZY_LENGTH = 3
MAX_ANSWER_LENGTH = 200
_TOO_LONG_MESSAGE = f"That answer is too long: {MAX_ANSWER_LENGTH} characters at most."
_NUMBER_TOLERANCE = 1e-9


class VerdictStatus(StrEnum):
    """How a typed answer was read."""

    ACCEPTED = "accepted"
    INVALID = "invalid"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging one typed answer."""

    status: VerdictStatus
    choice_index: int | None = None
    value: float | None = None
    correct: bool | None = None
    message: str | None = None


# --------------------------------------------------------------------------- parse_margin

_WORD_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_WORD_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ARTICLES = {"a", "an"}
_SECOND_WORDS = ("s", "sec", "secs", "second", "seconds")
_MILLI_WORDS = ("ms", "msec", "msecs", "millisecond", "milliseconds")
_FRACTION_WORDS = {"tenth": 0.1, "hundredth": 0.01, "thousandth": 0.001}


def _build_units() -> dict[str, float]:
    units: dict[str, float] = {"": 1.0}
    for word in _SECOND_WORDS:
        units[word] = 1.0
    for word in _MILLI_WORDS:
        units[word] = 0.001
    for word, scale in _FRACTION_WORDS.items():
        for form in (word, word + "s"):
            units[form] = scale
            for second in ("second", "sec"):
                units[f"{form} of a {second}"] = scale
    return units


_UNITS = _build_units()
_PREFIX = re.compile(r"^(?:about\s+|~\s*|\+\s*)")
_DIGITS = re.compile(
    r"^(?:(?P<num>\d+(?:[.,]\d+)?|[.,]\d+)|(?P<top>\d+)\s*/\s*(?P<bottom>\d+))"
    r"\s*(?P<unit>[a-z][a-z ]*)?$"
)
_WORDS = re.compile(r"^[a-z]+(?:[\s-]+[a-z]+)*$")
_HALF_FORMS = {("half", "a", second) for second in _SECOND_WORDS if second != "s"} | {
    ("a", "half", second) for second in _SECOND_WORDS if second != "s"
}


def _finish(value: float) -> float | None:
    if not math.isfinite(value) or value < 0:
        return None
    return round(value, 10)


def number_word(word: str) -> int | None:
    """The number one word says: 'three' 3, 'twenty' 20, 'a' 1; None for any other word."""
    if word in _ARTICLES:
        return 1
    return _WORD_UNITS.get(word, _WORD_TENS.get(word))


def _word_count(words: list[str]) -> tuple[int, int] | None:
    """Read a leading count (0-99, or an article) and return (value, words used)."""
    if not words:
        return None
    first = words[0]
    if first in _WORD_TENS:
        if len(words) > 1 and words[1] in _WORD_UNITS and 0 < _WORD_UNITS[words[1]] < 10:
            return _WORD_TENS[first] + _WORD_UNITS[words[1]], 2
        return _WORD_TENS[first], 1
    if first in _WORD_UNITS:
        return _WORD_UNITS[first], 1
    if first in _ARTICLES and len(words) > 1:
        return 1, 1
    return None


def _parse_words(text: str) -> float | None:
    words = re.split(r"[\s-]+", text)
    if tuple(words) in _HALF_FORMS:
        return 0.5
    counted = _word_count(words)
    if counted is None:
        return None
    count, used = counted
    unit = " ".join(words[used:])
    scale = _UNITS.get(unit)
    if scale is None:
        return None
    return _finish(count * scale)


def parse_margin(text: str) -> float | None:
    """Parse a margin in seconds as people type it ("0.002", "2 ms", "two thousandths").

    Returns None for anything that is not a plain non-negative amount of time.
    """
    if len(text) > MAX_ANSWER_LENGTH:
        return None
    cleaned = " ".join(text.casefold().split())
    while True:
        stripped = _PREFIX.sub("", cleaned, count=1)
        if stripped == cleaned:
            break
        cleaned = stripped
    if not cleaned:
        return None
    match = _DIGITS.match(cleaned)
    if match is not None:
        scale = _UNITS.get((match["unit"] or "").strip())
        if scale is None:
            return None
        if match["num"] is not None:
            amount = float(match["num"].replace(",", "."))
        else:
            bottom = int(match["bottom"])
            if bottom == 0:
                return None
            amount = int(match["top"]) / bottom
        return _finish(amount * scale)
    if _WORDS.match(cleaned):
        return _parse_words(cleaned)
    return None


# --------------------------------------------------------------------------- judge

_LETTER = re.compile(r"^\(?\s*([a-z])\s*[).:]?$")
_INTEGER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class _Candidate:
    """A normalized string that selects one or more choices."""

    key: str
    choices: frozenset[int]


def _letter_range(count: int) -> str:
    return f"A\u2013{CHOICE_LETTERS[count - 1]}"


def _letter_message(count: int) -> str:
    return f"Answer with {_letter_range(count)} (or the choice itself)."


def _not_a_choice_message(count: int) -> str:
    return f"That isn't one of the choices. Answer with {_letter_range(count)}."


def _accept(question: Question, index: int) -> Verdict:
    return Verdict(
        VerdictStatus.ACCEPTED, choice_index=index, correct=index == question.answer_index
    )


def _which_one(question: Question, indexes: Iterable[int]) -> Verdict:
    labels = [question.choices[i].label for i in sorted(set(indexes))]
    listed = ", ".join(labels[:-1]) + " or " + labels[-1]
    return Verdict(VerdictStatus.UNCLEAR, message=f"Which one: {listed}?")


def _select(question: Question, indexes: Iterable[int]) -> Verdict | None:
    """Accept a single match, ask which one for several, or return None for none."""
    unique = sorted(set(indexes))
    if not unique:
        return None
    if len(unique) == 1:
        return _accept(question, unique[0])
    return _which_one(question, unique)


def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= _NUMBER_TOLERANCE or round(a, 4) == round(b, 4)


def _number_matches(choices: tuple[Choice, ...], value: float) -> list[int]:
    return [
        i
        for i, choice in enumerate(choices)
        if choice.number is not None and _same_number(choice.number, value)
    ]


def _exact_matches(choices: tuple[Choice, ...], key: str) -> list[int]:
    return [
        i
        for i, choice in enumerate(choices)
        if any(normalize(text) == key for text in (choice.label, *choice.accepts))
    ]


def _surname_matches(choices: tuple[Choice, ...], key: str) -> list[int]:
    return [
        i
        for i, choice in enumerate(choices)
        if any(normalize(surname(text)) == key for text in (choice.label, *choice.accepts))
    ]


def _candidates(choices: tuple[Choice, ...]) -> list[_Candidate]:
    """Every string that names a choice, merged by normalized form, in choice order."""
    order: list[str] = []
    owners: dict[str, set[int]] = {}
    for index, choice in enumerate(choices):
        named = [choice.label, surname(choice.label)]
        for text in choice.accepts:
            named += [text, surname(text)]
        for text in named:
            key = normalize(text)
            if len(key) < _MIN_FUZZY_LENGTH:
                continue
            if key not in owners:
                order.append(key)
                owners[key] = set()
            owners[key].add(index)
    return [_Candidate(key, frozenset(owners[key])) for key in order]


def _score(query: str, key: str) -> float:
    """Edit similarity, forgiving word order ("larson kyle")."""
    return max(fuzz.ratio(query, key), fuzz.token_sort_ratio(query, key))


def _fuzzy(question: Question, query: str) -> Verdict:
    count = len(question.choices)
    scored = [(_score(query, c.key), c) for c in _candidates(question.choices)]
    best = max((score for score, _ in scored), default=0.0)
    if best < CLOSE_SCORE:
        return Verdict(VerdictStatus.INVALID, message=_not_a_choice_message(count))
    top = [c for score, c in scored if abs(score - best) <= _NUMBER_TOLERANCE]
    owners = {i for c in top for i in c.choices}
    if len(owners) > 1:
        return _which_one(question, owners)
    (index,) = owners
    if best >= ACCEPT_SCORE:
        return _accept(question, index)
    # Said with the letter to type, and asked as no question: a "yes" would not be an answer.
    letter, label = CHOICE_LETTERS[index], question.choices[index].label
    return Verdict(
        VerdictStatus.UNCLEAR, message=f"Close to {letter}) {label}: type {letter} to answer that."
    )


def _judge_numeric(text: str) -> Verdict:
    value = parse_margin(text)
    if value is None:
        return Verdict(VerdictStatus.INVALID, message=_MARGIN_MESSAGE)
    if value > MAX_GUESS_S:
        return Verdict(VerdictStatus.INVALID, message=_TOO_BIG_MESSAGE)
    return Verdict(VerdictStatus.ACCEPTED, value=value)


def _judge_choice(question: Question, text: str) -> Verdict:
    choices = question.choices
    count = len(choices)
    raw = " ".join(text.casefold().split())
    if not raw:
        return Verdict(VerdictStatus.INVALID, message=_EMPTY_MESSAGE)
    key = normalize(text)

    letter = _LETTER.match(raw)
    picked = CHOICE_LETTERS.find(letter[1].upper()) if letter is not None else -1
    if 0 <= picked < count:
        return _accept(question, picked)

    exact = _select(question, _exact_matches(choices, key)) if key else None
    if exact is not None:
        return exact
    if letter is not None:
        return Verdict(VerdictStatus.INVALID, message=_letter_message(count))

    numbered = any(choice.number is not None for choice in choices)
    if _INTEGER.match(raw):
        by_number = _select(question, _number_matches(choices, float(raw)))
        if by_number is not None:
            return by_number
        position = int(raw)
        if 1 <= position <= count:
            return _accept(question, position - 1)
        message = _not_a_choice_message(count) if numbered else _letter_message(count)
        return Verdict(VerdictStatus.INVALID, message=message)

    value = parse_margin(text)
    if value is not None:
        by_value = _select(question, _number_matches(choices, value))
        if by_value is not None:
            return by_value
        return Verdict(VerdictStatus.INVALID, message=_not_a_choice_message(count))

    by_surname = _select(question, _surname_matches(choices, key)) if key else None
    if by_surname is not None:
        return by_surname

    if len(key) < _MIN_FUZZY_LENGTH or (numbered and any(c.isdigit() for c in key)):
        return Verdict(VerdictStatus.INVALID, message=_not_a_choice_message(count))
    return _fuzzy(question, key)


def judge(question: Question, text: str) -> Verdict:
    """Read a player's typed answer to a question; nothing here reveals the answer."""
    if len(text) > MAX_ANSWER_LENGTH:
        return Verdict(VerdictStatus.INVALID, message=_TOO_LONG_MESSAGE)
    if question.answer_index is None:
        return _judge_numeric(text)
    return _judge_choice(question, text)
