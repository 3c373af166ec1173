"""Opening the database: PRAGMAs and versioned migrations."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from db.migration_files import read_migrations
from db.transactions import Writer

BUSY_TIMEOUT_MS = 5000
WAL = "PRAGMA journal_mode = WAL"
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    WAL,
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)
RETRY_S = 0.05


def migrations() -> list[tuple[int, str, str]]:
    """The shipped SQLite migrations (db/sqlite/migrations) as (version, name, sql), in order."""
    return read_migrations("db.sqlite")


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The migration version the database is at."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def statements(sql: str) -> list[str]:
    """A migration script split into whole statements (triggers with their bodies)."""
    found, pending = [], ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    return found


async def migrate(conn: aiosqlite.Connection) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction.

    Each transaction takes the write lock first and then checks the version again, so two
    processes starting on one database apply each migration once: the second finds it done."""
    applied = []
    for version, name, sql in migrations():
        if version <= await schema_version(conn):
            continue

        def apply(raw: sqlite3.Connection, version: int = version, sql: str = sql) -> bool:
            if raw.execute("PRAGMA user_version").fetchone()[0] >= version:
                return False
            for statement in statements(sql):
                raw.execute(statement)
            raw.execute(f"PRAGMA user_version = {version}")
            return True

        if await Writer(conn).transaction(apply):
            applied.append(name)
    return applied


async def _switch_to_wal(conn: aiosqlite.Connection) -> None:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting, when
    another process is switching the same new file, so retry up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            await conn.execute(WAL)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(RETRY_S)


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open a connection with the project's PRAGMAs set."""
    if str(path) != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise sqlite3.OperationalError(f"cannot make its folder: {exc.strerror}") from None
    connecting = aiosqlite.connect(path, isolation_level=None)
    try:
        conn = await connecting
    except BaseException:
        # aiosqlite stops its thread without waiting for it: wait here, or the thread
        # reports to a loop that has closed (a traceback after the one-line error).
        await asyncio.to_thread(connecting._thread.join, 5)  # private: pinned version
        raise
    conn.row_factory = sqlite3.Row
    try:
        for pragma in PRAGMAS:
            await (_switch_to_wal(conn) if pragma == WAL else conn.execute(pragma))
    except BaseException:
        # Its thread would keep the process alive: a file that is not a database, or a
        # lock held too long, must end the command, not hang it.
        await conn.close()
        raise
    return conn


@asynccontextmanager
async def open_db(
    path: Path | str, *, migrate_now: bool = True
) -> AsyncIterator[aiosqlite.Connection]:
    """Open the database, apply pending migrations, and close it on exit."""
    conn = await connect(path)
    try:
        if migrate_now:
            await migrate(conn)
        yield conn
    finally:
        await conn.close()
