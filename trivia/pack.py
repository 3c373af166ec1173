"""Records pack format: validate a parsed JSON document into a RecordsPack, and back."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from trivia.model import (
    Competitor,
    Event,
    Note,
    RecordsPack,
    Result,
    Series,
    SeriesName,
    Source,
)
from trivia.names import slips

FORMAT_VERSION = 2
FORMATS = (1, 2)
"""Format 1 (NASCAR-only, margins in seconds) still imports."""
MARGIN_UNITS = ("s", "mm", "cm", "verbal")
MAX_INTEGER = 10**6
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
T = TypeVar("T")


class PackError(ValueError):
    """A pack that does not follow the format; `where` names the field (empty: the whole
    document)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason

    def in_file(self, path: object) -> PackError:
        """The same error, named with the file it is in."""
        return PackError(f"{path}: {self.where}" if self.where else str(path), self.reason)


class _Fields:
    """Typed access to one JSON object, naming the path in every error."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise PackError(where, "expected an object")
        self.data: Mapping[str, Any] = data
        self.where = where

    def path(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def only(self, known: tuple[str, ...]) -> None:
        """Refuse a field the format does not have (a misspelt optional field would
        otherwise be dropped without a word), offering the close ones."""
        for name in self.data:
            if name not in known:
                close = slips(str(name), known)
                hint = (
                    f"did you mean {', '.join(close[:-1]) + ' or ' if close[1:] else ''}"
                    f"{close[-1]}?"
                    if close
                    else f"expected one of: {', '.join(known)}"
                )
                raise PackError(self.path(str(name)[:60]), f"unknown field; {hint}")

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise PackError(self.path(name), "is required")
        return value

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise PackError(self.path(name), "expected a non-empty string")
        return value.strip()

    def req_text(self, name: str) -> str:
        value = self.text(name)
        assert value is not None
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int = 0) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not minimum <= value <= MAX_INTEGER
        ):
            raise PackError(
                self.path(name), f"expected a whole number from {minimum} to {MAX_INTEGER}"
            )
        return value

    def number(self, name: str, *, required: bool = True) -> float | None:
        value = self._get(name, required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
            or not 0 <= value <= MAX_INTEGER
        ):
            raise PackError(self.path(name), f"expected a finite number from 0 to {MAX_INTEGER}")
        return float(value)

    def boolean(self, name: str) -> bool:
        value = self._get(name, True)
        if not isinstance(value, bool):
            raise PackError(self.path(name), "expected true or false")
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PackError(self.path(name), "expected a date as YYYY-MM-DD") from None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.req_text(name)
        if value not in allowed:
            raise PackError(self.path(name), f"expected one of {', '.join(allowed)}")
        return value

    def items(self, name: str, parse: Callable[[_Fields], T], *, minimum: int = 0) -> list[T]:
        value = self._get(name, minimum > 0)
        if value is None:
            return []
        if not isinstance(value, list):
            raise PackError(self.path(name), "expected a list")
        if len(value) < minimum:
            raise PackError(self.path(name), f"needs at least {minimum} item(s)")
        return [parse(_Fields(item, f"{self.path(name)}[{i}]")) for i, item in enumerate(value)]


SOURCE_FIELDS = ("title", "publisher", "url", "published")


def _source(f: _Fields) -> Source:
    f.only(SOURCE_FIELDS)
    url = f.req_text("url")
    if not url.startswith(("http://", "https://")):
        raise PackError(f.path("url"), "expected an http(s) URL")
    return Source(
        title=f.req_text("title"),
        publisher=f.req_text("publisher"),
        url=url,
        published=f.day("published", required=False),
    )


RESULT_FIELDS = (
    "position", "competitor", "car_number", "team", "make", "gap_s", "caveat", "country",
    "rider", "time", "time_precise",
)  # fmt: skip


def _result(f: _Fields) -> Result:
    f.only(RESULT_FIELDS)
    position = f.integer("position", minimum=1)
    assert position is not None
    return Result(
        position=position,
        competitor=f.req_text("competitor"),
        car_number=f.text("car_number", required=False),
        team=f.text("team", required=False),
        make=f.text("make", required=False),
        gap_s=f.number("gap_s", required=False),
        caveat=f.text("caveat", required=False),
        country=f.text("country", required=False),
        rider=f.text("rider", required=False),
        time=f.text("time", required=False),
        time_precise=f.text("time_precise", required=False),
    )


NOTE_FIELDS = ("label", "text")


def _note(f: _Fields) -> Note:
    f.only(NOTE_FIELDS)
    return Note(label=f.req_text("label"), text=f.req_text("text"))


EVENT_FIELDS = (
    "key", "sport", "series", "season", "date", "name", "venue", "venue_names", "kind",
    "official", "scheduled_laps", "laps", "margin_unit", "margin_s", "margin_value",
    "margin_display", "margin_distance", "margin_caveat", "margin_places", "confidence",
    "caveat", "results", "notes", "corrections", "sources",
)  # fmt: skip


def _event(f: _Fields) -> Event:
    f.only(EVENT_FIELDS)
    key = f.req_text("key")
    if not KEY_PATTERN.match(key):
        raise PackError(f.path("key"), "expected a lowercase slug of a-z, 0-9 and '-'")
    results = f.items("results", _result, minimum=2)
    for i, result in enumerate(results, start=1):
        shared = i > 1 and result.position == results[i - 2].position
        if result.position != i and not shared:
            raise PackError(f"{f.path('results')}[{i - 1}].position", f"expected {i}")
    corrections = _texts(f, "corrections")
    season = f.integer("season", minimum=1800)
    day = f.day("date")
    assert season is not None
    assert day is not None
    if day.year != season:
        raise PackError(f.path("date"), f"is not in season {season}")
    unit = f.choice("margin_unit", MARGIN_UNITS) if "margin_unit" in f.data else "s"
    margin = f.number("margin_s", required=unit == "s")
    value = f.number("margin_value", required=unit in ("mm", "cm"))
    display = f.req_text("margin_display")
    if unit == "s":
        assert margin is not None
        _check_display(f, display, margin)
    elif unit != "verbal":
        assert value is not None
        _check_display(f, display, value)
    if unit == "s" or unit == "verbal":
        value = None
    return Event(
        margin_places=_margin_places(f, results),
        venue_names=_texts(f, "venue_names"),
        key=key,
        sport=f.req_text("sport"),
        series=f.req_text("series"),
        season=season,
        date=day,
        name=f.req_text("name"),
        venue=f.req_text("venue"),
        kind=f.choice("kind", ("race", "qualifying")),
        official=f.boolean("official"),
        scheduled_laps=f.integer("scheduled_laps", required=False, minimum=1),
        laps=f.integer("laps", required=False, minimum=1),
        margin_s=margin,
        margin_display=display,
        margin_unit=unit,
        margin_value=value,
        margin_distance=f.text("margin_distance", required=False),
        margin_caveat=f.text("margin_caveat", required=False),
        confidence=f.choice("confidence", ("high", "medium")),
        caveat=f.text("caveat", required=False),
        results=tuple(results),
        notes=tuple(f.items("notes", _note)),
        corrections=corrections,
        sources=tuple(f.items("sources", _source, minimum=1)),
    )


def _texts(f: _Fields, name: str) -> tuple[str, ...]:
    """An optional list of non-empty strings, stripped."""
    texts = f.data.get(name) or []
    if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
        raise PackError(f.path(name), "expected a list of non-empty strings")
    return tuple(t.strip() for t in texts)


def _margin_places(f: _Fields, results: list[Result]) -> tuple[int, int] | None:
    """The places the margin separates, when not the first two: two adjacent places in
    the results, or one place twice for a tie there."""
    places = f.data.get("margin_places")
    if places is None:
        return None
    where = f.path("margin_places")
    if (
        not isinstance(places, list)
        or len(places) != 2
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in places)
    ):
        raise PackError(where, "expected two places, e.g. [2, 3]")
    upper, lower = places
    held = sorted({r.position for r in results})
    if upper not in held or lower not in held:
        raise PackError(where, f"expected places the results hold ({held})")
    if upper == lower:
        if sum(r.position == upper for r in results) < 2:
            raise PackError(where, f"[{upper}, {upper}] is a tie, but one result is at {upper}")
    elif held.index(lower) != held.index(upper) + 1:
        raise PackError(where, "expected the next place below the first, e.g. [2, 3]")
    return upper, lower


def _check_display(f: _Fields, display: str, value: float) -> None:
    """The printed margin must be a number that agrees with the exact one to its precision."""
    try:
        shown = float(display)
    except ValueError:
        raise PackError(f.path("margin_display"), "expected the margin as a number") from None
    _, _, decimals = display.partition(".")
    if not math.isfinite(shown) or abs(shown - value) > 10 ** -len(decimals) + 1e-12:
        raise PackError(f.path("margin_display"), f"disagrees with the margin {value:g}")


SERIES_NAME_FIELDS = ("from", "to", "name")


def _series_name(f: _Fields) -> SeriesName:
    f.only(SERIES_NAME_FIELDS)
    first = f.integer("from", minimum=1700)
    last = f.integer("to", minimum=1800)
    assert first is not None
    assert last is not None
    if last < first:
        raise PackError(f.path("to"), "is before 'from'")
    return SeriesName(first, last, f.req_text("name"))


SERIES_FIELDS = ("name", "annual", "first_season", "names", "sources")


def _series(f: _Fields) -> Series:
    f.only(SERIES_FIELDS)
    annual = f.data.get("annual", False)
    if not isinstance(annual, bool):
        raise PackError(f.path("annual"), "expected true or false")
    return Series(
        name=f.req_text("name"),
        annual=annual,
        first_season=f.integer("first_season", required=False, minimum=1700),
        names=tuple(f.items("names", _series_name)),
        sources=tuple(f.items("sources", _source)),
    )


COMPETITOR_FIELDS = ("name", "aliases")


def _competitor(f: _Fields) -> Competitor:
    f.only(COMPETITOR_FIELDS)
    return Competitor(name=f.req_text("name"), aliases=_texts(f, "aliases"))


PACK_FIELDS = ("format", "name", "description", "series", "competitors", "events")
"""The fields of each level of a pack (these lists and the parsers below them are the
format): any other field is refused."""


def parse_pack(data: object) -> RecordsPack:
    """Validate a parsed pack document; raise PackError naming the first bad field."""
    root = _Fields(data, "")
    root.only(PACK_FIELDS)
    if root.data.get("format") not in FORMATS:
        raise PackError("format", f"expected one of {', '.join(map(str, FORMATS))}")
    series = root.items("series", _series)
    competitors = root.items("competitors", _competitor)
    events = root.items("events", _event, minimum=1)
    seen: dict[str, int] = {}
    for i, event in enumerate(events):
        if event.key in seen:
            raise PackError(f"events[{i}].key", f"duplicates events[{seen[event.key]}]")
        seen[event.key] = i
    names: dict[str, int] = {}
    for i, competitor in enumerate(competitors):
        if competitor.name in names:
            raise PackError(
                f"competitors[{i}].name", f"duplicates competitors[{names[competitor.name]}]"
            )
        names[competitor.name] = i
    return RecordsPack(
        name=root.req_text("name"),
        description=root.req_text("description"),
        competitors=tuple(competitors),
        events=tuple(events),
        series=tuple(series),
    )


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != []}


def pack_to_dict(pack: RecordsPack) -> dict[str, Any]:
    """The JSON document for a pack, in the same format parse_pack reads."""
    return {
        "format": FORMAT_VERSION,
        "name": pack.name,
        "description": pack.description,
        "series": [series_to_dict(s) for s in pack.series],
        "competitors": [
            _drop_none({"name": c.name, "aliases": list(c.aliases)}) for c in pack.competitors
        ],
        "events": [event_to_dict(e) for e in pack.events],
    }


def series_to_dict(s: Series) -> dict[str, Any]:
    """One series in the pack format."""
    return _drop_none(
        {
            "name": s.name,
            "annual": s.annual,
            "first_season": s.first_season,
            "names": [{"from": n.first, "to": n.last, "name": n.name} for n in s.names],
            "sources": [_source_to_dict(src) for src in s.sources],
        }
    )


def parse_series(data: object) -> Series:
    """A series from its pack-format object."""
    return _series(_Fields(data, "series"))


def parse_event(data: object) -> Event:
    """An event from its pack-format object."""
    return _event(_Fields(data, "event"))


def event_to_dict(e: Event) -> dict[str, Any]:
    """One event in the pack format."""
    return _drop_none(
        {
            "key": e.key,
            "sport": e.sport,
            "series": e.series,
            "season": e.season,
            "date": e.date.isoformat(),
            "name": e.name,
            "venue": e.venue,
            "venue_names": list(e.venue_names),
            "kind": e.kind,
            "official": e.official,
            "scheduled_laps": e.scheduled_laps,
            "laps": e.laps,
            "margin_unit": e.margin_unit,
            "margin_s": e.margin_s,
            "margin_value": e.margin_value,
            "margin_display": e.margin_display,
            "margin_distance": e.margin_distance,
            "margin_caveat": e.margin_caveat,
            "margin_places": list(e.margin_places) if e.margin_places else None,
            "confidence": e.confidence,
            "caveat": e.caveat,
            "results": [
                _drop_none(
                    {
                        "position": r.position,
                        "competitor": r.competitor,
                        "car_number": r.car_number,
                        "team": r.team,
                        "make": r.make,
                        "gap_s": r.gap_s,
                        "caveat": r.caveat,
                        "country": r.country,
                        "rider": r.rider,
                        "time": r.time,
                        "time_precise": r.time_precise,
                    }
                )
                for r in e.results
            ],
            "notes": [{"label": n.label, "text": n.text} for n in e.notes],
            "corrections": list(e.corrections),
            "sources": [_source_to_dict(s) for s in e.sources],
        }
    )


def _source_to_dict(s: Source) -> dict[str, Any]:
    return _drop_none(
        {
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url,
            "published": s.published.isoformat() if s.published else None,
        }
    )
