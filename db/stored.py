"""How stored rows read back as model objects: questions (a versioned JSON format),
open questions and answers."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from trivia.daily import DailyInfo
from trivia.model import Choice, Difficulty, Place, Question, QuestionKind, Source
from trivia.store import AnswerRow, OpenQuestion

OPEN_QUESTION_SQL = (
    "SELECT q.id, q.round_id, q.seq, r.total, q.body, q.asked_at, q.closes_at,"
    " w.platform, w.ref, c.ref, d.number, d.local_date, d.previous_date"
    " FROM questions q JOIN rounds r ON r.id = q.round_id"
    " JOIN channels c ON c.id = r.channel_id JOIN workspaces w ON w.id = c.workspace_id"
    " LEFT JOIN dailies d ON d.question_id = q.id"
)
ANSWERS_SQL = (
    "SELECT a.id, a.player_id, p.display_name, a.choice_index, a.value, a.correct,"
    " a.points, a.answered_at FROM answers a JOIN players p ON p.id = a.player_id"
    " WHERE a.question_id = ? ORDER BY a.answered_at, a.id"
)


def ts(moment: datetime) -> float:
    """A time as stored (seconds since the epoch)."""
    return moment.timestamp()


def dt(value: float) -> datetime:
    """A stored time as a UTC datetime."""
    return datetime.fromtimestamp(value, UTC)


QUESTION_FORMAT = 2
"""Stored questions carry their format; 1 (no 'format' key) lacks answer_step."""


def question_to_json(question: Question) -> str:
    """Serialize a question for the questions table."""
    data = {"format": QUESTION_FORMAT, **asdict(question)}
    return json.dumps(data, default=str, ensure_ascii=False)


@lru_cache(maxsize=1024)
def question_from_json(text: str) -> Question:
    """Rebuild a question stored by question_to_json, of this or an earlier format (cached:
    questions never change). Fields added since default; fields it does not know (written
    by a newer version) are ignored."""
    data: dict[str, Any] = json.loads(text)
    return Question(
        kind=QuestionKind(data["kind"]),
        difficulty=Difficulty(data["difficulty"]),
        prompt=data["prompt"],
        choices=tuple(
            Choice(c["label"], tuple(c["accepts"]), c["number"]) for c in data["choices"]
        ),
        answer_index=data["answer_index"],
        answer_value=data["answer_value"],
        answer_text=data["answer_text"],
        explanation=data["explanation"],
        sources=tuple(
            Source(
                s["title"],
                s["publisher"],
                s["url"],
                date.fromisoformat(s["published"]) if s["published"] else None,
            )
            for s in data["sources"]
        ),
        event_keys=tuple(data["event_keys"]),
        caveat=data.get("caveat"),
        answer_step=data.get("answer_step"),
    )


def open_question(row: Any) -> OpenQuestion:
    """A row of OPEN_QUESTION_SQL."""
    return OpenQuestion(
        id=row[0],
        round_id=row[1],
        seq=row[2],
        total=row[3],
        question=question_from_json(row[4]),
        asked_at=dt(row[5]),
        closes_at=dt(row[6]),
        place=Place(row[7], row[8], row[9]),
        daily=None
        if row[10] is None
        else DailyInfo(
            row[10],
            date.fromisoformat(row[11]),
            None if row[12] is None else date.fromisoformat(row[12]),
        ),
    )


def answer_row(row: Any) -> AnswerRow:
    """A row of ANSWERS_SQL."""
    return AnswerRow(
        id=row[0],
        player_id=row[1],
        player_name=row[2],
        choice_index=row[3],
        value=row[4],
        correct=None if row[5] is None else bool(row[5]),
        points=row[6],
        answered_at=dt(row[7]),
    )
