"""What the picture of a finish shows, and to what scale: pure rules, no drawing.

A finish is drawn in one of four layouts. To scale, in metres, only where the record makes
that honest: a margin in millimetres or centimetres, a distance a source gives, or a verbal
horse-racing margin (a nose, a head, a neck: parts of the horse, so the horse is drawn to
that scale). A tie is drawn level on the line. A time with no sourced distance is drawn as
time: a timeline of the two crossing instants, never turned into a distance with an
assumed speed. A photo finish nobody measured is drawn, and said to be, not to scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from trivia.judging import number_word
from trivia.margins import margin_text, precision_unit, timed_to
from trivia.model import Event, Result


class Shape(StrEnum):
    """The front of a competitor, by sport, drawn as a simple shape."""

    CAR = "car"
    MOTORBIKE = "motorbike"
    TORSO = "torso"
    HAND = "hand"
    WHEEL = "wheel"
    HORSE = "horse"
    BOW = "bow"
    SKATE = "skate"
    SLED = "sled"
    SKI = "ski"


SHAPES = {
    "Stock car racing": Shape.CAR,
    "IndyCar racing": Shape.CAR,
    "Formula One": Shape.CAR,
    "Motorcycle racing": Shape.MOTORBIKE,
    "Athletics": Shape.TORSO,
    "Triathlon": Shape.TORSO,
    "Swimming": Shape.HAND,
    "Cycling": Shape.WHEEL,
    "Track cycling": Shape.WHEEL,
    "Horse racing": Shape.HORSE,
    "Rowing": Shape.BOW,
    "Canoe sprint": Shape.BOW,
    "Speed skating": Shape.SKATE,
    "Short-track speed skating": Shape.SKATE,
    "Luge": Shape.SLED,
    "Bobsleigh": Shape.SLED,
    "Alpine skiing": Shape.SKI,
    "Cross-country skiing": Shape.SKI,
    "Biathlon": Shape.SKI,
}
"""The shape for each sport; any other sport is drawn as a runner's torso."""

LENGTHS = {
    Shape.CAR: 1.6,
    Shape.MOTORBIKE: 1.0,
    Shape.TORSO: 0.45,
    Shape.HAND: 0.22,
    Shape.WHEEL: 0.67,
    Shape.HORSE: 1.2,
    Shape.BOW: 1.4,
    Shape.SKATE: 0.45,
    Shape.SLED: 1.2,
    Shape.SKI: 0.8,
}
"""Metres of each shape drawn (its front part), at the scale of the gap."""

VIEWS = {
    Shape.CAR: 3.6,
    Shape.MOTORBIKE: 2.4,
    Shape.TORSO: 1.7,
    Shape.HAND: 0.6,
    Shape.WHEEL: 1.07,
    Shape.HORSE: 4.0,
    Shape.BOW: 3.0,
    Shape.SKATE: 1.2,
    Shape.SLED: 3.0,
    Shape.SKI: 2.0,
}
"""Metres before the line a to-scale picture shows (so each shape keeps about its own
proportions), unless the gap needs more: the scale stays the same for every gap that fits,
so 10 mm is drawn half as wide as 20 mm."""

HORSE_LENGTH = 2.4
"""A horse's length in metres, the unit of racing's margins."""
HORSE_MARGINS = {
    "nose": 0.05,
    "short head": 0.1,
    "half head": 0.1,
    "head": 0.2,
    "long head": 0.25,
    "short neck": 0.25,
    "neck": 0.3,
}
"""Racing's verbal margins in horse lengths. The horse is drawn with its muzzle a nose, its
head a head and its neck a neck long, so each margin is the part of the horse it names."""
HORSE_MEANINGS = {
    "nose": "the tip of a horse's nose, the shortest margin there is",
    "short head": "less than the length of a horse's head",
    "half head": "half the length of a horse's head",
    "head": "the length of a horse's head",
    "long head": "a little more than a horse's head",
    "short neck": "a little less than the length of a horse's neck",
    "neck": "the length of a horse's neck",
}

_UNITS = {
    "mm": 0.001,
    "millimetre": 0.001,
    "millimeter": 0.001,
    "cm": 0.01,
    "centimetre": 0.01,
    "centimeter": 0.01,
    "m": 1.0,
    "metre": 1.0,
    "meter": 1.0,
    "inch": 0.0254,
    "inche": 0.0254,
    "in": 0.0254,
    "foot": 0.3048,
    "feet": 0.3048,
    "ft": 0.3048,
    "yard": 0.9144,
}
_DISTANCE = re.compile(
    r"(?:about |around |roughly |approximately |some |an estimated )?"
    r"(?P<number>\d+(?:\.\d+)?|[a-z]+)(?P<fraction> \d+/\d+)?(?P<half> and a half)?"
    r" (?P<unit>[a-z]+?)s?"
)
"""A sourced distance stated as one figure ('27 cm', 'about three feet', '12 1/8 inches');
a bound ('less than a metre') or a thing ('half a wheel') is no figure to draw."""

_SCALE_BARS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class Layout(StrEnum):
    """How the two are placed."""

    DISTANCE = "distance"
    """To scale, in metres before the line."""
    LEVEL = "level"
    """A tie: level on the line."""
    TIME = "time"
    """A timeline of the crossing instants, in seconds."""
    UNMEASURED = "unmeasured"
    """A photo finish with no measured gap: drawn apart, not to scale."""


@dataclass(frozen=True)
class Lane:
    """One competitor (or those tied at one place): the names, and where the front is:
    metres before the line (DISTANCE, LEVEL), or seconds after the first crossing (TIME)."""

    names: str
    at: float


@dataclass(frozen=True)
class Tick:
    """A labelled mark on the scale: a length (a scale bar) or an instant."""

    at: float
    label: str


@dataclass(frozen=True)
class FinishScene:
    """Everything the picture shows, in abstract units: the renderer only maps them to
    pixels. `span` is the stretch of the axis shown (metres, line at 0, before it negative;
    or seconds); `length` is the shape's drawn length in metres (to scale in DISTANCE)."""

    shape: Shape
    layout: Layout
    ahead: Lane
    behind: Lane
    span: tuple[float, float]
    ticks: tuple[Tick, ...]
    length: float
    title: str
    margin: str
    meaning: str

    @property
    def gap(self) -> float:
        """How far apart the fronts are, in the layout's unit."""
        return abs(self.behind.at - self.ahead.at)


@dataclass(frozen=True)
class _Placing:
    layout: Layout
    behind: float
    span: tuple[float, float]
    ticks: tuple[Tick, ...]
    meaning: str


def finish_scene(event: Event) -> FinishScene:
    """The picture of a record's margin: its pair (the places the margin separates), the
    shape of its sport, and the scale the record makes honest."""
    shape = SHAPES.get(event.sport, Shape.TORSO)
    ahead, behind = _pair(event)
    placing = _placing(event, shape, ahead, behind)
    return FinishScene(
        shape=shape,
        layout=placing.layout,
        ahead=Lane(ahead, 0.0),
        behind=Lane(behind, placing.behind),
        span=placing.span,
        ticks=placing.ticks,
        length=LENGTHS[shape],
        title=f"{event.name} · {event.venue}, {event.season}",
        margin=margin_text(event),
        meaning=placing.meaning,
    )


def _placing(event: Event, shape: Shape, ahead: str, behind: str) -> _Placing:
    """Where the one behind is, on what stretch of the axis, and what that means."""
    view = VIEWS[shape]
    if event.tied or event.margin_display in ("dead heat", "dh"):
        meaning = f"Level at the line: they share {_ordinal(event.places[0])} place."
        return _Placing(Layout.LEVEL, 0.0, (-view, view * 0.25), (), meaning)
    metres, meaning = _distance(event, shape, ahead)
    if metres is not None:
        view = max(view, (metres + LENGTHS[shape] * 0.6) * 1.25)
        return _Placing(
            Layout.DISTANCE, -metres, (-view, view * 0.25), (_scale_bar(view),), meaning
        )
    if event.timed and event.margin_s is not None:
        return _timeline(event, ahead, behind)
    meaning = f"{ahead} ahead of {behind}; no source measured the gap, so not to scale."
    return _Placing(Layout.UNMEASURED, -LENGTHS[shape] * 0.25, (-view, view * 0.25), (), meaning)


def _timeline(event: Event, ahead: str, behind: str) -> _Placing:
    """Two crossing instants on a line of time, the margin marked between them; a margin
    under the timing's precision (the same time, split by the photo) is both at 0."""
    margin = event.margin_s or 0.0
    step = precision_unit(event)
    span = (-max(margin, step) * 0.6, max(margin, step) * 1.6)
    if margin > 0:
        printed = margin_text(event)
        meaning = f"{behind} reached the line {printed} after {ahead}, {timed_to(event)}."
        return _Placing(
            Layout.TIME, margin, span, (Tick(0.0, "0"), Tick(margin, f"+{printed}")), meaning
        )
    meaning = f"The same time, {timed_to(event)}; the photo put {ahead} ahead."
    ticks = (Tick(0.0, "0"), Tick(step, f"+{step:.{event.precision}f} s"))
    return _Placing(Layout.TIME, 0.0, span, ticks, meaning)


def _distance(event: Event, shape: Shape, ahead: str) -> tuple[float | None, str]:
    """The gap in metres where the record makes it honest, and what it means."""
    if event.margin_unit in ("mm", "cm") and event.margin_value is not None:
        metres = event.margin_value * _UNITS[event.margin_unit]
        return metres, f"{ahead} was {margin_text(event)} ahead at the line (drawn to scale)."
    verbal = event.margin_display.lower()
    if shape is Shape.HORSE and event.margin_unit == "verbal" and verbal in HORSE_MARGINS:
        metres = HORSE_MARGINS[verbal] * HORSE_LENGTH
        meaning = f"A {verbal}: {HORSE_MEANINGS[verbal]} (the horses are drawn to that scale)."
        return metres, meaning
    sourced = sourced_metres(event.margin_distance)
    if sourced is not None and event.margin_distance is not None:
        stated = re.split(r" \(|;", event.margin_distance, maxsplit=1)[0]
        return sourced, f"A source puts the gap at the line at {stated} (drawn to scale)."
    return None, ""


def sourced_metres(text: str | None) -> float | None:
    """A sourced distance in metres, when its first statement is one figure with a unit
    ('about 8 millimetres (photo-finish projection)' is 0.008); None for a bound, a thing,
    or words ('less than a metre', 'half a wheel', 'a few centimetres')."""
    if not text:
        return None
    first = re.split(r" \(|;", text.strip().lower(), maxsplit=1)[0]
    found = _DISTANCE.fullmatch(first)
    if found is None or found["unit"] not in _UNITS:
        return None
    number = found["number"]
    value = float(number) if number[0].isdigit() else number_word(number)
    if value is None:
        return None
    if found["fraction"]:
        top, bottom = found["fraction"].split("/")
        value += int(top) / int(bottom)
    if found["half"]:
        value += 0.5
    return value * _UNITS[found["unit"]]


def _pair(event: Event) -> tuple[str, str]:
    """The names at the two places the margin separates (for a tie, the first two of
    those sharing the place)."""
    if event.tied:
        shared = event.ahead
        first, second = (shared[0], shared[1]) if len(shared) > 1 else (shared[0], _other(event))
        return first.competitor, second.competitor
    return _names(event.ahead), _names(event.behind)


def _other(event: Event) -> Result:
    return next(r for r in event.results if r is not event.ahead[0])


def _names(results: tuple[Result, ...]) -> str:
    return " and ".join(r.competitor for r in results)


def _scale_bar(view: float) -> Tick:
    """A round length, about a fifth of what is shown, for the scale bar."""
    bar = max((b for b in _SCALE_BARS if b <= view / 4), default=_SCALE_BARS[0])
    return Tick(bar, length_text(bar))


def length_text(metres: float) -> str:
    """'5 mm', '2 cm', '50 cm', '1 m'."""
    if metres < 0.01:
        return f"{metres * 1000:g} mm"
    if metres < 1:
        return f"{metres * 100:g} cm"
    return f"{metres:g} m"


def _ordinal(place: int) -> str:
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"
