"""The records database: import, export and loading of sports results."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from db.transactions import Writer
from trivia.model import Competitor, Event, Note, RecordsPack, Result, Source
from trivia.names import normalize, surname
from trivia.pack import PackError, parse_pack

SHIPPED_PACK = "nascar_closest_finishes.json"


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int


def read_pack(path: Path | str) -> RecordsPack:
    """Read and validate a pack file; PackError names the line or field at fault."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(str(path), f"not UTF-8 text ({exc.reason})") from None
    return parse_pack_text(text)


def parse_pack_text(text: str) -> RecordsPack:
    """Parse pack JSON text; syntax errors are reported with line and column."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise PackError(f"line {exc.lineno} column {exc.colno}", exc.msg) from None
    return parse_pack(data)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise PackError(key, "appears twice in one object")
        found[key] = value
    return found


def shipped_pack() -> RecordsPack:
    """The records pack that ships with the bot."""
    text = (resources.files("db") / "packs" / SHIPPED_PACK).read_text(encoding="utf-8")
    return parse_pack_text(text)


class RecordsStore:
    """Reads and writes sports results."""

    def __init__(self, conn: aiosqlite.Connection, writer: Writer) -> None:
        self.conn = conn
        self.writer = writer

    async def count_events(self) -> int:
        """How many events the database holds."""
        async with self.conn.execute("SELECT count(*) FROM events") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def import_pack(self, pack: RecordsPack) -> ImportSummary:
        """Write a validated pack in one transaction; events are matched by key."""
        existing = {e.key: e for e in await self.load_events()}
        known_aliases = {c.name: set(c.aliases) for c in await self.load_competitors()}

        def write(conn: sqlite3.Connection) -> tuple[int, int]:
            added = updated = 0
            conn.execute(
                "INSERT INTO packs (name, description) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET description = excluded.description",
                (pack.name, pack.description),
            )
            for competitor in pack.competitors:
                if set(competitor.aliases) - known_aliases.get(competitor.name, set()):
                    _save_competitor(conn, competitor)
            for event in pack.events:
                old = existing.get(event.key)
                if old == event:
                    continue
                _save_event(conn, event, replace=old is not None)
                if old is None:
                    added += 1
                else:
                    updated += 1
            return added, updated

        added, updated = await self.writer.transaction(write)
        return ImportSummary(added, updated, len(pack.events) - added - updated)

    async def load_competitors(self) -> list[Competitor]:
        """Every competitor with the nicknames people type for them (not surnames)."""
        aliases: dict[str, list[str]] = defaultdict(list)
        async with self.conn.execute(
            "SELECT c.name, a.alias FROM competitor_aliases a JOIN competitors c"
            " ON c.id = a.competitor_id WHERE a.kind = 'nickname' ORDER BY c.name, a.alias"
        ) as cur:
            async for row in cur:
                aliases[row[0]].append(row[1])
        async with self.conn.execute("SELECT name FROM competitors ORDER BY name") as cur:
            names = [row[0] async for row in cur]
        return [Competitor(name, tuple(aliases[name])) for name in names]

    async def export_pack(self) -> RecordsPack:
        """Everything in the database as one pack, in the import format."""
        async with self.conn.execute("SELECT name, description FROM packs ORDER BY name") as cur:
            packs = [(row[0], row[1]) async for row in cur]
        if len(packs) == 1:
            name, description = packs[0]
        else:
            name, description = "photo-finish-records", "All records in this database."
        competitors = [c for c in await self.load_competitors() if c.aliases]
        return RecordsPack(name, description, tuple(competitors), tuple(await self.load_events()))

    async def load_events(self) -> list[Event]:
        """Every event with its results, notes and sources, oldest first."""
        results: dict[int, list[Result]] = defaultdict(list)
        async with self.conn.execute(
            "SELECT r.event_id, r.position, c.name, r.car_number, r.team, r.make, r.gap_s,"
            " r.caveat FROM results r JOIN competitors c ON c.id = r.competitor_id"
            " ORDER BY r.event_id, r.position"
        ) as cur:
            async for row in cur:
                results[row[0]].append(Result(*row[1:]))
        notes: dict[int, list[Note]] = defaultdict(list)
        corrections: dict[int, list[str]] = defaultdict(list)
        async with self.conn.execute(
            "SELECT event_id, kind, label, text FROM event_notes ORDER BY event_id, kind, seq"
        ) as cur:
            async for row in cur:
                if row[1] == "correction":
                    corrections[row[0]].append(row[3])
                else:
                    notes[row[0]].append(Note(row[2], row[3]))
        sources: dict[int, list[Source]] = defaultdict(list)
        async with self.conn.execute(
            "SELECT event_id, title, publisher, url, published FROM sources ORDER BY event_id, seq"
        ) as cur:
            async for row in cur:
                published = date.fromisoformat(row[4]) if row[4] else None
                sources[row[0]].append(Source(row[1], row[2], row[3], published))
        events = []
        async with self.conn.execute(
            "SELECT e.id, e.key, sp.name, se.name, e.season, e.date, e.name, e.venue, e.kind,"
            " e.official, e.margin_s, e.margin_display, e.confidence, e.caveat, e.margin_caveat,"
            " e.scheduled_laps, e.laps FROM events e JOIN series se ON se.id = e.series_id"
            " JOIN sports sp ON sp.id = se.sport_id ORDER BY e.date, e.key"
        ) as cur:
            async for row in cur:
                event_id = row[0]
                events.append(
                    Event(
                        key=row[1],
                        sport=row[2],
                        series=row[3],
                        season=row[4],
                        date=date.fromisoformat(row[5]),
                        name=row[6],
                        venue=row[7],
                        kind=row[8],
                        official=bool(row[9]),
                        margin_s=row[10],
                        margin_display=row[11],
                        confidence=row[12],
                        caveat=row[13],
                        margin_caveat=row[14],
                        scheduled_laps=row[15],
                        laps=row[16],
                        results=tuple(results[event_id]),
                        notes=tuple(notes[event_id]),
                        corrections=tuple(corrections[event_id]),
                        sources=tuple(sources[event_id]),
                    )
                )
        return events


def _id(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def _competitor_id(conn: sqlite3.Connection, name: str) -> int:
    competitor_id = _id(
        conn,
        "INSERT INTO competitors (name) VALUES (?) ON CONFLICT (name)"
        " DO UPDATE SET name = excluded.name RETURNING id",
        (name,),
    )
    family = surname(name)
    if normalize(family) != normalize(name):
        conn.execute(
            "INSERT OR IGNORE INTO competitor_aliases (competitor_id, alias, kind)"
            " VALUES (?, ?, 'surname')",
            (competitor_id, family),
        )
    return competitor_id


def _save_competitor(conn: sqlite3.Connection, competitor: Competitor) -> None:
    competitor_id = _competitor_id(conn, competitor.name)
    conn.executemany(
        "INSERT OR IGNORE INTO competitor_aliases (competitor_id, alias, kind)"
        " VALUES (?, ?, 'nickname')",
        [(competitor_id, alias) for alias in competitor.aliases],
    )


def _save_event(conn: sqlite3.Connection, event: Event, *, replace: bool) -> None:
    sport_id = _id(
        conn,
        "INSERT INTO sports (name) VALUES (?) ON CONFLICT (name)"
        " DO UPDATE SET name = excluded.name RETURNING id",
        (event.sport,),
    )
    series_id = _id(
        conn,
        "INSERT INTO series (sport_id, name) VALUES (?, ?) ON CONFLICT (sport_id, name)"
        " DO UPDATE SET name = excluded.name RETURNING id",
        (sport_id, event.series),
    )
    if replace:
        conn.execute("DELETE FROM events WHERE key = ?", (event.key,))
    event_id = _id(
        conn,
        "INSERT INTO events (key, series_id, season, date, name, venue, kind, official,"
        " scheduled_laps, laps, margin_s, margin_display, margin_caveat, confidence, caveat)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            event.key,
            series_id,
            event.season,
            event.date.isoformat(),
            event.name,
            event.venue,
            event.kind,
            int(event.official),
            event.scheduled_laps,
            event.laps,
            event.margin_s,
            event.margin_display,
            event.margin_caveat,
            event.confidence,
            event.caveat,
        ),
    )
    for r in event.results:
        conn.execute(
            "INSERT INTO results (event_id, position, competitor_id, car_number, team, make,"
            " gap_s, caveat) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                r.position,
                _competitor_id(conn, r.competitor),
                r.car_number,
                r.team,
                r.make,
                r.gap_s,
                r.caveat,
            ),
        )
    conn.executemany(
        "INSERT INTO event_notes (event_id, seq, kind, label, text) VALUES (?, ?, ?, ?, ?)",
        [(event_id, i, "note", n.label, n.text) for i, n in enumerate(event.notes)]
        + [(event_id, i, "correction", "correction", c) for i, c in enumerate(event.corrections)],
    )
    conn.executemany(
        "INSERT INTO sources (event_id, seq, title, publisher, url, published)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                event_id,
                i,
                s.title,
                s.publisher,
                s.url,
                s.published.isoformat() if s.published else None,
            )
            for i, s in enumerate(event.sources)
        ],
    )
