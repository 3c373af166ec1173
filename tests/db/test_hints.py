"""Hints taken, on both backends (the `database` fixture): one per player and question,
the first kept when requests race, and seen by another connection (a restart, another
process)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from db.backend import is_url
from db.connection import open_db
from db.hints import HintStore
from db.postgres.connection import migrate, open_pool
from db.postgres.hints import PgHintStore
from db.transactions import Writer
from tests.conftest import T0, execute, query
from trivia.store import AnswerRow

SETUP = (
    "INSERT INTO workspaces (id, platform, ref) VALUES (1, 'test', 'w')",
    "INSERT INTO channels (id, workspace_id, ref) VALUES (1, 1, 'c')",
    "INSERT INTO players (workspace_id, ref, display_name) VALUES (1, 'u1', 'Ann'),"
    " (1, 'u2', 'Bo')",  # ids 1 and 2, drawn as a new player's are
    "INSERT INTO rounds (id, channel_id, total, started_at, seed) VALUES (1, 1, 1, 0, 0)",
    "INSERT INTO questions (id, round_id, seq, body, asked_at, closes_at)"
    " VALUES (1, 1, 1, '{}', 0, 30), (2, 1, 2, '{}', 30, 60)",
)
"""A workspace with two players and two questions, in SQL both backends take."""


@asynccontextmanager
async def reopened(database: Path | str) -> AsyncIterator[HintStore | PgHintStore]:
    """The hint store on a new connection to a migrated database (another process)."""
    if is_url(database):
        assert isinstance(database, str)
        async with open_pool(database) as pool:
            await migrate(pool)
            yield PgHintStore(pool)
        return
    async with open_db(database) as conn:
        yield HintStore(conn, Writer(conn))


@asynccontextmanager
async def hints_in(database: Path | str) -> AsyncIterator[HintStore | PgHintStore]:
    """The hint store of a new database holding SETUP."""
    async with reopened(database) as hints:
        for sql in SETUP:
            if isinstance(hints, PgHintStore):
                await hints.pool.execute(sql)
            else:
                await hints.conn.execute(sql)
        if isinstance(hints, HintStore):
            await hints.conn.commit()
        yield hints


def answer(answer_id: int, player_id: int) -> AnswerRow:
    return AnswerRow(answer_id, player_id, "x", 0, None, True, 30, T0)


async def held(database: Path | str) -> list[tuple[Any, ...]]:
    """Every hint kept, as (question, player, hint)."""
    return await query(database, "SELECT question_id, player_id, hint FROM hints ORDER BY 1, 2")


async def test_a_hint_is_kept_once_and_repeated(database: Path | str) -> None:
    """The first hint a player takes at a question is the one kept and given back; a
    second request with other words changes nothing; another connection sees it."""
    async with hints_in(database) as hints:
        assert await hints.take(1, 1, "u1", "Ann", "Not B or D.", T0) == "Not B or D."
        later = T0 + timedelta(seconds=1)
        assert await hints.take(1, 1, "u1", "Ann", "Not A or C.", later) == "Not B or D."
    assert await held(database) == [(1, 1, "Not B or D.")]
    async with reopened(database) as again:
        assert await again.take(1, 1, "u1", "Ann", "Not A or C.", later) == "Not B or D."
        marked = await again.marked(1, [answer(10, 1), answer(11, 2)])
        assert [a.hinted for a in marked] == [True, False]
    assert await held(database) == [(1, 1, "Not B or D.")]


async def test_a_hint_stores_a_new_player_and_is_refused_after_an_answer(
    database: Path | str,
) -> None:
    """A first-seen player is stored with the hint; a player who answered the question
    without a hint is refused one and nothing is kept."""
    async with hints_in(database) as hints:
        assert await hints.take(1, 1, "u3", "Cy", "Not A or B.", T0) == "Not A or B."
        await execute(
            database,
            "INSERT INTO answers (question_id, player_id, workspace_id, answer, points,"
            " answered_at) VALUES (2, 2, 1, 'a', 10, 1)",
        )
        assert await hints.take(2, 1, "u2", "Bo", "Not A or B.", T0) is None
    assert await query(database, "SELECT id, display_name FROM players WHERE ref = 'u3'") == [
        (3, "Cy")
    ]
    assert await held(database) == [(1, 3, "Not A or B.")]


async def test_racing_requests_keep_one_hint(database: Path | str) -> None:
    """Ten requests at once from one player (double clicks, two devices) keep one row,
    and every one of them is told the same hint."""
    async with hints_in(database) as hints:
        given = await asyncio.gather(
            *(hints.take(2, 1, "u2", "Bo", f"hint {n}", T0) for n in range(10))
        )
        assert len(set(given)) == 1
    assert await held(database) == [(2, 2, given[0])]
