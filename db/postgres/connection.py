"""Connecting to PostgreSQL (asyncpg) and applying its migrations under an advisory lock."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.migration_files import read_migrations

MIGRATION_LOCK = 0x70686F746F
"""The advisory lock key ('photo' in ASCII) held while migrating: processes starting at once
take turns, and each finds the migrations the one before applied."""
CONNECT_TIMEOUT_S = 10.0
POOL_SIZE = 4

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


class ConnectError(Exception):
    """PostgreSQL could not be reached or refused the login; the message says which."""


def migrations() -> list[tuple[int, str, str]]:
    """The shipped PostgreSQL migrations (db/postgres/migrations) as (version, name, sql):
    a squashed baseline numbered as SQLite's last migration at the time, then each migration
    under the same number as its SQLite twin."""
    return read_migrations("db.postgres")


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


async def schema_version(conn: Connection) -> int:
    """The migration version the database is at (0 before the first)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


async def migrate(pool: Pool) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction, under
    an advisory lock: several processes starting on one new database apply each once."""
    applied = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            for version, name, sql in migrations():
                if version <= await schema_version(conn):
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        version,
                        name,
                    )
                applied.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied


def _reason(exc: Exception) -> str:
    """Why a connection failed, in words: 'connection refused', 'Name or service not known',
    'password authentication failed for user "bot"'."""
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    if isinstance(exc, OSError) and exc.errno and exc.errno > 0:
        return os.strerror(exc.errno).lower()
    return str(exc) or "timed out"


@asynccontextmanager
async def open_pool(url: str) -> AsyncIterator[Pool]:
    """A connection pool on the database at `url`, closed on exit; ConnectError in one
    line (password hidden) when the server cannot be reached or refuses the login."""
    try:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT_S
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ConnectError(f"{safe_url(url)}: cannot connect: {_reason(exc)}") from None
    try:
        yield pool
    finally:
        await pool.close()
