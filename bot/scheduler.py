"""Scheduled quizzes: the runtime's timer wakes the bot; the database decides what posts.

Each active schedule has one job on the runtime's timer, armed for its next slot
(trivia.schedule computes the instant, DST included). When it fires, the slot is claimed
in the database; the engine asks the question; the posts are stored in the outbox in the
same transaction that finishes the slot, and posted from there until the platform has
them. A slot claimed by a process that stopped before finishing it is taken over once its
claim is older than the runtime's `takeover` ([schedule] takeover_seconds), by a restart
or by another live process; posting the same date again shows the same question, and the
outbox stores each post once. At start, slots missed within the grace period are posted
late, once.

Schedules are shared by every process on the database: each timer round reads their change
counter and re-arms when another process has set, paused, resumed or removed one. A slot
that cannot be claimed when due (another writer holds the database) is tried again in the
following timer rounds, which back off while they fail.

Where several processes serve the same workspaces (Slack replicas), each workspace's slots
are fired by the one process that owns it (bot.ownership): the others arm nothing there,
and the one that takes a workspace over from a stopped owner catches up its missed slots.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.ownership import Ownership
from bot.runtime import Runtime
from trivia.commands import Ask, Command, DailyPost, Start
from trivia.incoming import Incoming
from trivia.posts import Post, SlotDone
from trivia.schedule import (
    Schedule,
    Timing,
    next_slot,
    previous_day,
    reveal_instant,
    slot_at,
    slots_between,
)

log = logging.getLogger(__name__)

SCHEDULER_USER = ("scheduler", "Scheduled quiz")
MAX_PARALLEL_POSTS = 10
LEASES_JOB = "leases"


class QuizScheduler:
    """Arms one job per schedule and posts each slot exactly once."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        grace: timedelta = timedelta(hours=1),
        owners: Ownership | None = None,
    ) -> None:
        self.runtime = runtime
        self.owners = owners
        """Which workspaces this process fires the slots of (None: all in its scope)."""
        self.schedules = runtime.store.schedules
        self.scope = runtime.scope
        self.clock = runtime.clock
        self.grace = grace
        self.timer = runtime.timer
        self._posting = asyncio.Semaphore(MAX_PARALLEL_POSTS)
        self._seen: int | None = None
        """The schedules' change counter when this process last armed from them."""
        self._armed: dict[int, Timing] = {}
        """The timing each armed job was computed from (a change re-arms)."""
        self._owed: set[tuple[int, date]] = set()
        """Slots that fell due but could not be claimed yet."""
        self._firing: set[tuple[int, date]] = set()
        """Slots this process is working on now: a claim of its own that grows older than
        `takeover` (a slow database) is not a stopped process's, and is not taken over."""
        runtime.on_schedules_changed.append(self.reload)
        runtime.each_round.extend((self.follow, self.retry, self.take_over))

    async def start(self) -> None:
        """Take the workspaces this process can own, catch up on slots missed within the
        grace period, then arm every schedule (and the renewal of the workspaces)."""
        self.runtime.start()
        if self.owners is not None:
            await self._renew()
            self.timer.add_job(
                self.renew,
                IntervalTrigger(seconds=self.owners.renew_every.total_seconds()),
                id=LEASES_JOB,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
            )
        await self.catch_up()
        await self.reload()

    async def renew(self) -> None:
        """Renew this process's workspaces and take those whose owner stopped; on a change,
        re-arm and catch up the slots the stopped owner missed. A failure is logged in one
        line (the lease outlives two missed renewals)."""
        try:
            if await self._renew():
                await self.reload()
                await self.catch_up()
        except Exception as exc:
            log.warning("could not renew the workspace leases (%s: %s)", type(exc).__name__, exc)

    async def _renew(self) -> bool:
        assert self.owners is not None
        in_scope = [s.place for s in await self.schedules.all() if self._in_scope(s)]
        return await self.owners.renew(in_scope)

    async def follow(self) -> None:
        """Re-arm if the schedules changed (through any process) since the last arming."""
        if await self.schedules.version() != self._seen:
            await self.reload()

    async def reload(self) -> None:
        """Re-arm from the database: after start and after every schedule change. A job
        whose schedule kept its timing keeps its slot (re-arming one that is due this
        instant would move it to the next slot)."""
        seen = await self.schedules.version()  # a change after this is seen next round
        wanted = {s.id: s for s in await self._served() if not s.paused}
        for job in self.timer.get_jobs():
            if job.id.isdigit() and int(job.id) not in wanted:
                job.remove()
                self._armed.pop(int(job.id), None)
        for schedule in wanted.values():
            job = self.timer.get_job(str(schedule.id))
            if job is None or self._armed.get(schedule.id) != schedule.timing:
                self._arm(schedule, self.clock())
        self._seen = seen

    async def _served(self) -> list[Schedule]:
        """The schedules in the scope this process serves."""
        return [s for s in await self.schedules.all() if self._serves(s)]

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
        self._armed[schedule.id] = schedule.timing

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

    async def take_over(self) -> None:
        """Finish slots claimed by a process that stopped before storing their posts (all
        at once, bounded by MAX_PARALLEL_POSTS as at start: one after another, each waited
        for its post at the platform's pace, and took the round that long)."""
        now = self.clock()
        cut_short = []
        for schedule_id, day in await self.schedules.unfinished(now - self.runtime.takeover):
            if (schedule_id, day) in self._firing:
                continue  # this process's own claim, slow to finish: not cut short
            schedule = await self.schedules.get(schedule_id)
            if schedule is None or schedule.paused or not self._serves(schedule):
                continue  # a paused schedule's slot is taken over once it is resumed
            if now - slot_at(schedule.timing, day) > self.grace:
                log.warning("schedule %s slot %s was cut short too long ago", schedule_id, day)
                await self.runtime.outbox.add([], now, SlotDone(schedule_id, day, "cut short"))
                continue
            log.info("schedule %s slot %s was cut short; finishing it", schedule_id, day)
            cut_short.append(self.fire(schedule_id, day))
        await asyncio.gather(*cut_short)

    def _in_scope(self, schedule: Schedule) -> bool:
        return self.scope is None or self.scope.covers(schedule.place)

    def _serves(self, schedule: Schedule) -> bool:
        """Whether this process fires the schedule's slots: in its scope, and its
        workspace is this process's to own."""
        owned = self.owners is None or self.owners.owns(schedule.place)
        return owned and self._in_scope(schedule)

    async def fire(self, schedule_id: int, local_day: date) -> bool:
        """Claim one slot, ask its question and store its posts; True if this call did.
        Then arm the next slot. The posts go out from the outbox (retried until the
        platform has them). A slot that cannot be read or claimed now (say another writer
        holds the database) is logged in one line and tried again by the timer rounds.

        At most MAX_PARALLEL_POSTS slots are worked on at once, claim included, so that
        thousands due together queue here instead of crowding the database and the loop."""
        try:
            return await self._fire(schedule_id, local_day)
        except Exception as exc:
            self._owed.add((schedule_id, local_day))
            log.warning(
                "schedule %s slot %s could not be claimed (%s: %s); trying again",
                schedule_id,
                local_day,
                type(exc).__name__,
                exc,
            )
            self.runtime.wake()
            return False

    async def retry(self) -> None:
        """Fire the slots that could not be claimed when due; one that still cannot be
        stays owed and fails the round, which backs off."""
        for schedule_id, local_day in sorted(self._owed):
            await self._fire(schedule_id, local_day)
            self._owed.discard((schedule_id, local_day))

    async def _fire(self, schedule_id: int, local_day: date) -> bool:
        slot = (schedule_id, local_day)
        if slot in self._firing:
            return False
        self._firing.add(slot)
        try:
            return await self._claim_and_post(schedule_id, local_day)
        finally:
            self._firing.discard(slot)

    async def _claim_and_post(self, schedule_id: int, local_day: date) -> bool:
        async with self._posting:
            schedule = await self.schedules.get(schedule_id)
            if schedule is None or schedule.paused or not self._serves(schedule):
                return False
            now = self.clock()
            self._arm(schedule, max(now, slot_at(schedule.timing, local_day)))
            if not await self.schedules.claim(
                schedule_id, local_day, now, now - self.runtime.takeover
            ):
                return False
            try:
                outcome = await self.runtime.run(
                    Incoming(
                        self._command(schedule, local_day), schedule.place, *SCHEDULER_USER, True
                    )
                )
            except Exception as exc:  # one failing channel must not stop the others
                error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("schedule %s could not post: %s", schedule_id, error)
                await self.runtime.outbox.add(
                    [], self.clock(), SlotDone(schedule_id, local_day, error)
                )
                return False
            key = f"slot:{schedule_id}:{local_day.isoformat()}"
            posts = [
                Post(f"{key}:{i}", schedule.place, reply, schedule_id)
                for i, reply in enumerate(r for r in outcome.replies if not r.private)
            ]
            refused = outcome.refused
            if refused is not None:
                log.warning("schedule %s could not post: %s", schedule_id, refused.reason)
            await self.runtime.act(
                outcome.effects,
                tuple(posts),
                SlotDone(schedule_id, local_day, None if refused is None else refused.reason),
            )
            return refused is None

    def _command(self, schedule: Schedule, local_day: date) -> Command:
        if schedule.questions is None:
            return DailyPost(
                day=local_day,
                previous_day=previous_day(schedule.timing, local_day),
                closes_at=reveal_instant(schedule.timing, local_day, schedule.reveal_at),
                series=schedule.series,
            )
        if schedule.questions == 1:
            return Ask(schedule.series)
        return Start(schedule.questions, schedule.series)
