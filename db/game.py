"""Game data: players, rounds, questions, the answer log and standings."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from db import game_parts as sql
from db import standings, stored
from db.answer_log import AnswerLog, LoggedAnswer
from db.dailies import DailyStore, daily_streak, longest_daily_streak, rebuild_daily_streaks
from db.game_parts import GameParts
from db.hints import HintStore, hinted, mark
from db.outbox import Outbox, post_rows
from db.records import RecordsStore
from db.schedules import ScheduleStore
from db.scoping import in_scope
from db.transactions import Writer, on_thread
from trivia.daily import DailyInfo
from trivia.model import Place, Scope
from trivia.posts import Post
from trivia.store import (
    Announce,
    AnswerRow,
    Asking,
    DailyOutcome,
    Lock,
    NextQuestion,
    OpenQuestion,
    PlayerCard,
    PlayerStats,
    Revealed,
    Settle,
    Standing,
    StreakStanding,
)


class GameStore(GameParts):
    """The engine's storage on SQLite (implements trivia.store.Store)."""

    records: RecordsStore
    schedules: ScheduleStore

    def __init__(
        self, conn: aiosqlite.Connection, write_conn: aiosqlite.Connection | None = None
    ) -> None:
        """Reads use `conn`; writes use `write_conn` when given, so they never queue
        behind reads on the same database thread (WAL lets them run side by side)."""
        self.conn = conn
        self.writer = Writer(write_conn or conn)
        self.records = RecordsStore(conn, self.writer)
        self.answer_log = AnswerLog(self.writer)
        self.schedules = ScheduleStore(self.writer)
        self.outbox = Outbox(self.writer)
        self.dailies = DailyStore(conn)
        self.hints = HintStore(conn, self.writer)
        self._ids: dict[tuple[str, ...], int] = {}
        """Ids of workspaces and channels by their refs: kept, as such a row is never
        deleted or re-keyed. Everything that can change is read from the database."""

    async def daily_deal(self, pool: str, number: int) -> str | None:
        """The record key dealt to a pool's daily number, if dealt."""
        row = await self._row(
            "SELECT event_key FROM daily_deal WHERE pool = ? AND number = ?", (pool, number)
        )
        return str(row[0]) if row else None

    async def last_deal(self, pool: str) -> tuple[int, int, str] | None:
        """A pool's first and last dealt numbers and the record dealt last."""
        row = await self._row(
            "SELECT min(number), max(number) FROM daily_deal WHERE pool = ?", (pool,)
        )
        if row is None or row[0] is None:
            return None
        last = await self.daily_deal(pool, int(row[1]))
        assert last is not None
        return int(row[0]), int(row[1]), last

    async def save_deal(self, pool: str, first: int, keys: list[str]) -> None:
        """Deal keys to numbers first, first + 1, ...; a number dealt already keeps its key."""
        rows = [(pool, first + i, key) for i, key in enumerate(keys)]

        def deal(conn: sqlite3.Connection) -> None:
            # Return nothing: a cursor handed back to the event loop is finalised there,
            # on another thread, while the database thread runs the next statement
            # ("bad parameter or other API misuse", 8 in 6,000 concurrent deals).
            conn.executemany(
                "INSERT OR IGNORE INTO daily_deal (pool, number, event_key) VALUES (?, ?, ?)",
                rows,
            )

        await self.writer.transaction(deal)

    async def _upsert_id(self, key: tuple[str, ...], sql: str, params: tuple[Any, ...]) -> int:
        if key not in self._ids:
            rows = await self.writer.execute(sql, params)
            self._ids[key] = int(rows[0][0])
        return self._ids[key]

    async def _find_id(self, key: tuple[str, ...], sql: str, params: tuple[Any, ...]) -> int | None:
        """A stored id, or None for a place never written to (a read must not create it)."""
        if key not in self._ids:
            row = await self._row(sql, params)
            if row is None:
                return None
            self._ids[key] = int(row[0])
        return self._ids[key]

    async def _workspace_id(self, place: Place) -> int:
        return await self._upsert_id(
            ("w", place.platform, place.workspace),
            sql.SAVE_WORKSPACE_SQL,
            (place.platform, place.workspace),
        )

    async def _known_workspace(self, place: Place) -> int | None:
        return await self._find_id(
            ("w", place.platform, place.workspace),
            sql.FIND_WORKSPACE_SQL,
            (place.platform, place.workspace),
        )

    async def _known_channel(self, place: Place) -> int | None:
        return await self._find_id(
            ("c", place.platform, place.workspace, place.channel),
            sql.FIND_CHANNEL_SQL,
            (place.platform, place.workspace, place.channel),
        )

    async def channel_id(self, place: Place) -> int:
        """The channel's id, created on first sight."""
        return await self._channel_id(place)

    async def _channel_id(self, place: Place) -> int:
        workspace_id = await self._workspace_id(place)
        return await self._upsert_id(
            ("c", place.platform, place.workspace, place.channel),
            sql.SAVE_CHANNEL_SQL,
            (workspace_id, place.channel),
        )

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """All rows of a read, fetched in one trip to the database thread."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def _row(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = await self._rows(sql, params)
        return rows[0] if rows else None

    async def player_card(
        self, place: Place, user: str, *, anywhere: bool = False
    ) -> PlayerCard | None:
        """A known player's all-time stats and daily streak in this channel (`anywhere`:
        their longest in the workspace); None if never seen in the workspace (read in one
        trip to the database thread)."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return None
        channel_id = await self._known_channel(place)
        return await on_thread(
            self.conn, lambda conn: _player_card(conn, workspace_id, channel_id, user, anywhere)
        )

    async def open_question(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed quick-play question, found through its active round
        (read each time: another process may have closed it or asked the next)."""
        return await self._open_in_lane(place, "play")

    async def open_daily(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed daily question."""
        return await self._open_in_lane(place, "daily")

    async def _open_in_lane(self, place: Place, lane: str) -> OpenQuestion | None:
        channel_id = await self._known_channel(place)
        if channel_id is None:
            return None
        row = await self._row(
            stored.OPEN_QUESTION_SQL
            + " WHERE r.channel_id = ? AND r.lane = ? AND r.ended_at IS NULL"
            " AND q.revealed_at IS NULL",
            (channel_id, lane),
        )
        return None if row is None else stored.open_question(row)

    async def start_round(
        self, place: Place, *, total: int, seed: int, first: NextQuestion
    ) -> OpenQuestion | None:
        """Start a round and ask its first question; None if one is already active."""
        return await self._start(place, "play", total, seed, first, None)

    async def start_daily(
        self, place: Place, info: DailyInfo, question: NextQuestion
    ) -> OpenQuestion | None:
        """Ask the channel's daily question; None if one is open or this date was posted."""
        return await self._start(place, "daily", 1, info.number, question, info)

    async def _start(
        self,
        place: Place,
        lane: str,
        total: int,
        seed: int,
        first: NextQuestion,
        daily: DailyInfo | None,
    ) -> OpenQuestion | None:
        channel_id = await self._channel_id(place)

        def ask(conn: sqlite3.Connection) -> tuple[int, int] | None:
            if daily is not None and DailyStore.posted(conn, channel_id, daily.day):
                return None
            row = conn.execute(
                sql.START_ROUND_SQL,
                (channel_id, total, stored.ts(first.asked_at), seed, lane),
            ).fetchone()
            if row is None:
                return None
            question_id = _insert_question(conn, row[0], 1, first)
            if daily is not None:
                DailyStore.add(conn, question_id, channel_id, daily)
            return row[0], question_id

        written = await self.writer.transaction(ask)
        if written is None:
            return None
        round_id, question_id = written
        # Built from what was written: a read here could see an older snapshot while
        # another task's cursor holds one open on the read connection.
        return OpenQuestion(
            question_id, round_id, 1, total, first.question, first.asked_at, first.closes_at,
            place, daily,
        )  # fmt: skip

    async def record_answer(
        self,
        question: OpenQuestion,
        *,
        user: str,
        name: str,
        text: str,
        choice_index: int | None,
        value: float | None,
        correct: bool | None,
        points: int,
        hinted_points: int,
        answered_at: datetime,
    ) -> Lock:
        """Lock and score one answer, storing its player (created on first sight, renamed
        when their display name changed) in the same transaction, which also checks the
        question is still open and scores `hinted_points` if the player holds a hint at it;
        concurrent answers share a commit."""
        return await self.answer_log.append(
            LoggedAnswer(
                question_id=question.id,
                workspace_id=await self._workspace_id(question.place),
                user=user,
                name=name,
                answer=text,
                choice_index=choice_index,
                value=value,
                correct=None if correct is None else int(correct),
                points=points,
                hinted_points=hinted_points,
                answered_at=stored.ts(answered_at),
            )
        )

    async def answers(self, question_id: int) -> list[AnswerRow]:
        """Locked answers, earliest first, each marked if its player took a hint."""
        rows = await self._rows(stored.ANSWERS_SQL, (question_id,))
        return await self.hints.marked(question_id, [stored.answer_row(row) for row in rows])

    async def take_hint(
        self, question_id: int, place: Place, *, user: str, name: str, text: str, at: datetime
    ) -> str | None:
        """Keep a hint unless the player holds one at this question; the one they hold (None
        when they answered it first), in one transaction."""
        workspace_id = await self._workspace_id(place)
        return await self.hints.take(question_id, workspace_id, user, name, text, at)

    async def daily_outcome(
        self, place: Place, user: str, question_id: int | None
    ) -> DailyOutcome | None:
        """The channel's latest revealed daily (or that one), its final answers, and the
        user's id and daily streak here (read in one trip to the database thread)."""
        workspace_id = await self._known_workspace(place)
        channel_id = await self._known_channel(place)
        if workspace_id is None or channel_id is None:
            return None
        return await on_thread(
            self.conn,
            lambda conn: _daily_outcome(conn, workspace_id, channel_id, user, question_id),
        )

    async def close_question(
        self,
        question: OpenQuestion,
        *,
        revealed_at: datetime,
        settle: Settle,
        following: NextQuestion | None,
        announce: Announce,
    ) -> Revealed | None:
        """Reveal exactly once, in one transaction: close the question to answers, settle
        the answers locked before that, write the rescoring (into the standings too) and
        daily streaks, ask the next question or end the round, and put the reveal's posts
        in the outbox."""
        workspace_id = await self._workspace_id(question.place)

        def reveal(conn: sqlite3.Connection) -> Revealed | None:
            claimed = conn.execute(sql.CLOSE_SQL, (stored.ts(revealed_at), question.id)).fetchall()
            if not claimed:
                return None
            answers = mark(
                [
                    stored.answer_row(row)
                    for row in conn.execute(stored.ANSWERS_SQL, (question.id,))
                ],
                hinted(conn, question.id),
            )
            streaks = DailyStore.streaks_for(conn, question.id) if question.daily else []
            settled = settle(answers, streaks)
            _rescore(conn, workspace_id, answers, settled.rescored)
            if settled.streaks:
                DailyStore.save_streaks(conn, question.id, settled.streaks)
            if following is None:
                conn.execute(sql.END_ROUND_SQL, (stored.ts(revealed_at), question.round_id))
                scores = [
                    (row[0], int(row[1]))
                    for row in conn.execute(
                        sql.ROUND_SCORES_SQL.format(collate=""), (question.round_id,)
                    )
                ]
                revealed = Revealed(answers, settled, None, scores)
            else:
                next_id = _insert_question(conn, question.round_id, question.seq + 1, following)
                revealed = sql.revealed_with_next(question, answers, settled, following, next_id)
            posts = [Post(a.key, a.place, a.reply) for a in announce(revealed)]
            post_rows(conn, posts, revealed_at)
            return revealed

        return await self.writer.transaction(reveal)

    async def due_questions(self, now: datetime, scope: Scope | None = None) -> list[OpenQuestion]:
        """Unrevealed questions whose answer window has closed, in this scope."""
        where, params = in_scope(scope, "w.platform", "w.ref", "c.ref")
        rows = await self._rows(
            f"{sql.DUE_SQL}{where} ORDER BY q.closes_at", (stored.ts(now), *params)
        )
        return [stored.open_question(row) for row in rows]

    async def next_deadline(self, scope: Scope | None = None) -> datetime | None:
        """When the next open question in this scope closes."""
        where, params = in_scope(scope, "w.platform", "w.ref", "c.ref")
        row = await self._row(sql.NEXT_DEADLINE_SQL + where, params)
        return stored.dt(row[0]) if row and row[0] is not None else None

    async def asking(self, place: Place, recent: int) -> Asking:
        """The workspace's settings overrides and the events of its latest `recent`
        questions, newest first (read in one trip to the database thread)."""
        workspace_id = await self._known_workspace(place)
        channel_id = await self._known_channel(place)
        return await on_thread(
            self.conn, lambda conn: _asking(conn, workspace_id, channel_id, recent)
        )

    async def leaderboard(self, place: Place, period: str, limit: int) -> list[Standing]:
        """Top players of the workspace for a period, ties broken deterministically."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return []
        scope = (workspace_id, period)
        return await on_thread(self.conn, lambda conn: standings.leaderboard(conn, scope, limit))

    async def player_stats(self, place: Place, period: str, player_id: int) -> PlayerStats | None:
        """A player's totals and rank, with the players just above and below (read in one
        trip to the database thread)."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return None
        return await on_thread(
            self.conn, lambda conn: standings.player_stats(conn, (workspace_id, period), player_id)
        )

    async def streak_leaderboard(self, place: Place, limit: int) -> list[StreakStanding]:
        """This channel's longest daily streaks."""
        channel_id = await self._known_channel(place)
        return [] if channel_id is None else await self.dailies.leaderboard(channel_id, limit)

    async def settings(self, place: Place) -> dict[str, str]:
        """The workspace's settings overrides."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return {}
        return await on_thread(self.conn, lambda conn: _settings(conn, workspace_id))

    async def save_settings(self, place: Place, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) workspace settings overrides, in one transaction."""
        workspace_id = await self._workspace_id(place)

        def save(conn: sqlite3.Connection) -> None:
            for name, value in values.items():
                if value is None:
                    conn.execute(sql.CLEAR_SETTING_SQL, (workspace_id, name))
                else:
                    conn.execute(sql.SET_SETTING_SQL, (workspace_id, name, value))

        await self.writer.transaction(save)

    async def reset_standings(self, place: Place) -> None:
        """Delete the workspace's answers and everything derived from them."""
        workspace_id = await self._workspace_id(place)

        def reset(conn: sqlite3.Connection) -> None:
            for table in sql.RESET_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE workspace_id = ?", (workspace_id,))
            DailyStore.reset(conn, workspace_id)

        await self.writer.transaction(reset)

    async def get_state(self, name: str) -> str | None:
        """A value kept between runs."""
        row = await self._row(sql.GET_STATE_SQL, (name,))
        return str(row[0]) if row else None

    async def set_state(self, name: str, value: str) -> None:
        """Keep a value between runs."""
        await self.writer.execute(sql.SET_STATE_SQL, (name, value))

    async def rebuild_standings(self) -> None:
        """Recompute the standings and daily streaks from the answer log, in one
        transaction, through the same rules that keep them live."""

        def replay(conn: sqlite3.Connection) -> None:
            standings.rebuild(conn)
            rebuild_daily_streaks(conn)

        await self.writer.transaction(replay)


def _settings(conn: sqlite3.Connection, workspace_id: int) -> dict[str, str]:
    rows = conn.execute(sql.SETTINGS_SQL, (workspace_id,))
    return {str(name): str(value) for name, value in rows}


def _asking(
    conn: sqlite3.Connection, workspace_id: int | None, channel_id: int | None, recent: int
) -> Asking:
    """A workspace's settings overrides, the subjects of the channel's latest quick-play
    questions, the records of its open daily question and the records version (a place
    never stored, None, has none of them)."""
    subjects = conn.execute(sql.SUBJECTS_SQL, (channel_id, recent))
    held = conn.execute(
        "SELECT k.value FROM rounds r JOIN questions q ON q.round_id = r.id,"
        " json_each(q.body, '$.event_keys') AS k"
        " WHERE r.channel_id = ? AND r.lane = 'daily' AND q.revealed_at IS NULL",
        (channel_id,),
    )
    version = conn.execute("SELECT version FROM records_version").fetchone()
    return Asking(
        {} if workspace_id is None else _settings(conn, workspace_id),
        [str(s) for (s,) in subjects],
        [str(k) for (k,) in held],
        int(version[0]),
    )


def _daily_outcome(
    conn: sqlite3.Connection, workspace_id: int, channel_id: int, user: str, question_id: int | None
) -> DailyOutcome | None:
    """A channel's latest revealed daily question (or the one asked for, if it is this
    channel's and revealed) as one user sees it afterwards."""
    which = "" if question_id is None else " AND q.id = ?"
    row = conn.execute(
        sql.LATEST_DAILY_SQL.format(which=which),
        (channel_id,) if question_id is None else (channel_id, question_id),
    ).fetchone()
    if row is None:
        return None
    daily = stored.open_question(row)
    answers = mark(
        [stored.answer_row(a) for a in conn.execute(stored.ANSWERS_SQL, (daily.id,))],
        hinted(conn, daily.id),
    )
    player = conn.execute(sql.FIND_PLAYER_SQL, (workspace_id, user)).fetchone()
    if player is None:
        return DailyOutcome(daily, answers, None, None)
    player_id = int(player[0])
    return DailyOutcome(daily, answers, player_id, daily_streak(conn, channel_id, player_id))


def _player_card(
    conn: sqlite3.Connection, workspace_id: int, channel_id: int | None, user: str, anywhere: bool
) -> PlayerCard | None:
    """A player's all-time stats in the workspace and daily streak in the channel (none in
    a channel never stored), or with `anywhere` their longest in the workspace."""
    row = conn.execute(
        "SELECT id FROM players WHERE workspace_id = ? AND ref = ?", (workspace_id, user)
    ).fetchone()
    if row is None:
        return None
    player_id = int(row[0])
    if anywhere:
        streak = longest_daily_streak(conn, workspace_id, player_id)
    else:
        streak = None if channel_id is None else daily_streak(conn, channel_id, player_id)
    return PlayerCard(standings.player_stats(conn, (workspace_id, "all"), player_id), streak)


def _rescore(
    conn: sqlite3.Connection,
    workspace_id: int,
    answers: list[AnswerRow],
    rescored: list[tuple[int, int, bool]],
) -> None:
    """Write a reveal's rescoring: the answers it judges take their places in the settle
    order (in the order given), and the standings move with them."""
    changes = sql.rescore_changes(workspace_id, answers, rescored)
    places = standings.settle_places(conn, [(c.before, c.after) for c in changes])
    conn.executemany(sql.RESCORE_SQL, sql.rescore_rows(rescored, places))
    standings.count_changes(conn, changes)


def _insert_question(conn: sqlite3.Connection, round_id: int, seq: int, item: NextQuestion) -> int:
    row = conn.execute(sql.INSERT_QUESTION_SQL, sql.question_values(round_id, seq, item)).fetchone()
    return int(row[0])
