"""The outbox on PostgreSQL: the same store as db.outbox.Outbox, in asyncpg, for several
processes on one database (a post is taken by one of them, under FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db import outbox_rows as rows
from db.outbox_rows import LEASE, TAKEN_AT_ONCE, TAKEN_COLUMNS, Statement, pending
from db.postgres.connection import Connection, Pool
from db.postgres.placeholders import numbered
from db.scoping import in_scope
from trivia.model import Scope
from trivia.posts import Pending, Post, SlotDone


async def store_posts(
    conn: Connection, posts: list[Post], now: datetime, slot: SlotDone | None = None
) -> None:
    """Store posts inside the caller's transaction (a key already stored is left alone);
    with `slot`, finish the scheduled slot in it too: it is done once its posts are owed."""
    if posts:
        await conn.executemany(numbered(rows.INSERT_SQL), [rows.post_values(p, now) for p in posts])
    await _run(conn, [] if slot is None else rows.slot_finished(slot, now))


async def _run(conn: Connection, statements: list[Statement]) -> None:
    """Run statements on `conn`, in order."""
    for sql, params in statements:
        await conn.execute(numbered(sql), *params)


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
        self,
        scope: Scope | None,
        now: datetime,
        keys: list[str] | None = None,
        *,
        lease: timedelta = LEASE,
    ) -> list[Pending]:
        """Take the due posts in this scope (None: all), oldest first, or only those with
        `keys`; each is this caller's until its `lease` runs out. The rows are locked as they
        are picked, skipping those another process is taking, and each is checked again
        under its lock, so two processes never take the same post."""
        scoped, in_params = in_scope(scope, "platform", "workspace", "channel")
        params: list[object] = [now.timestamp(), *in_params]
        only = ""
        if keys is not None:
            params.append(keys)
            only = " AND key = ANY(?::text[])"
        taken = await self.pool.fetch(
            numbered(
                "WITH picked AS MATERIALIZED (SELECT id AS pick FROM outbox"
                f" WHERE posted_at IS NULL AND gave_up = 0 AND due_at <= ?{scoped}{only}"
                f" ORDER BY id LIMIT {TAKEN_AT_ONCE} FOR UPDATE SKIP LOCKED)"
                " UPDATE outbox SET due_at = ?, attempts = attempts + 1 FROM picked WHERE id = pick"
                f" AND posted_at IS NULL AND gave_up = 0 AND due_at <= ? RETURNING {TAKEN_COLUMNS}"
            ),
            *params,
            (now + lease).timestamp(),
            now.timestamp(),
        )
        return sorted((pending(tuple(r)) for r in taken), key=lambda p: p.id)

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        await self._transaction(rows.posted(post_id, now))

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Posting failed: try again at `retry_at`, or (None) give the post up."""
        await self._transaction(rows.failed(post_id, retry_at, error))

    async def _transaction(self, statements: list[Statement]) -> None:
        """Run statements in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _run(conn, statements)

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up more than KEPT ago; how many."""
        sql, params = rows.pruned(now)
        return len(await self.pool.fetch(numbered(sql), *params))

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post in this scope is due."""
        sql, params = rows.next_due(scope)
        value = await self.pool.fetchval(numbered(sql), *params)
        return None if value is None else datetime.fromtimestamp(float(value), UTC)
