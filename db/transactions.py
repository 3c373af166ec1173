"""Serialized writes on one shared aiosqlite connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite


class Writer:
    """Every write goes through here, so concurrent tasks never share a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back if the body raises or is cancelled."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await asyncio.shield(self.conn.rollback())
                raise
            await self.conn.commit()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Run one statement on its own (atomic by itself) and return its rows."""
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))
