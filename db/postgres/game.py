"""The game store on PostgreSQL: the same store as db.game.GameStore, in asyncpg, correct
with several processes writing at once (READ COMMITTED with explicit row locks).

What SQLite's single writer gave for free is made explicit: a reveal locks its question
row (UPDATE ... WHERE revealed_at IS NULL) and an answer holds it FOR SHARE while it checks
the question is open and writes, so an answer lands wholly before a reveal or is refused
after it; a daily's reveal locks the streaks it can change, then (as an answer does) the
settle order's row, then the standing lines in key order (see db.postgres.standings); ids
of places come from single-statement upserts. Reads never write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db import game_parts as sql
from db import stored
from db.dailies import (
    ADD_SQL,
    INSERT_STREAK_SQL,
    LONGEST_SQL,
    POSTED_SQL,
    RESET_SQL,
    REVEALED_DAILIES_SQL,
    SAVE_STREAK_SQL,
    STREAK_BOARD_SQL,
    STREAK_SQL,
    STREAKS_FOR_SQL,
    daily_row,
    replay_dailies,
    streak,
    streak_board,
    streak_rows,
)
from db.game_parts import GameParts
from db.hints import HINT_SQL, mark
from db.postgres import standings
from db.postgres.connection import Connection, Pool
from db.postgres.hints import PgHintStore, hinted
from db.postgres.outbox import PgOutbox, store_posts
from db.postgres.placeholders import numbered
from db.postgres.players import store_player
from db.postgres.records import PgRecordsStore
from db.postgres.schedules import PgSchedules
from db.scoping import in_scope
from db.standings import Change
from trivia.daily import DailyInfo
from trivia.model import Place, Scope
from trivia.posts import Post
from trivia.standings import Outcome
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

HELD_SQL = (
    "SELECT k.value FROM rounds r JOIN questions q ON q.round_id = r.id,"
    " jsonb_array_elements_text(q.body::jsonb -> 'event_keys') AS k (value)"
    " WHERE r.channel_id = $1 AND r.lane = 'daily' AND q.revealed_at IS NULL"
)
"""The records of the channel's open daily question."""
HOLD_DERIVED_SQL = "LOCK TABLE daily_streaks, answers, standings, standing_counts IN EXCLUSIVE MODE"
"""Holds the answer log and what is derived from it still until the transaction ends: it
waits for the writers in flight, and writers wait for it (readers go on). The tables are
taken in the order a reveal takes them (a daily's streaks first), so none waits in a circle."""


class PgGameStore(GameParts):
    """The engine's storage on PostgreSQL (implements bot.stores.BotStore)."""

    records: PgRecordsStore
    schedules: PgSchedules

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.records = PgRecordsStore(pool)
        self.schedules = PgSchedules(pool)
        self.outbox = PgOutbox(pool)
        self.hints = PgHintStore(pool)
        self._ids: dict[tuple[str, ...], int] = {}
        """Ids of workspaces and channels by their refs: kept, as such a row is never
        deleted or re-keyed. Everything that can change is read from the database."""

    async def _fetchval(self, query: str, *params: Any) -> Any:
        return await self.pool.fetchval(numbered(query), *params)

    async def daily_deal(self, pool: str, number: int) -> str | None:
        """The record key dealt to a pool's daily number, if dealt."""
        key = await self.pool.fetchval(
            "SELECT event_key FROM daily_deal WHERE pool = $1 AND number = $2", pool, number
        )
        return None if key is None else str(key)

    async def last_deal(self, pool: str) -> tuple[int, int, str] | None:
        """A pool's first and last dealt numbers and the record dealt last."""
        row = await self.pool.fetchrow(
            "SELECT min(number), max(number), (SELECT event_key FROM daily_deal"
            " WHERE pool = $1 ORDER BY number DESC LIMIT 1) FROM daily_deal WHERE pool = $1",
            pool,
        )
        if row is None or row[0] is None:
            return None
        return int(row[0]), int(row[1]), str(row[2])

    async def save_deal(self, pool: str, first: int, keys: list[str]) -> None:
        """Deal keys to numbers first, first + 1, ...; a number dealt already keeps its key."""
        await self.pool.execute(
            "INSERT INTO daily_deal (pool, number, event_key)"
            " SELECT $1, $2 + k.i - 1, k.key FROM unnest($3::text[]) WITH ORDINALITY AS k (key, i)"
            " ON CONFLICT DO NOTHING",
            pool,
            first,
            keys,
        )

    async def _id(self, key: tuple[str, ...], find: str, save: str, *params: Any) -> int:
        """A place's id: read, or (first sight) made by one upsert."""
        if key not in self._ids:
            found = await self._fetchval(find, *key[1:])
            if found is None:
                found = await self._fetchval(save, *params)
            self._ids[key] = int(found)
        return self._ids[key]

    async def _known(self, key: tuple[str, ...], find: str) -> int | None:
        """A stored place's id, or None for a place never written to (a read must not
        create it)."""
        if key not in self._ids:
            found = await self._fetchval(find, *key[1:])
            if found is None:
                return None
            self._ids[key] = int(found)
        return self._ids[key]

    async def _workspace_id(self, place: Place) -> int:
        key = ("w", place.platform, place.workspace)
        return await self._id(key, sql.FIND_WORKSPACE_SQL, sql.SAVE_WORKSPACE_SQL, *key[1:])

    async def _known_workspace(self, place: Place) -> int | None:
        return await self._known(("w", place.platform, place.workspace), sql.FIND_WORKSPACE_SQL)

    async def _known_channel(self, place: Place) -> int | None:
        key = ("c", place.platform, place.workspace, place.channel)
        return await self._known(key, sql.FIND_CHANNEL_SQL)

    async def channel_id(self, place: Place) -> int:
        """The channel's id, created on first sight."""
        workspace_id = await self._workspace_id(place)
        key = ("c", place.platform, place.workspace, place.channel)
        return await self._id(
            key, sql.FIND_CHANNEL_SQL, sql.SAVE_CHANNEL_SQL, workspace_id, place.channel
        )

    async def player_card(
        self, place: Place, user: str, *, anywhere: bool = False
    ) -> PlayerCard | None:
        """A known player's all-time stats and daily streak in this channel (`anywhere`:
        their longest in the workspace); None if never seen in the workspace."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return None
        channel_id = await self._known_channel(place)
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            player_id = await conn.fetchval(
                "SELECT id FROM players WHERE workspace_id = $1 AND ref = $2", workspace_id, user
            )
            if player_id is None:
                return None
            if anywhere:
                row = await conn.fetchrow(numbered(LONGEST_SQL), player_id, workspace_id)
            elif channel_id is None:
                row = None
            else:
                row = await conn.fetchrow(numbered(STREAK_SQL), channel_id, player_id)
            stats = await standings.player_stats(conn, (workspace_id, "all"), player_id)
        return PlayerCard(stats, None if row is None else streak(row))

    async def open_question(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed quick-play question (read each time: another process
        may have closed it or asked the next)."""
        return await self._open_in_lane(place, "play")

    async def open_daily(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed daily question."""
        return await self._open_in_lane(place, "daily")

    async def _open_in_lane(self, place: Place, lane: str) -> OpenQuestion | None:
        channel_id = await self._known_channel(place)
        if channel_id is None:
            return None
        row = await self.pool.fetchrow(numbered(sql.OPEN_IN_LANE_SQL), channel_id, lane)
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
        """One transaction; the channel's one active round per lane is the database's
        unique index, so of two processes asking at once one gets None."""
        channel_id = await self.channel_id(place)
        async with self.pool.acquire() as conn, conn.transaction():
            if daily is not None and await conn.fetchval(
                numbered(POSTED_SQL), channel_id, daily.day.isoformat()
            ):
                return None
            round_id = await conn.fetchval(
                numbered(sql.START_ROUND_SQL),
                channel_id, total, stored.ts(first.asked_at), seed, lane,
            )  # fmt: skip
            if round_id is None:
                return None
            question_id = await _insert_question(conn, round_id, 1, first)
            if daily is not None:
                await conn.execute(numbered(ADD_SQL), *daily_row(question_id, channel_id, daily))
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
        """Lock and score one answer in one transaction that holds the question row FOR
        SHARE (a reveal waits for it, and it sees a reveal that came first) and stores the
        player (created on first sight, renamed when their display name changed; their row
        stays locked, so a hint they take meanwhile is seen): `hinted_points` if they hold a
        hint at the question."""
        at = stored.ts(answered_at)
        workspace_id = await self._workspace_id(question.place)
        async with self.pool.acquire() as conn, conn.transaction():
            still_open = await conn.fetchval(
                "SELECT revealed_at IS NULL FROM questions WHERE id = $1 FOR SHARE", question.id
            )
            if not still_open:
                return Lock.CLOSED
            player_id = await store_player(conn, workspace_id, user, name)
            if await conn.fetchval(numbered(HINT_SQL), question.id, player_id) is not None:
                points = hinted_points
            outcome = Outcome(points, correct)
            [place] = await standings.settle_places(conn, [(None, outcome)])
            written = await conn.fetchval(
                "INSERT INTO answers (question_id, player_id, workspace_id, answer, choice_index,"
                " value, correct, points, answered_at, settle_seq)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                " ON CONFLICT (question_id, player_id) DO NOTHING RETURNING id",
                question.id, player_id, workspace_id, text, choice_index, value,
                None if correct is None else int(correct), points, at, place,
            )  # fmt: skip
            if written is None:
                return Lock.DUPLICATE
            await standings.count_changes(
                conn, [Change(workspace_id, player_id, at, None, outcome)]
            )
        return Lock.LOCKED

    async def answers(self, question_id: int) -> list[AnswerRow]:
        """Locked answers, earliest first, each marked if its player took a hint."""
        rows = await self.pool.fetch(numbered(stored.ANSWERS_SQL), question_id)
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
        user's id and daily streak here, read in one snapshot."""
        workspace_id = await self._known_workspace(place)
        channel_id = await self._known_channel(place)
        if workspace_id is None or channel_id is None:
            return None
        which = "" if question_id is None else " AND q.id = ?"
        params = (channel_id,) if question_id is None else (channel_id, question_id)
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            row = await conn.fetchrow(numbered(sql.LATEST_DAILY_SQL.format(which=which)), *params)
            if row is None:
                return None
            daily = stored.open_question(row)
            rows = await conn.fetch(numbered(stored.ANSWERS_SQL), daily.id)
            answers = mark([stored.answer_row(a) for a in rows], await hinted(conn, daily.id))
            player_id = await conn.fetchval(numbered(sql.FIND_PLAYER_SQL), workspace_id, user)
            if player_id is None:
                return DailyOutcome(daily, answers, None, None)
            found = await conn.fetchrow(numbered(STREAK_SQL), channel_id, player_id)
        held = None if found is None else streak(found)
        return DailyOutcome(daily, answers, int(player_id), held)

    async def close_question(
        self,
        question: OpenQuestion,
        *,
        revealed_at: datetime,
        settle: Settle,
        following: NextQuestion | None,
        announce: Announce,
    ) -> Revealed | None:
        """Reveal exactly once, in one transaction: close the question to answers (its row
        stays locked: answers still writing are waited for, later ones see it closed),
        settle the answers locked before that, write the rescoring (into the standings too)
        and daily streaks, ask the next question or end the round, and put the reveal's
        posts in the outbox."""
        workspace_id = await self._workspace_id(question.place)
        at = stored.ts(revealed_at)
        async with self.pool.acquire() as conn, conn.transaction():
            if await conn.fetchval(numbered(sql.CLOSE_SQL), at, question.id) is None:
                return None
            answers = mark(
                [
                    stored.answer_row(row)
                    for row in await conn.fetch(numbered(stored.ANSWERS_SQL), question.id)
                ],
                await hinted(conn, question.id),
            )
            streaks = []
            if question.daily:
                rows = await conn.fetch(
                    numbered(STREAKS_FOR_SQL) + " ORDER BY s.player_id FOR UPDATE OF s",
                    question.id,
                )
                streaks = [streak(row) for row in rows]
            settled = settle(answers, streaks)
            changes = sql.rescore_changes(workspace_id, answers, settled.rescored)
            places = await standings.settle_places(conn, [(c.before, c.after) for c in changes])
            if rescores := sql.rescore_rows(settled.rescored, places):
                await conn.executemany(numbered(sql.RESCORE_SQL), rescores)
            await standings.count_changes(conn, changes)
            if settled.streaks:
                await conn.executemany(
                    numbered(SAVE_STREAK_SQL), streak_rows(question.id, settled.streaks)
                )
            if following is None:
                await conn.execute(numbered(sql.END_ROUND_SQL), at, question.round_id)
                scores = await conn.fetch(
                    numbered(sql.ROUND_SCORES_SQL.format(collate='COLLATE "C"')),
                    question.round_id,
                )
                revealed = Revealed(
                    answers, settled, None, [(row[0], int(row[1])) for row in scores]
                )
            else:
                next_id = await _insert_question(
                    conn, question.round_id, question.seq + 1, following
                )
                revealed = sql.revealed_with_next(question, answers, settled, following, next_id)
            posts = [Post(a.key, a.place, a.reply) for a in announce(revealed)]
            await store_posts(conn, posts, revealed_at)
            return revealed

    async def due_questions(self, now: datetime, scope: Scope | None = None) -> list[OpenQuestion]:
        """Unrevealed questions whose answer window has closed, in this scope."""
        where, params = in_scope(scope, "w.platform", "w.ref", "c.ref")
        rows = await self.pool.fetch(
            numbered(f"{sql.DUE_SQL}{where} ORDER BY q.closes_at"), stored.ts(now), *params
        )
        return [stored.open_question(row) for row in rows]

    async def next_deadline(self, scope: Scope | None = None) -> datetime | None:
        """When the next open question in this scope closes."""
        where, params = in_scope(scope, "w.platform", "w.ref", "c.ref")
        value = await self._fetchval(sql.NEXT_DEADLINE_SQL + where, *params)
        return None if value is None else stored.dt(value)

    async def asking(self, place: Place, recent: int) -> Asking:
        """The workspace's settings overrides, the subjects of the channel's latest
        `recent` quick-play questions (newest first), its open daily's records and the
        records version (a place never stored has none of them)."""
        workspace_id = await self._known_workspace(place)
        channel_id = await self._known_channel(place)
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            settings = {} if workspace_id is None else await _settings(conn, workspace_id)
            subjects, held = [], []
            if channel_id is not None:
                subjects = await conn.fetch(numbered(sql.SUBJECTS_SQL), channel_id, recent)
                held = await conn.fetch(HELD_SQL, channel_id)
            version = await conn.fetchval("SELECT version FROM records_version")
        return Asking(
            settings, [str(row[0]) for row in subjects], [str(row[0]) for row in held], version
        )

    async def leaderboard(self, place: Place, period: str, limit: int) -> list[Standing]:
        """Top players of the workspace for a period, ties broken deterministically."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return []
        async with self.pool.acquire() as conn:
            return await standings.leaderboard(conn, (workspace_id, period), limit)

    async def player_stats(self, place: Place, period: str, player_id: int) -> PlayerStats | None:
        """A player's totals and rank, with the players just above and below (read in one
        snapshot)."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return None
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            return await standings.player_stats(conn, (workspace_id, period), player_id)

    async def streak_leaderboard(self, place: Place, limit: int) -> list[StreakStanding]:
        """This channel's longest daily streaks."""
        channel_id = await self._known_channel(place)
        if channel_id is None:
            return []
        rows = await self.pool.fetch(
            numbered(STREAK_BOARD_SQL.format(collate='COLLATE "C" ')), channel_id, limit
        )
        return streak_board(rows)

    async def settings(self, place: Place) -> dict[str, str]:
        """The workspace's settings overrides."""
        workspace_id = await self._known_workspace(place)
        if workspace_id is None:
            return {}
        async with self.pool.acquire() as conn:
            return await _settings(conn, workspace_id)

    async def save_settings(self, place: Place, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) workspace settings overrides, in one transaction."""
        workspace_id = await self._workspace_id(place)
        async with self.pool.acquire() as conn, conn.transaction():
            for name, value in sorted(values.items()):
                if value is None:
                    await conn.execute(numbered(sql.CLEAR_SETTING_SQL), workspace_id, name)
                else:
                    await conn.execute(numbered(sql.SET_SETTING_SQL), workspace_id, name, value)

    async def reset_standings(self, place: Place) -> None:
        """Delete the workspace's answers and everything derived from them, holding the
        answer log and what is derived from it still meanwhile (an answer writing lines
        that do not exist yet could not be waited for row by row)."""
        workspace_id = await self._workspace_id(place)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(HOLD_DERIVED_SQL)
            for table in sql.RESET_TABLES:
                await conn.execute(f"DELETE FROM {table} WHERE workspace_id = $1", workspace_id)
            await conn.execute(numbered(RESET_SQL), workspace_id)

    async def get_state(self, name: str) -> str | None:
        """A value kept between runs."""
        value = await self._fetchval(sql.GET_STATE_SQL, name)
        return None if value is None else str(value)

    async def set_state(self, name: str, value: str) -> None:
        """Keep a value between runs."""
        await self.pool.execute(numbered(sql.SET_STATE_SQL), name, value)

    async def rebuild_standings(self) -> None:
        """Recompute the standings and daily streaks from the answer log, in one
        transaction that holds the log and what is derived from it still (readers go on;
        writers wait), through the same rules that keep them live."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(HOLD_DERIVED_SQL)
            await standings.rebuild(conn)
            rows = await conn.fetch(
                numbered(
                    REVEALED_DAILIES_SQL.format(
                        answered="coalesce(array_agg(player_id), '{}'::bigint[])"
                    )
                )
            )
            await conn.execute("DELETE FROM daily_streaks")
            streaks = replay_dailies(
                (int(row[0]), int(row[1]), row[2], row[3], list(row[4])) for row in rows
            )
            if streaks:
                await conn.executemany(numbered(INSERT_STREAK_SQL), streaks)


async def _settings(conn: Connection, workspace_id: int) -> dict[str, str]:
    rows = await conn.fetch(numbered(sql.SETTINGS_SQL), workspace_id)
    return {str(row[0]): str(row[1]) for row in rows}


async def _insert_question(conn: Connection, round_id: int, seq: int, item: NextQuestion) -> int:
    values = sql.question_values(round_id, seq, item)
    return int(await conn.fetchval(numbered(sql.INSERT_QUESTION_SQL), *values))
