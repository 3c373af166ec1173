"""The SQLite store and the in-memory one are interchangeable: the same records, and the
same replies and announcements to the same stream of commands."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from db.records import shipped_packs
from tests.conftest import T0
from tests.trivia.conftest import EngineStore, engine_store
from trivia.commands import (
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    DailyPost,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleSet,
    Start,
    Stats,
    Stop,
)
from trivia.effects import Effect, Outcome
from trivia.engine import Actor, Engine
from trivia.model import Place, RecordsPack
from trivia.replies import Reply
from trivia.settings import Settings

PLACES = (Place("t", "g", "a"), Place("t", "g", "a"), Place("t", "g", "b"), Place("t", "h", "a"))
USERS = ("ann", "bob", "cal", "dee")
GUESSES = ("a", "b", "c", "d", "true", "false", "0.01", "0.005", "0.1", "1.2", "x")


def commands(seed: int, steps: int) -> list[tuple[Command | None, Actor]]:
    """A random stream of commands (None: the reveal timer fires) from a few players in
    three channels of two workspaces, time moving on by seconds and now and then days."""
    r = random.Random(seed)
    now, day = T0, T0.date()
    stream: list[tuple[Command | None, Actor]] = []
    for _ in range(steps):
        now += timedelta(seconds=r.choice((0, 1, 2, 3, 5, 10, 31, 3 * 86_400)))
        admin = r.random() < 0.3
        cmd: Command | None = r.choice(
            (Ask(), Start(r.choice((2, 3))), Stop(), Daily(r.choice((None, "0.01", "x"))),
             Leaderboard(r.choice(("all", "week", "month", "streak"))),
             Stats(r.choice((None, *USERS))), Reset(r.choice((None, now))),
             Configure(answer_window=r.choice((None, 20, 45)), match_length=r.choice((None, 2))),
             ScheduleSet(at="09:00", zone="UTC", questions=r.choice((None, 2))),
             ScheduleChange(r.choice(("pause", "resume", "remove")), r.randint(1, 3)), None)
            + (Answer(r.choice(GUESSES)),) * 6
        )  # fmt: skip
        if r.random() < 0.08:
            day += timedelta(days=r.choice((1, 2)))
            closes = now + timedelta(hours=r.choice((1, 20)))
            cmd = DailyPost(day=day, previous_day=day - timedelta(days=1), closes_at=closes)
            admin = True
        user = r.choice(USERS)
        stream.append((cmd, Actor(r.choice(PLACES), user, user.title(), now, admin)))
    return stream


async def play(store: EngineStore, stream: list[tuple[Command | None, Actor]]) -> list[object]:
    """What the players saw: each command's outcome, then every channel's overview."""
    eng = Engine(store, defaults=Settings(), seed=7)
    seen: list[Outcome | list[Effect] | list[Reply]] = []
    for cmd, actor in stream:
        seen.append(await eng.close_due(actor.now) if cmd is None else await eng.handle(cmd, actor))
    later = stream[-1][1].now + timedelta(hours=1)
    seen += [await eng.overview(Actor(place, "ann", "Ann", later)) for place in PLACES]
    return list(seen)


@pytest.mark.parametrize("seed", range(4))
async def test_both_stores_give_the_same_replies(
    request: pytest.FixtureRequest, seed: int, tmp_path: Path, mini_pack: RecordsPack
) -> None:
    """Rounds, matches, answers, dailies, streaks, resets, settings and schedules: a
    random session plays out the same on both stores, step by step."""
    stream = commands(seed, 250)
    async with engine_store(request, "sqlite", tmp_path / "game.sqlite3", mini_pack) as sqlite:
        on_sqlite = await play(sqlite, stream)
    async with engine_store(request, "memory", tmp_path, mini_pack) as memory:
        in_memory = await play(memory, stream)
    for step, (expected, got) in enumerate(zip(on_sqlite, in_memory, strict=True)):
        assert got == expected, f"step {step}: {stream[step][0] if step < len(stream) else ''}"


async def test_both_stores_hold_the_same_records(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Every shipped pack loads into the same events, nicknames and series on both."""
    packs = [pack for pack, _ in shipped_packs()]
    async with engine_store(request, "sqlite", tmp_path / "game.sqlite3", *packs) as sqlite:
        expected = await sqlite.load_records()
    async with engine_store(request, "memory", tmp_path, *packs) as memory:
        assert await memory.load_records() == expected
