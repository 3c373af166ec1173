"""Scheduled quizzes: APScheduler 3.11 wakes the bot; the database decides what posts.

Each active schedule has one job, armed for its next slot (trivia.schedule computes the
instant, DST included). When it fires, the slot is claimed in the database first, so a
second process, a restart or a double fire can never post it twice; then the next slot
is armed. At start, slots missed within the grace period are posted late, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from db.schedules import ScheduleStore
from trivia.commands import Ask, Command, DailyPost, Start
from trivia.engine import Posted
from trivia.model import Place
from trivia.replies import Reply
from trivia.schedule import (
    Schedule,
    next_slot,
    previous_day,
    reveal_instant,
    slot_at,
    slots_between,
)

log = logging.getLogger(__name__)

Handle = Callable[[Command, Place, str, str, bool], Awaitable[list[Reply]]]
Post = Callable[[Posted], Awaitable[None]]
Clock = Callable[[], datetime]
SCHEDULER_USER = ("scheduler", "Scheduled quiz")
MAX_PARALLEL_POSTS = 10


class QuizScheduler:
    """Arms one job per schedule and posts each slot exactly once."""

    def __init__(
        self,
        schedules: ScheduleStore,
        *,
        handle: Handle,
        post: Post,
        clock: Clock,
        grace: timedelta = timedelta(hours=1),
        platforms: frozenset[str] | None = None,
    ) -> None:
        self.schedules = schedules
        self.platforms = platforms
        self.handle = handle
        self.post = post
        self.clock = clock
        self.grace = grace
        self.timer = AsyncIOScheduler(timezone=UTC)
        self._posting = asyncio.Semaphore(MAX_PARALLEL_POSTS)

    async def start(self) -> None:
        """Catch up on slots missed within the grace period, then arm every schedule."""
        self.timer.start()
        await self.catch_up()
        await self.reload()

    def stop(self) -> None:
        """Stop the timer (jobs in flight are cancelled before they claim or after posting)."""
        if self.timer.running:
            self.timer.shutdown(wait=False)

    async def reload(self) -> None:
        """Re-arm from the database: after start and after every schedule change."""
        wanted = {s.id: s for s in await self._served() if not s.paused}
        for job in self.timer.get_jobs():
            if int(job.id) not in wanted:
                job.remove()
        for schedule in wanted.values():
            self._arm(schedule, self.clock())

    async def _served(self) -> list[Schedule]:
        """The schedules of the platforms this process serves."""
        return [
            s
            for s in await self.schedules.all()
            if self.platforms is None or s.place.platform in self.platforms
        ]

    def _arm(self, schedule: Schedule, after: datetime) -> None:
        local_day, instant = next_slot(schedule.timing, after)
        self.timer.add_job(
            self.fire,
            DateTrigger(run_date=instant),
            args=[schedule.id, local_day],
            id=str(schedule.id),
            replace_existing=True,
            misfire_grace_time=int(self.grace.total_seconds()),
            coalesce=True,
            max_instances=1,
        )

    def next_run(self, schedule_id: int) -> datetime | None:
        """When the timer will next fire for a schedule (None if not armed)."""
        job = self.timer.get_job(str(schedule_id))
        return None if job is None else job.next_run_time

    async def catch_up(self) -> None:
        """Post slots that fell due while the bot was down, if within the grace period
        (all at once: posting is bounded by MAX_PARALLEL_POSTS and the platform's pacing)."""
        now = self.clock()
        due = []
        for schedule in await self._served():
            if schedule.paused:
                continue
            claimed = await self.schedules.claimed_days(schedule.id)
            missed = []
            since = now - timedelta(days=2)
            if schedule.created_at is not None:
                since = max(since, schedule.created_at)
            for local_day, instant in slots_between(schedule.timing, since, now):
                if local_day in claimed:
                    continue
                if now - instant <= self.grace:
                    missed.append(local_day)
                else:
                    log.info(
                        "skipped schedule %s slot %s: missed by more than the grace period",
                        schedule.id,
                        local_day,
                    )
            if missed:
                due.append(self._fire_in_order(schedule.id, missed))
        await asyncio.gather(*due)

    async def _fire_in_order(self, schedule_id: int, days: list[date]) -> None:
        for local_day in days:
            await self.fire(schedule_id, local_day)

    async def fire(self, schedule_id: int, local_day: date) -> bool:
        """Claim and post one slot; True if this call posted it. Then arm the next slot.

        At most MAX_PARALLEL_POSTS slots are worked on at once, claim included, so that
        thousands due together queue here instead of crowding the database and the loop."""
        async with self._posting:
            schedule = await self.schedules.get(schedule_id)
            if schedule is None or schedule.paused:
                return False
            now = self.clock()
            self._arm(schedule, max(now, slot_at(schedule.timing, local_day)))
            if not await self.schedules.claim(schedule_id, local_day, now):
                return False
            error = None
            try:
                await self._post_quiz(schedule, local_day)
            except Exception as exc:  # one failing channel must not stop the others
                error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("schedule %s could not post: %s", schedule_id, error, exc_info=True)
            await self.schedules.finish(schedule_id, local_day, self.clock(), error)
            return error is None

    async def _post_quiz(self, schedule: Schedule, local_day: date) -> None:
        command: Command
        if schedule.questions is None:
            command = DailyPost(
                day=local_day,
                previous_day=previous_day(schedule.timing, local_day),
                closes_at=reveal_instant(schedule.timing, local_day, schedule.reveal_at),
                series=schedule.series,
            )
        elif schedule.questions == 1:
            command = Ask(schedule.series)
        else:
            command = Start(schedule.questions, schedule.series)
        replies = await self.handle(command, schedule.place, *SCHEDULER_USER, True)
        public = [r for r in replies if not r.private]
        if not public:
            problem = replies[0].title if replies else "nothing to post"
            raise RuntimeError(problem)
        for reply in public:
            await self.post(Posted(schedule.place, reply))
