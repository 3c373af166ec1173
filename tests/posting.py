"""The outbox and schedules of a database on either backend, opened as one bot process
opens them, for the tests that hold both backends to one behaviour."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.stores import Posts
from db.connection import open_db
from db.game import GameStore
from db.postgres.connection import Pool, migrate, open_pool
from db.postgres.outbox import PgOutbox
from db.postgres.schedules import PgSchedules
from db.schedules import ScheduleStore
from trivia.model import Place


@dataclass(frozen=True)
class Posting:
    """One process's outbox and schedules, and the id of a channel (made on first sight)."""

    outbox: Posts
    schedules: ScheduleStore | PgSchedules
    channel_id: Callable[[Place], Awaitable[int]]


async def _pg_channel_id(pool: Pool, place: Place) -> int:
    """The channel's id on PostgreSQL, its workspace and channel rows made if missing."""
    async with pool.acquire() as conn, conn.transaction():
        workspace = await conn.fetchval(
            "INSERT INTO workspaces (platform, ref) VALUES ($1, $2) ON CONFLICT (platform, ref)"
            " DO UPDATE SET ref = excluded.ref RETURNING id",
            place.platform,
            place.workspace,
        )
        channel = await conn.fetchval(
            "INSERT INTO channels (workspace_id, ref) VALUES ($1, $2)"
            " ON CONFLICT (workspace_id, ref) DO UPDATE SET ref = excluded.ref RETURNING id",
            workspace,
            place.channel,
        )
    return int(channel)


@asynccontextmanager
async def posting(database: Path | str) -> AsyncIterator[Posting]:
    """The outbox and schedules of `database` (a SQLite file, or a PostgreSQL URL), on
    connections of their own, migrated first."""
    if isinstance(database, Path):
        async with open_db(database) as conn:
            game = GameStore(conn)
            yield Posting(game.outbox, game.schedules, game.channel_id)
        return
    async with open_pool(database) as pool:
        await migrate(pool)
        yield Posting(PgOutbox(pool), PgSchedules(pool), lambda place: _pg_channel_id(pool, place))
