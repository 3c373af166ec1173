"""Daily questions and the daily streaks they keep, per channel."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import aiosqlite

from trivia.daily import DailyInfo, DailyStreak, advance_streaks
from trivia.store import StreakStanding

POSTED_SQL = "SELECT 1 FROM dailies WHERE channel_id = ? AND local_date = ?"
ADD_SQL = (
    "INSERT INTO dailies (question_id, channel_id, local_date, number, previous_date)"
    " VALUES (?, ?, ?, ?, ?)"
)
STREAKS_FOR_SQL = (
    "SELECT s.player_id, s.current, s.best, s.last_date FROM daily_streaks s"
    " JOIN dailies d ON d.channel_id = s.channel_id AND d.question_id = ?1"
    " WHERE (s.current > 0"
    " OR s.player_id IN (SELECT player_id FROM answers WHERE question_id = ?1))"
)
"""The streaks a daily question's reveal can change: live ones in its channel and those
of everyone who answered it."""
SAVE_STREAK_SQL = (
    "INSERT INTO daily_streaks (channel_id, player_id, current, best, last_date)"
    " SELECT channel_id, ?, ?, ?, ? FROM dailies WHERE question_id = ?"
    " ON CONFLICT (channel_id, player_id) DO UPDATE SET current = excluded.current,"
    " best = excluded.best, last_date = excluded.last_date"
)
STREAK_BOARD_SQL = (
    "SELECT p.display_name, s.current, s.best FROM daily_streaks s"
    " JOIN players p ON p.id = s.player_id WHERE s.channel_id = ? AND s.best > 0"
    " ORDER BY s.current DESC, s.best DESC, p.display_name {collate}LIMIT ?"
)
"""A channel's streak leaderboard ({collate}: how names sort, code point order on both)."""
RESET_SQL = (
    "DELETE FROM daily_streaks WHERE channel_id IN (SELECT id FROM channels WHERE workspace_id = ?)"
)
LONGEST_SQL = (
    "SELECT s.player_id, s.current, s.best, s.last_date FROM daily_streaks s"
    " JOIN channels c ON c.id = s.channel_id"
    " WHERE s.player_id = ? AND c.workspace_id = ?"
    " ORDER BY s.current DESC, s.best DESC LIMIT 1"
)
STREAK_SQL = (
    "SELECT player_id, current, best, last_date FROM daily_streaks"
    " WHERE channel_id = ? AND player_id = ?"
)


def streak(row: Any) -> DailyStreak:
    """A daily_streaks row as (player_id, current, best, last_date)."""
    return DailyStreak(int(row[0]), int(row[1]), int(row[2]), date.fromisoformat(row[3]))


def daily_row(question_id: int, channel_id: int, info: DailyInfo) -> tuple[Any, ...]:
    """The parameters of ADD_SQL."""
    previous = None if info.previous_day is None else info.previous_day.isoformat()
    return (question_id, channel_id, info.day.isoformat(), info.number, previous)


def streak_rows(question_id: int, streaks: Sequence[DailyStreak]) -> list[tuple[Any, ...]]:
    """The parameters of SAVE_STREAK_SQL, for a daily question's channel."""
    return [(s.player_id, s.current, s.best, s.last_day.isoformat(), question_id) for s in streaks]


def streak_board(rows: Iterable[Any]) -> list[StreakStanding]:
    """Rows of STREAK_BOARD_SQL, ranked."""
    return [
        StreakStanding(rank, str(row[0]), int(row[1]), int(row[2]))
        for rank, row in enumerate(rows, start=1)
    ]


class DailyStore:
    """Which dates each channel's daily question was posted for, and its players' streaks."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        """Reads use `conn`; writes are made inside the caller's transaction."""
        self.conn = conn

    @staticmethod
    def posted(conn: sqlite3.Connection, channel_id: int, day: date) -> bool:
        """True if the channel already had a daily question for this local date."""
        row = conn.execute(POSTED_SQL, (channel_id, day.isoformat())).fetchone()
        return row is not None

    @staticmethod
    def add(conn: sqlite3.Connection, question_id: int, channel_id: int, info: DailyInfo) -> None:
        """Mark a question as the channel's daily question for a date (inside a transaction)."""
        conn.execute(ADD_SQL, daily_row(question_id, channel_id, info))

    @staticmethod
    def streaks_for(conn: sqlite3.Connection, question_id: int) -> list[DailyStreak]:
        """The streaks a daily question's reveal can change: live ones in its channel and
        those of everyone who answered it (inside the reveal)."""
        return [streak(row) for row in conn.execute(STREAKS_FOR_SQL, (question_id,))]

    @staticmethod
    def save_streaks(
        conn: sqlite3.Connection, question_id: int, streaks: Sequence[DailyStreak]
    ) -> None:
        """Write changed streaks for the daily question's channel (inside the reveal)."""
        conn.executemany(SAVE_STREAK_SQL, streak_rows(question_id, streaks))

    async def leaderboard(self, channel_id: int, limit: int) -> list[StreakStanding]:
        """The channel's longest live daily streaks, then best streaks, then name."""
        rows = await self.conn.execute_fetchall(
            STREAK_BOARD_SQL.format(collate=""), (channel_id, limit)
        )
        return streak_board(rows)

    @staticmethod
    def reset(conn: sqlite3.Connection, workspace_id: int) -> None:
        """Clear the workspace's daily streaks (inside the leaderboard reset)."""
        conn.execute(RESET_SQL, (workspace_id,))


def longest_daily_streak(
    conn: sqlite3.Connection, workspace_id: int, player_id: int
) -> DailyStreak | None:
    """A player's longest live daily streak in any channel of the workspace."""
    row = conn.execute(LONGEST_SQL, (player_id, workspace_id)).fetchone()
    return streak(row) if row else None


def daily_streak(conn: sqlite3.Connection, channel_id: int, player_id: int) -> DailyStreak | None:
    """A player's daily streak in a channel (on the database thread)."""
    row = conn.execute(STREAK_SQL, (channel_id, player_id)).fetchone()
    return streak(row) if row else None


def rebuild_daily_streaks(conn: sqlite3.Connection) -> None:
    """Replace every daily streak with a replay of the revealed daily questions and their
    answers (inside a transaction). A channel's dailies are revealed one after another in
    the order they were asked, so question ids give the order of their reveals."""
    rows = conn.execute(
        REVEALED_DAILIES_SQL.format(answered="json_group_array(player_id)")
    ).fetchall()
    conn.execute("DELETE FROM daily_streaks")
    conn.executemany(
        INSERT_STREAK_SQL,
        replay_dailies(
            (channel_id, number, local_date, previous_date, json.loads(answered))
            for channel_id, number, local_date, previous_date, answered in rows
        ),
    )


REVEALED_DAILIES_SQL = (
    "SELECT d.channel_id, d.number, d.local_date, d.previous_date,"
    " (SELECT {answered} FROM answers WHERE question_id = d.question_id)"
    " FROM dailies d JOIN questions q ON q.id = d.question_id"
    " WHERE q.revealed_at IS NOT NULL ORDER BY d.question_id"
)
"""The revealed daily questions in the order of their reveals, with who answered each
({answered}: the backend's aggregate of player ids)."""
INSERT_STREAK_SQL = (
    "INSERT INTO daily_streaks (channel_id, player_id, current, best, last_date)"
    " VALUES (?, ?, ?, ?, ?)"
)


def replay_dailies(
    revealed: Iterable[tuple[int, int, str, str | None, list[int]]],
) -> list[tuple[int, int, int, int, str]]:
    """The daily_streaks rows that a replay of the revealed dailies gives: each is
    (channel id, number, local date, previous date, ids of the players who answered)."""
    streaks: dict[int, dict[int, DailyStreak]] = defaultdict(dict)
    for channel_id, number, local_date, previous_date, answered in revealed:
        info = DailyInfo(
            number,
            date.fromisoformat(local_date),
            None if previous_date is None else date.fromisoformat(previous_date),
        )
        held = streaks[channel_id]
        for streak in advance_streaks(held.values(), answered, info):
            held[streak.player_id] = streak
    return [
        (channel_id, s.player_id, s.current, s.best, s.last_day.isoformat())
        for channel_id, held in streaks.items()
        for s in held.values()
    ]
