"""Several processes writing one PostgreSQL database at once (two connection pools stand
for two bot processes): answers racing each other and a reveal lose nothing, count
nothing twice, and leave standings equal to what `db rebuild` computes from the log."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from random import Random

from tests.conftest import T0, AnyGame, opened_game, query
from tests.db.test_standings import CHOICE, GUESS, WINDOW, no_posts, question
from tests.postgres import MIGRATED, Server
from trivia.engine import settle_reveal
from trivia.model import Place, RecordsPack
from trivia.store import Lock, NextQuestion, OpenQuestion, Revealed

PLACES = [Place("t", f"w{w}", f"c{c}") for w in range(2) for c in range(4)]
"""Two workspaces of four channels: three ask a guess, one a choice (GUESS_IN)."""
GUESS_IN = ("c0", "c1", "c2")
PLAYERS = [f"p{i}" for i in range(6)]
DERIVED = (
    "SELECT 'standings', * FROM standings ORDER BY 2, 3, 4",
    "SELECT 'counts', * FROM standing_counts ORDER BY 2, 3, 4",
    "SELECT 'daily', * FROM daily_streaks ORDER BY 2, 3",
)


async def derived(url: str) -> list[tuple[object, ...]]:
    """Every row derived from the answer log."""
    return [row for sql in DERIVED for row in await query(url, sql)]


async def answer(store: AnyGame, q: OpenQuestion, user: str, rng: Random) -> tuple[int, str, Lock]:
    """One answer as the engine locks it (a choice judged now, a guess at the reveal)."""
    asked = q.question
    at = q.asked_at + timedelta(seconds=rng.randrange(1, 60))
    if asked.is_numeric:
        assert asked.answer_value is not None
        value = asked.answer_value * rng.choice([1, 2, 30])
        lock = await store.record_answer(
            q, user=user, name=user, text=str(value), choice_index=None, value=value, correct=None,
            points=0, hinted_points=0, answered_at=at,
        )  # fmt: skip
    else:
        right = rng.random() < 0.5
        lock = await store.record_answer(
            q, user=user, name=user, text="x", choice_index=0, value=None, correct=right,
            points=10 if right else 0, hinted_points=5 if right else 0, answered_at=at,
        )  # fmt: skip
    return q.id, user, lock


@dataclass
class Race:
    """A question's answers and its reveal, started together: the reveal goes once half as
    many answers as there are players are acknowledged, the rest still in flight."""

    store: AnyGame
    question: OpenQuestion
    acked: int = 0
    halfway: asyncio.Event = field(default_factory=asyncio.Event)

    async def answer(self, store: AnyGame, user: str, rng: Random) -> tuple[int, str, Lock]:
        """One answer, counted once acknowledged."""
        done = await answer(store, self.question, user, rng)
        self.acked += 1
        if self.acked >= len(PLAYERS) // 2:
            self.halfway.set()
        return done

    async def reveal(self) -> Revealed | None:
        """Reveal the question halfway through its answers."""
        await self.halfway.wait()
        return await reveal(self.store, self.question)


async def reveal(store: AnyGame, q: OpenQuestion) -> Revealed | None:
    """Reveal `q` as the engine does, settling its answers."""
    return await store.close_question(
        q, revealed_at=q.closes_at, settle=partial(settle_reveal, q), following=None,
        announce=no_posts,
    )  # fmt: skip


async def test_answers_and_reveals_from_two_processes_lose_nothing(
    pg_server: Server, mini_pack: RecordsPack
) -> None:
    """Eight channels in two workspaces, each with a question (choices and guesses); every
    player answers each question twice, from both processes at once, while each question
    is revealed by one of them halfway through; then one more answer comes too late. Every
    answer acknowledged as locked is stored once and is in its question's reveal; every
    other answer is stored nowhere; the settle order gives each judged answer its own
    place; and the standings, counts and streaks left are exactly what `db rebuild`
    computes from the log."""
    rng = Random(20)
    with pg_server.database(pg_server.template(MIGRATED)) as url:
        async with opened_game(url, mini_pack) as one, opened_game(url) as two:
            stores = (one, two)
            asked = []
            for i, place in enumerate(PLACES):
                kind = GUESS if place.channel in GUESS_IN else CHOICE
                first = NextQuestion(question(kind), T0, T0 + WINDOW)
                opened = await stores[i % 2].start_round(place, total=1, seed=i, first=first)
                assert opened is not None
                asked.append(opened)
            races = [Race(stores[i % 2], q) for i, q in enumerate(asked)]
            answers = [
                race.answer(stores[rng.randrange(2)], user, rng)
                for race in races
                for user in PLAYERS * 2
            ]
            rng.shuffle(answers)
            acked, revealed = await asyncio.gather(
                asyncio.gather(*answers), asyncio.gather(*(race.reveal() for race in races))
            )
            late = [await answer(stores[i % 2], q, "late", rng) for i, q in enumerate(asked)]
            assert {lock for *_, lock in late} == {Lock.CLOSED}
            live = await derived(url)
            await two.rebuild_standings()
            assert await derived(url) == live
            stored = sorted(
                await query(
                    url,
                    "SELECT a.question_id, p.ref FROM answers a"
                    " JOIN players p ON p.id = a.player_id",
                )
            )
            [places] = await query(url, "SELECT count(settle_seq), count(DISTINCT settle_seq),"
                                        " count(*) FROM answers")  # fmt: skip

    locked = sorted((q, user) for q, user, lock in acked if lock is Lock.LOCKED)
    assert stored == locked
    assert places == (len(locked),) * 3, "each judged answer has a place of its own"
    for q, done in zip(asked, revealed, strict=True):
        assert isinstance(done, Revealed), "each question is revealed once"
        in_reveal = sorted((q.id, a.player_name) for a in done.answers)
        assert in_reveal == [(qid, user) for qid, user in locked if qid == q.id]
