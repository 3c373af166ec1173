"""Margins in each sport's own terms: how they are said, and when a guess counts as right."""

from __future__ import annotations

import re

from trivia.model import Event

_FIGURE = re.compile(r"(?<![\d.])\d*\.\d+")

PRECISION_WORDS = {1: "tenth", 2: "hundredth", 3: "thousandth", 4: "ten-thousandth"}
VERBAL_MARGINS = ("a nose", "a short head", "a head", "a short neck", "a neck")
"""The official verbal margins under half a length, shortest first."""

GUESS_TOLERANCE = 0.5
"""A margin guess counts as correct within this share of the true margin of it."""


def margin_text(event: Event) -> str:
    """The margin as printed, in its unit: '0.001 s', '6 mm', 'a nose', 'a dead heat'."""
    if event.margin_unit == "verbal":
        shown = event.margin_display
        if shown in ("dead heat", "dh"):
            return "a dead heat"
        return shown if shown[:1].isdigit() else f"a {shown}"
    return f"{event.margin_display} {event.margin_unit}"


def margin_by(event: Event) -> str:
    """How a sentence gives the margin: 'by 0.001 s', 'by a nose', 'in a photo finish'."""
    if event.margin_display == "photo finish":
        return "in a photo finish"
    if event.timed and not event.tied and not event.margin_s:
        step = f"{precision_unit(event):.{event.precision}f}"
        return f"by less than {step} s (the same time, split by the photo)"
    return f"by {margin_text(event)}"


def seconds_text(value: float) -> str:
    """A number of seconds as a person writes it, never in exponent form: '0.00001',
    '123.4567', '0' (guesses are read to ten decimal places)."""
    return f"{value:.10f}".rstrip("0").rstrip(".") or "0"


def verbal_choice(display: str) -> str:
    """'nose' -> 'a nose', matching VERBAL_MARGINS."""
    return display if display.startswith("a ") else f"a {display}"


def precision_unit(event: Event) -> float:
    """One step of the printed precision: 0.001 for a margin printed as '0.001'."""
    return float(10**-event.precision)


def precision_phrase(event: Event) -> str:
    """'By how many thousandths of a second' style wording for a timed margin."""
    word = PRECISION_WORDS.get(event.precision)
    return f"in {word}s of a second" if word else "in seconds"


def timed_to(event: Event) -> str:
    """'timed to the thousandth of a second'."""
    word = PRECISION_WORDS.get(event.precision)
    return f"timed to the {word} of a second" if word else "timed in whole seconds"


def guess_is_correct(guess: float, truth: float, step: float) -> bool:
    """A margin guess is right when it is within half the true margin of it, or within
    one step of the printed precision (so 0.002 on a 0.001 s finish is right, and
    0.002 on a 0.712 s finish is not)."""
    return abs(guess - truth) <= max(truth * GUESS_TOLERANCE, step) + 1e-9


def distance_statement(event: Event) -> str | None:
    """The margin as a distance, only where a source gives one for this finish."""
    if event.margin_distance is None:
        return None
    return f"Sources put the gap at the line at {event.margin_distance}."


def figures_in_text(event: Event) -> set[float]:
    """Every decimal figure the record's caveats, notes and corrections mention: other
    readings of the margin that must never be offered as a wrong answer."""
    texts = [event.caveat or "", event.margin_caveat or "", *event.corrections]
    texts += [n.text for n in event.notes]
    return {float(m) for text in texts for m in _FIGURE.findall(text)}


def states_margin(text: str, event: Event) -> bool:
    """True if a text gives this record's margin: its printed figure ('0.0026'), or a
    whole-number one with its unit ('13 s')."""
    if event.margin_unit == "verbal":
        return False
    figure = re.escape(event.margin_display)
    unit = "" if "." in event.margin_display else rf"\s?{re.escape(event.margin_unit)}\b"
    return re.search(rf"(?<![\d.]){figure}(?![\d]){unit}", text) is not None
