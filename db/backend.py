"""The one way in for code above db/: open the configured database, whichever backend it is,
and get its stores. A `postgresql://` URL selects PostgreSQL; a file path, SQLite.

So far the records, leases and deliveries are the stores both backends have; the game store
is SQLite's alone (db.game.GameStore, opened by bot/app.py)."""

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
from db.leases import DeliveryStore, LeaseStore
from db.postgres import connection as postgres
from db.postgres.connection import ConnectError as ConnectError
from db.postgres.leases import PgDeliveryStore, PgLeaseStore
from db.postgres.records import PgRecordsStore
from db.records import BaseRecordsStore, RecordsStore
from db.transactions import Writer

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
    applied: list[str]
    leases: LeaseStore | PgLeaseStore
    deliveries: DeliveryStore | PgDeliveryStore


@asynccontextmanager
async def open_store(location: Path | str) -> AsyncIterator[Stores]:
    """Open the database at `location` (a SQLite file, or a `postgresql://` URL), apply its
    pending migrations, and close it on exit."""
    if is_url(location):
        async with postgres.open_pool(location) as pool:
            applied = await postgres.migrate(pool)
            yield Stores(PgRecordsStore(pool), applied, PgLeaseStore(pool), PgDeliveryStore(pool))
        return
    async with open_db(location, migrate_now=False) as conn:
        applied = await migrate_sqlite(conn)
        writer = Writer(conn)
        yield Stores(RecordsStore(conn, writer), applied, LeaseStore(writer), DeliveryStore(writer))
