"""Question generation at scale: synthetic packs of up to 5,000 records.

The shipped records are copied under new keys, names and seasons until a pack has the
size wanted. For each size: building the question bank (once per records version), a
quick-play question from the bank, the same through Engine.handle on a SQLite file
(settings, the channel's history and the open daily read from the database), and the
daily question through Engine.handle (the first post deals the pool's cycle).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

from bench.report import figure, heading, percentile, progress, verdict
from db.connection import open_db
from db.game import GameStore
from db.records import shipped_packs
from trivia.bank import Bank, Records
from trivia.commands import Ask, DailyPost, Stop
from trivia.engine import Actor, Engine
from trivia.model import Event, Place, RecordsPack
from trivia.questions import Generator, Request
from trivia.settings import Settings

SIZES = (55, 550, 2_200, 5_000)
QUESTIONS = 300
DAILIES = 30
QUESTION_TARGET_MS = 5.0
DAILY_TARGET_MS = 50.0
BEFORE_QUESTION_MS = {55: 0.3, 550: 1.2, 2_200: 4.3}
"""Before the bank (commit de13b9e, this 2-core machine, the same synthetic packs): the
slowest quick-play question kind; each question rescanned every record."""
BEFORE_DAILY_MS = {55: 3.1, 550: 185.1, 2_200: 3_083.5}
"""Before the bank, the daily question: its pool was found by rescanning every record for
each record (issue 14 quoted 5.7, 394 and 6,100 ms for this path)."""
T0 = datetime(2026, 11, 21, 12, tzinfo=UTC)
PLACE = Place("bench", "gen", "c0")


@dataclass(frozen=True)
class SizeResult:
    """Timings for one pack size, in milliseconds."""

    records: int
    index_ms: float
    question_p50_ms: float
    question_p99_ms: float
    engine_p99_ms: float
    daily_first_ms: float
    daily_p99_ms: float


def synthetic(size: int) -> RecordsPack:
    """A pack of `size` records: shipped records copied under new keys and names."""
    shipped = [(p, e) for p, _ in shipped_packs() for e in p.events]
    events: list[Event] = []
    for i in range(size):
        _, e = shipped[i % len(shipped)]
        copy = i // len(shipped)
        if copy:
            e = replace(e, key=f"{e.key}-copy{copy}", name=f"{e.name} ({copy})")
        events.append(e)
    series = tuple({s.name: s for p, _ in shipped for s in p.series}.values())
    return RecordsPack(f"synthetic-{size}", "Synthetic benchmark pack", (), tuple(events), series)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def pure(pack: RecordsPack) -> tuple[float, list[float]]:
    """Bank build time, and per-question times over a channel's growing history."""
    start = time.perf_counter()
    bank = Bank(Records(pack.events, pack.competitors, pack.series))
    assert bank.subjects
    index_ms = _ms(start)
    history: list[str] = []
    times = []
    rng = Random(1)
    for _ in range(QUESTIONS):
        start = time.perf_counter()
        question = Generator(bank, rng, today=T0.date()).generate(
            Request(history=tuple(reversed(history)))
        )
        times.append(_ms(start))
        history.append(question.subject)
    return index_ms, times


async def through_engine(pack: RecordsPack, folder: Path) -> tuple[list[float], list[float]]:
    """Ask-and-stop through the engine, then a month of dailies, on a SQLite file."""
    path = folder / f"{pack.name}.sqlite3"
    async with open_db(path) as conn, open_db(path) as write_conn:
        store = GameStore(conn, write_conn)
        await store.records.import_pack(pack)
        engine = Engine(store, defaults=Settings(answer_window=3600), seed=1)
        await engine.bank()
        asks = []
        now = T0
        for _ in range(QUESTIONS // 3):
            actor = Actor(PLACE, "host", "Host", now, admin=True)
            start = time.perf_counter()
            [reply] = (await engine.handle(Ask(), actor)).replies
            asks.append(_ms(start))
            assert reply.question_id is not None, reply.title
            await engine.handle(Stop(), actor)
            now += timedelta(seconds=1)
        dailies = []
        for i in range(DAILIES):
            day = date(2026, 12, 1) + timedelta(days=i)
            at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            post = DailyPost(
                day=day, previous_day=day - timedelta(days=1), closes_at=at + timedelta(hours=12)
            )
            start = time.perf_counter()
            daily = Actor(Place("bench", "gen", "daily"), "s", "S", at, admin=True)
            replies = (await engine.handle(post, daily)).replies
            dailies.append(_ms(start))
            assert replies[-1].title.startswith("Daily #"), replies[-1].title
    return asks, dailies


async def run() -> list[SizeResult]:
    """Every size, with a summary line each."""
    heading("Question generation (synthetic packs)")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            pack = synthetic(size)
            index_ms, questions = pure(pack)
            asks, dailies = await through_engine(pack, Path(tmp))
            result = SizeResult(
                size,
                index_ms,
                percentile(questions, 0.5),
                percentile(questions, 0.99),
                percentile(asks, 0.99),
                dailies[0],
                percentile(dailies[1:], 0.99),
            )
            results.append(result)
            progress(f"{size:,} records done")
    for r in results:
        figure(
            f"{r.records:,} records: question p99 (ms)",
            f"{r.question_p99_ms:.2f}",
            f"< {QUESTION_TARGET_MS:g}: "
            + verdict(r.question_p99_ms, QUESTION_TARGET_MS, at_least=False)
            + f"; p50 {r.question_p50_ms:.2f}; {_before(BEFORE_QUESTION_MS, r.records)}",
        )
        figure("  bank built once (ms)", f"{r.index_ms:,.1f}")
        figure("  /trivia play via engine p99 (ms)", f"{r.engine_p99_ms:.2f}")
        figure(
            "  daily via engine p99 (ms)",
            f"{r.daily_p99_ms:.2f}",
            f"< {DAILY_TARGET_MS:g}: "
            + verdict(r.daily_p99_ms, DAILY_TARGET_MS, at_least=False)
            + f"; first post (deals the cycle) {r.daily_first_ms:,.1f} ms;"
            + f" {_before(BEFORE_DAILY_MS, r.records)}",
        )
    return results


def _before(figures: dict[int, float], records: int) -> str:
    found = figures.get(records)
    return f"before: {found:,.1f} ms" if found is not None else "before: not measured"
