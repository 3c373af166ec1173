"""Appending to the answer log: answers that arrive together share one commit."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from db.standings import Change, count_changes, settle_places
from db.transactions import Writer
from trivia.standings import Outcome
from trivia.store import Lock

# One statement inserts a batch; its scoring is written in the same transaction, so an
# answer is either fully counted or not written at all.
MAX_BATCH = 500  # 10 parameters an answer, well inside SQLite's variable limit


def _insert(count: int) -> str:
    """One INSERT for `count` answers; RETURNING names the rows actually written."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * count)
    return (
        "INSERT INTO answers (question_id, player_id, workspace_id, answer, choice_index,"
        " value, correct, points, answered_at, settle_seq)"
        " SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6,"
        f" v.column7, v.column8, v.column9, v.column10 FROM (VALUES {values}) AS v"
        " JOIN questions q ON q.id = v.column1 AND q.revealed_at IS NULL"
        " WHERE true ON CONFLICT (question_id, player_id) DO NOTHING"
        " RETURNING question_id, player_id"
    )


UPSERT_PLAYER = (
    "INSERT INTO players (workspace_id, ref, display_name) VALUES (?, ?, ?)"
    " ON CONFLICT (workspace_id, ref) DO UPDATE SET display_name = excluded.display_name"
    " WHERE display_name IS NOT excluded.display_name"
)
"""A player on first sight, renamed when their display name changed (else no write)."""
PLAYER_ID = "SELECT id FROM players WHERE workspace_id = ? AND ref = ?"
HINTED_SQL = "SELECT question_id, player_id FROM hints WHERE question_id IN ({})"


@dataclass(frozen=True)
class LoggedAnswer:
    """One answer to append: who (the player's ref and display name in a workspace) and
    what, in column order; `hinted_points` replaces `points` if the player took a hint at
    the question (read in the answer's transaction, so a hint taken just before counts)."""

    question_id: int
    workspace_id: int
    user: str
    name: str
    answer: str
    choice_index: int | None
    value: float | None
    correct: int | None
    points: int
    hinted_points: int
    answered_at: float

    def outcome(self) -> Outcome:
        """What the answer counts for when locked in."""
        return Outcome(self.points, None if self.correct is None else bool(self.correct))

    def row(self, player_id: int, settle_seq: int | None) -> tuple[Any, ...]:
        """Parameters for the insert."""
        return (
            self.question_id,
            player_id,
            self.workspace_id,
            self.answer,
            self.choice_index,
            self.value,
            self.correct,
            self.points,
            self.answered_at,
            settle_seq,
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
    """In one transaction: refuse answers to questions already revealed, store each
    answering player (created or renamed), insert the rest with one statement, count the
    answers that landed into the standings (settled in batch order), each scoring its
    hinted points where its player holds a hint at its question, and say what became of
    each answer."""
    asked = sorted({a.question_id for a in answers})
    still_open = {
        row[0]
        for row in conn.execute(
            "SELECT id FROM questions WHERE revealed_at IS NULL"
            f" AND id IN ({','.join('?' * len(asked))})",
            asked,
        )
    }
    locks = [Lock.DUPLICATE if a.question_id in still_open else Lock.CLOSED for a in answers]
    taken = [i for i, a in enumerate(answers) if a.question_id in still_open]
    if not taken:
        return locks
    ids = _player_ids(conn, [answers[i] for i in taken])
    hinted = _hinted(conn, sorted(still_open))
    answers = [
        replace(a, points=a.hinted_points)
        if a.question_id in still_open and (a.question_id, ids[a.workspace_id, a.user]) in hinted
        else a
        for a in answers
    ]
    outcomes = {i: answers[i].outcome() for i in taken}
    places = settle_places(conn, [(None, outcomes[i]) for i in taken])
    rows = [
        answers[i].row(ids[answers[i].workspace_id, answers[i].user], place)
        for i, place in zip(taken, places, strict=True)
    ]
    written = conn.execute(_insert(len(rows)), [value for row in rows for value in row])
    landed = {(row[0], row[1]) for row in written.fetchall()}
    changes = []
    for i, row in zip(taken, rows, strict=True):
        if (row[0], row[1]) in landed:  # the batch's first answer of a player to a question
            landed.discard((row[0], row[1]))
            locks[i] = Lock.LOCKED
            changes.append(Change(row[2], row[1], answers[i].answered_at, None, outcomes[i]))
    count_changes(conn, changes)
    return locks


def _player_ids(
    conn: sqlite3.Connection, answers: list[LoggedAnswer]
) -> dict[tuple[int, str], int]:
    """Store the answering players (the latest name in the batch wins) and their ids."""
    names = {(a.workspace_id, a.user): a.name for a in answers}
    conn.executemany(UPSERT_PLAYER, [(*key, name) for key, name in names.items()])
    return {key: conn.execute(PLAYER_ID, key).fetchone()[0] for key in names}


def _hinted(conn: sqlite3.Connection, question_ids: list[int]) -> set[tuple[int, int]]:
    """The (question, player) pairs holding a hint among these questions."""
    sql = HINTED_SQL.format(",".join("?" * len(question_ids)))
    return {(int(q), int(p)) for q, p in conn.execute(sql, question_ids)}
