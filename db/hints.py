"""Hints taken on SQLite: who took one at which question, and the hint they hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import aiosqlite

from db import stored
from db.answer_log import PLAYER_ID, UPSERT_PLAYER
from db.transactions import Writer
from trivia.store import AnswerRow

HINT_SQL = "SELECT hint FROM hints WHERE question_id = ? AND player_id = ?"
ANSWERED_SQL = "SELECT 1 FROM answers WHERE question_id = ? AND player_id = ?"
TAKE_SQL = "INSERT INTO hints (question_id, player_id, hint, taken_at) VALUES (?, ?, ?, ?)"
HINTED_SQL = "SELECT player_id FROM hints WHERE question_id = ?"


class HintStore:
    """Reads on `conn`, writes through `writer` (as db.game.GameStore does)."""

    def __init__(self, conn: aiosqlite.Connection, writer: Writer) -> None:
        self.conn = conn
        self.writer = writer

    async def take(
        self, question_id: int, workspace_id: int, user: str, name: str, text: str, at: datetime
    ) -> str | None:
        """In one transaction: store the player (created on first sight, renamed), keep the
        hint unless they hold one already, and give the one they hold; None, keeping
        nothing, when they answered the question without a hint."""

        def take(conn: sqlite3.Connection) -> str | None:
            conn.execute(UPSERT_PLAYER, (workspace_id, user, name))
            [player_id] = conn.execute(PLAYER_ID, (workspace_id, user)).fetchone()
            held = conn.execute(HINT_SQL, (question_id, player_id)).fetchone()
            if held is not None:
                return str(held[0])
            if conn.execute(ANSWERED_SQL, (question_id, player_id)).fetchone() is not None:
                return None
            conn.execute(TAKE_SQL, (question_id, player_id, text, stored.ts(at)))
            return text

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
