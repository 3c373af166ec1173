"""The records on PostgreSQL: the same store as db.records.RecordsStore, in asyncpg."""

from __future__ import annotations

import json
from collections import defaultdict

from db.postgres.connection import Connection, Pool
from db.progress import Progress
from db.records import BaseRecordsStore, ImportPlan
from trivia.model import Competitor, Event, Series
from trivia.names import normalize, surname
from trivia.pack import event_to_dict, parse_event, parse_series, series_to_dict

# Text is ordered by code point (COLLATE "C"), as SQLite orders it, whatever the database's
# own collation: exports and lists come out the same on both backends.


class PgRecordsStore(BaseRecordsStore):
    """Reads and writes sports results in PostgreSQL."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def count_events(self) -> int:
        """How many events the database holds."""
        return int(await self.pool.fetchval("SELECT count(*) FROM events"))

    async def version(self) -> int:
        """A number that changes whenever an import changes the records."""
        version = await self.pool.fetchval("SELECT version FROM records_version")
        return int(version or 0)

    async def load_packs(self) -> list[tuple[str, str, str | None]]:
        """Every imported pack as (name, description, digest), by name."""
        rows = await self.pool.fetch(
            'SELECT name, description, digest FROM packs ORDER BY name COLLATE "C"'
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def write(self, plan: ImportPlan, progress: Progress | None = None) -> None:
        """Write an import in one transaction, bumping the records version, telling
        `progress` of each event written."""
        async with self.pool.acquire() as conn, conn.transaction():
            ids = _Ids(conn)
            await conn.execute(
                "INSERT INTO packs (name, description, digest) VALUES ($1, $2, $3)"
                " ON CONFLICT (name) DO UPDATE SET description = excluded.description,"
                " digest = excluded.digest",
                plan.pack.name,
                plan.pack.description,
                plan.digest,
            )
            for sport, series in plan.series:
                await ids.series(sport, series.name, series)
            for competitor in plan.competitors:
                await _save_competitor(conn, ids, competitor)
            for event in plan.events:
                await _save_event(conn, ids, event)
                if progress is not None:
                    progress.advance("events", 1)
            await conn.execute("UPDATE records_version SET version = version + 1")

    async def load_competitors(self) -> list[Competitor]:
        """Every competitor with the nicknames people type for them (not surnames)."""
        aliases: dict[str, list[str]] = defaultdict(list)
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            rows = await conn.fetch(
                "SELECT c.name, a.alias FROM competitor_aliases a JOIN competitors c"
                " ON c.id = a.competitor_id WHERE a.kind = 'nickname'"
                ' ORDER BY c.name COLLATE "C", a.alias COLLATE "C"'
            )
            names = await conn.fetch('SELECT name FROM competitors ORDER BY name COLLATE "C"')
        for row in rows:
            aliases[row[0]].append(row[1])
        return [Competitor(row[0], tuple(aliases[row[0]])) for row in names]

    async def load_series(self) -> list[Series]:
        """Every series a pack described (whether it runs yearly, its names over time), by
        name, then sport."""
        rows = await self.pool.fetch(
            "SELECT s.body FROM series s JOIN sports sp ON sp.id = s.sport_id"
            ' WHERE s.body IS NOT NULL ORDER BY s.name COLLATE "C", sp.name COLLATE "C"'
        )
        return [parse_series(json.loads(row[0])) for row in rows]

    async def load_events(self) -> list[Event]:
        """Every event with its results, notes and sources, oldest first."""
        rows = await self.pool.fetch(
            'SELECT body FROM events ORDER BY date COLLATE "C", key COLLATE "C"'
        )
        return [parse_event(json.loads(row[0])) for row in rows]


class _Ids:
    """Rows an import makes or finds, by name, each written once per transaction (the
    shipped packs name the same series and competitors hundreds of times)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.competitors: dict[str, int] = {}
        self.sports: dict[str, int] = {}
        self.series_ids: dict[tuple[str, str], int] = {}

    async def competitor(self, name: str) -> int:
        """The competitor's id, adding them (with their surname as an alias) if new."""
        if name in self.competitors:
            return self.competitors[name]
        competitor_id = int(
            await self.conn.fetchval(
                "INSERT INTO competitors (name) VALUES ($1) ON CONFLICT (name)"
                " DO UPDATE SET name = excluded.name RETURNING id",
                name,
            )
        )
        family = surname(name)
        if normalize(family) != normalize(name):
            await self.conn.execute(
                "INSERT INTO competitor_aliases (competitor_id, alias, kind)"
                " VALUES ($1, $2, 'surname') ON CONFLICT DO NOTHING",
                competitor_id,
                family,
            )
        self.competitors[name] = competitor_id
        return competitor_id

    async def series(self, sport: str, name: str, series: Series | None = None) -> int:
        """The series' id, adding it (and its sport) if new; a described series keeps its
        description (body), one named by an event alone keeps the one it had."""
        if series is None and (sport, name) in self.series_ids:
            return self.series_ids[(sport, name)]
        if sport not in self.sports:
            self.sports[sport] = await self.conn.fetchval(
                "INSERT INTO sports (name) VALUES ($1) ON CONFLICT (name)"
                " DO UPDATE SET name = excluded.name RETURNING id",
                sport,
            )
        body = None if series is None else json.dumps(series_to_dict(series), ensure_ascii=False)
        series_id = int(
            await self.conn.fetchval(
                "INSERT INTO series (sport_id, name, body) VALUES ($1, $2, $3)"
                " ON CONFLICT (sport_id, name)"
                " DO UPDATE SET body = coalesce(excluded.body, series.body) RETURNING id",
                self.sports[sport],
                name,
                body,
            )
        )
        self.series_ids[(sport, name)] = series_id
        return series_id


async def _save_competitor(conn: Connection, ids: _Ids, competitor: Competitor) -> None:
    competitor_id = await ids.competitor(competitor.name)
    await conn.executemany(
        "INSERT INTO competitor_aliases (competitor_id, alias, kind)"
        " VALUES ($1, $2, 'nickname') ON CONFLICT DO NOTHING",
        [(competitor_id, alias) for alias in competitor.aliases],
    )


async def _save_event(conn: Connection, ids: _Ids, event: Event) -> None:
    for r in event.results:
        await ids.competitor(r.competitor)
    await conn.execute(
        "INSERT INTO events (key, series_id, season, date, body) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (key) DO UPDATE SET series_id = excluded.series_id,"
        " season = excluded.season, date = excluded.date, body = excluded.body",
        event.key,
        await ids.series(event.sport, event.series),
        event.season,
        event.date.isoformat(),
        json.dumps(event_to_dict(event), ensure_ascii=False),
    )
