"""Hints taken on PostgreSQL: the same store as db.hints.HintStore, in asyncpg."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db import stored
from db.hints import ANSWERED_SQL, HINT_SQL, HINTED_SQL, TAKE_SQL, mark
from db.postgres.connection import Connection, Pool
from db.postgres.placeholders import numbered
from db.postgres.players import store_player
from trivia.store import AnswerRow


class PgHintStore:
    """Who took a hint at which question, in PostgreSQL."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def take(
        self, question_id: int, workspace_id: int, user: str, name: str, text: str, at: datetime
    ) -> str | None:
        """In one transaction: store the player (their row stays locked, so a racing
        request or answer of theirs waits), keep the hint unless they hold one already, and
        give the one they hold; None, keeping nothing, when they answered without one."""
        async with self.pool.acquire() as conn, conn.transaction():
            player_id = await store_player(conn, workspace_id, user, name)
            held = await conn.fetchval(numbered(HINT_SQL), question_id, player_id)
            if held is not None:
                return str(held)
            if await conn.fetchval(numbered(ANSWERED_SQL), question_id, player_id) is not None:
                return None
            await conn.execute(numbered(TAKE_SQL), question_id, player_id, text, stored.ts(at))
            return text

    async def marked(self, question_id: int, answers: Sequence[AnswerRow]) -> list[AnswerRow]:
        """The answers, each marked with whether its player took a hint first."""
        return mark(answers, await hinted(self.pool, question_id))


async def hinted(conn: Connection | Pool, question_id: int) -> set[int]:
    """The players who took a hint at a question (on a transaction's connection, inside a
    reveal, so the reveal settles what it reads)."""
    return {int(row[0]) for row in await conn.fetch(numbered(HINTED_SQL), question_id)}
