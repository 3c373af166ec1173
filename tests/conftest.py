"""Shared fixtures: real SQLite files seeded with the test records pack."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest
import yarl

from db.connection import BUSY_TIMEOUT_MS, open_db
from db.game import GameStore
from db.records import read_pack
from trivia.model import Place, RecordsPack
from trivia.schedule import Timing

MINI_PACK = Path(__file__).parent / "data" / "mini_pack.json"
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def restore_discord_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A running bot points discord.py at the fake; put the real URLs back afterwards."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        yarl.URL(str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)),
    )


@pytest.fixture
def mini_pack() -> RecordsPack:
    """Twelve Cup finishes from the research table."""
    return read_pack(MINI_PACK)


@asynccontextmanager
async def game_store(path: Path, *packs: RecordsPack) -> AsyncIterator[GameStore]:
    """A GameStore on a fresh database file holding these packs (reads and writes on
    separate connections, as the bot runs it)."""
    async with open_db(path) as conn, open_db(path) as write_conn:
        game = GameStore(conn, write_conn)
        for pack in packs:
            await game.records.import_pack(pack)
        yield game


@pytest.fixture
async def store(tmp_path: Path, mini_pack: RecordsPack) -> AsyncIterator[GameStore]:
    """A GameStore on a fresh database file holding the mini pack."""
    async with game_store(tmp_path / "game.sqlite3", mini_pack) as game:
        yield game


async def daily_schedules_missed_minutes_ago(db: Path, places: Iterable[Place]) -> None:
    """A daily-question schedule in each place, set yesterday, whose time passed five
    minutes ago (UTC), inside the default grace period, so the bot posts it as soon as it
    connects."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    async with open_db(db) as conn:
        store = GameStore(conn)
        for place in places:
            await store.schedules.add(
                await store.channel_id(place),
                Timing(due, "Etc/UTC"),
                series=None,
                questions=None,
                reveal_at=None,
                now=now - timedelta(days=1),  # set yesterday: today's slot is its to post
            )


QUEUED_BEHIND_A_TIMER_ROUND = 2 * BUSY_TIMEOUT_MS / 1000 + 3
"""How long a command's reply can take while `another_writer` holds the lock: a timer round
that met the lock first holds the bot's one database connection for its own busy wait."""


@contextmanager
def another_writer(db: Path) -> Iterator[None]:
    """Another process holds the database's write lock until the block ends."""
    with closing(sqlite3.connect(db, isolation_level=None)) as blocker:
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
