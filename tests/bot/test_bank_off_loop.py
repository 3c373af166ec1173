"""The question bank is built off the event loop: a process answering interactions does not
stall while records change (326 ms at 5,000 records)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import index_off_loop
from db.records import shipped_packs
from tests.conftest import game_store
from tests.memory_store import MemoryStore
from trivia.engine import Engine, Indexer
from trivia.settings import Settings


async def _ticks_while(engine: Engine) -> int:
    """How often another task ran on the loop while the engine built its bank."""
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    ticks = 0
    await engine.bank()
    stop = True
    await task
    return ticks


def _engine(indexer: Indexer | None = None) -> Engine:
    store = MemoryStore(*(pack for pack, _ in shipped_packs()))
    return Engine(store, defaults=Settings(), seed=1, indexer=indexer)


async def test_the_loop_runs_other_work_while_the_bank_is_built() -> None:
    """Built inline, nothing else runs until the bank is done; built by the shell's indexer,
    other work goes on, and concurrent requests share one build."""
    inline = _engine()
    assert await _ticks_while(inline) <= 1
    off = Engine(
        MemoryStore(*(p for p, _ in shipped_packs())),
        defaults=Settings(),
        seed=1,
        indexer=index_off_loop,
    )
    assert await _ticks_while(off) > 1
    again = Engine(
        MemoryStore(*(p for p, _ in shipped_packs())),
        defaults=Settings(),
        seed=1,
        indexer=index_off_loop,
    )
    first, second = await asyncio.gather(again.bank(), again.bank())
    assert first is second


async def test_requests_during_the_records_load_share_one_bank(tmp_path: Path) -> None:
    """On SQLite the records load takes trips to the database thread: requests arriving
    meanwhile (a burst of /trivia play at start) share that one load and build."""
    async with game_store(tmp_path / "game.sqlite3") as store:
        await store.records.seed()
        engine = Engine(store, defaults=Settings(), seed=1, indexer=index_off_loop)
        banks = await asyncio.gather(*(engine.bank() for _ in range(8)))
    assert all(bank is banks[0] for bank in banks)
