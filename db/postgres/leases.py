"""Leases and platform deliveries on PostgreSQL: the same stores as db.leases, in asyncpg.

A concurrent upsert of the same name waits for the other's row lock and then re-checks the
condition against the row it committed, so two processes never both take one lease; names
are taken in order, so two multi-name takes cannot deadlock."""

from __future__ import annotations

from datetime import datetime

from db.postgres.connection import Pool


class PgLeaseStore:
    """Named leases (implements bot.stores.Leases)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def take(self, names: list[str], holder: str, now: datetime, until: datetime) -> set[str]:
        """Hold each of `names` until `until` where it is free, expired before `now`, or
        `holder`'s already; the names `holder` now holds."""
        if not names:
            return set()
        rows = await self.pool.fetch(
            "INSERT INTO leases (name, holder, expires_at)"
            " SELECT n, $2, $3 FROM unnest($1::text[]) AS n ORDER BY n"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.expires_at < $4 OR leases.holder = excluded.holder RETURNING name",
            sorted(names),
            holder,
            until.timestamp(),
            now.timestamp(),
        )
        return {str(row[0]) for row in rows}

    async def release(self, names: list[str], holder: str) -> None:
        """Give up those of `names` that `holder` holds: they are free at once."""
        await self.pool.execute(
            "DELETE FROM leases WHERE holder = $1 AND name = ANY($2::text[])", holder, names
        )


class PgDeliveryStore:
    """Platform deliveries already taken (implements bot.stores.Deliveries)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def first(self, delivery_id: str, now: datetime) -> bool:
        """Store a delivery's id; True if no process had stored it before."""
        stored = await self.pool.fetchval(
            "INSERT INTO deliveries (id, received_at) VALUES ($1, $2)"
            " ON CONFLICT (id) DO NOTHING RETURNING id",
            delivery_id,
            now.timestamp(),
        )
        return stored is not None

    async def prune(self, before: datetime) -> int:
        """Forget deliveries received before `before`; how many."""
        rows = await self.pool.fetch(
            "DELETE FROM deliveries WHERE received_at < $1 RETURNING id", before.timestamp()
        )
        return len(rows)
