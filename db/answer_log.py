"""Appending to the answer log: answers that arrive together share one commit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from db.transactions import Writer
from trivia.store import Lock

# One statement per answer: the triggers score it inside the same statement, so an
# answer is either fully counted or not written at all.
MAX_BATCH = 500  # 8 parameters an answer, well inside SQLite's variable limit


def _insert(count: int) -> str:
    """One INSERT for `count` answers; RETURNING names the rows actually written."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * count)
    return (
        "INSERT INTO answers (question_id, player_id, workspace_id, answer, choice_index,"
        " value, correct, points, answered_at)"
        " SELECT v.column1, v.column2, p.workspace_id, v.column3, v.column4, v.column5,"
        f" v.column6, v.column7, v.column8 FROM (VALUES {values}) AS v"
        " JOIN questions q ON q.id = v.column1 AND q.revealed_at IS NULL"
        " JOIN players p ON p.id = v.column2"
        " WHERE true ON CONFLICT (question_id, player_id) DO NOTHING"
        " RETURNING question_id, player_id, answer, answered_at"
    )


@dataclass(frozen=True)
class LoggedAnswer:
    """One answer to append, in column order."""

    question_id: int
    player_id: int
    answer: str
    choice_index: int | None
    value: float | None
    correct: int | None
    points: int
    answered_at: float

    def row(self) -> tuple[Any, ...]:
        """Parameters for the insert."""
        return (
            self.question_id,
            self.player_id,
            self.answer,
            self.choice_index,
            self.value,
            self.correct,
            self.points,
            self.answered_at,
        )


class AnswerLog:
    """Group commit: answers that queue up while a write is in flight are inserted
    together by one statement (a lone answer is a batch of one). Every caller learns
    its own outcome only after that statement has committed."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self._pending: list[tuple[LoggedAnswer, asyncio.Future[Lock]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def append(self, answer: LoggedAnswer) -> Lock:
        """Write one answer; LOCKED, or DUPLICATE / CLOSED when nothing was written."""
        future: asyncio.Future[Lock] = asyncio.get_running_loop().create_future()
        self._pending.append((answer, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                outcomes = await self._write([answer for answer, _ in batch])
            except Exception as exc:  # every waiter hears of the failure
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                future.set_result(outcome)

    async def _write(self, answers: list[LoggedAnswer]) -> list[Lock]:
        """Insert a batch in one statement (atomic on its own, triggers included)."""
        written = await self.writer.execute(
            _insert(len(answers)), [value for a in answers for value in a.row()]
        )
        landed = {tuple(row) for row in written}
        claimed: set[tuple[int, int]] = set()
        outcomes = []
        for a in answers:
            key = (a.question_id, a.player_id)
            if key not in claimed and (*key, a.answer, a.answered_at) in landed:
                claimed.add(key)
                outcomes.append(Lock.LOCKED)
            else:
                outcomes.append(Lock.CLOSED)
        refused = {a.question_id for a, o in zip(answers, outcomes, strict=True) if o != "locked"}
        if refused:
            marks = ",".join("?" * len(refused))
            rows = await self.writer.conn.execute_fetchall(
                f"SELECT id FROM questions WHERE revealed_at IS NULL AND id IN ({marks})",
                tuple(refused),
            )
            still_open = {row[0] for row in rows}
            outcomes = [
                Lock.DUPLICATE if o is Lock.CLOSED and a.question_id in still_open else o
                for a, o in zip(answers, outcomes, strict=True)
            ]
        return outcomes
