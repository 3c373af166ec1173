"""Hints taken on SQLite: who took one at which question, and the hint they hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import aiosqlite

from db import stored
from db.transactions import Writer
from trivia.store import AnswerRow

HINT_SQL = "SELECT hint FROM hints WHERE question_id = ? AND player_id = ?"
TAKE_SQL = (
    "INSERT INTO hints (question_id, player_id, hint, taken_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (question_id, player_id) DO NOTHING"
)
HINTED_SQL = "SELECT player_id FROM hints WHERE question_id = ?"


class HintStore:
    """Reads on `conn`, writes through `writer` (as db.game.GameStore does)."""

    def __init__(self, conn: aiosqlite.Connection, writer: Writer) -> None:
        self.conn = conn
        self.writer = writer

    async def hint(self, question_id: int, player_id: int) -> str | None:
        """The hint a player took at a question, if any."""
        rows = list(await self.conn.execute_fetchall(HINT_SQL, (question_id, player_id)))
        return str(rows[0][0]) if rows else None

    async def take(self, question_id: int, player_id: int, text: str, at: datetime) -> str:
        """Keep the hint unless the player holds one already; the one they hold."""

        def take(conn: sqlite3.Connection) -> str:
            conn.execute(TAKE_SQL, (question_id, player_id, text, stored.ts(at)))
            return str(conn.execute(HINT_SQL, (question_id, player_id)).fetchone()[0])

        return await self.writer.transaction(take)

    async def marked(self, question_id: int, answers: Sequence[AnswerRow]) -> list[AnswerRow]:
        """The answers, each marked with whether its player took a hint first."""
        rows = await self.conn.execute_fetchall(HINTED_SQL, (question_id,))
        return mark(answers, {int(row[0]) for row in rows})


def hinted(conn: sqlite3.Connection, question_id: int) -> set[int]:
    """The players who took a hint at a question (inside a transaction)."""
    return {int(row[0]) for row in conn.execute(HINTED_SQL, (question_id,))}


def mark(answers: Sequence[AnswerRow], players: set[int]) -> list[AnswerRow]:
    """Answers marked `hinted` where their player is one of `players`."""
    return [replace(a, hinted=a.player_id in players) for a in answers]
