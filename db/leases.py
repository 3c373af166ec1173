"""Leases and platform deliveries on SQLite, shared by every process on the database.

A lease names something one live process holds at a time (a Slack workspace's scheduled
posts, a console seat). It is taken or renewed in one conditional upsert: a name nobody
holds, one whose lease expired (its holder stopped or was killed), or one this holder
already has. A delivery id is stored once: the first process to store it handles it.
"""

from __future__ import annotations

import json
from datetime import datetime

from db.transactions import Writer


class LeaseStore:
    """Named leases (implements bot.stores.Leases)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def take(self, names: list[str], holder: str, now: datetime, until: datetime) -> set[str]:
        """Hold each of `names` until `until` where it is free, expired before `now`, or
        `holder`'s already; the names `holder` now holds."""
        if not names:
            return set()
        rows = await self.writer.execute(
            "INSERT INTO leases (name, holder, expires_at)"
            " SELECT value, ?, ? FROM json_each(?) WHERE true ORDER BY value"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.expires_at < ? OR leases.holder = excluded.holder RETURNING name",
            (holder, until.timestamp(), json.dumps(sorted(names)), now.timestamp()),
        )
        return {str(row[0]) for row in rows}

    async def release(self, names: list[str], holder: str) -> None:
        """Give up those of `names` that `holder` holds: they are free at once."""
        await self.writer.execute(
            "DELETE FROM leases WHERE holder = ? AND name IN (SELECT value FROM json_each(?))",
            (holder, json.dumps(names)),
        )


class DeliveryStore:
    """Platform deliveries already taken (implements bot.stores.Deliveries)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def first(self, delivery_id: str, now: datetime) -> bool:
        """Store a delivery's id; True if no process had stored it before."""
        rows = await self.writer.execute(
            "INSERT INTO deliveries (id, received_at) VALUES (?, ?)"
            " ON CONFLICT (id) DO NOTHING RETURNING id",
            (delivery_id, now.timestamp()),
        )
        return bool(rows)

    async def prune(self, before: datetime) -> int:
        """Forget deliveries received before `before`; how many."""
        rows = await self.writer.execute(
            "DELETE FROM deliveries WHERE received_at < ? RETURNING id", (before.timestamp(),)
        )
        return len(rows)
