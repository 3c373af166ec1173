"""Shared fixtures: real SQLite files seeded with the test records pack, and real
PostgreSQL databases on a server the suite starts itself (tests/postgres.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import ExitStack, asynccontextmanager, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import discord
import pytest
import yarl

from db.backend import open_store
from db.connection import BUSY_TIMEOUT_MS, open_db
from db.game import GameStore
from db.postgres.game import PgGameStore
from db.records import read_pack
from tests.postgres import (
    HOW_TO_ENABLE,
    MIGRATED,
    NO_BINARIES,
    Server,
    StartError,
    find_bin,
    in_ci,
    running_server,
)
from trivia.model import Place, RecordsPack
from trivia.schedule import Timing

AnyGame = GameStore | PgGameStore
"""The game store of either backend."""
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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A PostgreSQL server for this test session (one per xdist worker), started on first
    use; the tests that use it skip with one line when there are no server binaries, except
    in CI, where they fail."""
    bin_dir = find_bin()
    if bin_dir is None:
        if in_ci():
            pytest.fail(f"PostgreSQL tests must run in CI (CI=true): {NO_BINARIES}", pytrace=False)
        pytest.skip(HOW_TO_ENABLE)
    with ExitStack() as stack:
        try:
            server = stack.enter_context(running_server(bin_dir))
        except StartError as exc:
            pytest.fail(f"PostgreSQL did not start ({bin_dir}): {exc}", pytrace=False)
        yield server


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    with pg_server.database() as url:
        yield url


BACKENDS = ("sqlite", "postgresql")


class Databases:
    """New, empty databases of one backend for a test, each named as `[database] path` or
    `url` names it: SQLite files in the test's folder, or databases on the test server."""

    def __init__(self, backend: str, folder: Path, server: Server | None, stack: ExitStack):
        self.backend, self.folder, self.server, self.stack = backend, folder, server, stack
        self.made = 0

    def new(self, *, migrated: bool = False) -> Path | str:
        """Another new database (a SQLite file is made and migrated when first opened;
        `migrated`: a PostgreSQL one is made holding the migrations already)."""
        self.made += 1
        if self.server is None:
            return self.folder / f"db{self.made}.sqlite3"
        template = self.server.template(MIGRATED) if migrated else "template0"
        return self.stack.enter_context(self.server.database(template))


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """New databases on each backend in turn: the same test runs on SQLite and PostgreSQL."""
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    with ExitStack() as stack:
        yield Databases(request.param, tmp_path, server, stack)


@pytest.fixture
def database(databases: Databases) -> Path | str:
    """A new database on each backend in turn (see `databases`)."""
    return databases.new()


async def query(database: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one query, read on a connection of its own as another client would."""
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as file:
            return [tuple(row) for row in file.execute(sql)]
    server = await asyncpg.connect(database)
    try:
        return [tuple(row) for row in await server.fetch(sql)]
    finally:
        await server.close()


async def execute(database: Path | str, sql: str) -> None:
    """Run one statement and commit it, on a connection of its own as another client would."""
    if isinstance(database, Path):
        with closing(sqlite3.connect(database)) as file, file:
            file.execute(sql)
        return
    server = await asyncpg.connect(database)
    try:
        await server.execute(sql)
    finally:
        await server.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end, why the PostgreSQL tests were skipped and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(HOW_TO_ENABLE in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_line(HOW_TO_ENABLE)


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


@asynccontextmanager
async def opened_game(database: Path | str, *packs: RecordsPack) -> AsyncIterator[AnyGame]:
    """The game store of a database of either backend (as db.backend.open_store opens it
    for the bot), holding these packs."""
    async with open_store(database) as stores:
        for pack in packs:
            await stores.records.import_pack(pack)
        yield stores.game


def holding(server: Server, *packs: RecordsPack) -> str:
    """A template database on the server holding these packs (importing the shipped packs
    takes seconds: a template copy holds them at once)."""

    async def holding_packs(url: str) -> None:
        async with opened_game(url, *packs):
            pass

    digest = hashlib.sha256(repr(packs).encode()).hexdigest()[:16]
    return server.template(f"packs_{digest}", holding_packs)


@pytest.fixture
def migrated(databases: Databases) -> Path | str:
    """A new database on each backend in turn, its migrations applied (on PostgreSQL
    copied from a migrated template: quicker than migrating each)."""
    return databases.new(migrated=True)


@pytest.fixture
async def game(migrated: Path | str, mini_pack: RecordsPack) -> AsyncIterator[AnyGame]:
    """The game store of a new database on each backend in turn, holding the mini pack."""
    async with opened_game(migrated, mini_pack) as opened:
        yield opened


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
