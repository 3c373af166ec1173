"""The outbox on PostgreSQL: the same store as db.outbox.Outbox, in asyncpg, for several
processes on one database (a post is taken by one of them, under FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from datetime import UTC, datetime

from db.outbox_rows import (
    INSERT_COLUMNS,
    KEPT,
    LEASE,
    TAKEN_AT_ONCE,
    TAKEN_COLUMNS,
    pending,
    post_values,
)
from db.postgres.connection import Connection, Pool
from db.postgres.sql import numbered
from db.scoping import in_scope
from trivia.model import Scope
from trivia.posts import Pending, Post, SlotDone


async def store_posts(
    conn: Connection, posts: list[Post], now: datetime, slot: SlotDone | None = None
) -> None:
    """Store posts inside the caller's transaction (a key already stored is left alone);
    with `slot`, finish the scheduled slot in it too: it is done once its posts are owed."""
    if posts:
        await conn.executemany(
            f"INSERT INTO outbox ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (key) DO NOTHING",
            [post_values(p, now) for p in posts],
        )
    if slot is not None:
        await conn.execute(
            "UPDATE schedule_slots SET finished_at = $1, error = $2"
            " WHERE schedule_id = $3 AND local_date = $4",
            now.timestamp(),
            slot.error,
            slot.schedule_id,
            slot.local_day.isoformat(),
        )
        await conn.execute(
            "UPDATE schedules SET last_error = $1 WHERE id = $2", slot.error, slot.schedule_id
        )


class PgOutbox:
    """Posts are added once by key, taken under a lease, and marked posted or failed."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def add(self, posts: list[Post], now: datetime, slot: SlotDone | None = None) -> None:
        """Store posts (a key already stored is left alone), finishing `slot` in the same
        transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await store_posts(conn, posts, now, slot)

    async def take(
        self, scope: Scope | None, now: datetime, keys: list[str] | None = None
    ) -> list[Pending]:
        """Take the due posts in this scope (None: all), oldest first, or only those with
        `keys`; each is this caller's until the lease runs out. The rows are locked as they
        are picked, skipping those another process is taking, and each is checked again
        under its lock, so two processes never take the same post."""
        scoped, in_params = in_scope(scope, "platform", "workspace", "channel")
        params: list[object] = [now.timestamp(), *in_params]
        only = ""
        if keys is not None:
            params.append(keys)
            only = " AND key = ANY(?::text[])"
        rows = await self.pool.fetch(
            numbered(
                "WITH picked AS MATERIALIZED (SELECT id AS pick FROM outbox"
                f" WHERE posted_at IS NULL AND gave_up = 0 AND due_at <= ?{scoped}{only}"
                f" ORDER BY id LIMIT {TAKEN_AT_ONCE} FOR UPDATE SKIP LOCKED)"
                " UPDATE outbox SET due_at = ?, attempts = attempts + 1 FROM picked WHERE id = pick"
                f" AND posted_at IS NULL AND gave_up = 0 AND due_at <= ? RETURNING {TAKEN_COLUMNS}"
            ),
            *params,
            (now + LEASE).timestamp(),
            now.timestamp(),
        )
        return sorted((pending(tuple(r)) for r in rows), key=lambda p: p.id)

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        await self._outcome(
            "UPDATE outbox SET posted_at = $1, last_error = NULL WHERE id = $2",
            (now.timestamp(), post_id),
            post_id,
            None,
        )

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Posting failed: try again at `retry_at`, or (None) give the post up."""
        due = None if retry_at is None else retry_at.timestamp()
        await self._outcome(
            "UPDATE outbox SET due_at = coalesce($1, due_at), gave_up = $2, last_error = $3"
            " WHERE id = $4",
            (due, int(retry_at is None), error[:300], post_id),
            post_id,
            error[:300],
        )

    async def _outcome(
        self, sql: str, params: tuple[object, ...], post_id: int, error: str | None
    ) -> None:
        """Record how a post went, also on the schedule that posts it."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(sql, *params)
            await conn.execute(
                "UPDATE schedules SET last_error = $1"
                " WHERE id = (SELECT schedule_id FROM outbox WHERE id = $2)",
                error,
                post_id,
            )

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up more than KEPT ago; how many."""
        before = (now - KEPT).timestamp()
        deleted = await self.pool.fetchval(
            "WITH gone AS (DELETE FROM outbox WHERE (posted_at < $1)"
            " OR (gave_up = 1 AND due_at < $1) RETURNING id) SELECT count(*) FROM gone",
            before,
        )
        return int(deleted)

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post in this scope is due."""
        scoped, params = in_scope(scope, "platform", "workspace", "channel")
        value = await self.pool.fetchval(
            numbered(
                f"SELECT min(due_at) FROM outbox WHERE posted_at IS NULL AND gave_up = 0{scoped}"
            ),
            *params,
        )
        return None if value is None else datetime.fromtimestamp(float(value), UTC)
