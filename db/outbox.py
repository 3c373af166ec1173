"""The outbox: public posts kept until the platform has them, each stored once by key."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from db.outbox_rows import (
    INSERT_COLUMNS,
    KEPT,
    LEASE,
    TAKEN_AT_ONCE,
    TAKEN_COLUMNS,
    pending,
    post_values,
)
from db.scoping import in_scope
from db.transactions import Writer
from trivia.model import Scope
from trivia.posts import Pending, Post, SlotDone


def post_rows(conn: sqlite3.Connection, posts: list[Post], now: datetime) -> None:
    """Store posts inside the caller's transaction (a key already stored is left alone)."""
    conn.executemany(
        f"INSERT INTO outbox ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO NOTHING",
        [post_values(p, now) for p in posts],
    )


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
            if slot is not None:
                conn.execute(
                    "UPDATE schedule_slots SET finished_at = ?, error = ?"
                    " WHERE schedule_id = ? AND local_date = ?",
                    (now.timestamp(), slot.error, slot.schedule_id, slot.local_day.isoformat()),
                )
                conn.execute(
                    "UPDATE schedules SET last_error = ? WHERE id = ?",
                    (slot.error, slot.schedule_id),
                )

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
        rows = await self.writer.execute(
            f"UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id IN"
            f" (SELECT id FROM outbox WHERE {' AND '.join(where)} ORDER BY id"
            f" LIMIT {TAKEN_AT_ONCE}) AND posted_at IS NULL AND gave_up = 0 AND due_at <= ?"
            f" RETURNING {TAKEN_COLUMNS}",
            [(now + lease).timestamp(), *params, now.timestamp()],
        )
        return sorted((pending(tuple(r)) for r in rows), key=lambda p: p.id)

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        await self._outcome(
            "UPDATE outbox SET posted_at = ?, last_error = NULL WHERE id = ?",
            (now.timestamp(), post_id),
            post_id,
            None,
        )

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Posting failed: try again at `retry_at`, or (None) give the post up."""
        due = None if retry_at is None else retry_at.timestamp()
        await self._outcome(
            "UPDATE outbox SET due_at = coalesce(?, due_at), gave_up = ?, last_error = ?"
            " WHERE id = ?",
            (due, retry_at is None, error[:300], post_id),
            post_id,
            error[:300],
        )

    async def _outcome(
        self, sql: str, params: tuple[object, ...], post_id: int, error: str | None
    ) -> None:
        """Record how a post went, also on the schedule that posts it."""

        def record(conn: sqlite3.Connection) -> None:
            conn.execute(sql, params)
            conn.execute(
                "UPDATE schedules SET last_error = ?"
                " WHERE id = (SELECT schedule_id FROM outbox WHERE id = ?)",
                (error, post_id),
            )

        await self.writer.transaction(record)

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up more than KEPT ago; how many."""
        before = (now - KEPT).timestamp()
        rows = await self.writer.execute(
            "DELETE FROM outbox WHERE (posted_at < ?) OR (gave_up = 1 AND due_at < ?) RETURNING id",
            (before, before),
        )
        return len(rows)

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post in this scope is due."""
        scoped, params = in_scope(scope, "platform", "workspace", "channel")
        rows = await self.writer.conn.execute_fetchall(
            f"SELECT min(due_at) FROM outbox WHERE posted_at IS NULL AND gave_up = 0{scoped}",
            params,
        )
        value = next(iter(rows))[0] if rows else None
        return None if value is None else datetime.fromtimestamp(float(value), UTC)
