"""Building generators and records for tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from random import Random

from trivia.bank import Bank, Records
from trivia.model import Event, RecordsPack, Result, Series, Source
from trivia.questions import Generator

TODAY = date(2026, 11, 29)
SOURCE = (Source("Report", "Publisher", "https://example.org/report"),)


def generator(records: Records | RecordsPack, seed: int = 0, today: date = TODAY) -> Generator:
    """A generator over these records with a seeded random source."""
    if isinstance(records, RecordsPack):
        records = Records(records.events, records.competitors, records.series)
    return Generator(Bank(records), Random(seed), today=today)


def records(events: Iterable[Event], series: Iterable[Series] = ()) -> Records:
    """Records made of these events."""
    return Records(tuple(events), (), tuple(series))


def event(key: str, **fields: object) -> Event:
    """A made-up timed finish for tests; `fields` override any default."""
    values: dict[str, object] = {
        "key": key,
        "sport": "Athletics",
        "series": "Olympic Games",
        "season": 2000,
        "date": date(2000, 8, 1),
        "name": f"Race {key}",
        "venue": f"Stadium {key}",
        "kind": "race",
        "official": True,
        "margin_s": 0.01,
        "margin_display": "0.01",
        "results": (
            Result(1, f"Winner {key}", country=f"Land {key}", time="10.00"),
            Result(2, f"Second {key}", country=f"Other {key}", time="10.01"),
            Result(3, f"Third {key}"),
        ),
        "sources": (Source(f"Report {key}", f"Publisher {key}", f"https://example.org/{key}"),),
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]
