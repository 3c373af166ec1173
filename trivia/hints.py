"""Hints: one per player and question, the same for everyone who asks.

A choice question loses two wrong choices (two remain); a guess at a margin hears its
order of magnitude in the record's own terms, true for the margin as printed. The lowest
band a hint names is at least ten steps of the printed precision wide, so a tie (printed
0.00) and a margin of a few steps hear the same words: a hint never tells a tie apart.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from random import Random

from trivia.model import CHOICE_LETTERS, Event, Question

KEPT = 2
"""How many choices a choice hint leaves: the answer and one wrong choice."""

Ladder = tuple[tuple[Decimal, str], ...]
"""Thresholds of one unit, smallest first, each with how it is said."""

SECONDS: Ladder = (
    (Decimal("0.001"), "a thousandth of a second"),
    (Decimal("0.01"), "a hundredth of a second"),
    (Decimal("0.1"), "a tenth of a second"),
    (Decimal("1"), "a second"),
    (Decimal("10"), "ten seconds"),
)
MILLIMETRES: Ladder = (
    (Decimal("1"), "a millimetre"),
    (Decimal("10"), "a centimetre"),
    (Decimal("100"), "ten centimetres"),
    (Decimal("1000"), "a metre"),
)
TO_MILLIMETRES = {"mm": Decimal(1), "cm": Decimal(10)}
HEAD_FAMILY = frozenset({"nose", "short head", "half head", "head", "dead heat", "dh"})
NECK_FAMILY = frozenset({"long head", "short neck", "neck"})


def choice_hint(question: Question, question_id: int) -> str | None:
    """'Not B or D. Still in: A) Kyle Larson, C) Denny Hamlin'; the same two wrong choices
    go for everyone (drawn from the question's id). None when fewer than KEPT + 1 choices
    (a true-or-false question), where taking one away would give the answer."""
    right = question.answer_index
    if right is None or len(question.choices) <= KEPT:
        return None
    wrong = [i for i in range(len(question.choices)) if i != right]
    gone = sorted(Random(f"hint {question_id}").sample(wrong, len(question.choices) - KEPT))
    kept = [i for i in range(len(question.choices)) if i not in gone]
    removed = " or ".join(CHOICE_LETTERS[i] for i in gone)
    still = ", ".join(f"{CHOICE_LETTERS[i]}) {question.choices[i].label}" for i in kept)
    return f"Not {removed}. Still in: {still}."


def margin_hint(event: Event) -> str | None:
    """The margin's order of magnitude in its unit ('under a hundredth of a second', 'at
    least a centimetre but under ten centimetres', 'a head or less'); None where the record
    prints no margin to size ('photo finish')."""
    shown = event.margin_display.strip().casefold()
    if event.margin_unit == "verbal":
        return _verbal_band(shown)
    try:
        printed = Decimal(shown)
    except InvalidOperation:
        return None
    step = Decimal(1).scaleb(printed.as_tuple().exponent)  # type: ignore[arg-type]
    if event.margin_unit == "s":
        return "The margin is " + _band(printed, step, SECONDS) + "."
    if event.margin_unit in TO_MILLIMETRES:
        scale = TO_MILLIMETRES[event.margin_unit]
        return "The margin is " + _band(printed * scale, step * scale, MILLIMETRES) + "."
    return None


def _band(value: Decimal, step: Decimal, ladder: Ladder) -> str:
    """The band of `ladder` holding `value`; the lowest band named runs from zero to the
    first threshold at least ten steps up, so zero shares its words with small margins."""
    floor = 10 * step
    usable = [(limit, said) for limit, said in ladder if limit >= floor] or [ladder[-1]]
    below = None
    for limit, said in usable:
        if value < limit:
            return f"under {said}" if below is None else f"at least {below} but under {said}"
        below = said
    return f"{usable[-1][1]} or more"


def _verbal_band(shown: str) -> str | None:
    """A horse-racing margin's family: a dead heat is said as the head family, which holds
    it truly (nothing is a head or less) without telling it apart."""
    said = shown.removeprefix("a ")
    if said in HEAD_FAMILY:
        return "The margin is a head or less (the nose and head family)."
    if said in NECK_FAMILY:
        return "The margin is more than a head but no more than a neck."
    if said[:1].isdigit() or "length" in said:
        return "The margin is half a length or more, counted in lengths."
    return None
