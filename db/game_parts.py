"""What the game store does the same on both backends: its SQL (written with SQLite's
placeholders; PostgreSQL's store numbers them), the rows it writes, and the methods that
only pass through to the records and schedule stores."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, time
from typing import Any, Protocol

from db import standings, stored
from db.records import BaseRecordsStore
from trivia.bank import Records
from trivia.model import Place
from trivia.schedule import Schedule, Timing
from trivia.standings import Outcome
from trivia.store import AnswerRow, NextQuestion, OpenQuestion, Revealed, Settled

ROUND_SCORES_SQL = (
    "SELECT p.display_name, sum(a.points) AS total FROM answers a"
    " JOIN questions q ON q.id = a.question_id JOIN players p ON p.id = a.player_id"
    " WHERE q.round_id = ? GROUP BY a.player_id, p.display_name"
    " ORDER BY total DESC, p.display_name {collate}"
)
"""Each player's points in a round, best first, ties by name ({collate}: names sort by code
point on both backends)."""
START_ROUND_SQL = (
    "INSERT INTO rounds (channel_id, total, started_at, seed, lane)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
)
INSERT_QUESTION_SQL = (
    "INSERT INTO questions (round_id, seq, body, asked_at, closes_at, subject)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"
)
CLOSE_SQL = "UPDATE questions SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL RETURNING id"
END_ROUND_SQL = "UPDATE rounds SET ended_at = ? WHERE id = ?"
RESCORE_SQL = (
    "UPDATE answers SET points = ?, correct = ?, settle_seq = coalesce(?, settle_seq) WHERE id = ?"
)
OPEN_IN_LANE_SQL = (
    stored.OPEN_QUESTION_SQL + " WHERE r.channel_id = ? AND r.lane = ? AND r.ended_at IS NULL"
    " AND q.revealed_at IS NULL"
)
DUE_SQL = stored.OPEN_QUESTION_SQL + " WHERE q.revealed_at IS NULL AND q.closes_at <= ?"
NEXT_DEADLINE_SQL = (
    "SELECT min(q.closes_at) FROM questions q JOIN rounds r ON r.id = q.round_id"
    " JOIN channels c ON c.id = r.channel_id JOIN workspaces w ON w.id = c.workspace_id"
    " WHERE q.revealed_at IS NULL"
)
SUBJECTS_SQL = (
    "SELECT q.subject FROM rounds r JOIN questions q ON q.round_id = r.id"
    " WHERE r.channel_id = ? AND r.lane = 'play' AND q.subject IS NOT NULL"
    " ORDER BY r.id DESC, q.seq DESC LIMIT ?"
)
SETTINGS_SQL = "SELECT name, value FROM workspace_settings WHERE workspace_id = ?"
SET_SETTING_SQL = (
    "INSERT INTO workspace_settings (workspace_id, name, value) VALUES (?, ?, ?)"
    " ON CONFLICT (workspace_id, name) DO UPDATE SET value = excluded.value"
)
CLEAR_SETTING_SQL = "DELETE FROM workspace_settings WHERE workspace_id = ? AND name = ?"
GET_STATE_SQL = "SELECT value FROM bot_state WHERE name = ?"
SET_STATE_SQL = (
    "INSERT INTO bot_state (name, value) VALUES (?, ?)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)
LATEST_DAILY_SQL = (
    stored.OPEN_QUESTION_SQL + " WHERE r.channel_id = ? AND r.lane = 'daily'"
    " AND q.revealed_at IS NOT NULL{which} ORDER BY d.local_date DESC, q.id DESC LIMIT 1"
)
"""A channel's latest revealed daily question ({which}: or the one asked for)."""
FIND_PLAYER_SQL = "SELECT id FROM players WHERE workspace_id = ? AND ref = ?"
FIND_WORKSPACE_SQL = "SELECT id FROM workspaces WHERE platform = ? AND ref = ?"
SAVE_WORKSPACE_SQL = (
    "INSERT INTO workspaces (platform, ref) VALUES (?, ?) ON CONFLICT (platform, ref)"
    " DO UPDATE SET ref = excluded.ref RETURNING id"
)
FIND_CHANNEL_SQL = (
    "SELECT c.id FROM channels c JOIN workspaces w ON w.id = c.workspace_id"
    " WHERE w.platform = ? AND w.ref = ? AND c.ref = ?"
)
SAVE_CHANNEL_SQL = (
    "INSERT INTO channels (workspace_id, ref) VALUES (?, ?) ON CONFLICT (workspace_id, ref)"
    " DO UPDATE SET ref = excluded.ref RETURNING id"
)
RESET_TABLES = ("answers", "standings", "standing_counts")
"""The tables a leaderboard reset clears for the workspace (and the daily streaks)."""


def question_values(round_id: int, seq: int, item: NextQuestion) -> tuple[Any, ...]:
    """The parameters of INSERT_QUESTION_SQL."""
    return (
        round_id,
        seq,
        stored.question_to_json(item.question),
        stored.ts(item.asked_at),
        stored.ts(item.closes_at),
        item.question.subject,
    )


def rescore_changes(
    workspace_id: int, answers: list[AnswerRow], rescored: list[tuple[int, int, bool]]
) -> list[standings.Change]:
    """The standings changes of a reveal's rescoring, in the order given."""
    by_id = {a.id: a for a in answers}
    return [
        standings.Change(
            workspace_id,
            by_id[answer_id].player_id,
            stored.ts(by_id[answer_id].answered_at),
            Outcome(by_id[answer_id].points, by_id[answer_id].correct),
            Outcome(points, correct),
        )
        for answer_id, points, correct in rescored
    ]


def rescore_rows(
    rescored: list[tuple[int, int, bool]], places: list[int | None]
) -> list[tuple[Any, ...]]:
    """The parameters of RESCORE_SQL: the answers a reveal judges take these places."""
    return [
        (points, int(correct), place, answer_id)
        for (answer_id, points, correct), place in zip(rescored, places, strict=True)
    ]


def revealed_with_next(
    question: OpenQuestion, answers: list[AnswerRow], settled: Settled, following: NextQuestion,
    next_id: int,
) -> Revealed:  # fmt: skip
    """A reveal that asks the round's next question (stored as `next_id`)."""
    return Revealed(answers, settled, OpenQuestion(
        next_id, question.round_id, question.seq + 1, question.total,
        following.question, following.asked_at, following.closes_at, question.place,
    ))  # fmt: skip


class ScheduleAdmin(Protocol):
    """What the game store asks of its schedule store, on either backend."""

    async def add(
        self,
        channel_id: int,
        timing: Timing,
        *,
        series: str | None,
        questions: int | None,
        reveal_at: time | None,
        now: datetime,
    ) -> int:
        """Store a new schedule; its id."""
        ...

    async def in_workspace(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        ...

    async def for_workspace(self, place: Place, schedule_id: int) -> Schedule | None:
        """One of the workspace's schedules, by number."""
        ...

    async def remove(self, schedule_id: int) -> bool:
        """Delete a schedule; False if there is none."""
        ...

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume; False if there is no such schedule."""
        ...


class GameParts(ABC):
    """The game store's methods that pass through to its records and schedules."""

    records: BaseRecordsStore
    schedules: ScheduleAdmin

    @abstractmethod
    async def channel_id(self, place: Place) -> int:
        """The channel's id, created on first sight."""

    async def records_version(self) -> int:
        """A number that changes whenever an import changes the records."""
        return await self.records.version()

    async def load_records(self) -> Records:
        """Every event, nickname and series description, for the question bank."""
        return Records(
            tuple(await self.records.load_events()),
            tuple(await self.records.load_competitors()),
            tuple(await self.records.load_series()),
        )

    async def add_schedule(
        self,
        place: Place,
        timing: Timing,
        *,
        series: str | None,
        questions: int | None,
        reveal_at: time | None,
        now: datetime,
    ) -> int:
        """Store a schedule for this channel; its id."""
        return await self.schedules.add(
            await self.channel_id(place),
            timing,
            series=series,
            questions=questions,
            reveal_at=reveal_at,
            now=now,
        )

    async def list_schedules(self, place: Place) -> list[Schedule]:
        """The workspace's schedules."""
        return await self.schedules.in_workspace(place)

    async def change_schedule(self, place: Place, action: str, schedule_id: int) -> bool:
        """Pause, resume or remove one of the workspace's schedules; False if not found."""
        if await self.schedules.for_workspace(place, schedule_id) is None:
            return False
        if action == "remove":
            return await self.schedules.remove(schedule_id)
        return await self.schedules.set_paused(schedule_id, action == "pause")
