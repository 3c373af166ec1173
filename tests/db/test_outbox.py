"""The outbox on both backends (real SQLite files, a real PostgreSQL server): posts stored
once by key, taken by one process at a time under a lease, marked posted or failed, and a
reveal's posts stored with the reveal."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from pathlib import Path

import pytest

from db.outbox_rows import KEPT, LEASE
from tests.conftest import T0, AnyGame, Databases, opened_game
from tests.generating import generator
from trivia.effects import Announced
from trivia.model import SHARD_SHIFT, Place, RecordsPack, Scope, Shards
from trivia.posts import Post, SlotDone
from trivia.replies import notice
from trivia.schedule import Timing
from trivia.store import NextQuestion, Revealed, Settled

PLACE = Place("test", "guild", "chan")
TIMING = Timing(time(9, 0), "Europe/Paris")


async def test_a_reveal_and_its_posts_are_stored_together_or_not_at_all(
    game: AnyGame, mini_pack: RecordsPack
) -> None:
    """The posts a reveal makes are stored in the reveal's own transaction: when storing
    them fails, the question is not revealed either (and can be revealed again), and when
    it succeeds both are there."""
    question = generator(mini_pack, 1).generate()
    first = NextQuestion(question, T0, T0 + timedelta(seconds=30))
    opened = await game.start_round(PLACE, total=1, seed=1, first=first)
    assert opened is not None

    def broken(revealed: Revealed) -> list[Announced]:
        raise RuntimeError("killed mid-reveal")

    def announce(revealed: Revealed) -> list[Announced]:
        return [Announced(PLACE, notice("Revealed"), f"reveal:{opened.id}", stored=True)]

    with pytest.raises(RuntimeError):
        await game.close_question(
            opened, revealed_at=T0, settle=lambda a, s: Settled([], []), following=None,
            announce=broken,
        )  # fmt: skip
    assert await game.open_question(PLACE) is not None
    revealed = await game.close_question(
        opened, revealed_at=T0, settle=lambda a, s: Settled([], []), following=None,
        announce=announce,
    )  # fmt: skip
    assert revealed is not None
    [owed] = await game.outbox.take(None, T0)
    assert owed.key == f"reveal:{opened.id}"
    assert owed.reply.title == "Revealed"


async def test_a_post_is_stored_once_by_key_and_taken_until_the_platform_has_it(
    migrated: Path | str,
) -> None:
    """Adding a key again changes nothing; a taken post is not due again until its lease
    runs out (its process may still be posting it); once posted it is never taken again."""
    async with opened_game(migrated) as one:
        await one.outbox.add([Post("reveal:1", PLACE, notice("First"))], T0)
        await one.outbox.add([Post("reveal:1", PLACE, notice("Again"))], T0)
        assert await one.outbox.next_due(None) == T0
        [taken] = await one.outbox.take(None, T0)
        assert (taken.key, taken.place, taken.reply, taken.attempts) == (
            "reveal:1", PLACE, notice("First"), 1,
        )  # fmt: skip
        assert await one.outbox.take(None, T0 + LEASE - timedelta(seconds=1)) == []
        assert await one.outbox.next_due(None) == T0 + LEASE
        [again] = await one.outbox.take(None, T0 + LEASE)
        assert (again.id, again.attempts) == (taken.id, 2)
        await one.outbox.posted(again.id, T0 + LEASE)
        assert await one.outbox.take(None, T0 + 10 * LEASE) == []
        assert await one.outbox.next_due(None) is None


async def test_take_hands_out_only_the_scope_or_keys_asked_for(migrated: Path | str) -> None:
    """A process takes only the posts of what it serves (platforms, shards, channels), and
    a reveal's poster only the keys it names."""
    slack = Place("slack", "T1", "C1")
    on_shard = [Place("discord", str(guild << SHARD_SHIFT), "1") for guild in range(4)]
    async with opened_game(migrated) as one:
        await one.outbox.add(
            [Post("a", PLACE, notice("a")), Post("b", slack, notice("b")),
             Post("c", slack, notice("c"))]
            + [Post(f"d{i}", place, notice("d")) for i, place in enumerate(on_shard)],
            T0,
        )  # fmt: skip
        assert await one.outbox.next_due(Scope(frozenset({"slack"}))) == T0
        assert [p.key for p in await one.outbox.take(None, T0, keys=["c", "zz"])] == ["c"]
        assert [p.key for p in await one.outbox.take(Scope(frozenset({"slack"})), T0)] == ["b"]
        shards = Scope(shards=frozenset({Shards("discord", frozenset({1, 2}), 3)}))
        assert [p.key for p in await one.outbox.take(shards, T0)] == ["d1", "d2"]
        assert await one.outbox.take(Scope(channels=frozenset({slack})), T0) == []
        mine = Scope(channels=frozenset({PLACE}))
        assert [p.key for p in await one.outbox.take(mine, T0)] == ["a"]
        assert await one.outbox.next_due(mine) == T0 + LEASE


async def test_a_failure_is_retried_or_given_up_and_shows_on_its_schedule(
    migrated: Path | str,
) -> None:
    """A failed post is due again at its retry time; a post given up is never taken again.
    Either way the schedule that posts it shows the error, until a post of it gets through.
    Posts made or given up are deleted once they are older than KEPT."""
    async with opened_game(migrated) as one:
        schedule = await one.schedules.add(
            await one.channel_id(PLACE), TIMING, series=None, questions=2, reveal_at=None, now=T0
        )
        await one.outbox.add(
            [Post(f"slot:{i}", PLACE, notice(str(i)), schedule) for i in range(3)], T0
        )
        first, second, third = await one.outbox.take(None, T0)
        await one.outbox.failed(first.id, T0 + timedelta(minutes=5), "503 Service Unavailable")
        await one.outbox.failed(second.id, None, "403 Missing Access")
        assert await error_of(one, schedule) == "403 Missing Access"
        await one.outbox.posted(third.id, T0)
        assert await one.outbox.next_due(None) == T0 + timedelta(minutes=5)
        assert await one.outbox.take(None, T0 + timedelta(minutes=4)) == []
        [retried] = await one.outbox.take(None, T0 + timedelta(minutes=5))
        assert (retried.key, retried.attempts) == (first.key, 2)
        await one.outbox.posted(retried.id, T0 + timedelta(minutes=5))
        assert await error_of(one, schedule) is None
        assert await one.outbox.take(None, T0 + KEPT) == []
        assert await one.outbox.prune(T0 + KEPT) == 0
        assert await one.outbox.prune(T0 + KEPT + timedelta(minutes=3)) == 2
        assert await one.outbox.prune(T0 + 3 * KEPT) == 1


async def test_storing_a_slots_posts_finishes_the_slot(migrated: Path | str) -> None:
    """A slot is finished in the transaction that stores its posts (with its error, if it
    failed), so a takeover never makes them twice."""
    async with opened_game(migrated) as one:
        schedule = await one.schedules.add(
            await one.channel_id(PLACE), TIMING, series=None, questions=1, reveal_at=None, now=T0
        )
        day = T0.date()
        assert await one.schedules.claim(schedule, day, T0, T0)
        assert await one.schedules.unfinished(T0 + LEASE) == [(schedule, day)]
        await one.outbox.add(
            [Post("slot", PLACE, notice("Q"), schedule)], T0, SlotDone(schedule, day)
        )
        assert await one.schedules.unfinished(T0 + LEASE) == []
        assert not await one.schedules.claim(schedule, day, T0 + LEASE, T0 + LEASE)
        other = day + timedelta(days=1)
        assert await one.schedules.claim(schedule, other, T0, T0)
        await one.outbox.add([], T0, SlotDone(schedule, other, "no question fits"))
        assert await error_of(one, schedule) == "no question fits"
        assert await one.schedules.unfinished(T0 + LEASE) == []


async def test_two_processes_taking_posts_at_once_never_take_the_same_one(
    databases: Databases,
) -> None:
    """Two processes on one database take due posts at the same moment, over and over:
    every post is taken, each by one of them only."""
    database = databases.new(migrated=True)
    async with opened_game(database) as first, opened_game(database) as second:
        posts = [
            Post(f"slot:{i}", Place("test", "guild", f"c{i % 16}"), notice(str(i)))
            for i in range(600)
        ]
        await first.outbox.add(posts, T0)
        taken: list[int] = []
        while True:
            mine, theirs = await asyncio.gather(
                first.outbox.take(None, T0), second.outbox.take(None, T0)
            )
            if not mine and not theirs:
                break
            taken += [p.id for p in mine] + [p.id for p in theirs]
        assert sorted(taken) == sorted(set(taken))
        assert len(taken) == len(posts)
        assert await first.outbox.take(None, T0 + LEASE - timedelta(seconds=1)) == []


async def error_of(stores: AnyGame, schedule_id: int) -> str | None:
    """The error a schedule shows."""
    found = await stores.schedules.get(schedule_id)
    assert found is not None
    return found.last_error
