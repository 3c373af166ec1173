"""The records database: import, export and loading of sports results."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from db.progress import Progress
from db.transactions import Writer
from trivia.model import Competitor, Event, RecordsPack, Series
from trivia.names import normalize, surname
from trivia.pack import (
    PackError,
    event_to_dict,
    parse_event,
    parse_pack,
    parse_series,
    series_to_dict,
)

SHIPPED_PACKS = "packs"
"""The folder inside `db` holding the packs that ship with the bot, one per sport family."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int


def read_pack(path: Path | str) -> RecordsPack:
    """Read and validate a pack file (UTF-8, with or without a byte order mark);
    PackError names the file, then the line or field at fault."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackError(str(path), f"not UTF-8 text ({exc.reason})") from None
    try:
        return parse_pack_text(text)
    except PackError as exc:
        raise exc.in_file(path) from None


def parse_pack_text(text: str) -> RecordsPack:
    """Parse pack JSON text; syntax errors are reported with line and column."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_int=_whole)
    except json.JSONDecodeError as exc:
        raise PackError(f"line {exc.lineno} column {exc.colno}", exc.msg) from None
    except RecursionError:
        raise PackError("", "lists or objects nested too deeply") from None
    return parse_pack(data)


def _whole(digits: str) -> int | float:
    """A JSON whole number; one too long for Python to read (over 4,300 digits) is
    infinite, which every numeric field refuses with its path."""
    try:
        return int(digits)
    except ValueError:
        return -math.inf if digits.startswith("-") else math.inf


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise PackError(key, "appears twice in one object")
        found[key] = value
    return found


def _shipped_texts() -> list[tuple[str, str]]:
    """The text of each shipped pack file with its digest, in file order."""
    folder = resources.files("db") / SHIPPED_PACKS
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name
    )
    texts = [e.read_text(encoding="utf-8") for e in entries]
    return [(text, hashlib.sha256(text.encode()).hexdigest()) for text in texts]


def shipped_packs() -> list[tuple[RecordsPack, str]]:
    """The records packs that ship with the bot, each with a digest of its text."""
    return [(parse_pack_text(text), digest) for text, digest in _shipped_texts()]


@dataclass(frozen=True)
class ImportPlan:
    """What importing a pack writes, worked out before the write transaction."""

    pack: RecordsPack
    digest: str | None
    series: list[tuple[str, Series]]
    """The pack's series that have events in it, each with its sport."""
    competitors: list[Competitor]
    """Competitors whose nicknames the database does not hold yet."""
    events: list[Event]
    """Events new to the database or changed."""


class BaseRecordsStore(ABC):
    """Reads and writes sports results. What each backend implements is the queries; what
    an import writes, when the shipped packs are seeded and how an export is put together
    is decided here, once for both."""

    @abstractmethod
    async def count_events(self) -> int:
        """How many events the database holds."""

    @abstractmethod
    async def version(self) -> int:
        """A number that changes whenever an import changes the records."""

    @abstractmethod
    async def load_competitors(self) -> list[Competitor]:
        """Every competitor with the nicknames people type for them (not surnames)."""

    @abstractmethod
    async def load_series(self) -> list[Series]:
        """Every series a pack described (whether it runs yearly, its names over time), by
        name, then sport."""

    @abstractmethod
    async def load_events(self) -> list[Event]:
        """Every event with its results, notes and sources, oldest first."""

    @abstractmethod
    async def load_packs(self) -> list[tuple[str, str, str | None]]:
        """Every imported pack as (name, description, digest), by name."""

    @abstractmethod
    async def write(self, plan: ImportPlan, progress: Progress | None = None) -> None:
        """Write an import in one transaction, bumping the records version, telling
        `progress` of each event written."""

    async def seed(self) -> list[str]:
        """Keep the shipped records current: an empty database gets every shipped pack; one
        that holds shipped packs gets those it lacks and those shipped anew since. A
        database an admin filled with packs of their own is left as it is."""
        known = {name: digest for name, _, digest in await self.load_packs()}
        texts = _shipped_texts()
        # Packs already imported as shipped are recognised by digest, without parsing them.
        fresh = [(parse_pack_text(t), d) for t, d in texts if d not in known.values()]
        if not fresh:
            return []
        tracking = len(fresh) < len(texts) or any(p.name in known for p, _ in fresh)
        if await self.count_events() and not tracking:
            return []
        for pack, digest in fresh:
            await self.import_pack(pack, digest=digest)
        return [pack.name for pack, _ in fresh]

    async def import_pack(
        self, pack: RecordsPack, *, digest: str | None = None, progress: Progress | None = None
    ) -> ImportSummary:
        """Write a validated pack in one transaction; events are matched by key. `progress`
        hears of the events to write, then of each as it is written."""
        existing = {e.key: e for e in await self.load_events()}
        known_aliases = {c.name: set(c.aliases) for c in await self.load_competitors()}
        series = []
        for s in pack.series:
            sport = next((e.sport for e in pack.events if e.series == s.name), None)
            if sport is not None:
                series.append((sport, s))
        competitors = [
            c for c in pack.competitors if set(c.aliases) - known_aliases.get(c.name, set())
        ]
        events = [e for e in pack.events if existing.get(e.key) != e]
        if progress is not None:
            progress.begin([("events", len(events))])
        await self.write(ImportPlan(pack, digest, series, competitors, events), progress)
        added = sum(e.key not in existing for e in events)
        updated = len(events) - added
        return ImportSummary(added, updated, len(pack.events) - added - updated)

    async def export_pack(self) -> RecordsPack:
        """Everything in the database as one pack, in the import format."""
        packs = await self.load_packs()
        if len(packs) == 1:
            name, description, _ = packs[0]
        else:
            name, description = "photo-finish-records", "All records in this database."
        competitors = [c for c in await self.load_competitors() if c.aliases]
        return RecordsPack(
            name,
            description,
            tuple(competitors),
            tuple(await self.load_events()),
            tuple(await self.load_series()),
        )


class RecordsStore(BaseRecordsStore):
    """The records on SQLite."""

    def __init__(self, conn: aiosqlite.Connection, writer: Writer) -> None:
        self.conn = conn
        self.writer = writer

    async def count_events(self) -> int:
        """How many events the database holds."""
        async with self.conn.execute("SELECT count(*) FROM events") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def version(self) -> int:
        """A number that changes whenever an import changes the records."""
        async with self.conn.execute("SELECT version FROM records_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def load_packs(self) -> list[tuple[str, str, str | None]]:
        """Every imported pack as (name, description, digest), by name."""
        async with self.conn.execute(
            "SELECT name, description, digest FROM packs ORDER BY name"
        ) as cur:
            return [(row[0], row[1], row[2]) async for row in cur]

    async def write(self, plan: ImportPlan, progress: Progress | None = None) -> None:
        """Write an import in one transaction, bumping the records version (`progress` is
        told of each event from the database thread)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO packs (name, description, digest) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET description = excluded.description,"
                " digest = excluded.digest",
                (plan.pack.name, plan.pack.description, plan.digest),
            )
            for sport, series in plan.series:
                _series_id(conn, sport, series.name, series)
            for competitor in plan.competitors:
                _save_competitor(conn, competitor)
            for event in plan.events:
                _save_event(conn, event)
                if progress is not None:
                    progress.advance("events", 1)
            conn.execute("UPDATE records_version SET version = version + 1")

        await self.writer.transaction(write)

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

    async def load_series(self) -> list[Series]:
        """Every series a pack described (whether it runs yearly, its names over time), by
        name, then sport."""
        async with self.conn.execute(
            "SELECT s.body FROM series s JOIN sports sp ON sp.id = s.sport_id"
            " WHERE s.body IS NOT NULL ORDER BY s.name, sp.name"
        ) as cur:
            return [parse_series(json.loads(row[0])) async for row in cur]

    async def load_events(self) -> list[Event]:
        """Every event with its results, notes and sources, oldest first."""
        async with self.conn.execute("SELECT body FROM events ORDER BY date, key") as cur:
            return [parse_event(json.loads(row[0])) async for row in cur]


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


def _series_id(
    conn: sqlite3.Connection, sport: str, name: str, series: Series | None = None
) -> int:
    sport_id = _id(
        conn,
        "INSERT INTO sports (name) VALUES (?) ON CONFLICT (name)"
        " DO UPDATE SET name = excluded.name RETURNING id",
        (sport,),
    )
    body = None if series is None else json.dumps(series_to_dict(series), ensure_ascii=False)
    return _id(
        conn,
        "INSERT INTO series (sport_id, name, body) VALUES (?, ?, ?) ON CONFLICT (sport_id, name)"
        " DO UPDATE SET body = coalesce(excluded.body, series.body) RETURNING id",
        (sport_id, name, body),
    )


def _save_event(conn: sqlite3.Connection, event: Event) -> None:
    for r in event.results:
        _competitor_id(conn, r.competitor)
    conn.execute(
        "INSERT INTO events (key, series_id, season, date, body) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET series_id = excluded.series_id,"
        " season = excluded.season, date = excluded.date, body = excluded.body",
        (
            event.key,
            _series_id(conn, event.sport, event.series),
            event.season,
            event.date.isoformat(),
            json.dumps(event_to_dict(event), ensure_ascii=False),
        ),
    )
