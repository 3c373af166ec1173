"""Work that runs on a connection's own database thread, in one trip from the event loop.

aiosqlite sends each statement to its thread separately, and every trip waits for the
event loop to come round again: a five-statement transaction held the write lock for
five loop turns under load. Here a transaction or a group of reads is one plain function
over the sqlite3 connection, run on that thread in a single trip (the maintainer's
suggestion in omnilib/aiosqlite#19). aiosqlite has no public call for it, so this module
is the one place that uses its queue (`Connection._execute`); the version is pinned.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


async def on_thread(conn: aiosqlite.Connection, work: Work[T]) -> T:
    """Run `work(sqlite3_connection)` on the connection's thread, between its other calls."""
    raw = conn._conn  # private: see the module docstring
    result: T = await conn._execute(work, raw)  # type: ignore[no-untyped-call]
    return result


def _in_transaction(work: Work[T], raw: sqlite3.Connection) -> T:
    raw.execute("BEGIN IMMEDIATE")
    try:
        result = work(raw)
        if isinstance(result, sqlite3.Cursor):
            # Finalised later on the event loop's thread, a cursor races the database
            # thread's next statement ("bad parameter or other API misuse").
            raise TypeError("a transaction must not return a cursor")
    except BaseException:
        raw.rollback()
        raise
    raw.commit()
    return result


class Writer:
    """Every write goes through here. The connection's thread runs one call at a time, in
    the order they were made, and a transaction is one call: so transactions never
    interleave, and a queue of them runs back to back without waiting for the event loop."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def transaction(self, work: Work[T]) -> T:
        """Run `work` inside BEGIN IMMEDIATE ... COMMIT, rolled back if it raises.

        It runs to the end on the database thread even if the caller is cancelled, so a
        transaction is always committed or rolled back whole."""
        return await on_thread(self.conn, lambda raw: _in_transaction(work, raw))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Run one statement on its own (atomic by itself) and return its rows."""
        return list(await self.conn.execute_fetchall(sql, tuple(params)))
