"""Slack replicas on one database: each workspace's scheduled posts are fired by the one
replica holding its lease, and taken over within one lease period when that replica dies.
Real APScheduler, engine, SQLite and leases; the clock is moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.ownership import Ownership
from bot.runtime import Runtime
from bot.scheduler import QuizScheduler
from db.connection import open_db
from db.game import GameStore
from db.leases import LeaseStore
from db.records import read_pack
from tests.bot.test_scheduler import Clock
from tests.conftest import MINI_PACK, query
from trivia.engine import Engine
from trivia.model import Place
from trivia.replies import Reply
from trivia.schedule import Timing
from trivia.settings import Settings

LEASE = timedelta(seconds=30)
QUIZ = Place("slack", "T1", "C1")
NINE = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
DAY = date(2030, 1, 15)


class Replica:
    """One bot process serving Slack: a runtime and scheduler on its own connection."""

    def __init__(self, name: str, store: GameStore, clock: Clock) -> None:
        self.store = store
        self.posted: list[Reply] = []
        self.runtime = Runtime(store, Engine(store, defaults=Settings(), seed=1), clock)
        self.runtime.serve("slack", self.post)
        self.owners = Ownership(
            LeaseStore(store.writer), clock, LEASE, frozenset({"slack"}), holder=name
        )
        self.scheduler = QuizScheduler(self.runtime, owners=self.owners)

    async def post(self, place: Place, reply: Reply, key: str, again: bool) -> None:
        self.posted.append(reply)


@dataclass
class Pair:
    """Two replicas on one database, and the schedule of the workspace they serve."""

    one: Replica
    two: Replica
    schedule: int
    db: Path


@pytest.fixture
def clock() -> Clock:
    return Clock(NINE - timedelta(hours=1))


@pytest.fixture
async def replicas(tmp_path: Path, clock: Clock) -> AsyncIterator[Pair]:
    """Two replicas, and a daily question at 09:00 in the workspace's channel; the first
    replica starts first and owns the workspace."""
    db = tmp_path / "replicas.sqlite3"
    async with AsyncExitStack() as stack:
        one, two = [
            Replica(name, GameStore(await stack.enter_async_context(open_db(db))), clock)
            for name in ("one", "two")
        ]
        await one.store.records.import_pack(read_pack(MINI_PACK))
        schedule = await one.store.schedules.add(
            await one.store.channel_id(QUIZ),
            Timing(time(9, 0), "Europe/London"),
            series=None,
            questions=None,
            reveal_at=None,
            now=clock(),
        )
        await one.scheduler.start()
        await two.scheduler.start()
        yield Pair(one, two, schedule, db)
        one.runtime.stop()
        two.runtime.stop()


async def test_one_replica_owns_the_workspace_and_only_it_posts(
    replicas: Pair, clock: Clock
) -> None:
    """The owner arms the slot and keeps the workspace by renewing; the other arms nothing,
    and a slot it is asked to fire posts nothing."""
    one, two, schedule = replicas.one, replicas.two, replicas.schedule
    assert one.scheduler.next_run(schedule) == NINE
    assert two.scheduler.next_run(schedule) is None
    clock.now = NINE - timedelta(seconds=5)
    await one.scheduler.renew()
    clock.now = NINE
    await two.scheduler.renew()  # the owner's lease has 25 s to run
    assert not await two.scheduler.fire(schedule, DAY)
    assert await one.scheduler.fire(schedule, DAY)
    assert [r.title for r in one.posted] == ["Daily #1476"]
    assert two.posted == []


async def test_a_dead_owners_workspace_is_taken_over_within_one_lease_and_posted_once(
    replicas: Pair, clock: Clock
) -> None:
    """The owner renews at 08:59:50 and dies before 09:00. At 09:00 the other replica
    cannot take the workspace yet and posts nothing; once the lease has run out (09:00:20)
    its next renewal takes the workspace over, posts the missed slot once and arms the
    next day's."""
    one, two, schedule = replicas.one, replicas.two, replicas.schedule
    clock.now = NINE - timedelta(seconds=10)
    await one.scheduler.renew()
    one.runtime.stop()  # killed: no more renewals, no release
    clock.now = NINE
    await two.scheduler.renew()
    assert not await two.scheduler.fire(schedule, DAY)
    assert two.posted == []
    clock.now = NINE + timedelta(seconds=20)  # the lease's last instant
    await two.scheduler.renew()
    assert two.posted == []
    clock.now = NINE + timedelta(seconds=21)
    await two.scheduler.renew()
    assert [r.title for r in two.posted] == ["Daily #1476"]
    assert two.scheduler.next_run(schedule) == NINE + timedelta(days=1)
    assert not await two.scheduler.fire(schedule, DAY)  # the slot is claimed: once
    assert one.posted == []
    assert await query(replicas.db, "SELECT holder FROM leases") == [("two",)]


async def test_an_owner_that_stops_cleanly_hands_the_workspace_over_at_once(
    replicas: Pair, clock: Clock
) -> None:
    """A clean stop releases the lease: the other replica takes the workspace at its next
    renewal, long before the lease would have run out, and arms the slot."""
    one, two, schedule = replicas.one, replicas.two, replicas.schedule
    one.runtime.stop()
    await one.owners.release()
    await two.scheduler.renew()
    assert two.scheduler.next_run(schedule) == NINE
