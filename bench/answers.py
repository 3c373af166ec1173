"""Answers judged and stored per second through the engine, against a bare aiosqlite loop.

Each of ROUNDS rounds uses fresh database files; the medians are reported.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bench.report import figure, heading, progress, verdict
from db.connection import PRAGMAS, open_db
from db.game import GameStore
from trivia.commands import Answer, Ask
from trivia.engine import Actor, Engine
from trivia.model import CHOICE_LETTERS, Place
from trivia.replies import ReplyKind
from trivia.settings import Settings
from trivia.store import OpenQuestion, Store

QUESTIONS = 200
ANSWERS_PER_QUESTION = 100
PLAYERS = 1_000
ROUNDS = 3
CONCURRENCY = 100
ANSWER_GAP = timedelta(milliseconds=100)
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
ENGINE_TARGET = 5_000.0
RATIO_TARGET = 0.5

ROW_COLUMNS = (
    "question_id, player_id, workspace_id, answer, choice_index, value, correct, points,"
    " answered_at"
)
_BARE_SCHEMA = """
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL,
    answer TEXT NOT NULL,
    choice_index INTEGER,
    value REAL,
    correct INTEGER CHECK (correct IN (0, 1)),
    points INTEGER NOT NULL DEFAULT 0,
    answered_at REAL NOT NULL,
    UNIQUE (question_id, player_id)
)
"""


@dataclass(frozen=True)
class Throughput:
    """The figures of this benchmark, for the summary."""

    engine_per_s: float
    serial_per_s: float
    bare_per_s: float

    @property
    def ratio(self) -> float:
        """Engine throughput as a share of the bare loop's."""
        return self.engine_per_s / self.bare_per_s

    @property
    def serial_ratio(self) -> float:
        """One-answer-at-a-time engine throughput as a share of the bare loop's."""
        return self.serial_per_s / self.bare_per_s


def _answer_text(open_q: OpenQuestion, player: int) -> str:
    """A valid answer: a letter for multiple choice, a margin in seconds for guess-the-margin."""
    question = open_q.question
    if question.is_numeric:
        return f"{(player % 50 + 1) / 1000:.3f}"
    return CHOICE_LETTERS[player % len(question.choices)]


async def _open_questions(engine: Engine, store: Store) -> list[tuple[Place, OpenQuestion]]:
    """Ask one question in each of QUESTIONS channels."""
    opened = []
    for i in range(QUESTIONS):
        place = Place("bench", "ws", f"c{i}")
        await engine.handle(Ask(), Actor(place, "host", "Host", T0 + timedelta(milliseconds=i)))
        open_q = await store.open_question(place)
        assert open_q is not None, "Ask did not open a question"
        opened.append((place, open_q))
    return opened


async def drive(
    engine: Engine, store: Store, label: str, concurrency: int, events: int, count: int
) -> float:
    """Open QUESTIONS questions (the shipped packs, `events` records, seeded), then send
    `count` answers through Engine.handle, `concurrency` in flight at once (players in
    different channels clicking at the same moment); the seconds the answers took."""
    opened = await _open_questions(engine, store)
    numeric = sum(q.question.is_numeric for _, q in opened)
    progress(
        f"{label}: shipped packs ({events} events), {QUESTIONS} channels with a question"
        f" open ({numeric} guess-the-margin), {PLAYERS:,} players"
    )
    jobs = []
    start = T0 + timedelta(seconds=10)
    for n in range(count):
        q, k = n % QUESTIONS, n // QUESTIONS
        place, open_q = opened[q]
        player = (k + 7 * q) % PLAYERS
        actor = Actor(place, f"u{player}", f"Player {player}", start + n * ANSWER_GAP)
        jobs.append((Answer(_answer_text(open_q, player)), actor))
    locked = 0
    began = time.perf_counter()
    for first in range(0, len(jobs), concurrency):
        wave = jobs[first : first + concurrency]
        for outcome in await asyncio.gather(*(engine.handle(c, a) for c, a in wave)):
            locked += outcome.replies[0].kind is ReplyKind.LOCKED
    seconds = time.perf_counter() - began
    progress(
        f"{label}: engine ({concurrency} at a time) locked in {locked:,} of {len(jobs):,}"
        f" answers in {seconds:.2f} s = {locked / seconds:,.0f}/s"
    )
    return seconds


async def engine_answers(
    path: Path, label: str, concurrency: int
) -> tuple[float, list[tuple[Any, ...]]]:
    """Answers per second through Engine.handle on SQLite, and the rows it stored."""
    async with open_db(path) as conn:
        store = GameStore(conn)
        await store.records.seed()
        pack = await store.records.export_pack()
        engine = Engine(store, defaults=Settings(answer_window=3600), seed=1)
        seconds = await drive(
            engine, store, label, concurrency, len(pack.events), QUESTIONS * ANSWERS_PER_QUESTION
        )
        async with conn.execute(f"SELECT {ROW_COLUMNS} FROM answers ORDER BY id") as cur:
            rows = [tuple(row) async for row in cur]
    return len(rows) / seconds, rows


async def bare_inserts(path: Path, rows: list[tuple[Any, ...]], label: str) -> float:
    """Rows per second for one INSERT + commit() each on a plain aiosqlite connection."""
    placeholders = ", ".join("?" * len(rows[0]))
    sql = f"INSERT INTO answers ({ROW_COLUMNS}) VALUES ({placeholders})"
    async with aiosqlite.connect(path) as conn:
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(_BARE_SCHEMA)
        await conn.commit()
        began = time.perf_counter()
        for row in rows:
            await conn.execute(sql, row)
            await conn.commit()
        seconds = time.perf_counter() - began
    progress(f"{label}: bare loop inserted {len(rows):,} rows in {seconds:.2f} s")
    return len(rows) / seconds


def spread(rates: list[float]) -> str:
    return "rounds: " + ", ".join(f"{rate:,.0f}" for rate in rates)


async def run() -> Throughput:
    """Run both loops ROUNDS times on fresh files and print the medians."""
    heading("1-2. Answers judged and stored per second")
    engine_rates, serial_rates, bare_rates = [], [], []
    for number in range(1, ROUNDS + 1):
        label = f"round {number}/{ROUNDS}"
        with tempfile.TemporaryDirectory(prefix="photo-finish-bench-") as tmp:
            rate, rows = await engine_answers(Path(tmp) / "engine.sqlite3", label, CONCURRENCY)
            engine_rates.append(rate)
            serial, _ = await engine_answers(Path(tmp) / "serial.sqlite3", label, 1)
            serial_rates.append(serial)
            bare_rates.append(await bare_inserts(Path(tmp) / "bare.sqlite3", rows, label))
    result = Throughput(
        statistics.median(engine_rates),
        statistics.median(serial_rates),
        statistics.median(bare_rates),
    )
    figure(
        f"engine, {CONCURRENCY} answers in flight",
        f"{result.engine_per_s:,.0f} answers/s",
        spread(engine_rates),
    )
    figure(
        f"  target >= {ENGINE_TARGET:,.0f}/s",
        verdict(result.engine_per_s, ENGINE_TARGET, at_least=True),
    )
    figure(
        "engine, one answer at a time",
        f"{result.serial_per_s:,.0f} answers/s",
        spread(serial_rates),
    )
    figure("bare aiosqlite INSERT + commit", f"{result.bare_per_s:,.0f} rows/s", spread(bare_rates))
    figure("ratio engine / bare (medians)", f"{result.ratio:.2f}")
    figure("  one at a time / bare", f"{result.serial_ratio:.2f}")
    figure(f"  target >= {RATIO_TARGET}", verdict(result.ratio, RATIO_TARGET, at_least=True))
    return result
