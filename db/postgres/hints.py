"""Hints taken on PostgreSQL: the same store as db.hints.HintStore, in asyncpg."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db import stored
from db.hints import mark
from db.postgres.connection import Connection, Pool
from trivia.store import AnswerRow

HINT_SQL = "SELECT hint FROM hints WHERE question_id = $1 AND player_id = $2"
HINTED_SQL = "SELECT player_id FROM hints WHERE question_id = $1"


class PgHintStore:
    """Who took a hint at which question, in PostgreSQL."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def hint(self, question_id: int, player_id: int) -> str | None:
        """The hint a player took at a question, if any."""
        found = await self.pool.fetchval(HINT_SQL, question_id, player_id)
        return None if found is None else str(found)

    async def take(self, question_id: int, player_id: int, text: str, at: datetime) -> str:
        """Keep the hint unless the player holds one already; the one they hold (a racing
        request's row is waited for by the insert, then read back)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO hints (question_id, player_id, hint, taken_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (question_id, player_id) DO NOTHING",
                question_id,
                player_id,
                text,
                stored.ts(at),
            )
            return str(await conn.fetchval(HINT_SQL, question_id, player_id))

    async def marked(self, question_id: int, answers: Sequence[AnswerRow]) -> list[AnswerRow]:
        """The answers, each marked with whether its player took a hint first."""
        return mark(answers, await hinted(self.pool, question_id))


async def hinted(conn: Connection | Pool, question_id: int) -> set[int]:
    """The players who took a hint at a question (on a transaction's connection, inside a
    reveal, so the reveal settles what it reads)."""
    return {int(row[0]) for row in await conn.fetch(HINTED_SQL, question_id)}
