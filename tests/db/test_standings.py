"""Standings on both backends (real SQLite files, PostgreSQL databases): live scoring and
`db rebuild` agree, streaks included, and the leaderboard's order is
trivia.standings.rank_order."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, partial
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.connection import open_db
from db.game import GameStore
from db.records import read_pack
from tests.conftest import MINI_PACK, T0, AnyGame, opened_game, query
from tests.generating import generator
from tests.postgres import MIGRATED, Server
from trivia.daily import DailyInfo
from trivia.effects import Announced
from trivia.engine import settle_reveal
from trivia.model import Place, Question, QuestionKind
from trivia.questions import Request
from trivia.standings import Line, rank_order
from trivia.store import NextQuestion, OpenQuestion, Revealed

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PLACES = (Place("t", "a", "c0"), Place("t", "a", "c1"), Place("t", "b", "c2"))
WINDOW = timedelta(hours=1)


@cache
def question(kind: QuestionKind) -> Question:
    """A question of this kind from the test pack (a choice question or a guess)."""
    return generator(read_pack(MINI_PACK), 3).generate(Request(kinds=(kind,)))


CHOICE = QuestionKind.WINNER
GUESS = QuestionKind.GUESS_MARGIN


async def snapshot(database: Path | str) -> list[tuple[object, ...]]:
    """Every derived row: standings, the per-points counts and the daily streaks."""
    return [
        (table, *row)
        for table, sql in (
            ("standings", "SELECT * FROM standings ORDER BY 1, 2, 3"),
            ("counts", "SELECT * FROM standing_counts ORDER BY 1, 2, 3"),
            ("daily", "SELECT * FROM daily_streaks ORDER BY 1, 2"),
        )
        for row in await query(database, sql)
    ]


def no_posts(revealed: Revealed) -> list[Announced]:
    """No posts (the outbox is not under test here)."""
    return []


async def ask(store: AnyGame, place: Place, kind: QuestionKind, now: datetime) -> OpenQuestion:
    opened = await store.start_round(
        place, total=1, seed=1, first=NextQuestion(question(kind), now, now + WINDOW)
    )
    assert opened is not None
    return opened


async def answer(store: AnyGame, q: OpenQuestion, user: str, *, right: bool, now: datetime) -> None:
    """Lock in an answer as the engine does: a choice is judged now, a guess at its reveal."""
    asked = q.question
    if asked.is_numeric:
        assert asked.answer_value is not None
        value = asked.answer_value if right else asked.answer_value * 20 + 1
        await store.record_answer(
            q, user=user, name=user, text=f"{value}", choice_index=None, value=value, correct=None,
            points=0, hinted_points=0, answered_at=now,
        )  # fmt: skip
    else:
        assert asked.answer_index is not None
        index = asked.answer_index if right else (asked.answer_index + 1) % len(asked.choices)
        await store.record_answer(
            q, user=user, name=user, text="x", choice_index=index, value=None, correct=right,
            points=10 if right else 0, hinted_points=5 if right else 0, answered_at=now,
        )  # fmt: skip


async def reveal(store: AnyGame, q: OpenQuestion, now: datetime) -> None:
    await store.close_question(
        q, revealed_at=now, settle=partial(settle_reveal, q), following=None, announce=no_posts
    )


async def test_a_guess_judged_wrong_at_its_later_reveal_breaks_the_streak_live_and_rebuilt(
    game: AnyGame,
) -> None:
    """Right, a guess judged wrong at its later reveal, right: the streak reached 2 before
    the guess was judged, so the best streak is 2 and the streak now 0, before and after
    `db rebuild` (issue 15)."""
    place, other = PLACES[0], PLACES[1]
    first = await ask(game, place, CHOICE, T0)
    await answer(game, first, "ann", right=True, now=T0 + timedelta(seconds=1))
    await reveal(game, first, T0 + timedelta(seconds=2))
    guess = await ask(game, other, GUESS, T0 + timedelta(seconds=3))
    await answer(game, guess, "ann", right=False, now=T0 + timedelta(seconds=4))
    second = await ask(game, place, CHOICE, T0 + timedelta(seconds=5))
    await answer(game, second, "ann", right=True, now=T0 + timedelta(seconds=6))
    await reveal(game, second, T0 + timedelta(seconds=7))
    await reveal(game, guess, T0 + timedelta(seconds=8))
    ann = (await game.answers(first.id))[0].player_id

    live = await game.player_stats(place, "all", ann)
    await game.rebuild_standings()
    rebuilt = await game.player_stats(place, "all", ann)

    assert live is not None
    assert (live.answered, live.correct, live.streak, live.best_streak) == (3, 2, 0, 2)
    assert rebuilt == live


async def test_a_guess_answered_by_a_crowd_is_scored_for_everyone(
    migrated: Path | str, game: AnyGame
) -> None:
    """Seven hundred players guess one margin at once: every guess is locked in, the
    reveal scores them all, and the leaderboard counts all seven hundred."""
    guess = await ask(game, PLACES[0], GUESS, T0)
    crowd = [f"p{i}" for i in range(700)]
    await asyncio.gather(
        *(answer(game, guess, user, right=i % 2 == 0, now=T0) for i, user in enumerate(crowd))
    )
    await reveal(game, guess, T0 + timedelta(seconds=1))
    board = await game.leaderboard(PLACES[0], "all", 1000)
    assert len(board) == 700
    assert sum(s.correct for s in board) == 350
    live = await snapshot(migrated)
    await game.rebuild_standings()
    assert await snapshot(migrated) == live


@dataclass
class Game:
    """A run of play on one store: the clock, open questions and each channel's daily."""

    store: AnyGame
    now: datetime = T0
    open: dict[Place, OpenQuestion] = field(default_factory=dict)
    daily: dict[Place, OpenQuestion] = field(default_factory=dict)
    days: dict[Place, date] = field(default_factory=dict)

    def day(self, place: Place) -> date:
        """The channel's last daily date (or the day before its first)."""
        return self.days.get(place, date(2026, 11, 1))

    def lane(self, daily: bool) -> dict[Place, OpenQuestion]:
        """The open daily questions, or the open quick-play ones."""
        return self.daily if daily else self.open


@dataclass(frozen=True)
class Answer:
    """Lock in an answer to the channel's open question, first asking one of this kind if
    none is open (None: the daily question, posted `missed` days after the one due)."""

    place: Place
    user: str
    right: bool
    kind: QuestionKind | None
    missed: int


@dataclass(frozen=True)
class Reveal:
    """Reveal the channel's open question or daily question, then let days pass."""

    place: Place
    daily: bool
    days_after: int


@dataclass(frozen=True)
class Reset:
    """Reset the workspace's leaderboards."""

    place: Place


Step = Answer | Reveal | Reset
WHERE = st.sampled_from(PLACES)
RESETS = st.builds(Reset, WHERE)
REVEALS = st.builds(Reveal, WHERE, st.booleans(), st.sampled_from([0, 0, 0, 1, 3, 9, 40]))
ANSWERS = st.builds(
    Answer, WHERE, st.sampled_from(["ann", "bob", "cy"]), st.booleans(),
    st.sampled_from([CHOICE, GUESS, None]), st.sampled_from([0, 0, 0, 1]),
)  # fmt: skip
STEPS: st.SearchStrategy[Step] = st.sampled_from([ANSWERS] * 6 + [REVEALS] * 3 + [RESETS]).flatmap(
    lambda steps: steps
)


async def play(game: Game, step: Step) -> None:
    """One step of play, as the engine would make it (a reveal with nothing open does
    nothing)."""
    store = game.store
    game.now += timedelta(seconds=1)
    match step:
        case Answer(place, user, right, kind, missed):
            lane = game.lane(kind is None)
            if place not in lane:
                lane[place] = await (
                    post_daily(game, place, missed)
                    if kind is None
                    else ask(store, place, kind, game.now)
                )
            await answer(store, lane[place], user, right=right, now=game.now)
        case Reveal(place, daily, days_after):
            if place in game.lane(daily):
                await reveal(store, game.lane(daily).pop(place), game.now)
            game.now += timedelta(days=days_after)
        case Reset(place):
            await store.reset_standings(place)


async def post_daily(game: Game, place: Place, missed: int) -> OpenQuestion:
    """Post the channel's daily question, `missed` days after its schedule's next day."""
    day = game.days[place] = game.day(place) + timedelta(days=1 + missed)
    info = DailyInfo((day - date(2026, 1, 1)).days + 1, day, day - timedelta(days=1))
    posted = NextQuestion(question(GUESS), game.now, game.now + WINDOW)
    opened = await game.store.start_daily(place, info, posted)
    assert opened is not None
    return opened


async def play_then_rebuild(database: Path | str, steps: list[Step]) -> None:
    """Play the steps by turns from two processes on the database, then rebuild."""
    async with opened_game(database) as one, opened_game(database) as two:
        stores = (one, two)
        game = Game(stores[0])
        for turn, step in enumerate(steps):
            game.store = stores[turn % 2]
            await play(game, step)
        live = await snapshot(database)
        await game.store.rebuild_standings()
        assert await snapshot(database) == live


@PROPERTY
@given(st.lists(STEPS, min_size=10, max_size=80))
def test_rebuild_reproduces_live_standings_and_daily_streaks(
    steps: list[Step],
) -> None:
    """Any run of questions asked, choices and guesses locked in, reveals, daily questions
    (some days missed), weeks passing and resets, by two processes in turn: `db rebuild`
    gives back exactly the standings, per-points counts and daily streaks that live play
    left."""
    with tempfile.TemporaryDirectory(prefix="photo-finish-") as tmp:
        asyncio.run(play_then_rebuild(Path(tmp) / "game.sqlite3", steps))


@settings(PROPERTY, max_examples=12)
@given(st.lists(STEPS, min_size=10, max_size=80))
def test_rebuild_reproduces_live_standings_and_daily_streaks_on_postgresql(
    pg_server: Server, steps: list[Step]
) -> None:
    """The same on PostgreSQL (fewer runs: each takes a database)."""
    with pg_server.database(pg_server.template(MIGRATED)) as url:
        asyncio.run(play_then_rebuild(url, steps))


async def test_a_place_in_the_settle_order_is_never_given_twice(migrated: Path | str) -> None:
    """Two processes settle answers in two workspaces; one workspace is reset, deleting
    the answers that held the latest places; the next answer still takes a new place, so
    the settle order `db rebuild` replays is the order the answers were settled in."""
    async with opened_game(migrated) as one, opened_game(migrated) as two:
        here = await ask(one, PLACES[0], CHOICE, T0)
        there = await ask(two, PLACES[2], CHOICE, T0)
        await answer(one, here, "ann", right=True, now=T0)
        await answer(two, there, "bo", right=True, now=T0)
        await answer(two, there, "cy", right=False, now=T0)
        await two.reset_standings(PLACES[2])
        await answer(one, here, "di", right=True, now=T0)
        live = await snapshot(migrated)
        await one.rebuild_standings()
        assert await snapshot(migrated) == live
    order = await query(migrated, "SELECT settle_seq FROM answers ORDER BY id")
    assert order == [(1,), (4,)]


LINES = st.builds(
    Line,
    points=st.sampled_from([0, 10, 20]),
    answered=st.just(3),
    correct=st.integers(0, 2),
    last_scored_at=st.sampled_from([0.0, 1.0, 2.0]),
)


async def rank_lines(path: Path, lines: list[Line]) -> None:
    async with open_db(path) as conn:
        store = GameStore(conn)
        place = PLACES[0]
        await store.save_settings(place, {})  # the workspace row
        with closing(sqlite3.connect(path)) as raw, raw:
            ids = [
                raw.execute(
                    "INSERT INTO players (workspace_id, ref, display_name)"
                    " SELECT id, ?, ? FROM workspaces WHERE ref = ? RETURNING id",
                    (f"p{i}", f"p{i}", place.workspace),
                ).fetchone()[0]
                for i in range(len(lines))
            ]
            raw.executemany(
                "INSERT INTO standings (workspace_id, period, player_id, points, answered,"
                " correct, last_scored_at) SELECT workspace_id, 'all', id, ?, ?, ?, ?"
                " FROM players WHERE id = ?",
                [
                    (line.points, line.answered, line.correct, line.last_scored_at, player)
                    for player, line in zip(ids, lines, strict=True)
                ],
            )
        expected = sorted(ids, key=lambda i: rank_order(i, lines[ids.index(i)]))
        board = await store.leaderboard(place, "all", len(lines))
        assert [s.player_id for s in board] == expected


@PROPERTY
@given(st.lists(LINES, min_size=1, max_size=12))
def test_the_leaderboard_is_in_rank_order(lines: list[Line]) -> None:
    """The leaderboard's SQL order is trivia.standings.rank_order, ties and all."""
    with tempfile.TemporaryDirectory(prefix="photo-finish-") as tmp:
        asyncio.run(rank_lines(Path(tmp) / "game.sqlite3", lines))


async def test_migrating_moves_guesses_awaiting_their_reveal_to_pending(tmp_path: Path) -> None:
    """A database from before pending guesses counted them as answered in every period;
    migration 10 moves them to pending, leaving exactly what live play now stores (and
    `db rebuild` gives): here in two weeks and two months."""
    path = tmp_path / "game.sqlite3"
    later = T0 + timedelta(days=10)  # the next week, and December
    async with open_db(path) as conn, open_db(path) as write_conn:
        store = GameStore(conn, write_conn)
        judged = await ask(store, PLACES[0], GUESS, T0)
        await answer(store, judged, "ann", right=True, now=T0)
        await reveal(store, judged, T0 + timedelta(seconds=1))
        choice = await ask(store, PLACES[0], CHOICE, T0 + timedelta(seconds=2))
        await answer(store, choice, "bob", right=False, now=T0 + timedelta(seconds=3))
        waiting = await ask(store, PLACES[1], GUESS, T0 + timedelta(seconds=4))
        await answer(store, waiting, "ann", right=True, now=T0 + timedelta(seconds=5))
        await answer(store, waiting, "bob", right=True, now=later)
        elsewhere = await ask(store, PLACES[2], GUESS, later)
        await answer(store, elsewhere, "ann", right=False, now=later)
    live = await snapshot(path)
    pending = [row[-1] for row in live if row[0] == "standings"]
    assert sum(n for n in pending if isinstance(n, int)) == 9  # 3 guesses, 3 periods each
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE standings SET answered = answered + pending")
        raw.execute("ALTER TABLE standings DROP COLUMN pending")
        raw.execute("DROP TABLE schedule_numbers")  # migration 11, which runs again after 10
        raw.execute("DROP TABLE schedule_changes")  # and 12
        raw.execute("DROP TABLE settle_order")  # and 13
        raw.execute("DROP TABLE leases")  # and 14
        raw.execute("DROP TABLE deliveries")
        raw.execute("DROP TABLE hints")  # and 18
        raw.execute("PRAGMA user_version = 9")
    async with open_db(path):
        pass
    assert await snapshot(path) == live
