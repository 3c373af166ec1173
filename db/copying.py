"""Copying a whole database into another, SQLite or PostgreSQL either way (`db copy`, and
PostgreSQL's `db backup` into a SQLite file).

The tables are read from the source's schema and copied parents first (by their foreign
keys), so a table a later migration adds is copied too. The source is read in one snapshot;
the target is written in one transaction, emptied first, its identity sequences moved past
the copied ids at the end: all or nothing. Both backends store the same values (epoch
seconds, ISO dates, 0/1 flags, JSON text), so rows move unchanged."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg

from db.backend import describe, is_url
from db.connection import connect, open_db, schema_version
from db.connection import migrate as migrate_sqlite
from db.connection import migrations as sqlite_migrations
from db.postgres import connection as postgres
from db.progress import Progress

BATCH_ROWS = 5000
"""Rows read and written at a time."""
BOOKKEEPING = frozenset({"schema_migrations"})
"""PostgreSQL's table of applied migrations (SQLite keeps its version in a PRAGMA)."""
NAMED_IN_A_REFUSAL = 3
"""How many tables holding data a refusal names."""

Row = tuple[Any, ...]


class CopyError(Exception):
    """A copy refused or impossible, in one line; nothing was copied."""


@dataclass(frozen=True)
class Table:
    """A table to copy: its columns, and the tables its foreign keys point to."""

    name: str
    columns: tuple[str, ...]
    parents: frozenset[str]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_list(table: Table) -> str:
    return ", ".join(map(_quoted, table.columns))


def parents_first(tables: Sequence[Table]) -> list[Table]:
    """The tables in an order that inserts every row after the rows it refers to."""
    by_name = {t.name: t for t in tables}
    order = TopologicalSorter[str]()
    for table in sorted(tables, key=lambda t: t.name):
        order.add(table.name, *sorted(table.parents - {table.name}))
    try:
        return [by_name[name] for name in order.static_order() if name in by_name]
    except CycleError as exc:
        raise CopyError(f"the tables' foreign keys form a cycle: {exc.args[1]}") from None


class Side(ABC):
    """One open database, as a copy's source or target."""

    def __init__(self, location: Path | str) -> None:
        self.where = describe(location)

    @abstractmethod
    async def version(self) -> int:
        """The migration version the database is at."""

    @abstractmethod
    def known_version(self) -> int:
        """The newest migration this code holds for the backend."""

    @abstractmethod
    async def tables(self) -> list[Table]:
        """Every table of the schema but the migrations' bookkeeping."""

    @abstractmethod
    async def count(self, table: Table) -> int:
        """How many rows the table holds."""

    @abstractmethod
    async def all_rows(self, table: Table) -> list[Row]:
        """Every row of a (small) table, in its columns' order."""

    @abstractmethod
    def batches(self, table: Table) -> AsyncIterator[list[Row]]:
        """The table's rows, BATCH_ROWS at a time."""

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """A read-only transaction: every read inside sees one moment of the database."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A write transaction, committed at the end, rolled back if the block raises."""

    @abstractmethod
    async def empty(self, tables: Sequence[Table]) -> None:
        """Delete every row of these tables (given parents first)."""

    @abstractmethod
    async def insert(self, table: Table, rows: list[Row]) -> None:
        """Add these rows to the table."""

    @abstractmethod
    async def reset_ids(self) -> None:
        """Make new rows' generated ids follow the highest id each table holds."""

    @abstractmethod
    def checked_at_the_end(self) -> AbstractAsyncContextManager[None]:
        """Inside a transaction: the rows written inside the block have their foreign keys
        checked all at once at its end (a failed check raises, and the transaction is
        rolled back)."""


class SqliteSide(Side):
    """A SQLite file."""

    def __init__(self, path: Path, conn: aiosqlite.Connection) -> None:
        super().__init__(path)
        self.conn = conn
        conn.row_factory = None

    async def _run(self, sql: str) -> None:
        async with self.conn.execute(sql):
            pass

    async def version(self) -> int:
        return await schema_version(self.conn)

    def known_version(self) -> int:
        return sqlite_migrations()[-1][0]

    async def tables(self) -> list[Table]:
        names = [
            row[0]
            for row in await self.conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite%' ORDER BY name"
            )
        ]
        found = []
        for name in names:
            info = await self.conn.execute_fetchall(f"PRAGMA table_info({_quoted(name)})")
            keys = await self.conn.execute_fetchall(f"PRAGMA foreign_key_list({_quoted(name)})")
            columns = tuple(row[1] for row in info)
            found.append(Table(name, columns, frozenset(row[2] for row in keys)))
        return found

    async def count(self, table: Table) -> int:
        [(rows,)] = await self.conn.execute_fetchall(f"SELECT count(*) FROM {_quoted(table.name)}")
        return int(rows)

    async def all_rows(self, table: Table) -> list[Row]:
        sql = f"SELECT {_column_list(table)} FROM {_quoted(table.name)}"
        return [tuple(row) for row in await self.conn.execute_fetchall(sql)]

    async def batches(self, table: Table) -> AsyncIterator[list[Row]]:
        sql = f"SELECT {_column_list(table)} FROM {_quoted(table.name)}"
        async with self.conn.execute(sql) as cursor:
            while rows := await cursor.fetchmany(BATCH_ROWS):
                yield [tuple(row) for row in rows]

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        await self._run("BEGIN")  # WAL: the first read fixes what the rest see
        try:
            yield
        finally:
            await self._run("ROLLBACK")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        await self._run("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self._run("ROLLBACK")
            raise
        await self._run("COMMIT")

    async def empty(self, tables: Sequence[Table]) -> None:
        for table in reversed(tables):
            await self._run(f"DELETE FROM {_quoted(table.name)}")

    async def insert(self, table: Table, rows: list[Row]) -> None:
        marks = ", ".join("?" * len(table.columns))
        await self.conn.executemany(
            f"INSERT INTO {_quoted(table.name)} ({_column_list(table)}) VALUES ({marks})", rows
        )

    async def reset_ids(self) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY takes the highest id plus one."""

    @asynccontextmanager
    async def checked_at_the_end(self) -> AsyncIterator[None]:
        """SQLite checks a row's keys in its own process as it is written, about as fast."""
        yield


class PostgresSide(Side):
    """A PostgreSQL database (its current schema)."""

    def __init__(self, url: str, conn: postgres.Connection) -> None:
        super().__init__(url)
        self.conn = conn

    async def version(self) -> int:
        return await postgres.schema_version(self.conn)

    def known_version(self) -> int:
        return postgres.migrations()[-1][0]

    async def tables(self) -> list[Table]:
        columns: dict[str, list[str]] = {}
        for row in await self.conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ):
            if row[0] not in BOOKKEEPING:
                columns.setdefault(row[0], []).append(row[1])
        parents: dict[str, set[str]] = {name: set() for name in columns}
        for row in await self.conn.fetch(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
            " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
        ):
            parents[row[0]].add(row[1])
        return [
            Table(name, tuple(cols), frozenset(parents[name])) for name, cols in columns.items()
        ]

    async def count(self, table: Table) -> int:
        return int(await self.conn.fetchval(f"SELECT count(*) FROM {_quoted(table.name)}"))

    async def all_rows(self, table: Table) -> list[Row]:
        sql = f"SELECT {_column_list(table)} FROM {_quoted(table.name)}"
        return [tuple(row) for row in await self.conn.fetch(sql)]

    async def batches(self, table: Table) -> AsyncIterator[list[Row]]:
        cursor = await self.conn.cursor(f"SELECT {_column_list(table)} FROM {_quoted(table.name)}")
        while rows := await cursor.fetch(BATCH_ROWS):
            yield [tuple(row) for row in rows]

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        async with self.conn.transaction(isolation="repeatable_read", readonly=True):
            yield

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        transaction = self.conn.transaction()
        await transaction.start()
        try:
            yield
        except BaseException:
            try:
                await transaction.rollback()
            except (asyncpg.PostgresError, asyncpg.InterfaceError):
                # Interrupted mid-COPY, the connection cannot take a ROLLBACK: closing it
                # rolls the transaction back on the server all the same.
                self.conn.terminate()
            raise
        await transaction.commit()

    async def empty(self, tables: Sequence[Table]) -> None:
        await self.conn.execute(f"TRUNCATE {', '.join(_quoted(t.name) for t in tables)}")

    async def insert(self, table: Table, rows: list[Row]) -> None:
        await self.conn.copy_records_to_table(table.name, records=rows, columns=table.columns)

    @asynccontextmanager
    async def checked_at_the_end(self) -> AsyncIterator[None]:
        """PostgreSQL checks a foreign key row by row (five times slower for 100,000 rows
        than the copy itself); so, as pg_restore does, the keys are dropped and made again
        after the rows are in, which checks them all in one query each."""
        keys = await self.conn.fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f'"
            " AND connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        )
        for table, name, _ in keys:
            await self.conn.execute(f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}")
        yield
        for table, name, definition in keys:
            try:
                await self.conn.execute(
                    f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {definition}"
                )
            except asyncpg.ForeignKeyViolationError as exc:
                raise CopyError(
                    f"{self.where}: rows of the source refer to rows it does not hold, so"
                    f" nothing was copied: {exc.detail or exc}"
                ) from None

    async def reset_ids(self) -> None:
        for row in await self.conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ):
            table, column = _quoted(row[0]), _quoted(row[1])
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence($1, $2),"
                f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)",
                table,
                row[1],
            )


@asynccontextmanager
async def open_side(location: Path | str, *, target: bool) -> AsyncIterator[Side]:
    """Open a database to copy from (as it is) or into (migrated first: a new file or an
    empty PostgreSQL database becomes one holding the schema)."""
    if is_url(location):
        async with postgres.open_pool(location) as pool:
            if target:
                await postgres.migrate(pool)
            async with pool.acquire() as conn:
                yield PostgresSide(location, conn)
        return
    path = Path(location)
    if not target and not await asyncio.to_thread(path.is_file):
        raise CopyError(f"{path}: no such database file")
    file = await connect(path)
    try:
        if target:
            await migrate_sqlite(file)
        yield SqliteSide(path, file)
    finally:
        await file.close()


async def _new_database() -> dict[str, list[Row]]:
    """What each table of a newly migrated database holds (its counters' first rows)."""
    async with open_db(":memory:") as conn:
        side = SqliteSide(Path(":memory:"), conn)
        return {t.name: sorted(await side.all_rows(t)) for t in await side.tables()}


async def holding_data(side: Side, tables: Sequence[Table]) -> list[tuple[str, int]]:
    """(table, rows) for each table that holds more than a newly migrated database does."""
    new = await _new_database()
    held = []
    for table in tables:
        rows = await side.count(table)
        fresh = new.get(table.name, [])
        if rows != len(fresh) or (rows and sorted(await side.all_rows(table)) != fresh):
            held.append((table.name, rows))
    return held


async def _check_version(side: Side, *, role: str) -> None:
    known = side.known_version()
    version = await side.version()
    if version > known:
        raise CopyError(
            f"{side.where}: the {role} is at migration {version}, newer than this"
            f" photo-finish knows ({known}); upgrade photo-finish first"
        )
    if version < known:
        raise CopyError(
            f"{side.where}: the {role} is at migration {version}, older than this"
            f" photo-finish ({known}); run `photo-finish db migrate` on it first"
        )


def _same_tables(source: Sequence[Table], target: Sequence[Table], where: str) -> None:
    theirs = {t.name: set(t.columns) for t in target}
    for table in source:
        missing = set(table.columns) - theirs.get(table.name, set())
        if missing:
            raise CopyError(f"{where}: has no {table.name}({', '.join(sorted(missing))})")


async def copy_database(
    source: Path | str, target: Path | str, *, replace: bool, progress: Progress
) -> list[tuple[str, int]]:
    """Copy every row of `source` into `target`, all or nothing; (table, rows copied) for
    each table, in the order copied. A target holding data is refused unless `replace`,
    which empties it in the same transaction."""
    if describe(source) == describe(target) or (
        not is_url(source)
        and not is_url(target)
        and await asyncio.to_thread(_same_file, Path(source), Path(target))
    ):
        raise CopyError(f"{describe(target)}: the source and the target are one database")
    async with open_side(source, target=False) as reading:
        await _check_version(reading, role="source")
        async with open_side(target, target=True) as out:
            await _check_version(out, role="target")
            return await _copy(reading, out, replace=replace, progress=progress)


async def _copy(
    reading: Side, out: Side, *, replace: bool, progress: Progress
) -> list[tuple[str, int]]:
    """The copy itself, between two open databases at the version this code knows."""
    async with reading.snapshot():
        tables = parents_first(await reading.tables())
        _same_tables(tables, await out.tables(), out.where)
        sizes = [(t.name, await reading.count(t)) for t in tables]
        async with out.transaction():
            held = await holding_data(out, tables)
            if held and not replace:
                named = ", ".join(
                    f"{rows:,} {'row' if rows == 1 else 'rows'} in {name}"
                    for name, rows in held[:NAMED_IN_A_REFUSAL]
                )
                more = " ..." if len(held) > NAMED_IN_A_REFUSAL else ""
                raise CopyError(
                    f"{out.where}: already holds data ({named}{more}); copy into an empty"
                    " database, or add --replace to empty it first"
                )
            await out.empty(tables)
            progress.begin(sizes)
            copied = []
            async with out.checked_at_the_end():
                for table in tables:
                    done = 0
                    async for rows in reading.batches(table):
                        await out.insert(table, rows)
                        done += len(rows)
                        progress.advance(table.name, len(rows))
                    copied.append((table.name, done))
            await out.reset_ids()
    return copied


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False
