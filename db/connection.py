"""Opening the database: PRAGMAs and versioned migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)


def migrations() -> list[tuple[int, str, str]]:
    """The shipped migrations as (version, name, sql), in order."""
    folder = resources.files("db") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The migration version the database is at."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction."""
    applied = []
    current = await schema_version(conn)
    for version, name, sql in migrations():
        if version <= current:
            continue
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.rollback()
            raise
        applied.append(name)
    return applied


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open a connection with the project's PRAGMAs set."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
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
