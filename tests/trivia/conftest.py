"""The engine's store, on SQLite, on PostgreSQL and in memory: engine tests run on all
three (this `store` stands in for the SQLite-only one of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import pytest

from db.game import GameStore
from db.postgres.game import PgGameStore
from tests.conftest import game_store, holding, opened_game
from tests.memory_store import MemoryStore
from tests.postgres import Server
from trivia.model import RecordsPack
from trivia.store import AnswerRow, Store


class EngineStore(Store, Protocol):
    """A Store whose answer log the tests can read back."""

    async def answers(self, question_id: int) -> list[AnswerRow]:
        """Locked answers, earliest first."""
        ...


STORES = ("sqlite", "postgresql", "memory")


@asynccontextmanager
async def engine_store(
    request: pytest.FixtureRequest, kind: str, path: Path, *packs: RecordsPack
) -> AsyncIterator[EngineStore]:
    """A fresh store of a kind holding these packs (a SQLite one in a file at `path`, a
    PostgreSQL one on the test server); mypy holds MemoryStore to the Store protocol here."""
    if kind == "memory":
        yield MemoryStore(*packs)
    elif kind == "postgresql":
        server: Server = request.getfixturevalue("pg_server")
        with server.database(holding(server, *packs)) as url:
            async with opened_game(url) as game:
                yield game
    else:
        async with game_store(path, *packs) as sqlite:
            yield sqlite


@pytest.fixture(params=STORES)
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, mini_pack: RecordsPack
) -> AsyncIterator[EngineStore]:
    """The mini pack in a fresh store of each kind."""
    async with engine_store(request, request.param, tmp_path / "game.sqlite3", mini_pack) as made:
        yield made


async def import_pack(store: EngineStore, pack: RecordsPack) -> None:
    """Import a pack into either kind of store, as an admin's import does."""
    if isinstance(store, GameStore | PgGameStore):
        await store.records.import_pack(pack)
    else:
        assert isinstance(store, MemoryStore)
        store.import_pack(pack)
