"""Leaderboard and rank latency on 1,000,000 players and 10,000,000 answers.

The database is bulk-loaded with raw sqlite3 (triggers and secondary indexes off, derived
standings computed once with GROUP BY) and cached under /tmp/photo-finish-bench/.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.report import figure, heading, percentile, progress, verdict
from db.connection import migrations, open_db
from db.game import GameStore
from trivia.model import CHOICE_LETTERS, Difficulty, Place
from trivia.scoring import answer_points

VERSION = "v1"
CACHE_DIR = Path("/tmp/photo-finish-bench")
PLAYERS = 1_000_000
QUESTIONS = 10_000
ANSWERS_PER_PLAYER = 10
STRIDE = 7
"""Player p answers questions (STRIDE * p + k) % QUESTIONS for k < ANSWERS_PER_PLAYER."""
CHUNK_QUESTIONS = 1_000
START = 1_767_614_400.0
"""2026-01-05 12:00 UTC; question q is asked at START + 60 q and open for 30 s."""
WINDOW = 30.0
CORRECT_SHARE = 0.6
DIFFICULTIES = (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD)
PLACE = Place("bench", "big", "c0")
SAMPLE = 200
TIMING_BUDGET_S = 60.0
NAIVE_RUNS = 3
TARGET_MS = 10.0

_NAIVE_TOP = (
    "SELECT player_id, sum(points) AS total FROM answers WHERE workspace_id = ?"
    " GROUP BY player_id ORDER BY total DESC LIMIT 10"
)
_NAIVE_RANK = (
    "SELECT count(*) + 1 FROM (SELECT sum(points) AS total FROM answers WHERE workspace_id = ?"
    " GROUP BY player_id) WHERE total > (SELECT sum(points) FROM answers"
    " WHERE workspace_id = ? AND player_id = ?)"
)
_BY_RANK = (
    "SELECT player_id FROM standings WHERE workspace_id = 1 AND period = 'all'"
    " ORDER BY points DESC, correct DESC, last_scored_at, player_id LIMIT 1 OFFSET ?"
)


@dataclass(frozen=True)
class Latency:
    """The figures of this benchmark, for the summary."""

    p50_ms: float
    p99_ms: float
    max_ms: float
    naive_ms: float


def cache_path() -> Path:
    """The cached database, keyed by VERSION, the sizes and the migrations' text."""
    schema = hashlib.sha256("".join(sql for _, _, sql in migrations()).encode()).hexdigest()
    name = f"leaderboard-{VERSION}-{PLAYERS}p-{ANSWERS_PER_PLAYER}a-{schema[:12]}.sqlite3"
    return CACHE_DIR / name


def _answer_rows(first: int, last: int) -> Iterator[tuple[int, int, str, int, int, int, float]]:
    """Answer rows for questions first..last-1, grouped by question, players ascending.

    Points come from trivia.scoring.answer_points with a pseudo-random correctness and
    answer time, so faster correct answers score more, as in the game.
    """
    rng = random.Random(f"{VERSION}-{first}")
    inverse = pow(STRIDE, -1, QUESTIONS)
    per_residue = PLAYERS // QUESTIONS
    for q in range(first, last):
        asked = START + 60.0 * q
        difficulty = DIFFICULTIES[q % len(DIFFICULTIES)]
        right = q % len(DIFFICULTIES)
        residues = ((inverse * (q - k)) % QUESTIONS for k in range(ANSWERS_PER_PLAYER))
        players = sorted(r + QUESTIONS * m for r in residues for m in range(per_residue))
        for player in players:
            correct = rng.random() < CORRECT_SHARE
            elapsed = WINDOW * rng.random()
            points = (
                answer_points(difficulty, correct=True, elapsed=elapsed, window=WINDOW)
                if correct
                else 0
            )
            choice = right if correct else (right + 1) % 4
            yield (
                q + 1,
                player + 1,
                CHOICE_LETTERS[choice],
                choice,
                int(correct),
                points,
                asked + elapsed,
            )


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN ... COMMIT on an autocommit (isolation_level=None) connection."""
    conn.execute("BEGIN")
    yield
    conn.execute("COMMIT")


def _load(conn: sqlite3.Connection) -> None:
    """Workspace, players, channel, round, questions, then the answers in 1M-row transactions."""
    with _transaction(conn):
        conn.execute(
            "INSERT INTO workspaces (id, platform, ref) VALUES (1, ?, ?)",
            (PLACE.platform, PLACE.workspace),
        )
        conn.executemany(
            "INSERT INTO players (id, workspace_id, ref, display_name) VALUES (?, 1, ?, ?)",
            ((p + 1, f"u{p}", f"Player {p}") for p in range(PLAYERS)),
        )
        conn.execute(
            "INSERT INTO channels (id, workspace_id, ref) VALUES (1, 1, ?)", (PLACE.channel,)
        )
        conn.execute(
            "INSERT INTO rounds (id, channel_id, total, started_at, ended_at, seed)"
            " VALUES (1, 1, ?, ?, ?, 1)",
            (QUESTIONS, START, START + 60.0 * QUESTIONS),
        )
        conn.executemany(
            "INSERT INTO questions (id, round_id, seq, body, asked_at, closes_at, revealed_at)"
            " VALUES (?, 1, ?, '{}', ?, ?, ?)",
            (
                (q + 1, q + 1, START + 60 * q, START + 60 * q + WINDOW, START + 60 * q + WINDOW)
                for q in range(QUESTIONS)
            ),
        )
    progress(f"  {PLAYERS:,} players and {QUESTIONS:,} questions")
    for first in range(0, QUESTIONS, CHUNK_QUESTIONS):
        with _transaction(conn):
            conn.executemany(
                "INSERT INTO answers (question_id, player_id, workspace_id, answer, choice_index,"
                " correct, points, answered_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
                _answer_rows(first, first + CHUNK_QUESTIONS),
            )
        done = (first + CHUNK_QUESTIONS) * PLAYERS * ANSWERS_PER_PLAYER // QUESTIONS
        progress(f"  {done:,} answers")


def _derive_standings(conn: sqlite3.Connection) -> None:
    """What the triggers would have produced for period 'all' (streaks left at 0)."""
    with _transaction(conn):
        conn.execute(
            "INSERT INTO standings (workspace_id, period, player_id, points, answered, correct,"
            " last_scored_at) SELECT workspace_id, 'all', player_id, sum(points), count(*),"
            " coalesce(sum(correct), 0),"
            " coalesce(max(CASE WHEN points > 0 THEN answered_at END), 0)"
            " FROM answers GROUP BY player_id"
        )
        conn.execute(
            "INSERT INTO standing_counts (workspace_id, period, points, players)"
            " SELECT workspace_id, period, points, count(*) FROM standings"
            " WHERE period = 'all' GROUP BY workspace_id, period, points"
        )


def build(path: Path) -> None:
    """Bulk-load the database into a temporary name, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("leaderboard-*"):
        if not stale.name.startswith(path.name):
            progress(f"  removing stale {stale.name}")
            stale.unlink()
    partial = path.with_suffix(".partial")
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        for version, _, sql in migrations():
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000"):
            conn.execute(f"PRAGMA {pragma}")
        # Triggers and secondary indexes on answers are dropped for the load and recreated
        # from their exact definitions afterwards.
        deferred = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'answers'"
            " AND type IN ('trigger', 'index') AND sql IS NOT NULL"
        ).fetchall()
        for kind, name, _ in deferred:
            conn.execute(f"DROP {kind.upper()} {name}")
        _load(conn)
        for kind, name, sql in deferred:
            if kind == "index":
                conn.execute(sql)
                progress(f"  index {name}")
        _derive_standings(conn)
        progress("  standings and standing_counts for 'all'")
        for kind, _, sql in deferred:
            if kind == "trigger":
                conn.execute(sql)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    os.replace(partial, path)


def ensure_database() -> Path:
    """The cached database, built first if missing."""
    heading("3. Leaderboard at scale")
    path = cache_path()
    if path.exists():
        progress(f"reused cached database {path} ({path.stat().st_size / 1e9:.1f} GB)")
        return path
    progress(f"building {path}: {PLAYERS:,} players, {PLAYERS * ANSWERS_PER_PLAYER:,} answers")
    began = time.perf_counter()
    build(path)
    minutes, seconds = divmod(time.perf_counter() - began, 60)
    progress(f"built in {int(minutes)} min {seconds:.0f} s ({path.stat().st_size / 1e9:.1f} GB)")
    return path


async def _sample(store: GameStore) -> list[tuple[str, int]]:
    """Top, median and last-ranked players, then random ones, as (label, player id)."""
    named = []
    for label, offset in (("top", 0), ("median", PLAYERS // 2), ("last", PLAYERS - 1)):
        async with store.conn.execute(_BY_RANK, (offset,)) as cur:
            row = await cur.fetchone()
        assert row is not None, "standings are empty"
        named.append((label, int(row[0])))
    picks = random.Random(2).sample(range(1, PLAYERS + 1), SAMPLE - len(named))
    return named + [("random", player) for player in picks]


async def _warm_up(store: GameStore) -> None:
    """Read the standings and players tables once, so timings are not disk reads.

    The rank index is read end to end by _sample's lookup of the last-ranked player.
    """
    began = time.perf_counter()
    for sql in (
        "SELECT sum(last_scored_at) FROM standings",
        "SELECT max(length(display_name)) FROM players",
    ):
        async with store.conn.execute(sql) as cur:
            await cur.fetchone()
    progress(
        f"warmed the OS page cache (standings, players) in {time.perf_counter() - began:.1f} s"
    )


async def _time_ours(store: GameStore, sample: list[tuple[str, int]]) -> list[float]:
    """Milliseconds per leaderboard(top 10) + player_stats call, within TIMING_BUDGET_S."""
    await store.leaderboard(PLACE, "all", 10)
    times: list[float] = []
    budget_end = time.perf_counter() + TIMING_BUDGET_S
    for label, player in sample:
        began = time.perf_counter()
        top = await store.leaderboard(PLACE, "all", 10)
        stats = await store.player_stats(PLACE, "all", player)
        times.append((time.perf_counter() - began) * 1000)
        assert len(top) == 10, "leaderboard is short"
        assert stats is not None, f"no standing for player {player}"
        if label != "random":
            progress(f"{label} player {player}: rank {stats.rank}, {times[-1]:.1f} ms")
        if time.perf_counter() > budget_end:
            progress(
                f"stopped after {len(times)} of {len(sample)} players"
                f" ({TIMING_BUDGET_S:.0f} s budget)"
            )
            break
    return times


async def _time_naive(store: GameStore, player: int) -> list[float]:
    """Milliseconds per naive GROUP BY top 10 + rank over the answers table."""
    times = []
    for run in range(NAIVE_RUNS):
        began = time.perf_counter()
        async with store.conn.execute(_NAIVE_TOP, (1,)) as cur:
            await cur.fetchall()
        async with store.conn.execute(_NAIVE_RANK, (1, 1, player)) as cur:
            rank = await cur.fetchone()
        times.append((time.perf_counter() - began) * 1000)
        assert rank is not None
        progress(f"naive run {run + 1}: rank {rank[0]:,} (by points) in {times[-1]:,.0f} ms")
    return times


async def run(path: Path) -> Latency:
    """Time our leaderboard + rank and the naive GROUP BY on the cached database."""
    async with open_db(path) as conn:
        store = GameStore(conn)
        await _warm_up(store)
        sample = await _sample(store)
        ours = await _time_ours(store, sample)
        median_player = next(player for label, player in sample if label == "median")
        naive = statistics.median(await _time_naive(store, median_player))
    result = Latency(percentile(ours, 0.5), percentile(ours, 0.99), max(ours), naive)
    figure(
        f"top 10 + player_stats ({len(ours)} players)",
        f"p50 {result.p50_ms:,.1f} ms",
        f"p99 {result.p99_ms:,.1f} ms, max {result.max_ms:,.1f} ms",
    )
    figure(f"  target p99 < {TARGET_MS:.0f} ms", verdict(result.p99_ms, TARGET_MS, at_least=False))
    figure(f"naive GROUP BY (median of {NAIVE_RUNS})", f"{naive:,.0f} ms")
    figure("ratio naive / ours (p50)", f"{naive / result.p50_ms:,.1f}x")
    return result
