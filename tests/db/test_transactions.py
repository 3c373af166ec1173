"""Transactions run whole on the database thread: all or nothing, one at a time."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db.connection import open_db
from db.game import GameStore
from db.transactions import Writer


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "t.sqlite3"


@pytest.fixture
async def writer(path: Path) -> AsyncIterator[Writer]:
    """A Writer on a fresh database file at `path`."""
    async with open_db(path) as conn:
        yield Writer(conn)


def states(path: Path) -> dict[str, str]:
    """bot_state as a plain reader sees it."""
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT name, value FROM bot_state").fetchall())


def put(conn: sqlite3.Connection, name: str, value: str) -> None:
    conn.execute("INSERT INTO bot_state (name, value) VALUES (?, ?)", (name, value))


async def test_a_failing_transaction_writes_nothing_and_the_next_one_commits(
    writer: Writer, path: Path
) -> None:
    def half_then_fail(raw: sqlite3.Connection) -> None:
        put(raw, "first", "1")
        put(raw, "first", "again")  # primary key: IntegrityError

    with pytest.raises(sqlite3.IntegrityError):
        await writer.transaction(half_then_fail)
    assert states(path) == {}
    assert not writer.conn.in_transaction

    await writer.transaction(lambda raw: put(raw, "second", "2"))
    assert states(path) == {"second": "2"}


async def test_a_cancelled_caller_still_gets_its_transaction_committed_whole(
    writer: Writer, path: Path
) -> None:
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_pair(raw: sqlite3.Connection) -> None:
        put(raw, "a", "1")
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.2)  # the caller is cancelled meanwhile
        put(raw, "b", "2")

    task = asyncio.create_task(writer.transaction(slow_pair))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The next write queues behind it on the same thread and sees both rows.
    await writer.transaction(lambda raw: put(raw, "c", "3"))
    assert states(path) == {"a": "1", "b": "2", "c": "3"}


async def test_concurrent_read_modify_write_transactions_never_interleave(
    writer: Writer, path: Path
) -> None:
    await writer.execute("INSERT INTO bot_state (name, value) VALUES ('n', '0')")

    def increment(raw: sqlite3.Connection) -> int:
        (value,) = raw.execute("SELECT value FROM bot_state WHERE name = 'n'").fetchone()
        raw.execute("UPDATE bot_state SET value = ? WHERE name = 'n'", (int(value) + 1,))
        return int(value) + 1

    seen = await asyncio.gather(*(writer.transaction(increment) for _ in range(50)))
    assert sorted(seen) == list(range(1, 51))
    assert states(path) == {"n": "50"}


async def test_many_concurrent_daily_deals_never_misuse_the_connection(path: Path) -> None:
    """Hundreds of channels dealing the daily at once (a fan-out of schedules): every deal
    lands. A deal used to hand its cursor back to the event loop, which finalised it while
    the database thread ran the next statement: 8 in 6,000 failed with "bad parameter or
    other API misuse"."""
    async with open_db(path) as conn, open_db(path) as write_conn:
        store = GameStore(conn, write_conn)

        async def deal(number: int) -> None:
            await store.save_deal("all", number * 10, [f"k{i}" for i in range(10)])
            await store.writer.execute("SELECT count(*) FROM daily_deal")

        for wave in range(10):
            await asyncio.gather(*(deal(wave * 200 + i) for i in range(200)))
        [(count,)] = await store.writer.execute("SELECT count(*) FROM daily_deal")
    assert count == 20_000


async def test_a_transaction_that_returns_a_cursor_is_refused_and_rolled_back(
    writer: Writer, path: Path
) -> None:
    """Returning a cursor from a transaction is a programming error caught at once."""
    with pytest.raises(TypeError, match="cursor"):
        await writer.transaction(
            lambda conn: conn.execute("INSERT INTO bot_state (name, value) VALUES ('x', '1')")
        )
    assert states(path) == {}
