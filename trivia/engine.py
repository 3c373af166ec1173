"""The game: turns commands into store updates and neutral replies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from random import Random

from trivia import replies
from trivia.commands import (
    ADMIN_COMMANDS,
    MAX_MATCH,
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    Help,
    Invalid,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleList,
    ScheduleSet,
    Start,
    Stats,
    Stop,
)
from trivia.judging import VerdictStatus, judge
from trivia.questions import Generator, NoQuestionError, Records, series_short
from trivia.replies import Reply
from trivia.schedule import ScheduleError, parse_timing
from trivia.scoring import PERIODS, Guess, answer_points, period_key, rank_guesses
from trivia.settings import Settings
from trivia.store import Lock, NextQuestion, OpenQuestion, Place, Store

RECENT_EVENTS = 20


@dataclass(frozen=True)
class Actor:
    """Who sent a command, where, and when."""

    place: Place
    user: str
    name: str
    now: datetime
    admin: bool = False


@dataclass(frozen=True)
class Posted:
    """A reply that goes to a channel outside any command (a timed reveal)."""

    place: Place
    reply: Reply


class Engine:
    """Runs rounds, judges answers and reports standings; time always comes in as `now`."""

    def __init__(self, store: Store, *, defaults: Settings, seed: int) -> None:
        self.store = store
        self.defaults = defaults
        self.rng = Random(seed)

    async def handle(self, command: Command, actor: Actor) -> list[Reply]:
        """Carry out one command; the replies are in the order to send them."""
        open_q = await self.store.open_question(actor.place)
        before: list[Reply] = []
        if open_q is not None and actor.now >= open_q.closes_at:
            before = await self._close(open_q, actor.now)
            if isinstance(command, Answer):
                return [*before, replies.error("Too late: the answer window had closed.")]
            open_q = await self.store.open_question(actor.place)
        match command:
            case Ask(series=series):
                return before + await self._start(actor, open_q, 1, series)
            case Start(count=count, series=series):
                return before + await self._start(actor, open_q, count, series)
            case Answer(text=text, question_id=question_id):
                if question_id is not None and (open_q is None or open_q.id != question_id):
                    return [*before, replies.error("That question has closed.")]
                return before + await self._answer(actor, open_q, text)
            case Leaderboard(period=period):
                rows = await self.store.leaderboard(actor.place, period_key(period, actor.now), 10)
                return [*before, replies.leaderboard_reply(period, rows)]
            case Stats(user=user):
                return before + await self._stats(actor, user)
            case Stop():
                return before + await self._stop(actor, open_q)
            case Daily():
                return [*before, replies.error("No daily question in this channel today.")]
            case Help(problem=problem):
                return [*before, replies.help_reply(problem)]
            case Invalid(problem=problem):
                return [*before, replies.error(problem)]
            case _ if isinstance(command, ADMIN_COMMANDS) and not actor.admin:
                return [*before, replies.error("Only server admins can do that.")]
            case ScheduleSet() | ScheduleList() | ScheduleChange():
                return before + await self._schedule(actor, command)
            case Configure():
                return before + await self._configure(actor, command)
            case Reset(confirmed=confirmed):
                if not confirmed:
                    return [*before, replies.confirm_reset()]
                await self.store.reset_standings(actor.place)
                return [*before, replies.notice(f"The leaderboard was reset by {actor.name}.")]

    async def overview(self, actor: Actor) -> list[Reply]:
        """Leaderboards for this week, this month and all time, then the viewer's stats."""
        boards = [
            replies.leaderboard_reply(
                period, await self.store.leaderboard(actor.place, period_key(period, actor.now), 10)
            )
            for period in PERIODS
        ]
        return boards + await self._stats(actor, None)

    async def close_due(self, now: datetime) -> list[Posted]:
        """Reveal every question whose window has closed (called by the shell's timer)."""
        posted = []
        for open_q in await self.store.due_questions(now):
            posted += [Posted(open_q.place, r) for r in await self._close(open_q, now)]
        return posted

    async def _settings(self, place: Place) -> Settings:
        return self.defaults.merged(await self.store.settings(place))

    async def _generator(self, seed: int) -> Generator:
        records = Records(tuple(await self.store.events()), tuple(await self.store.competitors()))
        return Generator(records, Random(seed))

    async def _next(
        self, place: Place, seed: int, series: str | None, now: datetime, settings: Settings
    ) -> NextQuestion:
        generator = await self._generator(seed)
        avoid = await self.store.recent_event_keys(place, RECENT_EVENTS)
        question = generator.generate(series=series, avoid=avoid)
        closes = now + timedelta(seconds=settings.answer_window)
        return NextQuestion(question, now, closes)

    async def _start(
        self, actor: Actor, open_q: OpenQuestion | None, count: int | None, series: str | None
    ) -> list[Reply]:
        if open_q is not None:
            left = (open_q.closes_at - actor.now).total_seconds()
            return [replies.error(f"A question is already open here ({left:.0f} s left).")]
        settings = await self._settings(actor.place)
        seed = self.rng.randrange(2**31)
        try:
            first = await self._next(
                actor.place, seed, series or settings.series, actor.now, settings
            )
        except NoQuestionError:
            return [replies.error(f"No questions for series {series!r}. Try /trivia.")]
        total = settings.match_length if count is None else count
        started = await self.store.start_round(actor.place, total=total, seed=seed, first=first)
        if started is None:
            return [replies.error("A match is already running here.")]
        return [replies.question_reply(started, settings.answer_window)]

    async def _answer(self, actor: Actor, open_q: OpenQuestion | None, text: str) -> list[Reply]:
        if open_q is None:
            return [replies.error("No question is open here. Start one with /trivia.")]
        verdict = judge(open_q.question, text)
        if verdict.status is not VerdictStatus.ACCEPTED:
            return [replies.error(verdict.message or "That isn't an answer.")]
        window = (open_q.closes_at - open_q.asked_at).total_seconds()
        points = answer_points(
            open_q.question.difficulty,
            correct=bool(verdict.correct),
            elapsed=(actor.now - open_q.asked_at).total_seconds(),
            window=window,
        )
        player_id = await self.store.player(actor.place, actor.user, actor.name)
        locked = await self.store.record_answer(
            open_q,
            player_id,
            text=text[:200],
            choice_index=verdict.choice_index,
            value=verdict.value,
            correct=verdict.correct,
            points=points,
            answered_at=actor.now,
        )
        if locked is Lock.DUPLICATE:
            return [replies.error("You already locked in an answer to this question.")]
        if locked is Lock.CLOSED:
            return [replies.error("Too late: the answer window had closed.")]
        return [replies.locked_reply(open_q.question, verdict.choice_index, verdict.value)]

    async def _close(self, open_q: OpenQuestion, now: datetime) -> list[Reply]:
        answers = await self.store.answers(open_q.id)
        q = open_q.question
        rescored: list[tuple[int, int, bool]] = []
        if q.is_numeric and q.answer_value is not None:
            guesses = [
                Guess(a.id, a.value, i) for i, a in enumerate(answers) if a.value is not None
            ]
            rescored = rank_guesses(guesses, q.answer_value, q.difficulty)
        following = None
        settings = await self._settings(open_q.place)
        if open_q.seq < open_q.total:
            try:
                following = await self._next(
                    open_q.place, self.rng.randrange(2**31), settings.series, now, settings
                )
            except NoQuestionError:
                following = None
        closed, next_q = await self.store.close_question(
            open_q, revealed_at=now, rescored=rescored, following=following
        )
        if not closed:
            return []
        points = {answer_id: (pts, ok) for answer_id, pts, ok in rescored}
        final = [
            replace(a, points=points[a.id][0], correct=points[a.id][1]) if a.id in points else a
            for a in answers
        ]
        out = [replies.reveal_reply(open_q, final)]
        if next_q is not None:
            out.append(replies.question_reply(next_q, settings.answer_window))
        elif open_q.total > 1:
            out.append(replies.match_end_reply(await self.store.round_scores(open_q.round_id)))
        return out

    async def _configure(self, actor: Actor, change: Configure) -> list[Reply]:
        if change.answer_window is not None and not 5 <= change.answer_window <= 3600:
            return [replies.error("The answer window is 5 to 3600 seconds.")]
        if change.match_length is not None and not 1 <= change.match_length <= MAX_MATCH:
            return [replies.error(f"A match is 1 to {MAX_MATCH} questions.")]
        values: dict[str, str | None] = {}
        if change.answer_window is not None:
            values["answer_window"] = str(change.answer_window)
        if change.match_length is not None:
            values["match_length"] = str(change.match_length)
        if change.series is not None:
            known = {series_short(e) for e in await self.store.events()}
            if change.series.casefold() == "all":
                values["series"] = None
            elif change.series in known:
                values["series"] = change.series
            else:
                return [replies.error(f"Series are: all, {', '.join(sorted(known))}.")]
        if values:
            await self.store.save_settings(actor.place, values)
        return [replies.settings_reply(await self._settings(actor.place))]

    async def _schedule(
        self, actor: Actor, command: ScheduleSet | ScheduleList | ScheduleChange
    ) -> list[Reply]:
        if isinstance(command, ScheduleChange):
            done = await self.store.change_schedule(
                actor.place, command.action, command.schedule_id
            )
            if not done:
                return [replies.error(f"There is no schedule #{command.schedule_id} here.")]
            verb = {"pause": "paused", "resume": "resumed", "remove": "removed"}[command.action]
            return [replies.notice_private(f"Schedule #{command.schedule_id} {verb}.")]
        if isinstance(command, ScheduleSet):
            try:
                timing = parse_timing(command.at, command.zone, command.days)
            except ScheduleError as exc:
                return [replies.error(str(exc))]
            if not 1 <= command.questions <= MAX_MATCH:
                return [replies.error(f"A scheduled quiz is 1 to {MAX_MATCH} questions.")]
            known = {series_short(e) for e in await self.store.events()}
            if command.series is not None and command.series not in known:
                return [replies.error(f"Series are: {', '.join(sorted(known))}.")]
            await self.store.add_schedule(
                actor.place,
                timing,
                series=command.series,
                questions=command.questions,
                now=actor.now,
            )
        schedules = await self.store.list_schedules(actor.place)
        return [replies.schedules_reply(schedules, actor.now)]

    async def _stats(self, actor: Actor, user: str | None) -> list[Reply]:
        target = actor.user if user is None else user
        found = await self.store.find_player(actor.place, target)
        if found is None:
            who = "You haven't" if user is None else "That player hasn't"
            return [replies.error(f"{who} answered any questions here yet.")]
        stats = await self.store.player_stats(actor.place, "all", found[0])
        if stats is None:
            return [replies.error("No stats yet.")]
        return [replies.stats_reply(stats, private=user is None)]

    async def _stop(self, actor: Actor, open_q: OpenQuestion | None) -> list[Reply]:
        if open_q is None:
            return [replies.error("Nothing to stop: no question is open here.")]
        return await self._close(replace(open_q, total=open_q.seq), actor.now)
