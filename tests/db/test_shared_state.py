"""Several processes on one database, on both backends: reads never write, and no process
answers from a copy of shared state that another process has changed (two game stores on
one database stand for two processes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from db.connection import open_db
from db.game import GameStore
from db.postgres.connection import open_pool
from db.postgres.game import PgGameStore
from tests.conftest import T0, AnyGame, opened_game, query
from trivia.commands import Answer, Ask, Command, Daily, Help, Leaderboard, Stats, Stop
from trivia.engine import Actor, Engine
from trivia.model import Place, RecordsPack
from trivia.replies import Reply
from trivia.settings import Settings

KNOWN = Place("test", "guild", "chan")
UNKNOWN_CHANNEL = Place("test", "guild", "elsewhere")
UNKNOWN_WORKSPACE = Place("test", "other-guild", "chan")


@asynccontextmanager
async def read_only(database: Path | str) -> AsyncIterator[AnyGame]:
    """A game store whose connections refuse every write (as a read-only role would)."""
    if isinstance(database, Path):
        async with open_db(database) as conn:
            await conn.execute("PRAGMA query_only = ON")
            yield GameStore(conn, conn)
        return
    # asyncpg passes the URL's other parameters to the server as settings.
    async with open_pool(f"{database}?default_transaction_read_only=on") as pool:
        yield PgGameStore(pool)


def engine(store: AnyGame) -> Engine:
    return Engine(store, defaults=Settings(answer_window=30), seed=1)


async def play(eng: Engine, command: Command, user: str = "ann", seconds: int = 0) -> list[Reply]:
    actor = Actor(KNOWN, user, user.title(), T0 + timedelta(seconds=seconds))
    return (await eng.handle(command, actor)).replies


async def row_counts(database: Path | str) -> dict[str, int]:
    """How many rows each table holds."""
    if isinstance(database, Path):
        listed = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        listed = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    tables = [str(t) for (t,) in await query(database, listed)]
    return {t: (await query(database, f'SELECT count(*) FROM "{t}"'))[0][0] for t in tables}


async def test_reads_for_an_unknown_place_answer_empty_and_write_nothing(
    migrated: Path | str, mini_pack: RecordsPack
) -> None:
    """A leaderboard, stats, settings, streaks or the open question of a workspace or
    channel never seen answer as empty on a database no process may write to."""
    path = migrated
    async with opened_game(path, mini_pack) as store:
        await play(engine(store), Ask())  # the known channel has a player and a question
        await play(engine(store), Answer("a"), seconds=1)
    before = await row_counts(path)
    async with read_only(path) as store:
        for place in (UNKNOWN_CHANNEL, UNKNOWN_WORKSPACE):
            assert await store.streak_leaderboard(place, 10) == []
            assert await store.open_question(place) is None
            assert await store.open_daily(place) is None
            assert await store.player_card(place, "bo") is None
            asking = await store.asking(place, 10)
            assert (asking.settings, asking.recent, asking.held) == ({}, [], [])
        assert await store.leaderboard(UNKNOWN_WORKSPACE, "all", 10) == []
        assert await store.player_stats(UNKNOWN_WORKSPACE, "all", 1) is None
        assert await store.settings(UNKNOWN_WORKSPACE) == {}
        assert await store.player_card(UNKNOWN_WORKSPACE, "ann") is None
        # A known player seen from a channel where they never played: workspace stats.
        card = await store.player_card(UNKNOWN_CHANNEL, "ann")
        assert card is not None
        assert card.stats is not None
        assert card.stats.answered == 1
        assert card.daily is None
    assert await row_counts(path) == before


async def test_read_only_commands_work_on_a_database_that_cannot_be_written(
    migrated: Path | str, mini_pack: RecordsPack
) -> None:
    """A leaderboard, stats, help and the daily command in a new channel, through the
    engine, on a read-only database: answered, nothing written, no error."""
    path = migrated
    async with opened_game(path, mini_pack):
        pass
    async with read_only(path) as store:
        eng = engine(store)
        [board] = await play(eng, Leaderboard("week"))
        [streaks] = await play(eng, Leaderboard("streak"))
        [stats] = await play(eng, Stats())
        [daily] = await play(eng, Daily())
        [helped] = await play(eng, Help())
    assert board.body.startswith("No answers yet")
    assert streaks.title == "Leaderboard: daily streaks"
    assert helped.private
    assert stats.title == "You haven't answered any questions here yet."
    assert daily.title == "No daily question in this channel today."


async def test_a_question_another_process_opened_is_answered_here(
    migrated: Path | str, mini_pack: RecordsPack
) -> None:
    """Process A has seen question 1 open; process B stops it and asks the next. A click
    on the new question in A locks in, and A's /trivia says the new one is open."""
    path = migrated
    async with opened_game(path, mini_pack) as one, opened_game(path) as two:
        a, b = engine(one), engine(two)
        [asked] = await play(a, Ask())
        assert asked.title == "Trivia"
        first = await one.open_question(KNOWN)
        assert first is not None
        await play(b, Stop(), seconds=2)
        await play(b, Ask(), seconds=3)
        second = await two.open_question(KNOWN)
        assert second is not None
        assert second.id != first.id
        guess = "0.01" if second.question.is_numeric else "a"
        [clicked] = await play(a, Answer(guess, second.id), user="bo", seconds=4)
        assert clicked.title.startswith("Locked in"), clicked.title
        assert [r.player_name for r in await one.answers(second.id)] == ["Bo"]


async def test_a_question_another_process_stopped_leaves_the_channel_free(
    migrated: Path | str, mini_pack: RecordsPack
) -> None:
    """Process A has seen a question open; process B stops it. /trivia in A asks anew."""
    path = migrated
    async with opened_game(path, mini_pack) as one, opened_game(path) as two:
        a, b = engine(one), engine(two)
        await play(a, Ask())
        assert await one.open_question(KNOWN) is not None
        await play(b, Stop(), seconds=2)
        [asked] = await play(a, Ask(), seconds=3)
    assert asked.title == "Trivia", asked.title


async def test_a_renamed_player_shows_their_latest_name(
    migrated: Path | str, mini_pack: RecordsPack
) -> None:
    """Alice renamed to Bob and back to Alice is Alice, in one process and across two."""
    path = migrated
    async with opened_game(path, mini_pack) as one, opened_game(path) as two:
        eng = engine(one)
        await play(eng, Ask())
        await play(eng, Answer("a"), user="u1", seconds=1)
        ids = {await one.player(KNOWN, "u1", name) for name in ("Alice", "Bob", "Alice")}
        [row] = await one.leaderboard(KNOWN, "all", 10)
        assert (row.name, {row.player_id}) == ("Alice", ids)
        # Across processes: B sees Bob, then A sees Alice again.
        await two.player(KNOWN, "u1", "Bob")
        await one.player(KNOWN, "u1", "Alice")
        [row] = await two.leaderboard(KNOWN, "all", 10)
        assert row.name == "Alice"
