"""The one runtime: runs commands through the engine, acts on the effects it reports, and
keeps one timer (APScheduler) for reveals, posts and schedule slots.

The database is the truth: a reveal is stored in the outbox in the reveal's own
transaction, a scheduled question in the one that finishes its slot, and each is posted
from there until the platform has it, so a post that fails or is cut short by a stop is
made later, once (each platform is told the post's key, so a post it already has is not
made twice). Every timer round catches, logs one line and backs off: only start-up
failures stop the bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.stores import BotStore, Posts
from trivia.effects import Announced, Effect, Outcome, QuestionOpened, SchedulesChanged
from trivia.engine import Actor, Engine
from trivia.incoming import Incoming
from trivia.model import Place, Scope
from trivia.posts import Pending, Post, SlotDone
from trivia.replies import Reply

Clock = Callable[[], datetime]
Poster = Callable[[Place, Reply, str, bool], Awaitable[None]]
"""Posts (place, reply, the post's outbox key, again): `again` when the post was taken
before (a retry or a takeover), so the platform may already have it."""
log = logging.getLogger(__name__)

BACKOFF_S = 0.5
BACKOFF_MAX_S = 30.0
"""A failed timer round is tried again after 0.5 s, doubling up to 30 s."""
RETRY_S = 5.0
RETRY_MAX_S = 300.0
MAX_ATTEMPTS = 12
"""A post the platform refused is tried again after 5 s, doubling up to 5 minutes, and
given up (logged) after 12 attempts, about 37 minutes (a channel the bot has left)."""
IDLE_S = 60.0
"""With nothing due, the timer still looks every minute (another process may have
asked a question or left a post unfinished)."""
TICK_JOB = "tick"
PRUNE_EVERY = timedelta(hours=1)
"""How often old posts are deleted from the outbox."""
TAKEOVER = timedelta(minutes=1)
"""How long a slot claimed by a process that stopped waits before another process (or
its restart) takes it over; a post it had taken waits twice as long ([schedule]
takeover_seconds)."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """The engine, its store and the timer, for the scope this process serves."""

    store: BotStore
    engine: Engine
    clock: Clock = utc_now
    scope: Scope | None = None
    """What this process serves (None: everything): it reveals, posts and schedules
    there only."""
    takeover: timedelta = TAKEOVER
    """A slot claim left by a stopped process is taken over after this; a post, after
    `post_lease`."""
    timer: AsyncIOScheduler = field(default_factory=lambda: AsyncIOScheduler(timezone=UTC))
    posters: dict[str, Poster] = field(default_factory=dict)
    on_schedules_changed: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    each_round: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """More work for every timer round (the scheduler's takeover of unfinished slots)."""
    _backoff: float = 0.0
    _stopping: bool = False
    _pruned: datetime | None = None
    _round: asyncio.Lock = field(default_factory=asyncio.Lock)
    _delivering: set[asyncio.Task[None]] = field(default_factory=set)
    _in_order: set[str] = field(default_factory=set)

    @property
    def post_lease(self) -> timedelta:
        """How long a post taken here is this process's own: twice `takeover`, as posting
        a batch at the platform's pace takes longer than claiming a slot."""
        return 2 * self.takeover

    @property
    def outbox(self) -> Posts:
        """Posts owed to the platforms."""
        return self.store.outbox

    async def run(self, incoming: Incoming) -> Outcome:
        """What the engine makes of one command, now (nothing acted on yet)."""
        actor = Actor(
            incoming.place,
            incoming.user,
            incoming.name,
            self.clock(),
            admin=incoming.admin,
            players=incoming.players,
        )
        return await self.engine.handle(incoming.command, actor)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one command and act on its effects; the replies are the adapter's to send.
        Posts it caused (a reveal) are stored first; a public reply (a new question) waits
        until they are posted, to follow them in the channel, and so does every reply on a
        platform served `in_order` (the console); elsewhere a private one (a click's
        "Locked in") goes at once, their posts following in the background."""
        outcome = await self.run(incoming)
        wait = incoming.place.platform in self._in_order or any(
            not reply.private for reply in outcome.replies
        )
        await self.act(outcome.effects, wait=wait)
        return outcome.replies

    async def act(
        self,
        effects: list[Effect],
        posts: tuple[Post, ...] = (),
        slot: SlotDone | None = None,
        *,
        wait: bool = True,
    ) -> None:
        """Store what is to be posted (finishing a scheduled `slot` in the same
        transaction; a reveal's posts are already stored with it), post it (or, not
        `wait`ing, start posting it), and re-arm what the effects change."""
        announced = [e for e in effects if isinstance(e, Announced)]
        owed = [Post(e.key, e.place, e.reply) for e in announced if not e.stored]
        owed += posts
        if owed or slot:
            await self.outbox.add(owed, self.clock(), slot)
        keys = [e.key for e in announced if e.stored] + [p.key for p in owed]
        if keys and wait:
            await self.deliver(keys)
        elif keys:
            task = asyncio.create_task(self._deliver_later(keys))
            self._delivering.add(task)
            task.add_done_callback(self._delivering.discard)
        deadlines = [e.closes_at for e in effects if isinstance(e, QuestionOpened)]
        if deadlines:
            self._wake_by(min(deadlines))
        if any(isinstance(e, SchedulesChanged) for e in effects):
            for reload in self.on_schedules_changed:
                await reload()

    async def _deliver_later(self, keys: list[str]) -> None:
        """Deliver in the background; a failure is logged in one line (the posts stay
        owed, and the next timer round makes them)."""
        try:
            await self.deliver(keys)
        except Exception as exc:
            log.warning("could not post %s now (%s); the timer will", ", ".join(keys), exc)

    async def withdraw(self, place: Place, question_id: int) -> None:
        """End a question the platform would not post, without a reveal."""
        await self.engine.withdraw(place, question_id, self.clock())

    def serve(self, platform: str, poster: Poster, *, in_order: bool = False) -> None:
        """A platform is up: posts to it can be made (and those owed are made now).
        `in_order`: replies there wait for the posts their command caused."""
        self.posters[platform] = poster
        if in_order:
            self._in_order.add(platform)
        self.wake()

    def stopped(self, platform: str) -> None:
        """A platform went down: its posts wait in the outbox."""
        self.posters.pop(platform, None)

    async def deliver(self, keys: list[str] | None = None) -> None:
        """Post what is due (or only `keys`) to the platforms that are up, in order per
        channel; a refused post is logged in one line and tried again later."""
        up = self._up()
        if up.empty:
            return
        pending = await self.outbox.take(up, self.clock(), keys, lease=self.post_lease)
        by_place = groupby(sorted(pending, key=lambda p: (str(p.place), p.id)), lambda p: p.place)
        await asyncio.gather(*(self._post_in_order(list(posts)) for _, posts in by_place))

    def _up(self) -> Scope:
        """The part of the scope that can be posted to now."""
        up = frozenset(self.posters)
        return Scope(up) if self.scope is None else self.scope.only(up)

    async def _post_in_order(self, posts: list[Pending]) -> None:
        for i, post in enumerate(posts):
            try:
                await self.posters[post.place.platform](
                    post.place, post.reply, post.key, post.attempts > 1
                )
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                if post.attempts >= MAX_ATTEMPTS:
                    log.error(
                        "gave up posting to %s after %d tries (%s)",
                        post.place,
                        post.attempts,
                        reason,
                    )
                    await self.outbox.failed(post.id, None, reason)
                    continue
                delay = min(RETRY_MAX_S, RETRY_S * 2 ** (post.attempts - 1))
                retry_at = self.clock() + timedelta(seconds=delay)
                log.warning(
                    "could not post to %s (%s); trying again in %.0f s", post.place, reason, delay
                )
                for later in posts[i:]:  # keep the channel's order: a reveal before the next
                    await self.outbox.failed(later.id, retry_at, reason)
                return
            await self.outbox.posted(post.id, self.clock())

    def start(self) -> None:
        """Start the timer with a round now."""
        if not self.timer.running:
            self.timer.start()
        self.wake()

    def stop(self) -> None:
        """Stop the timer (a round in flight is cancelled with the loop). APScheduler
        stops on the loop's next turn, so a second call before then must not ask again."""
        if self.timer.running and not self._stopping:
            self._stopping = True
            self.timer.shutdown(wait=False)

    def wake(self, at: datetime | None = None) -> None:
        """Run a timer round at `at` (now by default)."""
        if not self.timer.running:
            return
        self.timer.add_job(
            self.tick,
            DateTrigger(run_date=at or utc_now()),
            id=TICK_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=2,
        )

    def _wake_by(self, due: datetime) -> None:
        """Make sure a timer round runs by `due` (a new question's deadline): the armed
        round stays if it comes first (a question opening costs no round of its own). A
        round under way may have read the deadlines before this one was stored: then
        another round follows it."""
        if not self.timer.running:
            return
        armed = self.timer.get_job(TICK_JOB)
        at = utc_now() + (due - self.clock())
        if self._round.locked() or armed is None:
            self.wake()
        elif armed.next_run_time > at:
            self.wake(at)

    async def tick(self) -> None:
        """One timer round: reveal what is due, make owed posts, and arm the next round.
        A failure is logged in one line and the round is tried again after a back-off."""
        async with self._round:
            try:
                delay = await self.round()
                self._backoff = 0.0
            except asyncio.CancelledError:  # the bot is stopping: the timer's task ends here
                return
            except Exception as exc:
                if self._stopping:  # the store closed under a round the stop cut short
                    return
                self._backoff = min(BACKOFF_MAX_S, max(BACKOFF_S, self._backoff * 2))
                log.warning("timer round failed (%s); trying again in %.1f s", exc, self._backoff)
                delay = self._backoff
            self.wake(utc_now() + timedelta(seconds=max(0.01, min(delay, IDLE_S))))

    async def round(self) -> float:
        """Reveal due questions and make due posts; seconds until something is next due."""
        await self.act(await self.engine.close_due(self.clock(), self.scope))
        for work in self.each_round:
            await work()
        await self.deliver()
        now = self.clock()
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            await self.outbox.prune(now)
            self._pruned = now
        due = [await self.store.next_deadline(self.scope)]
        if not (up := self._up()).empty:
            due.append(await self.outbox.next_due(up))
        times = [d for d in due if d is not None]
        return min((d - now).total_seconds() for d in times) if times else IDLE_S
