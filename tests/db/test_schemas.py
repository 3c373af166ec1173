"""The two backends' migrations: both schemas hold the same tables, columns and indexes, so
a migration written for one backend only fails here; PostgreSQL's are applied once however
many processes start on a new database at the same time."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg

from db.connection import migrations as sqlite_migrations
from db.connection import open_db
from db.postgres.connection import migrate, open_pool, schema_version
from db.postgres.connection import migrations as postgres_migrations

Columns = dict[str, dict[str, bool]]
"""Table -> column -> whether it is NOT NULL (a primary key's columns count as NOT NULL)."""
BOOKKEEPING = {"schema_migrations"}
"""PostgreSQL's table of applied migrations (SQLite keeps the version in a PRAGMA)."""


def sqlite_schema(path: Path) -> tuple[Columns, set[str]]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]
        columns = {
            table: {
                row[1]: bool(row[3] or row[5])  # notnull, or part of the primary key
                for row in conn.execute(f"PRAGMA table_info({table})")
            }
            for table in tables
        }
        indexes = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    return columns, indexes


async def postgres_schema(url: str) -> tuple[Columns, set[str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        )
        # The indexes created by name (CREATE INDEX), not those behind a key constraint.
        index_rows = await conn.fetch(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'public'"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        )
    finally:
        await conn.close()
    columns: Columns = {}
    for row in rows:
        if row["table_name"] not in BOOKKEEPING:
            columns.setdefault(row["table_name"], {})[row["column_name"]] = (
                row["is_nullable"] == "NO"
            )
    return columns, {row[0] for row in index_rows}


async def test_both_backends_hold_the_same_tables_columns_and_indexes(
    tmp_path: Path, pg_url: str
) -> None:
    """After every migration, SQLite (PRAGMA table_info) and PostgreSQL (information_schema)
    hold the same tables with the same columns, NOT NULL alike, and the same named indexes."""
    path = tmp_path / "schema.sqlite3"
    async with open_db(path):
        pass
    async with open_pool(pg_url) as pool:
        await migrate(pool)
    sqlite_columns, sqlite_indexes = sqlite_schema(path)
    postgres_columns, postgres_indexes = await postgres_schema(pg_url)

    assert sorted(postgres_columns) == sorted(sqlite_columns)
    for table, columns in sqlite_columns.items():
        assert postgres_columns[table] == columns, table
    assert postgres_indexes == sqlite_indexes


def test_postgres_migrations_follow_sqlites_numbers() -> None:
    """PostgreSQL starts from a squashed baseline numbered as the SQLite migration it equals;
    every later migration exists for both backends, under the same file name (a data-only
    migration for one backend would pass the schema test, not this one)."""
    baseline, *later = postgres_migrations()
    assert baseline[1].endswith("_baseline.sql")
    sqlite = sqlite_migrations()
    assert baseline[0] in [version for version, _, _ in sqlite]
    assert [name for _, name, _ in later] == [
        name for version, name, _ in sqlite if version > baseline[0]
    ]


async def test_processes_starting_at_once_apply_each_migration_once(pg_url: str) -> None:
    """Four processes' connections migrating one new database together: under the advisory
    lock each migration is applied once, by one of them, and nobody fails."""

    async def one_process() -> list[str]:
        async with open_pool(pg_url) as pool:
            return await migrate(pool)

    applied = await asyncio.gather(*(one_process() for _ in range(4)))

    everything = [name for _, name, _ in postgres_migrations()]
    assert sorted(name for names in applied for name in names) == sorted(everything)
    async with open_pool(pg_url) as pool:
        assert await migrate(pool) == []
        async with pool.acquire() as conn:
            assert await schema_version(conn) == postgres_migrations()[-1][0]
