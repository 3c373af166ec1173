"""Game data on both backends (real SQLite files and PostgreSQL databases): unique answers,
atomic scoring, standings; and SQLite's own migrations and crash safety."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from random import Random

import pytest

from db.connection import migrations, open_db, schema_version
from db.game import GameStore
from db.stored import question_from_json, question_to_json
from tests.conftest import T0, AnyGame, execute, opened_game, query
from tests.generating import generator
from trivia.daily import DailyStreak
from trivia.effects import Announced
from trivia.model import Place, RecordsPack
from trivia.questions import Request
from trivia.schedule import Timing
from trivia.standings import Line, rank_order
from trivia.store import AnswerRow, Lock, NextQuestion, OpenQuestion, Revealed, Settled

PLACE = Place("test", "guild", "chan")
REPO = Path(__file__).resolve().parents[2]


def no_posts(revealed: Revealed) -> list[Announced]:
    """No posts (the outbox is not under test here)."""
    return []


async def open_one(store: AnyGame, mini_pack: RecordsPack, seed: int = 1) -> OpenQuestion:
    question = generator(mini_pack, seed).generate()
    first = NextQuestion(question, T0, T0 + timedelta(seconds=30))
    opened = await store.start_round(PLACE, total=1, seed=seed, first=first)
    assert opened is not None
    return opened


async def answer(store: AnyGame, q: OpenQuestion, user: str, *, points: int = 10) -> Lock:
    return await store.record_answer(
        q,
        user=user,
        name=user,
        text="a",
        choice_index=0,
        value=None,
        correct=points > 0,
        points=points,
        hinted_points=points // 2,
        answered_at=T0 + timedelta(seconds=1),
    )


def settle_nothing(answers: list[AnswerRow], streaks: list[DailyStreak]) -> Settled:
    """A reveal that leaves every answer's points as they were locked."""
    return Settled([], [])


async def standings(database: Path | str) -> list[tuple[object, ...]]:
    rows = await query(
        database,
        "SELECT workspace_id, period, player_id, points, answered, correct FROM standings"
        " ORDER BY 1, 2, 3",
    )
    counts = await query(
        database,
        "SELECT workspace_id, period, points, players FROM standing_counts WHERE players > 0"
        " ORDER BY 1, 2, 3",
    )
    return rows + [("counts", *c) for c in counts]


async def test_migrations_from_empty_and_pragmas(tmp_path: Path) -> None:
    """A new file gets every migration, WAL and foreign keys; reopening changes nothing."""
    path = tmp_path / "new" / "fresh.sqlite3"
    async with open_db(path) as conn:
        assert await schema_version(conn) == migrations()[-1][0]
        async with conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
        async with conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1  # type: ignore[index]
        async with conn.execute("PRAGMA busy_timeout") as cur:
            assert (await cur.fetchone())[0] == 5000  # type: ignore[index]
    async with open_db(path) as conn:
        assert await schema_version(conn) == migrations()[-1][0]


async def test_an_upgraded_database_numbers_new_schedules_after_its_highest(
    tmp_path: Path,
) -> None:
    """Schedules #1 and #5 made before the upgrade: the next is #6, and a removed #6 is
    not given out again."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        for version, _, sql in migrations():
            if version <= 9:
                old.executescript(sql)
        old.executescript(
            """
            INSERT INTO workspaces (id, platform, ref) VALUES (1, 'test', 'guild');
            INSERT INTO channels (id, workspace_id, ref) VALUES (1, 1, 'chan');
            INSERT INTO schedules (id, channel_id, at, zone, days, created_at)
                VALUES (1, 1, '09:00', 'UTC', '', 0), (5, 1, '10:00', 'UTC', '', 0);
            PRAGMA user_version = 9;
            """
        )
    place = Place("test", "guild", "chan")
    timing = Timing(time(11, 0), "UTC", frozenset())
    async with open_db(path) as conn:
        store = GameStore(conn)

        async def add() -> int:
            return await store.add_schedule(
                place, timing, series=None, questions=1, reveal_at=None, now=T0
            )

        assert await add() == 6
        assert await store.change_schedule(place, "remove", 6)
        assert await add() == 7
        assert [s.id for s in await store.list_schedules(place)] == [1, 5, 7]


async def test_one_answer_per_player_even_under_concurrent_tasks(
    game: AnyGame, mini_pack: RecordsPack
) -> None:
    """Fifty players each clicking three times at once: exactly one answer each."""
    q = await open_one(game, mini_pack)
    users = [f"user{i}" for i in range(50)]
    results = await asyncio.gather(*(answer(game, q, u) for u in users * 3))
    assert results.count(Lock.LOCKED) == 50
    assert results.count(Lock.DUPLICATE) == 100
    rows = await game.answers(q.id)
    assert sorted(r.player_name for r in rows) == sorted(users)
    board = await game.leaderboard(PLACE, "all", 100)
    assert len(board) == 50
    assert {s.points for s in board} == {10}


async def test_answer_after_the_reveal_is_not_stored(game: AnyGame, mini_pack: RecordsPack) -> None:
    """Once revealed, a question takes no more answers, and the reveal happens once."""
    q = await open_one(game, mini_pack)
    closed = await game.close_question(
        q, revealed_at=T0, settle=settle_nothing, following=None, announce=no_posts
    )
    assert closed == Revealed([], Settled([], []), None)
    again = await game.close_question(
        q, revealed_at=T0, settle=settle_nothing, following=None, announce=no_posts
    )
    assert again is None
    assert await answer(game, q, "late") is Lock.CLOSED
    assert await game.answers(q.id) == []


async def test_a_failure_inside_scoring_leaves_nothing_behind(
    tmp_path: Path, store: GameStore, mini_pack: RecordsPack
) -> None:
    """If any part of scoring fails, neither the answer nor any total is written."""
    q = await open_one(store, mini_pack)
    assert await answer(store, q, "ann") is Lock.LOCKED
    path = tmp_path / "game.sqlite3"
    before = await standings(path)
    await store.writer.conn.execute(
        "CREATE TEMP TRIGGER fail_late BEFORE UPDATE ON standing_counts"
        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        await answer(store, q, "bob")
    await store.writer.conn.execute("DROP TRIGGER temp.fail_late")
    assert await standings(path) == before
    assert [r.player_name for r in await store.answers(q.id)] == ["ann"]


async def test_rebuild_from_the_log_matches_the_running_totals(
    migrated: Path | str, game: AnyGame, mini_pack: RecordsPack
) -> None:
    """Derived standings are exactly what replaying the answer log produces."""
    rng = Random(5)
    for seed in range(6):
        q = await open_one(game, mini_pack, seed)
        for i in range(12):
            await answer(game, q, f"p{rng.randrange(8)}", points=rng.choice([0, 10, 20]))
            del i
        await game.close_question(
            q,
            revealed_at=T0 + timedelta(days=seed * 5),
            settle=settle_nothing,
            following=None,
            announce=no_posts,
        )
    running = await standings(migrated)
    await game.rebuild_standings()
    assert await standings(migrated) == running
    await execute(migrated, "UPDATE standings SET points = 999")
    await game.rebuild_standings()
    assert await standings(migrated) == running


CRASH_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import timedelta
    from random import Random
    from db.connection import open_db
    from db.game import GameStore
    from db.records import read_pack
    from tests.generating import generator
    from trivia.store import NextQuestion
    from trivia.model import Place
    from tests.conftest import T0, AnyGame, execute, opened_game, query

    async def main() -> None:
        pack = read_pack("tests/data/mini_pack.json")
        async with open_db(sys.argv[1]) as conn:
            store = GameStore(conn)
            await store.records.import_pack(pack)
            n = 0
            for r in range(10_000):
                place = Place("crash", "ws", f"c{r}")
                q = generator(pack, r).generate()
                first = NextQuestion(q, T0, T0 + timedelta(hours=1))
                opened = await store.start_round(place, total=1, seed=r, first=first)
                for u in range(20):
                    await store.record_answer(opened, user=f"u{u}", name=f"u{u}", text="a",
                        choice_index=0, value=None, correct=u % 2 == 0, points=10 * (u % 3),
                        hinted_points=0, answered_at=T0 + timedelta(seconds=r))
                    n += 1
                    if n == 200:
                        print("ready", flush=True)

    asyncio.run(main())
    """
)


def test_killed_mid_scoring_leaves_whole_answers_only(tmp_path: Path) -> None:
    """SIGKILL while answers stream in: the totals still equal a replay of the log."""
    path = tmp_path / "crash.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with sqlite3.connect(path) as conn:
        logged = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
        counted = conn.execute(
            "SELECT sum(answered) FROM standings WHERE period = 'all'"
        ).fetchone()[0]
    assert logged >= 200
    assert counted == logged
    running = asyncio.run(standings(path))

    async def rebuild() -> None:
        async with open_db(path) as conn:
            await GameStore(conn).rebuild_standings()

    asyncio.run(rebuild())
    assert asyncio.run(standings(path)) == running


async def test_rank_and_neighbours_match_a_full_sort_with_ties(
    migrated: Path | str, game: AnyGame, mini_pack: RecordsPack
) -> None:
    """Rank, the player above and the player below agree with sorting every player by
    trivia.standings.rank_order, including ties on points broken by correct answers, then
    by who scored first."""
    rng = Random(9)
    for seed in range(8):
        q = await open_one(game, mini_pack, seed)
        for u in rng.sample(range(30), 20):
            pts = rng.choice([0, 10, 10, 20])
            await game.record_answer(
                q,
                user=f"p{u}",
                name=f"p{u}",
                text="a",
                choice_index=0,
                value=None,
                correct=pts > 0 and rng.random() < 0.8,
                points=pts,
                hinted_points=pts // 2,
                answered_at=T0 + timedelta(seconds=rng.choice([1, 2])),
            )
        await game.close_question(
            q, revealed_at=T0, settle=settle_nothing, following=None, announce=no_posts
        )
    rows = await query(
        migrated,
        "SELECT player_id, points, correct, last_scored_at FROM standings WHERE period = 'all'",
    )
    ordered = sorted(rows, key=lambda r: rank_order(r[0], Line(r[1], 0, r[2], r[3])))
    assert len({(r[1], r[2]) for r in ordered}) < len(ordered), "the data has ties"
    for index, (player_id, *_) in enumerate(ordered):
        stats = await game.player_stats(PLACE, "all", player_id)
        assert stats is not None
        assert stats.rank == index + 1
        assert stats.players == len(ordered)
        above = stats.above.player_id if stats.above else None
        below = stats.below.player_id if stats.below else None
        assert above == (ordered[index - 1][0] if index else None)
        assert below == (ordered[index + 1][0] if index + 1 < len(ordered) else None)
    board = await game.leaderboard(PLACE, "all", 10)
    assert [s.player_id for s in board] == [r[0] for r in ordered[:10]]


async def test_two_processes_on_one_database_never_accept_a_closed_question(
    migrated: Path | str, game: AnyGame, mini_pack: RecordsPack
) -> None:
    """A second connection reveals the question; the first one's late answer is refused
    as closed (not as a duplicate), and it then sees the channel as free."""
    q = await open_one(game, mini_pack)
    assert await game.open_question(PLACE) == q
    async with opened_game(migrated) as other:
        other_q = await other.open_question(PLACE)
        assert other_q is not None
        assert await other.close_question(
            other_q, revealed_at=T0, settle=settle_nothing, following=None, announce=no_posts
        )
    assert await answer(game, q, "ann") is Lock.CLOSED
    assert await game.open_question(PLACE) is None
    assert await game.answers(q.id) == []


async def test_asking_reads_the_channels_latest_subjects_newest_first_and_its_open_daily(
    game: AnyGame, mini_pack: RecordsPack
) -> None:
    """What question generation avoids: the subjects of this channel's latest quick-play
    questions, newest first, up to the limit; other channels' questions do not count."""
    asked: list[str] = []
    for seed in range(3):
        place = PLACE
        question = generator(mini_pack, seed).generate(Request(history=tuple(reversed(asked))))
        first = NextQuestion(question, T0, T0 + timedelta(seconds=30))
        opened = await game.start_round(place, total=1, seed=seed, first=first)
        assert opened is not None
        await game.close_question(
            opened,
            revealed_at=T0,
            settle=lambda a, s: Settled([], []),
            following=None,
            announce=no_posts,
        )
        asked.append(question.subject)
    other = generator(mini_pack, 9).generate()
    first = NextQuestion(other, T0, T0 + timedelta(seconds=30))
    assert await game.start_round(Place("test", "guild", "elsewhere"), total=1, seed=9, first=first)
    assert (await game.asking(PLACE, 3)).recent == asked[::-1]
    assert (await game.asking(PLACE, 2)).recent == asked[:0:-1]
    assert (await game.asking(PLACE, 2)).held == []
    assert (await game.asking(Place("test", "guild", "elsewhere"), 5)).recent == [other.subject]


def test_questions_stored_by_an_earlier_or_later_version_still_load(
    mini_pack: RecordsPack,
) -> None:
    """A pending question written before an upgrade (no format, no answer_step) or by a
    newer version (a field this one does not know) loads; new ones carry their format."""
    question = generator(mini_pack, 2).generate()
    stored = json.loads(question_to_json(question))
    assert stored["format"] == 2
    old = {k: v for k, v in stored.items() if k not in ("format", "answer_step")}
    assert question_from_json(json.dumps(old)) == replace(question, answer_step=None)
    newer = {**stored, "format": 3, "hint": "added later"}
    assert question_from_json(json.dumps(newer)) == question


async def test_a_hint_racing_an_answer_counts_both_or_neither(
    game: AnyGame, mini_pack: RecordsPack
) -> None:
    """Players who ask for a hint while their answer is being written: either the hint
    came first (the answer scores its hinted points and is marked) or the answer did (the
    hint is refused and the answer keeps its full points), never a mix."""
    q = await open_one(game, mini_pack)

    async def race(user: str, hint_first: bool) -> str | None:
        hint = game.take_hint(q.id, PLACE, user=user, name=user, text="Not B or D.", at=T0)
        if hint_first:
            given, locked = await asyncio.gather(hint, answer(game, q, user, points=10))
        else:
            locked, given = await asyncio.gather(answer(game, q, user, points=10), hint)
        assert locked is Lock.LOCKED
        return given

    users = [f"r{n}" for n in range(12)]
    given = await asyncio.gather(*(race(u, n % 2 == 0) for n, u in enumerate(users)))
    rows = {a.player_name: a for a in await game.answers(q.id)}
    for user, hint in zip(users, given, strict=True):
        hinted = hint is not None
        assert (rows[user].hinted, rows[user].points) == (hinted, 5 if hinted else 10), user
