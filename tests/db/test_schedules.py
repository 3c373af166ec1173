"""Schedules and slot claims on both backends (real SQLite files, a real PostgreSQL server):
numbers never given twice, every change counted for other processes, and each slot claimed
once, by one process, even when several claim it at the same moment."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from pathlib import Path

from tests.conftest import T0, Databases, opened_game
from trivia.model import Place
from trivia.schedule import Timing

PLACE = Place("test", "guild", "chan")
ELSEWHERE = Place("test", "other", "chan")
TIMING = Timing(time(9, 0), "Europe/Paris", frozenset({0, 2, 4}))
DAY = date(2026, 11, 23)
LEASE = timedelta(minutes=10)


async def test_schedules_are_stored_as_set_and_numbers_are_never_given_twice(
    migrated: Path | str,
) -> None:
    """A schedule reads back as it was set; after removing the newest, the next schedule
    gets a new number; a workspace sees only its own; every change moves the version."""
    async with opened_game(migrated) as one:
        channel, elsewhere = await one.channel_id(PLACE), await one.channel_id(ELSEWHERE)
        start = await one.schedules.version()
        quiz = await one.schedules.add(
            channel, TIMING, series="Tour de France", questions=5, reveal_at=None, now=T0
        )
        daily = await one.schedules.add(
            elsewhere, TIMING, series=None, questions=None, reveal_at=time(8, 30), now=T0
        )
        assert await one.schedules.remove(daily)
        assert not await one.schedules.remove(daily)
        newest = await one.schedules.add(
            channel, Timing(time(21, 5), "UTC"), series=None, questions=None, reveal_at=None,
            now=T0,
        )  # fmt: skip
        assert (quiz, daily, newest) == (1, 2, 3)
        stored = await one.schedules.get(quiz)
        assert stored is not None
        assert (stored.place, stored.timing, stored.series, stored.questions) == (
            PLACE, TIMING, "Tour de France", 5,
        )  # fmt: skip
        assert (stored.paused, stored.last_error, stored.reveal_at, stored.created_at) == (
            False, None, None, T0,
        )  # fmt: skip
        assert await one.schedules.set_paused(quiz, True)
        assert not await one.schedules.set_paused(daily, True)
        assert [s.id for s in await one.schedules.in_workspace(PLACE)] == [quiz, newest]
        assert await one.schedules.in_workspace(ELSEWHERE) == []
        [paused, daily_one] = await one.schedules.all()
        assert (paused.paused, daily_one.questions) == (True, None)
        assert await one.schedules.for_workspace(PLACE, newest) == daily_one
        assert await one.schedules.for_workspace(ELSEWHERE, newest) is None
        assert await one.schedules.get(daily) is None
        assert await one.schedules.version() == start + 5  # three adds, a remove, a pause


async def test_a_slot_is_claimed_once_and_taken_over_only_when_left_unfinished(
    migrated: Path | str,
) -> None:
    """The first claim of a day wins and a second loses; a claim left unfinished past the
    lease is taken over (once); a finished slot is never claimed again."""
    async with opened_game(migrated) as one:
        schedule = await one.schedules.add(
            await one.channel_id(PLACE), TIMING, series=None, questions=1, reveal_at=None, now=T0
        )
        assert await one.schedules.claim(schedule, DAY, T0, T0 - LEASE)
        assert not await one.schedules.claim(schedule, DAY, T0, T0 - LEASE)
        assert await one.schedules.unfinished(T0) == []
        later = T0 + LEASE + timedelta(seconds=1)
        assert await one.schedules.unfinished(later) == [(schedule, DAY)]
        assert await one.schedules.claim(schedule, DAY, later, later - LEASE)
        assert not await one.schedules.claim(schedule, DAY, later, later - LEASE)
        assert await one.schedules.claim(schedule, DAY + timedelta(days=2), T0, T0 - LEASE)
        assert await one.schedules.claimed_days(schedule) == {DAY, DAY + timedelta(days=2)}
        version = await one.schedules.version()
        assert await one.schedules.remove(schedule)
        assert await one.schedules.claimed_days(schedule) == set()
        assert await one.schedules.version() == version + 1


async def test_two_processes_claiming_one_slot_at_once_exactly_one_wins(
    databases: Databases,
) -> None:
    """Two processes claim the same slots at the same moment, then both try to take over
    the same stale slots at once: each slot is won by exactly one of them, every time."""
    database = databases.new(migrated=True)
    async with opened_game(database) as first, opened_game(database) as second:
        schedule = await first.schedules.add(
            await first.channel_id(PLACE), TIMING, series=None, questions=1, reveal_at=None, now=T0
        )
        days = [DAY + timedelta(days=i) for i in range(40)]
        for now in (T0, T0 + 2 * LEASE):
            won = await asyncio.gather(
                *(
                    store.schedules.claim(schedule, day, now, now - LEASE)
                    for day in days
                    for store in (first, second)
                )
            )
            assert [won[i] + won[i + 1] for i in range(0, len(won), 2)] == [1] * len(days)
        assert await second.schedules.unfinished(T0 + 2 * LEASE) == []


async def test_schedules_set_by_two_processes_at_once_get_distinct_numbers(
    databases: Databases,
) -> None:
    """Two processes set schedules at the same moment: every schedule gets a number of its
    own, and the change counter moves once for each (no change is lost)."""
    database = databases.new(migrated=True)
    async with opened_game(database) as first, opened_game(database) as second:
        channel = await first.channel_id(PLACE)
        start = await second.schedules.version()
        numbers = await asyncio.gather(
            *(
                store.schedules.add(
                    channel, TIMING, series=None, questions=1, reveal_at=None, now=T0
                )
                for _ in range(20)
                for store in (first, second)
            )
        )
        assert sorted(numbers) == list(range(1, 41))
        assert await first.schedules.version() == start + 40
        assert len(await second.schedules.in_workspace(PLACE)) == 40
