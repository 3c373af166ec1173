"""The game: turns commands into store updates and neutral replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from random import Random

from trivia import replies
from trivia.bank import Bank, Pool, Records
from trivia.commands import (
    ADMIN_COMMANDS,
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    DailyPost,
    DailyResult,
    Help,
    Hint,
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
from trivia.daily import (
    DailyForm,
    DailyInfo,
    DailyPool,
    DailyStreak,
    advance_streaks,
    daily_number,
    daily_pool,
    daily_refusal,
    deal_cycle,
    is_on_this_day,
)
from trivia.effects import (
    Announced,
    Effect,
    Outcome,
    QuestionOpened,
    SchedulesChanged,
    outcome,
)
from trivia.hints import choice_hint, margin_hint
from trivia.judging import Verdict, VerdictStatus, judge
from trivia.model import Event, Place, Question, Scope
from trivia.names import did_you_mean
from trivia.questions import Generator, NoQuestionError, Request
from trivia.replies import Reply, ReplyKind
from trivia.schedule import ScheduleError, parse_time, parse_timing
from trivia.scoring import (
    DEFAULT_STEP,
    PERIODS,
    Guess,
    answer_points,
    hinted_points,
    period_key,
    rank_guesses,
    score_picks,
)
from trivia.settings import MAX_MATCH, MAX_WINDOW, MIN_WINDOW, Settings
from trivia.share import share_line
from trivia.store import (
    AnswerRow,
    Lock,
    NextQuestion,
    OpenQuestion,
    Revealed,
    Settled,
    Store,
)
from trivia.usage import typed_channel_problem, usage_for

HISTORY_LIMIT = 5000
"""At most this many of a channel's past questions are read to avoid repeats."""
RESET_WINDOW = timedelta(minutes=5)  # how long a reset confirmation button stays good
READS = (Leaderboard, Stats, Help, Invalid)
"""Commands that only read: they need not look at the channel's open question."""


@dataclass(frozen=True)
class Actor:
    """Who sent a command, where, and when."""

    place: Place
    user: str
    name: str
    now: datetime
    admin: bool = False
    players: int | None = None
    """How many players can answer here, where the platform knows (the console); once
    they all have, a quick question is revealed at once."""


Indexer = Callable[[Callable[[], Awaitable[Records]]], Awaitable[Bank]]
"""Loads the records (with the loader given) and builds a question bank from them for the
shell, e.g. on a thread so the event loop never waits for it; the awaitable it returns is
made at once and may be awaited by several requests (a task)."""


class Engine:
    """Runs rounds, judges answers and reports standings; time always comes in as `now`."""

    def __init__(
        self, store: Store, *, defaults: Settings, seed: int, indexer: Indexer | None = None
    ) -> None:
        self.store = store
        self.defaults = defaults
        self.rng = Random(seed)
        self.indexer = indexer
        self._bank: tuple[int, Bank] | None = None
        self._building: tuple[int, Awaitable[Bank]] | None = None
        self._seen: dict[Place, OpenQuestion] = {}
        """The quick-play question this engine last saw open in each channel, until its
        window closes: a hint that saves an answer a read, never trusted alone (the
        answer's transaction checks the question is still open, and an answer the hint
        cannot lock in is redone from the database)."""

    async def handle(self, command: Command, actor: Actor) -> Outcome:
        """Carry out one command: the replies to its sender, in order, and its effects
        (questions opened, reveals announced in the channel, schedules changed)."""
        effects: list[Effect] = []
        replies = await self._run(command, actor, effects)
        if isinstance(command, ScheduleSet | ScheduleChange) and not all(
            r.kind is ReplyKind.ERROR for r in replies
        ):
            effects.append(SchedulesChanged(actor.place))
        return outcome(replies, effects)

    async def _run(self, command: Command, actor: Actor, effects: list[Effect]) -> list[Reply]:
        if isinstance(command, Answer) and (seen := self._seen_for(command, actor)) is not None:
            answered = await self._answer_seen(actor, seen, command.text, effects)
            if answered is not None:
                return answered
        if isinstance(command, READS):
            open_q = None  # a read reveals nothing (the timer reveals a question on time)
        else:
            open_q = await self._open_question(actor.place)
        usage = usage_for(actor.place.platform)
        if open_q is not None and actor.now >= open_q.closes_at:
            await self._close(open_q, actor.now, effects)
            if isinstance(command, Answer):
                return [replies.error("Too late: the answer window had closed.")]
            open_q = await self._open_question(actor.place)
        match command:
            case Ask(series=series):
                return await self._start(actor, open_q, 1, series, effects)
            case Start(count=count, series=series):
                return await self._start(actor, open_q, count, series, effects)
            case Answer(text=text, question_id=question_id):
                target = open_q
                if target is None or (question_id is not None and target.id != question_id):
                    target = await self._daily(actor, effects)
                if question_id is not None and (target is None or target.id != question_id):
                    return [replies.error("That question has closed.")]
                return await self._answer(actor, target, text, effects)
            case Leaderboard(period="streak"):
                streaks = await self.store.streak_leaderboard(actor.place, 10)
                return [replies.streak_leaderboard_reply(streaks)]
            case Leaderboard(period=period):
                rows = await self.store.leaderboard(actor.place, period_key(period, actor.now), 10)
                return [replies.leaderboard_reply(period, rows)]
            case Stats(user=user):
                return await self._stats(actor, user)
            case Stop():
                return await self._stop(actor, open_q, effects)
            case Daily(guess=guess):
                daily = await self._daily(actor, effects)
                if daily is None:
                    return [replies.error("No daily question in this channel today.")]
                if guess is None:
                    hints = (await self._settings(actor.place)).daily_hints
                    return [replies.daily_reply(daily, private=True, usage=usage, hints=hints)]
                return await self._answer(actor, daily, guess, effects)
            case Hint(question_id=question_id):
                return await self._hint(actor, open_q, question_id, effects)
            case DailyResult(question_id=question_id):
                return await self._daily_result(actor, question_id, effects)
            case Help(problem=problem):
                return [replies.help_reply(usage, problem)]
            case Invalid(problem=problem):
                return [replies.error(problem)]
            case _ if isinstance(command, ADMIN_COMMANDS) and not actor.admin:
                return [replies.error("Only server admins can do that.")]
            case DailyPost():
                return await self._post_daily(actor, command, effects)
            case ScheduleSet() | ScheduleList() | ScheduleChange():
                return await self._schedule(actor, command)
            case Configure():
                return await self._configure(actor, command)
            case Reset(asked_at=None):
                return [replies.confirm_reset(actor.now)]
            case Reset(asked_at=asked_at) if asked_at and actor.now - asked_at > RESET_WINDOW:
                return [replies.error("That confirmation has expired: run reset again.")]
            case Reset():
                await self.store.reset_standings(actor.place)
                return [replies.notice(f"The leaderboard was reset by {actor.name}.")]

    async def overview(self, actor: Actor) -> list[Reply]:
        """Leaderboards for this week, this month and all time, then the viewer's stats."""
        boards = [
            replies.leaderboard_reply(
                period, await self.store.leaderboard(actor.place, period_key(period, actor.now), 10)
            )
            for period in PERIODS
        ]
        return boards + await self._stats(actor, None, anywhere=True)

    async def withdraw(self, place: Place, question_id: int, now: datetime) -> bool:
        """End a question nobody could see (the platform refused to post it) without a
        reveal, so the channel is free again; False if it is no longer open."""
        open_q = await self.store.open_question(place)
        if open_q is None or open_q.id != question_id:
            return False
        return await self._close(replace(open_q, total=open_q.seq), now, [], announce=False)

    async def close_due(self, now: datetime, scope: Scope | None = None) -> list[Effect]:
        """Reveal every question whose window has closed in the scope this process serves
        (None: all), for the shell's timer: the reveals to announce, and any next
        question of a match that opened."""
        effects: list[Effect] = []
        self._seen = {place: q for place, q in self._seen.items() if now < q.closes_at}
        for open_q in await self.store.due_questions(now, scope):
            await self._close(open_q, now, effects)
        return effects

    async def _open_question(self, place: Place) -> OpenQuestion | None:
        """The channel's open quick-play question, read from the store (and kept as the
        channel's hint)."""
        open_q = await self.store.open_question(place)
        self._saw(place, open_q)
        return open_q

    def _saw(self, place: Place, open_q: OpenQuestion | None) -> None:
        """Keep what the store said is open in a channel as its hint (None: no hint)."""
        if open_q is None:
            self._seen.pop(place, None)
        else:
            self._seen[place] = open_q

    def _forget(self, question: OpenQuestion) -> None:
        """Drop a question that is no longer open from the questions seen open."""
        seen = self._seen.get(question.place)
        if seen is not None and seen.id == question.id:
            del self._seen[question.place]

    def _seen_for(self, answer: Answer, actor: Actor) -> OpenQuestion | None:
        """The question this engine last saw open here, if the answer can be for it: its
        window has not closed and the answer names no other question."""
        seen = self._seen.get(actor.place)
        if seen is None or actor.now >= seen.closes_at:
            return None
        return seen if answer.question_id in (None, seen.id) else None

    async def _settings(self, place: Place) -> Settings:
        return self.defaults.merged(await self.store.settings(place))

    async def bank(self, version: int | None = None) -> Bank:
        """The question bank for the current records, built once per records version."""
        if version is None:
            version = await self.store.records_version()
        if self._bank is not None and self._bank[0] == version:
            return self._bank[1]
        if self.indexer is None:
            self._bank = version, Bank.indexed(await self.store.load_records())
            return self._bank[1]
        if self._building is None or self._building[0] != version:
            # One load and build per version, shared by every request that needs it
            # meanwhile (made before any await, so requests arriving during the load share it).
            self._building = version, self.indexer(self.store.load_records)
        bank = await self._building[1]
        if self._bank is None or self._bank[0] != version:
            self._bank = version, bank  # swapped in whole once built
        return bank

    async def _asking(self, place: Place) -> tuple[Settings, Bank, Request]:
        """The settings, bank and request for asking a quick-play question here: its pool,
        minus the open daily's records, and what the channel has had in its current pass."""
        asking = await self.store.asking(place, HISTORY_LIMIT)
        settings = self.defaults.merged(asking.settings)
        bank = await self.bank(asking.version)
        pool = Pool(settings.series, settings.sports, frozenset(asking.held))
        return settings, bank, Request(pool, history=tuple(asking.recent))

    def _next(
        self, seed: int, now: datetime, settings: Settings, bank: Bank, request: Request
    ) -> NextQuestion:
        question = Generator(bank, Random(seed), today=now.date()).generate(request)
        closes = now + timedelta(seconds=settings.answer_window)
        return NextQuestion(question, now, closes)

    async def _start(
        self,
        actor: Actor,
        open_q: OpenQuestion | None,
        count: int | None,
        series: str | None,
        effects: list[Effect],
    ) -> list[Reply]:
        if open_q is not None:
            left = (open_q.closes_at - actor.now).total_seconds()
            return [replies.error(f"A question is already open here ({left:.0f} s left).")]
        settings, bank, request = await self._asking(actor.place)
        if series is not None:
            request = replace(request, pool=replace(request.pool, series=series))
        seed = self.rng.randrange(2**31)
        try:
            first = self._next(seed, actor.now, settings, bank, request)
        except NoQuestionError:
            usage = usage_for(actor.place.platform)
            none = _no_question(request.pool.series, settings.sports)
            if series is not None:
                return [replies.error(f"{none}. Try {usage.play}.")]
            return [replies.error(f"{none}. An admin can change that with {usage.settings}.")]
        total = settings.match_length if count is None else count
        started = await self.store.start_round(actor.place, total=total, seed=seed, first=first)
        if started is None:
            return [replies.error("A match is already running here.")]
        self._saw(started.place, started)
        effects.append(QuestionOpened(started.place, started.id, started.closes_at))
        return [replies.question_reply(started, settings.answer_window)]

    async def _answer(
        self, actor: Actor, open_q: OpenQuestion | None, text: str, effects: list[Effect]
    ) -> list[Reply]:
        if open_q is None:
            play = usage_for(actor.place.platform).play
            return [replies.error(f"No question is open here. Start one with {play}.")]
        verdict = judge(open_q.question, text)
        if verdict.status is not VerdictStatus.ACCEPTED:
            if open_q.daily is not None and open_q.question.is_numeric:
                guess = usage_for(actor.place.platform).daily_guess
                return [
                    replies.error(
                        f"That is not a guess for Daily #{open_q.daily.number}: type the"
                        f" margin in seconds, e.g. {guess}."
                    )
                ]
            return [replies.error(verdict.message or "That isn't an answer.")]
        locked = await self._lock(actor, open_q, text, verdict)
        return await self._locked(actor, open_q, verdict, locked, effects)

    async def _answer_seen(
        self, actor: Actor, seen: OpenQuestion, text: str, effects: list[Effect]
    ) -> list[Reply] | None:
        """An answer to the question last seen open here, stored in one trip; None when it
        is to be redone from the database: it is no answer to that question, or the
        question has been revealed (another process may have asked the next)."""
        verdict = judge(seen.question, text)
        if verdict.status is not VerdictStatus.ACCEPTED:
            return None
        locked = await self._lock(actor, seen, text, verdict)
        if locked is Lock.CLOSED:
            self._forget(seen)
            return None
        return await self._locked(actor, seen, verdict, locked, effects)

    async def _lock(self, actor: Actor, open_q: OpenQuestion, text: str, verdict: Verdict) -> Lock:
        """Score an accepted answer and send it to the store."""
        window = (open_q.closes_at - open_q.asked_at).total_seconds()
        # A daily answer is judged at the reveal, so nothing shows it before then.
        correct = None if open_q.daily is not None else verdict.correct
        points = answer_points(
            open_q.question.difficulty,
            correct=bool(correct),
            elapsed=(actor.now - open_q.asked_at).total_seconds(),
            window=window,
        )
        return await self.store.record_answer(
            open_q,
            user=actor.user,
            name=actor.name,
            text=text,
            choice_index=verdict.choice_index,
            value=verdict.value,
            correct=correct,
            points=points,
            hinted_points=hinted_points(points, hinted=True),
            answered_at=actor.now,
        )

    async def _locked(
        self,
        actor: Actor,
        open_q: OpenQuestion,
        verdict: Verdict,
        locked: Lock,
        effects: list[Effect],
    ) -> list[Reply]:
        """The reply to an answer the store has taken or refused."""
        if locked is Lock.DUPLICATE:
            return [replies.error("You already locked in an answer to this question.")]
        if locked is Lock.CLOSED:
            return [replies.error("Too late: the answer window had closed.")]
        if await self._everyone_answered(actor, open_q):
            await self._close(open_q, actor.now, effects)
        return [replies.locked_reply(open_q.question, verdict.choice_index, verdict.value)]

    async def _hint(
        self,
        actor: Actor,
        open_q: OpenQuestion | None,
        question_id: int | None,
        effects: list[Effect],
    ) -> list[Reply]:
        """One hint per player and question, kept, and repeated if asked for again; at the
        daily question only where an admin turned daily hints on."""
        target = open_q
        if target is None or (question_id is not None and target.id != question_id):
            target = await self._daily(actor, effects)
        if question_id is not None and (target is None or target.id != question_id):
            return [replies.error("That question has closed.")]
        usage = usage_for(actor.place.platform)
        if target is None:
            return [replies.error(f"No question is open here. Start one with {usage.play}.")]
        if target.daily is not None and not (await self._settings(actor.place)).daily_hints:
            return [
                replies.error(
                    f"Hints are off for the daily question here; an admin can turn them on"
                    f" with {usage.settings} daily_hints on."
                )
            ]
        hint = await self._make_hint(target)
        if hint is None:  # refused before anything is stored, the player included
            why = "" if target.question.is_numeric else ": taking a choice away would give it"
            return [replies.error(f"No hint for this question{why}.")]
        kept = await self.store.take_hint(
            target.id, target.place, user=actor.user, name=actor.name, text=hint, at=actor.now
        )
        if kept is None:
            return [replies.error("You already locked in an answer, so a hint would not help.")]
        return [replies.hint_reply(target, kept)]

    async def _make_hint(self, open_q: OpenQuestion) -> str | None:
        """Two wrong choices taken away, or a margin's order of magnitude; None where a
        hint would give the answer (true or false) or the record is gone."""
        q = open_q.question
        if not q.is_numeric:
            return choice_hint(q, open_q.id)
        event = (await self.bank()).by_key.get(q.event_keys[0])
        return None if event is None else margin_hint(event)

    async def _daily_result(
        self, actor: Actor, question_id: int | None, effects: list[Effect]
    ) -> list[Reply]:
        """The caller's spoiler-free line for the channel's latest revealed daily."""
        today = await self._daily(actor, effects)  # one past its reveal time is revealed
        seen = await self.store.daily_outcome(actor.place, actor.user, question_id)
        if seen is None:
            if today is not None and question_id in (None, today.id):
                assert today.daily is not None
                return [
                    replies.error(
                        f"Daily #{today.daily.number} is not revealed yet: your result comes"
                        " with the reveal."
                    )
                ]
            return [replies.error("No daily question has been revealed in this channel yet.")]
        assert seen.daily.daily is not None
        line = None
        if seen.player_id is not None:
            line = share_line(seen.daily, seen.answers, seen.player_id, seen.streak)
        if line is None:
            return [
                replies.error(f"You did not answer Daily #{seen.daily.daily.number}: no result.")
            ]
        return [replies.share_reply(line)]

    async def _everyone_answered(self, actor: Actor, open_q: OpenQuestion) -> bool:
        """Whether every player who can answer a quick question here has (known only where
        the platform knows how many can: the console). The daily keeps its reveal time."""
        if actor.players is None or open_q.daily is not None:
            return False
        return len(await self.store.answers(open_q.id)) >= actor.players

    async def _close(
        self,
        open_q: OpenQuestion,
        now: datetime,
        effects: list[Effect],
        *,
        announce: bool = True,
    ) -> bool:
        """Reveal a question (and ask the match's next one): announced in its channel on
        their own, stored with the reveal (none when not `announce`). False if another
        command or process revealed it first."""
        following = None
        if open_q.seq < open_q.total:
            settings, bank, request = await self._asking(open_q.place)
            try:
                following = self._next(self.rng.randrange(2**31), now, settings, bank, request)
            except NoQuestionError:
                following = None
        revealed = await self.store.close_question(
            open_q,
            revealed_at=now,
            settle=partial(settle_reveal, open_q),
            following=following,
            announce=partial(announcements, open_q) if announce else _unannounced,
        )
        self._forget(open_q)
        if revealed is not None and revealed.following is not None:
            self._saw(open_q.place, revealed.following)
        if revealed is None:
            return False
        if announce:
            effects += announcements(open_q, revealed)
        if (nxt := revealed.following) is not None:
            effects.append(QuestionOpened(open_q.place, nxt.id, nxt.closes_at))
        return True

    async def _configure(self, actor: Actor, change: Configure) -> list[Reply]:
        if (
            change.answer_window is not None
            and not MIN_WINDOW <= change.answer_window <= MAX_WINDOW
        ):
            return [replies.error(f"The answer window is {MIN_WINDOW} to {MAX_WINDOW} seconds.")]
        if change.match_length is not None and not 1 <= change.match_length <= MAX_MATCH:
            return [replies.error(f"A match is 1 to {MAX_MATCH} questions.")]
        values: dict[str, str | None] = {}
        if change.answer_window is not None:
            values["answer_window"] = str(change.answer_window)
        if change.match_length is not None:
            values["match_length"] = str(change.match_length)
        if change.daily_hints is not None:
            values["daily_hints"] = "on" if change.daily_hints else "off"
        bank = await self.bank()
        if change.series is not None:
            known = bank.topics
            if change.series.casefold() == "all":
                values["series"] = None
            elif change.series in known:
                values["series"] = change.series
            else:
                hint = did_you_mean(change.series, known)
                return [replies.error(f"Series are: all, {', '.join(sorted(known))}.{hint}")]
        if change.sports is not None:
            if change.sports == ("all",):
                values["sports"] = None
            else:
                chosen = _match_names(change.sports, bank.sports)
                if chosen is None:
                    wrong = [w for w in change.sports if not _match_names((w,), bank.sports)]
                    hint = did_you_mean(wrong[0], bank.sports)
                    return [replies.error(f"Sports are: all, {', '.join(bank.sports)}.{hint}")]
                values["sports"] = ",".join(chosen)
        overrides = {**await self.store.settings(actor.place), **values}
        after = self.defaults.merged({k: v for k, v in overrides.items() if v is not None})
        if not bank.pool(Pool(after.series, after.sports)):
            return [replies.error(_what_fits(bank, after.series, after.sports))]
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
                reveal = None if command.reveal is None else parse_time(command.reveal)
            except ScheduleError as exc:
                return [replies.error(str(exc))]
            if command.questions is not None and not 1 <= command.questions <= MAX_MATCH:
                return [replies.error(f"A scheduled quiz is 1 to {MAX_MATCH} questions.")]
            if command.questions is not None and reveal is not None:
                return [replies.error("A reveal time is for the daily question only.")]
            bank = await self.bank()
            known = bank.topics
            if command.series is not None and command.series not in known:
                hint = did_you_mean(command.series, known)
                return [replies.error(f"Series and sports are: {', '.join(sorted(known))}.{hint}")]
            if command.questions is None:
                refusal = daily_refusal(bank, daily_pool(bank, command.series))
                if refusal is not None:
                    return [replies.error(refusal)]
            where = actor.place
            if command.channel is not None:
                if command.channel_typed and (
                    problem := typed_channel_problem(where.platform, command.channel)
                ):
                    return [replies.error(problem)]
                where = replace(where, channel=command.channel)
            if command.questions is None:
                existing = [
                    s
                    for s in await self.store.list_schedules(actor.place)
                    if s.questions is None and s.place.channel == where.channel
                ]
                if existing:
                    return [
                        replies.error(
                            f"Channel {where.channel} already has the daily question"
                            f" (schedule #{existing[0].id}): one daily per channel."
                            f" Remove #{existing[0].id} first to change it."
                        )
                    ]
            await self.store.add_schedule(
                where,
                timing,
                series=command.series,
                questions=command.questions,
                reveal_at=reveal,
                now=actor.now,
            )
        schedules = await self.store.list_schedules(actor.place)
        bank = await self.bank()
        dailies = {s.series for s in schedules if s.questions is None}
        pools = {series: self._daily_state(bank, series) for series in dailies}
        usage = usage_for(actor.place.platform)
        return [replies.schedules_reply(schedules, actor.now, usage, pools)]

    @staticmethod
    def _daily_state(bank: Bank, series: str | None) -> replies.DailyState:
        """What a schedule listing says of a daily pool: how long it runs before a repeat,
        or why it posts nothing (a schedule stored before pools were checked)."""
        pool = daily_pool(bank, series)
        refusal = daily_refusal(bank, pool)
        return replies.DailyState(pool.describe(), refusal)

    async def _stats(
        self, actor: Actor, user: str | None, *, anywhere: bool = False
    ) -> list[Reply]:
        """Stats with the daily streak in this channel, or (`anywhere`, for an overview
        with no channel such as Slack's App Home) the longest in the workspace."""
        target = actor.user if user is None else user
        card = await self.store.player_card(actor.place, target, anywhere=anywhere)
        if card is None:
            who = "You haven't" if user is None else "That player hasn't"
            return [replies.error(f"{who} answered any questions here yet.")]
        if card.stats is None:
            return [replies.error("No stats yet.")]
        return [
            replies.stats_reply(
                card.stats, private=user is None, daily=card.daily, anywhere=anywhere
            )
        ]

    async def _daily(self, actor: Actor, effects: list[Effect]) -> OpenQuestion | None:
        """The channel's open daily question; one past its reveal time is revealed."""
        daily = await self.store.open_daily(actor.place)
        if daily is None or actor.now < daily.closes_at:
            return daily
        await self._close(daily, actor.now, effects)
        return None

    async def _post_daily(
        self, actor: Actor, post: DailyPost, effects: list[Effect]
    ) -> list[Reply]:
        """Reveal the channel's previous daily question, then ask this date's. Posting a
        date again shows the same question again (a post cut short is finished this way)."""
        usage = usage_for(actor.place.platform)
        hints = (await self._settings(actor.place)).daily_hints
        previous = await self.store.open_daily(actor.place)
        if previous is not None:
            if previous.daily is not None and previous.daily.day == post.day:
                return [replies.daily_reply(previous, private=False, usage=usage, hints=hints)]
            await self._close(previous, actor.now, effects)
        bank = await self.bank()
        pool = daily_pool(bank, post.series)
        refusal = daily_refusal(bank, pool)
        if refusal is not None:
            return [replies.error(f"No daily question: {refusal}")]
        question = await self._daily_question(post.day, bank, pool)
        info = DailyInfo(daily_number(post.day), post.day, post.previous_day)
        asked = await self.store.start_daily(
            actor.place, info, NextQuestion(question, actor.now, post.closes_at)
        )
        if asked is None:
            return [replies.error("This date's daily question is already posted here.")]
        effects.append(QuestionOpened(asked.place, asked.id, asked.closes_at))
        return [replies.daily_reply(asked, private=False, usage=usage, hints=hints)]

    async def _daily_question(self, day: date, bank: Bank, pool: DailyPool) -> Question:
        """The date's daily question: the same record and question everywhere for a date
        and pool (all records, a series or a sport), dealt from settled margins only, so
        every answer is judged against a settled fact: a guess at a margin in seconds, or
        a choice of margins in words."""
        number = daily_number(day)
        key = await self.store.daily_deal(pool.name, number)
        if key is None:
            key = await self._deal(pool.name, number, pool.events)
        if key is None or key not in {e.key for e in pool.events}:
            # before the deal began, or a record since removed
            event = pool.events[number % pool.days]
        else:
            event = bank.by_key[key]
        generator = Generator(bank, Random(number), today=day)
        if pool.form is DailyForm.CHOICE:
            question = generator.choice_daily(event)
        else:
            question = generator.guess_margin(event)
        assert question is not None
        if is_on_this_day(event, day):
            lead = f"On this day in {event.date.year}: "
            question = replace(question, prompt=lead + question.prompt)
        return question

    async def _deal(self, name: str, number: int, pool: Sequence[Event]) -> str | None:
        """Deal the pool's cycles up to `number` and return its key (None before the
        first dealt number)."""
        dealt = await self.store.last_deal(name)
        first, last, previous = (number, number - 1, None) if dealt is None else dealt
        if number < first:
            return None
        while last < number:
            keys = deal_cycle(pool, last + 1, previous, name)
            await self.store.save_deal(name, last + 1, keys)
            last, previous = last + len(keys), keys[-1]
        return await self.store.daily_deal(name, number)

    async def _stop(
        self, actor: Actor, open_q: OpenQuestion | None, effects: list[Effect]
    ) -> list[Reply]:
        if open_q is None:
            return [replies.error("Nothing to stop: no question is open here.")]
        if not await self._close(replace(open_q, total=open_q.seq), actor.now, effects):
            return [replies.error("That question has just been revealed.")]
        return [replies.notice_private("Stopped: the answer is posted in the channel.")]


def announcements(open_q: OpenQuestion, revealed: Revealed) -> list[Announced]:
    """A reveal's posts of its own: the reveal, then the match's next question or its end
    (the store keeps them with the reveal, hence `stored`)."""
    points = {answer_id: (pts, ok) for answer_id, pts, ok in revealed.settled.rescored}
    final = [
        replace(a, points=points[a.id][0], correct=points[a.id][1]) if a.id in points else a
        for a in revealed.answers
    ]
    names = {a.player_id: a.player_name for a in final}
    live = [
        (names[s.player_id], s.current) for s in revealed.settled.streaks if s.player_id in names
    ]
    place = open_q.place
    reveal = replies.reveal_reply(open_q, final, live)
    posts = [Announced(place, reveal, f"reveal:{open_q.id}", stored=True)]
    if (nxt := revealed.following) is not None:
        window = (nxt.closes_at - nxt.asked_at).total_seconds()
        ask = replies.question_reply(nxt, window)
        posts.append(Announced(place, ask, f"ask:{nxt.id}", stored=True))
    elif open_q.total > 1:
        end = replies.match_end_reply(revealed.scores)
        posts.append(Announced(place, end, f"end:{open_q.round_id}", stored=True))
    return posts


def _unannounced(revealed: Revealed) -> list[Announced]:
    """A withdrawn question is ended without a post."""
    return []


def settle_reveal(
    open_q: OpenQuestion, answers: list[AnswerRow], streaks: list[DailyStreak]
) -> Settled:
    """What a reveal settles: guesses at a margin ranked by closeness, the picks at a
    daily choice question judged, and for the daily question the streaks of who answered
    and who missed it."""
    q = open_q.question
    rescored: list[tuple[int, int, bool]] = []
    if q.is_numeric and q.answer_value is not None:
        guesses = [Guess(a.id, a.value, i) for i, a in enumerate(answers) if a.value is not None]
        step = q.answer_step or DEFAULT_STEP
        rescored = rank_guesses(guesses, q.answer_value, q.difficulty, step)
    elif open_q.daily is not None and q.answer_index is not None:
        picks = [(a.id, a.choice_index) for a in answers]
        rescored = score_picks(picks, q.answer_index, q.difficulty)
    hinted = {a.id for a in answers if a.hinted}
    rescored = [(i, hinted_points(points, i in hinted), ok) for i, points, ok in rescored]
    changed: list[DailyStreak] = []
    if open_q.daily is not None:
        changed = advance_streaks(streaks, (a.player_id for a in answers), open_q.daily)
    return Settled(rescored, changed)


def _no_question(series: str | None, sports: frozenset[str] | None) -> str:
    """'No question is about series Cup Series in sports Athletics'."""
    about = [f"series {series}"] if series else []
    about += [f"sports {', '.join(sorted(sports))}"] if sports else []
    return f"No question is about {' in '.join(about) or 'these records'}"


def _what_fits(bank: Bank, series: str | None, sports: frozenset[str] | None) -> str:
    """Why settings that leave no question are refused, and which would work: the sports
    the series has questions in, and the series and sports open with these sports."""
    said = [f"{_no_question(series, sports)}, so nothing was changed."]
    if series and sports:
        where = [s for s in bank.sports if bank.pool(Pool(series, frozenset({s})))]
        said.append(f"Series {series} is in sports: {', '.join(where) or 'none'}.")
    fits = ", ".join(t for t in bank.topics if bank.pool(Pool(t, sports)))
    if sports:
        said.append(f"With sports {', '.join(sorted(sports))}, series can be: all, {fits}.")
    else:
        said.append(f"Series can be: all, {fits}.")
    return " ".join(said)


def _match_names(wanted: tuple[str, ...], known: list[str]) -> list[str] | None:
    """The known names typed (in any case); None if one is not known."""
    by_fold = {name.casefold(): name for name in known}
    found = [by_fold.get(w.strip().casefold()) for w in wanted]
    if any(name is None for name in found):
        return None
    return sorted({name for name in found if name is not None})
