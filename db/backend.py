"""The one way in for code above db/: open the configured database, whichever backend it is,
and get its stores. A `postgresql://` URL selects PostgreSQL; a file path, SQLite.

Both backends have the same stores: the records, and the game (the engine's store with its
schedules and outbox: db.game.GameStore on SQLite, db.postgres.game.PgGameStore)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

import asyncpg

from db.connection import migrate as migrate_sqlite
from db.connection import open_db
from db.game import GameStore
from db.postgres import connection as postgres
from db.postgres.connection import ConnectError as ConnectError
from db.postgres.game import PgGameStore
from db.records import BaseRecordsStore

URL_SCHEMES = ("postgresql://", "postgres://")
"""What a database URL starts with (asyncpg takes both spellings)."""

DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    ConnectError,
)
"""What a database operation on either backend can raise, for a one-line report."""


def is_url(location: Path | str) -> TypeGuard[str]:
    """Whether `location` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def describe(location: Path | str) -> str:
    """The database for a message: the file, or the URL with its password hidden."""
    return postgres.safe_url(location) if is_url(location) else str(location)


@dataclass(frozen=True)
class Stores:
    """An open database's stores, and the migrations opening it applied."""

    records: BaseRecordsStore
    game: GameStore | PgGameStore
    applied: list[str]


@asynccontextmanager
async def open_store(location: Path | str) -> AsyncIterator[Stores]:
    """Open the database at `location` (a SQLite file, or a `postgresql://` URL), apply its
    pending migrations, and close it on exit. On SQLite the game store reads and writes on
    separate connections, so writes never queue behind reads (WAL lets them run side by
    side)."""
    if is_url(location):
        async with postgres.open_pool(location) as pool:
            applied = await postgres.migrate(pool)
            game = PgGameStore(pool)
            yield Stores(game.records, game, applied)
        return
    async with open_db(location, migrate_now=False) as conn:
        applied = await migrate_sqlite(conn)
        async with open_db(location, migrate_now=False) as write_conn:
            sqlite_game = GameStore(conn, write_conn)
            yield Stores(sqlite_game.records, sqlite_game, applied)


class BackupTargetError(Exception):
    """The backup file could not be written; the message says why."""


async def backup_sqlite(path: Path, target: Path) -> None:
    """Copy the SQLite database at `path` (migrated first) to the new file `target`, as it
    stands at one moment, while the bot may be writing to it."""
    async with open_db(path) as conn:
        try:
            copy = sqlite3.connect(target)
        except sqlite3.Error as exc:
            raise BackupTargetError(str(exc)) from None
        try:
            await conn.backup(copy)
        finally:
            copy.close()
