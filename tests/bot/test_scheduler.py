"""Scheduled quizzes through the real APScheduler, engine and SQLite, on a fake clock; the
tests of several processes on one database run on PostgreSQL too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.scheduler import QuizScheduler
from db.connection import open_db
from db.game import GameStore
from db.records import read_pack
from tests.conftest import MINI_PACK, AnyGame, another_writer, opened_game
from tests.generating import event
from trivia.commands import Answer, Ask, Command, Daily, Leaderboard, Stats, Stop
from trivia.effects import Announced
from trivia.engine import Actor, Engine
from trivia.incoming import Incoming
from trivia.model import Place
from trivia.replies import Reply
from trivia.schedule import Timing
from trivia.settings import Settings


class Clock:
    """A clock the test moves by hand. Tests use dates after the real now, so APScheduler
    (which runs on the real clock) holds armed jobs instead of treating them as missed."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Posted:
    """What the bot posted, and where."""

    place: Place
    reply: Reply


class Bot:
    """The runtime on a real database, with a scheduler and a record of what it posted."""

    def __init__(
        self, store: AnyGame, clock: Clock, *, failing: frozenset[str] = frozenset()
    ) -> None:
        self.store = store
        self.clock = clock
        self.engine = Engine(store, defaults=Settings(answer_window=30), seed=1)
        self.posted: list[Posted] = []
        self.got_post = asyncio.Event()
        self.failing = failing
        self.runtime = Runtime(store, self.engine, clock)
        self.runtime.serve("test", self.post)
        self.scheduler = QuizScheduler(self.runtime)

    async def post(self, place: Place, reply: Reply, key: str, again: bool) -> None:
        if place.channel in self.failing:
            raise PermissionError("Missing Access")
        self.posted.append(Posted(place, reply))
        self.got_post.set()

    async def schedule(
        self,
        channel: str,
        at: time,
        zone: str,
        questions: int | None = None,
        reveal_at: time | None = None,
        series: str | None = None,
    ) -> int:
        """A schedule in a channel: the daily question unless `questions` is given."""
        place = Place("test", "guild", channel)
        return await self.store.schedules.add(
            await self.store.channel_id(place),
            Timing(at, zone),
            series=series,
            questions=questions,
            reveal_at=reveal_at,
            now=self.clock(),
        )

    async def play(self, channel: str, user: str, command: Command) -> list[Reply]:
        """A player's command in a channel, at the clock's time."""
        place = Place("test", "guild", channel)
        return await self.runtime.handle(Incoming(command, place, user, user.title()))


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "sched.sqlite3"
    async with open_db(path) as conn:
        await GameStore(conn).records.import_pack(read_pack(MINI_PACK))
    return path


@pytest.fixture
async def bot(db: Path) -> AsyncIterator[Bot]:
    async with open_db(db) as conn:
        instance = Bot(GameStore(conn), Clock(datetime(2030, 1, 14, 23, 0, tzinfo=UTC)))
        yield instance
        instance.runtime.stop()


async def test_each_schedule_is_armed_for_its_local_time(bot: Bot) -> None:
    """09:00 in three zones arms three different UTC instants, and firing posts the
    numbered daily question."""
    ids = {
        zone: await bot.schedule(f"c-{zone}", time(9, 0), zone)
        for zone in ("America/New_York", "Europe/London", "Asia/Tokyo")
    }
    await bot.scheduler.start()
    armed = {zone: bot.scheduler.next_run(i) for zone, i in ids.items()}
    assert armed == {
        "America/New_York": datetime(2030, 1, 15, 14, 0, tzinfo=UTC),
        "Europe/London": datetime(2030, 1, 15, 9, 0, tzinfo=UTC),
        "Asia/Tokyo": datetime(2030, 1, 15, 0, 0, tzinfo=UTC),
    }
    bot.clock.now = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    assert await bot.scheduler.fire(ids["Europe/London"], date(2030, 1, 15))
    [posted] = bot.posted
    assert posted.place.channel == "c-Europe/London"
    assert posted.reply.title == "Daily #1476"
    assert bot.scheduler.next_run(ids["Europe/London"]) == datetime(2030, 1, 16, 9, 0, tzinfo=UTC)


async def test_a_slot_posts_once_even_from_two_schedulers(shared: Path | str) -> None:
    """Two processes on one database, both firing the same slot, one after the other and
    then at the same moment: one post a slot."""
    clock = Clock(datetime(2030, 1, 15, 9, 0, tzinfo=UTC))
    async with opened_game(shared) as one, opened_game(shared) as two:
        first, second = Bot(one, clock), Bot(two, clock)
        schedule = await first.schedule("c1", time(9, 0), "Europe/London")
        results = [
            await first.scheduler.fire(schedule, date(2030, 1, 15)),
            await second.scheduler.fire(schedule, date(2030, 1, 15)),
            await first.scheduler.fire(schedule, date(2030, 1, 15)),
        ]
        clock.now = datetime(2030, 1, 16, 9, 0, tzinfo=UTC)
        at_once = await asyncio.gather(
            first.scheduler.fire(schedule, date(2030, 1, 16)),
            second.scheduler.fire(schedule, date(2030, 1, 16)),
        )
        first.runtime.stop()
        second.runtime.stop()
    assert results == [True, False, False]
    assert sorted(at_once) == [False, True]
    posted = [p.reply.title for p in first.posted + second.posted]
    assert sorted(posted) == ["Daily #1476", "Daily #1476. Answer: 0.001 s", "Daily #1477"]


async def test_restart_posts_late_within_grace_and_skips_after(bot: Bot) -> None:
    """Down at 09:00, back at 09:10: post once. Down again past the grace period: skip."""
    schedule = await bot.schedule("c1", time(9, 0), "Europe/London")
    bot.clock.now = datetime(2030, 1, 15, 9, 10, tzinfo=UTC)
    await bot.scheduler.catch_up()
    await bot.scheduler.catch_up()  # a second restart finds the slot claimed
    assert len(bot.posted) == 1
    bot.clock.now = datetime(2030, 1, 16, 10, 30, tzinfo=UTC)  # 90 min after the next slot
    await bot.scheduler.catch_up()
    assert len(bot.posted) == 1
    assert await bot.store.schedules.claimed_days(schedule) == {date(2030, 1, 15)}


async def test_pause_resume_and_remove_take_effect_without_restart(bot: Bot) -> None:
    """A paused schedule is disarmed and does not post; resumed, it is armed again."""
    schedule = await bot.schedule("c1", time(9, 0), "Europe/London")
    await bot.scheduler.start()
    assert bot.scheduler.next_run(schedule) is not None
    await bot.store.schedules.set_paused(schedule, True)
    await bot.scheduler.reload()
    assert bot.scheduler.next_run(schedule) is None
    bot.clock.now = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    assert not await bot.scheduler.fire(schedule, date(2030, 1, 15))
    await bot.store.schedules.set_paused(schedule, False)
    await bot.scheduler.reload()
    assert bot.scheduler.next_run(schedule) == datetime(2030, 1, 16, 9, 0, tzinfo=UTC)
    await bot.store.schedules.remove(schedule)
    await bot.scheduler.reload()
    assert bot.scheduler.next_run(schedule) is None
    assert bot.posted == []


async def test_a_failing_channel_is_recorded_retried_and_the_others_still_post(
    shared: Path | str, caplog: pytest.LogCaptureFixture
) -> None:
    """A channel the bot cannot post to gets its error on the schedule, one log line, and
    the post is tried again later (others post at once); once the platform takes it, it
    is posted once and the error is gone."""
    clock = Clock(datetime(2030, 1, 15, 9, 0, tzinfo=UTC))
    async with opened_game(shared) as game:
        bot = Bot(game, clock, failing=frozenset({"gone"}))
        broken = await bot.schedule("gone", time(9, 0), "Europe/London")
        fine = await bot.schedule("ok", time(9, 0), "Europe/London")
        with caplog.at_level(logging.WARNING, logger="bot.runtime"):
            assert await bot.scheduler.fire(broken, date(2030, 1, 15))
        assert await bot.scheduler.fire(fine, date(2030, 1, 15))
        stored = {s.id: s for s in await bot.store.schedules.all()}
        assert stored[broken].last_error == "PermissionError: Missing Access"
        assert stored[fine].last_error is None
        assert [p.place.channel for p in bot.posted] == ["ok"]
        [line] = [r for r in caplog.records if "could not post" in r.message]
        assert "trying again in 5 s" in line.message
        assert line.exc_info is None

        clock.now += timedelta(seconds=2)
        await bot.runtime.deliver()  # not due yet
        bot.failing = frozenset()
        clock.now += timedelta(seconds=4)
        await bot.runtime.deliver()
        await bot.runtime.deliver()
        stored = {s.id: s for s in await bot.store.schedules.all()}
    assert [p.place.channel for p in bot.posted] == ["ok", "gone"]
    assert stored[broken].last_error is None


async def test_spring_forward_arms_the_first_valid_minute(bot: Bot) -> None:
    """02:30 New York on the spring-forward day is armed for 03:00 EDT."""
    bot.clock.now = datetime(2030, 3, 10, 5, 0, tzinfo=UTC)
    schedule = await bot.schedule("c1", time(2, 30), "America/New_York")
    await bot.scheduler.start()
    assert bot.scheduler.next_run(schedule) == datetime(2030, 3, 10, 7, 0, tzinfo=UTC)


async def test_a_scheduled_quiz_posts_a_match(bot: Bot) -> None:
    """With a number of questions, a schedule posts a match instead of the daily question."""
    schedule = await bot.schedule("c1", time(18, 30), "Europe/London", questions=3)
    bot.clock.now = datetime(2030, 1, 15, 18, 30, tzinfo=UTC)
    assert await bot.scheduler.fire(schedule, date(2030, 1, 15))
    [posted] = bot.posted
    assert posted.reply.title == "Question 1/3"


async def test_the_daily_question_takes_guesses_all_day_and_is_revealed_at_the_next_post(
    bot: Bot,
) -> None:
    """Posted at 09:00; guesses at 09:05 and 23:50 (privately confirmed; quick play still
    works beside it); the next day's post reveals it first, closest guess named."""
    schedule = await bot.schedule("c1", time(9, 0), "Europe/London")
    bot.clock.now = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    assert await bot.scheduler.fire(schedule, date(2030, 1, 15))
    daily = await bot.store.open_daily(Place("test", "guild", "c1"))
    assert daily is not None
    assert daily.question.answer_value is not None
    truth = daily.question.answer_value
    bot.clock.now = datetime(2030, 1, 15, 9, 5, tzinfo=UTC)
    [locked] = await bot.play("c1", "ann", Daily(f"{truth:.4f}"))
    assert locked.private
    assert locked.title.startswith("Locked in")
    [asked] = await bot.play("c1", "cy", Ask())
    assert asked.title == "Trivia"
    assert not asked.private
    await bot.play("c1", "cy", Stop())
    bot.clock.now = datetime(2030, 1, 15, 23, 50, tzinfo=UTC)
    [late] = await bot.play("c1", "bo", Answer(f"{truth * 3 + 0.05:.4f}"))
    assert late.private
    assert late.title.startswith("Locked in")
    [again] = await bot.play("c1", "bo", Daily("0.001"))
    assert again.title == "You already locked in an answer to this question."
    bot.clock.now = datetime(2030, 1, 16, 9, 0, tzinfo=UTC)
    assert await bot.scheduler.fire(schedule, date(2030, 1, 16))
    reveal, question = (p.reply for p in bot.posted[-2:])
    assert reveal.title.startswith("Daily #1476. Answer:")
    fields = dict(reveal.fields)
    assert fields["Closest"].startswith("Ann ")
    assert fields["Guesses"].startswith("2, ")
    assert fields["Daily streaks"] == "Ann 1 day, Bo 1 day"
    assert "within 0.001 s: 1" in fields["Spread"]
    assert question.title == "Daily #1477"


async def test_a_pending_reveal_survives_a_restart(shared: Path | str) -> None:
    """Posted at 09:00 with a 21:00 reveal; a new process on the same database reveals it
    through the ordinary reveal timer."""
    clock = Clock(datetime(2030, 1, 15, 9, 0, tzinfo=UTC))
    async with opened_game(shared) as game:
        first = Bot(game, clock)
        schedule = await first.schedule("c1", time(9, 0), "Europe/London", reveal_at=time(21, 0))
        assert await first.scheduler.fire(schedule, date(2030, 1, 15))
        await first.play("c1", "ann", Daily("0.01"))
        first.runtime.stop()
    async with opened_game(shared) as game:
        second = Bot(game, clock)
        assert await second.store.next_deadline() == datetime(2030, 1, 15, 21, 0, tzinfo=UTC)
        clock.now = datetime(2030, 1, 15, 21, 0, tzinfo=UTC)
        [reveal] = [e for e in await second.engine.close_due(clock.now) if isinstance(e, Announced)]
    assert reveal.reply.title.startswith("Daily #1476. Answer:")
    assert dict(reveal.reply.fields)["Daily streaks"] == "Ann 1 day"


async def test_daily_streaks_across_a_missed_day(bot: Bot) -> None:
    """Ann plays days 1, 2 and 4; Bo plays all four. After day 4's reveal Ann's streak is
    1 (best 2) and Bo's 4; the streak leaderboard puts Bo first; stats show both."""
    schedule = await bot.schedule("c1", time(9, 0), "Europe/London")
    players = {1: ("ann", "bo"), 2: ("ann", "bo"), 3: ("bo",), 4: ("ann", "bo")}
    for day in range(1, 6):
        bot.clock.now = datetime(2030, 1, 14 + day, 9, 0, tzinfo=UTC)
        assert await bot.scheduler.fire(schedule, date(2030, 1, 14 + day))
        bot.clock.now += timedelta(hours=1)
        for user in players.get(day, ()):
            await bot.play("c1", user, Daily("0.01"))
    [board] = await bot.play("c1", "ann", Leaderboard("streak"))
    assert board.body.splitlines() == ["1. Bo: 4 now (best 4)", "2. Ann: 1 now (best 2)"]
    [ann] = await bot.play("c1", "ann", Stats())
    assert dict(ann.fields)["Daily streak"] == "1 now, best 2"
    # An overview with no channel (Slack's App Home) shows the longest streak, not 0.
    home = Actor(Place("test", "guild", "app-home"), "bo", "Bo", bot.clock())
    *_, bo = await bot.engine.overview(home)
    assert dict(bo.fields)["Daily streak (longest here)"] == "4 now, best 4"
    day3_reveal = bot.posted[5].reply  # day 1: question; then each day: reveal, question
    assert day3_reveal.title.startswith("Daily #1478.")
    assert dict(day3_reveal.fields)["Daily streaks"] == "Bo 3 days"


@pytest.mark.parametrize(
    ("zone", "day", "first", "next_day"),
    [
        (
            "America/New_York",
            date(2030, 11, 3),
            datetime(2030, 11, 3, 5, 30, tzinfo=UTC),  # 01:30 EDT, before the repeat
            datetime(2030, 11, 4, 6, 30, tzinfo=UTC),  # 01:30 EST
        ),
        (
            "Europe/London",
            date(2030, 10, 27),
            datetime(2030, 10, 27, 0, 30, tzinfo=UTC),  # 01:30 BST
            datetime(2030, 10, 28, 1, 30, tzinfo=UTC),  # 01:30 GMT
        ),
    ],
)
async def test_fall_back_fires_once_in_the_repeated_hour(
    bot: Bot, zone: str, day: date, first: datetime, next_day: datetime
) -> None:
    """01:30 happens twice on the fall-back day: armed for the first, and once it has
    posted the next arming is the following day, not the repeat an hour later."""
    bot.clock.now = first - timedelta(hours=3)
    schedule = await bot.schedule("c1", time(1, 30), zone)
    await bot.scheduler.start()
    assert bot.scheduler.next_run(schedule) == first
    bot.clock.now = first
    assert await bot.scheduler.fire(schedule, day)
    assert bot.scheduler.next_run(schedule) == next_day
    bot.clock.now = first + timedelta(hours=1)  # the repeated 01:30
    await bot.scheduler.catch_up()
    assert len(bot.posted) == 1


async def test_a_restart_never_posts_a_slot_from_before_the_schedule_was_made(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """Made at 19:11 for 19:10: nothing while running, nothing after a restart a minute
    later, and no "skipped" line for slots the schedule never had; the next day posts."""
    bot.clock.now = datetime(2030, 1, 15, 19, 11, tzinfo=UTC)
    schedule = await bot.schedule("c1", time(19, 10), "Etc/UTC")
    bot.clock.now = datetime(2030, 1, 15, 19, 12, tzinfo=UTC)
    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        await bot.scheduler.catch_up()
    assert bot.posted == []
    assert not [r for r in caplog.records if "skipped" in r.message]
    bot.clock.now = datetime(2030, 1, 16, 19, 15, tzinfo=UTC)
    await bot.scheduler.catch_up()
    assert await bot.store.schedules.claimed_days(schedule) == {date(2030, 1, 16)}


async def test_a_daily_schedule_stored_on_a_pool_too_small_for_a_daily_posts_nothing(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """A database from before pools were checked holds a daily schedule on a series with
    one record (it asked that record every day). Its slots now post nothing, crash
    nothing, and leave the reason on the schedule; the other schedules post as before."""
    lone = event("usac-1962", sport="IndyCar racing", series="USAC Championship Car")
    await bot.store.records.import_pack(replace(read_pack(MINI_PACK), events=(lone,)))
    stuck = await bot.schedule("c1", time(9, 0), "Europe/London", series="USAC Championship Car")
    fine = await bot.schedule("c2", time(9, 0), "Europe/London")
    await bot.scheduler.start()
    for day in (15, 16):
        bot.clock.now = datetime(2030, 1, day, 9, 0, tzinfo=UTC)
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            assert not await bot.scheduler.fire(stuck, date(2030, 1, day))
        assert await bot.scheduler.fire(fine, date(2030, 1, day))
    assert {p.place.channel for p in bot.posted} == {"c2"}
    assert await bot.store.open_daily(Place("test", "guild", "c1")) is None
    [stored] = [s for s in await bot.store.schedules.all() if s.id == stuck]
    assert stored.last_error is not None
    assert stored.last_error.startswith("No daily question: USAC Championship Car has 1 record")
    assert bot.scheduler.next_run(stuck) == datetime(2030, 1, 17, 9, 0, tzinfo=UTC)
    assert len([r for r in caplog.records if "could not post" in r.message]) == 2


async def test_schedules_changed_through_another_process_are_armed_within_one_round(
    shared: Path | str,
) -> None:
    """Process two sets, pauses, resumes and removes a schedule; process one, running,
    arms and disarms it at its next timer round (no restart), and a schedule it had armed
    keeps its due slot while another is added."""
    clock = Clock(datetime(2030, 1, 15, 8, 0, tzinfo=UTC))
    async with opened_game(shared) as one_game, opened_game(shared) as two_game:
        one, two = Bot(one_game, clock), Bot(two_game, clock)
        kept = await one.schedule("c0", time(9, 0), "Europe/London")
        await one.scheduler.start()
        await two.scheduler.start()
        nine = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
        assert one.scheduler.next_run(kept) == nine
        clock.now = nine  # the slot is due (the test fires it by hand, as the timer would)
        schedule = await two.schedule("c1", time(18, 30), "Europe/London")
        await two.scheduler.reload()  # as after its own change
        await one.runtime.tick()
        assert one.scheduler.next_run(schedule) == datetime(2030, 1, 15, 18, 30, tzinfo=UTC)
        assert one.scheduler.next_run(kept) == nine
        for paused, armed in ((True, None), (False, datetime(2030, 1, 15, 18, 30, tzinfo=UTC))):
            await two.store.schedules.set_paused(schedule, paused)
            await one.runtime.tick()
            assert one.scheduler.next_run(schedule) == armed
        await two.store.schedules.remove(schedule)
        await one.runtime.tick()
        assert one.scheduler.next_run(schedule) is None
        one.runtime.stop()
        two.runtime.stop()


async def test_a_slot_met_by_a_locked_database_is_posted_once_the_lock_clears(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another writer holds the database when a slot fires: the claim fails with one log
    line, the timer tries again, and once the lock clears the slot is posted once and
    the next day's slot is armed."""
    clock = Clock(datetime(2030, 1, 15, 8, 59, tzinfo=UTC))
    async with open_db(db) as conn:
        await conn.execute("PRAGMA busy_timeout = 50")  # meet the lock at once, not in 5 s
        bot = Bot(GameStore(conn), clock)
        schedule = await bot.schedule("c1", time(9, 0), "Europe/London")
        await bot.scheduler.start()
        clock.now = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"), another_writer(db):
            assert not await bot.scheduler.fire(schedule, date(2030, 1, 15))
        assert bot.posted == []
        [line] = [r for r in caplog.records if r.name == "bot.scheduler"]
        assert "database is locked" in line.message
        async with asyncio.timeout(10):  # the timer's next rounds, backing off from 0.5 s
            await bot.got_post.wait()
        await bot.runtime.tick()
        assert await bot.store.schedules.claimed_days(schedule) == {date(2030, 1, 15)}
        assert bot.scheduler.next_run(schedule) == datetime(2030, 1, 16, 9, 0, tzinfo=UTC)
        bot.runtime.stop()
    [posted] = bot.posted
    assert posted.reply.title == "Daily #1476"
