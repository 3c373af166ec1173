"""Every bot/ test runs isolated from the user's config, data and secrets; `shared` is a
database that bots in several processes open."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.records import read_pack
from tests.conftest import MINI_PACK, Databases, holding, opened_game
from tests.isolation import isolate


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./config.toml, real data dir or platform secrets can leak into a test."""
    isolate(tmp_path, monkeypatch)


@pytest.fixture
async def shared(databases: Databases) -> Path | str:
    """A database on each backend in turn, holding the mini pack, for bots in several
    processes (each opens it as the bot does, through open_store)."""
    pack = read_pack(MINI_PACK)
    if databases.server is None:
        database = databases.new()
        async with opened_game(database, pack):
            return database
    return databases.stack.enter_context(databases.server.database(holding(databases.server, pack)))
