"""The outbox: public posts kept until the platform has them, each stored once by key."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from db import outbox_rows as rows
from db.outbox_rows import LEASE, TAKEN_AT_ONCE, TAKEN_COLUMNS, Statement, pending
from db.scoping import in_scope
from db.transactions import Writer
from trivia.model import Scope
from trivia.posts import Pending, Post, SlotDone


def post_rows(conn: sqlite3.Connection, posts: list[Post], now: datetime) -> None:
    """Store posts inside the caller's transaction (a key already stored is left alone)."""
    conn.executemany(rows.INSERT_SQL, [rows.post_values(p, now) for p in posts])


class Outbox:
    """Posts are added once by key, taken under a lease, and marked posted or failed."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def add(
        self,
        posts: list[Post],
        now: datetime,
        slot: SlotDone | None = None,
    ) -> None:
        """Store posts (a key already stored is left alone). With `slot`, the scheduled
        slot is finished in the same transaction: it is done once its posts are owed."""

        def add(conn: sqlite3.Connection) -> None:
            post_rows(conn, posts, now)
            for sql, params in [] if slot is None else rows.slot_finished(slot, now):
                conn.execute(sql, params)

        await self.writer.transaction(add)

    async def take(
        self,
        scope: Scope | None,
        now: datetime,
        keys: list[str] | None = None,
        *,
        lease: timedelta = LEASE,
    ) -> list[Pending]:
        """Take the due posts in this scope (None: all), oldest first, or only those with
        `keys`; each is this caller's until its `lease` runs out. The claim is one statement
        that checks each row is still due as it moves its lease on, so two processes never
        take the same post."""
        scoped, in_params = in_scope(scope, "platform", "workspace", "channel")
        where = ["posted_at IS NULL", "gave_up = 0", f"due_at <= ?{scoped}"]
        params: list[object] = [now.timestamp(), *in_params]
        if keys is not None:
            where.append(f"key IN ({','.join('?' * len(keys))})")
            params += keys
        taken = await self.writer.execute(
            f"UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id IN"
            f" (SELECT id FROM outbox WHERE {' AND '.join(where)} ORDER BY id"
            f" LIMIT {TAKEN_AT_ONCE}) AND posted_at IS NULL AND gave_up = 0 AND due_at <= ?"
            f" RETURNING {TAKEN_COLUMNS}",
            [(now + lease).timestamp(), *params, now.timestamp()],
        )
        return sorted((pending(tuple(r)) for r in taken), key=lambda p: p.id)

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        await self._run(rows.posted(post_id, now))

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Posting failed: try again at `retry_at`, or (None) give the post up."""
        await self._run(rows.failed(post_id, retry_at, error))

    async def _run(self, statements: list[Statement]) -> None:
        """Run statements in one transaction."""

        def run(conn: sqlite3.Connection) -> None:
            for sql, params in statements:
                conn.execute(sql, params)

        await self.writer.transaction(run)

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up more than KEPT ago; how many."""
        return len(await self.writer.execute(*rows.pruned(now)))

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post in this scope is due."""
        found = await self.writer.conn.execute_fetchall(*rows.next_due(scope))
        value = next(iter(found))[0] if found else None
        return None if value is None else datetime.fromtimestamp(float(value), UTC)
