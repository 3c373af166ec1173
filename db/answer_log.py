"""Appending to the answer log: answers that arrive together share one commit."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from typing import Any

from db.standings import Change, count_changes, settle_places
from db.transactions import Writer
from trivia.standings import Outcome
from trivia.store import Lock

# One statement inserts a batch; its scoring is written in the same transaction, so an
# answer is either fully counted or not written at all.
MAX_BATCH = 500  # 9 parameters an answer, well inside SQLite's variable limit


def _insert(count: int) -> str:
    """One INSERT for `count` answers; RETURNING names the rows actually written."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * count)
    return (
        "INSERT INTO answers (question_id, player_id, workspace_id, answer, choice_index,"
        " value, correct, points, answered_at, settle_seq)"
        " SELECT v.column1, v.column2, p.workspace_id, v.column3, v.column4, v.column5,"
        f" v.column6, v.column7, v.column8, v.column9 FROM (VALUES {values}) AS v"
        " JOIN questions q ON q.id = v.column1 AND q.revealed_at IS NULL"
        " JOIN players p ON p.id = v.column2"
        " WHERE true ON CONFLICT (question_id, player_id) DO NOTHING"
        " RETURNING question_id, player_id, answer, answered_at, workspace_id"
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
        """Insert and score a batch in one transaction, on the database thread."""
        return await self.writer.transaction(lambda conn: _append(conn, answers))


def _append(conn: sqlite3.Connection, answers: list[LoggedAnswer]) -> list[Lock]:
    """Insert a batch with one statement, count the answers that landed into the
    standings (settled in batch order), and say what became of each answer."""
    outcomes = [Outcome(a.points, None if a.correct is None else bool(a.correct)) for a in answers]
    places = settle_places(conn, [(None, outcome) for outcome in outcomes])
    written = conn.execute(
        _insert(len(answers)),
        [value for a, place in zip(answers, places, strict=True) for value in (*a.row(), place)],
    ).fetchall()
    landed = {tuple(row[:4]): row[4] for row in written}
    claimed: set[tuple[int, int]] = set()
    locks = []
    changes = []
    for a, outcome in zip(answers, outcomes, strict=True):
        key = (a.question_id, a.player_id)
        workspace_id = landed.get((*key, a.answer, a.answered_at))
        if key not in claimed and workspace_id is not None:
            claimed.add(key)
            locks.append(Lock.LOCKED)
            changes.append(Change(workspace_id, a.player_id, a.answered_at, None, outcome))
        else:
            locks.append(Lock.CLOSED)
    count_changes(conn, changes)
    refused = {a.question_id for a, lock in zip(answers, locks, strict=True) if lock != "locked"}
    if refused:
        marks = ",".join("?" * len(refused))
        rows = conn.execute(
            f"SELECT id FROM questions WHERE revealed_at IS NULL AND id IN ({marks})",
            tuple(refused),
        )
        still_open = {row[0] for row in rows}
        locks = [
            Lock.DUPLICATE if lock is Lock.CLOSED and a.question_id in still_open else lock
            for a, lock in zip(answers, locks, strict=True)
        ]
    return locks
