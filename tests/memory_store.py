"""An in-memory trivia.store.Store: the second implementation the engine tests run on.

Plain dicts and lists. A write first yields to the event loop once, as a commit on the
database would, so concurrent commands interleave there (reads answer at once); no call
awaits part-way through an update, so every update is atomic. Standings and daily streaks
move through the same pure rules the SQLite store applies (trivia.standings, and the
reveal's `settle`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import wraps
from itertools import count as numbers
from typing import Any, ParamSpec, TypeVar

from trivia.bank import Records
from trivia.daily import DailyInfo, DailyStreak
from trivia.model import Competitor, Event, Place, RecordsPack, Scope, Series
from trivia.schedule import Schedule, Timing
from trivia.standings import Line, Outcome, StandingKey, count, periods, rank_order
from trivia.store import (
    Announce,
    AnswerRow,
    Asking,
    DailyOutcome,
    Lock,
    NextQuestion,
    OpenQuestion,
    PlayerCard,
    PlayerStats,
    Revealed,
    Settle,
    Settled,
    Standing,
    StreakStanding,
)

PLAY, DAILY = "play", "daily"
"""A channel's two lanes, each with at most one active round."""

P = ParamSpec("P")
R = TypeVar("R")


def _trip(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """A write that lets other tasks run before it does, as a commit would (without it,
    concurrent commands could never race)."""

    @wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        await asyncio.sleep(0)
        return await method(*args, **kwargs)

    return call


@dataclass
class _Round:
    id: int
    place: Place
    lane: str
    total: int
    questions: list[_Question] = field(default_factory=list)
    ended: bool = False


@dataclass
class _Question:
    id: int
    round: _Round
    seq: int
    asked: NextQuestion
    daily: DailyInfo | None
    revealed: bool = False

    def open(self) -> OpenQuestion:
        return OpenQuestion(
            self.id, self.round.id, self.seq, self.round.total, self.asked.question,
            self.asked.asked_at, self.asked.closes_at, self.round.place, self.daily,
        )  # fmt: skip


@dataclass
class _Answer:
    id: int
    question_id: int
    player_id: int
    workspace_id: int
    choice_index: int | None
    value: float | None
    outcome: Outcome
    answered_at: datetime


def _key(a: _Answer) -> tuple[datetime, int]:
    return a.answered_at, a.id


class MemoryStore:
    """The engine's storage in memory (implements trivia.store.Store)."""

    def __init__(self, *packs: RecordsPack) -> None:
        """A store holding these records packs, imported in order."""
        self._version = 0
        self._events: dict[str, Event] = {}
        self._aliases: dict[str, set[str]] = {}
        self._series: dict[tuple[str, str], Series] = {}
        self._round_ids, self._question_ids, self._answer_ids = numbers(1), numbers(1), numbers(1)
        self._workspaces: dict[tuple[str, str], int] = {}
        self._players: dict[tuple[int, str], int] = {}
        self._names: dict[int, str] = {}
        self._player_workspace: dict[int, int] = {}
        self._rounds: list[_Round] = []
        self._questions: dict[int, _Question] = {}
        self._answers: dict[int, _Answer] = {}
        self._lines: dict[StandingKey, Line] = {}
        self._streaks: dict[Place, dict[int, DailyStreak]] = {}
        self._posted: set[tuple[Place, date]] = set()
        self._deals: dict[tuple[str, int], str] = {}
        self._settings: dict[int, dict[str, str]] = {}
        self._schedules: dict[int, Schedule] = {}
        self._schedule_ids = numbers(1)
        self._hints: dict[tuple[int, int], str] = {}
        for pack in packs:
            self.import_pack(pack)

    def import_pack(self, pack: RecordsPack) -> None:
        """Add a pack's records as an import does: events by key, nicknames added to those
        already known, series described when one of the pack's events runs in them."""
        for competitor in pack.competitors:
            if competitor.aliases:
                self._aliases.setdefault(competitor.name, set()).update(competitor.aliases)
        for event in pack.events:
            self._events[event.key] = event
            for result in event.results:
                self._aliases.setdefault(result.competitor, set())
        for series in pack.series:
            sport = next((e.sport for e in pack.events if e.series == series.name), None)
            if sport is not None:
                self._series[sport, series.name] = series
        self._version += 1

    async def records_version(self) -> int:
        """A number that changes with every import."""
        return self._version

    async def load_records(self) -> Records:
        """Events oldest first, competitors and series by name."""
        return Records(
            tuple(sorted(self._events.values(), key=lambda e: (e.date, e.key))),
            tuple(Competitor(n, tuple(sorted(a))) for n, a in sorted(self._aliases.items())),
            tuple(sorted(self._series.values(), key=lambda s: s.name)),
        )

    async def daily_deal(self, pool: str, number: int) -> str | None:
        """The record key dealt to a pool's daily number, if dealt."""
        return self._deals.get((pool, number))

    async def last_deal(self, pool: str) -> tuple[int, int, str] | None:
        """A pool's first and last dealt numbers and the record dealt last."""
        dealt = [number for name, number in self._deals if name == pool]
        if not dealt:
            return None
        return min(dealt), max(dealt), self._deals[pool, max(dealt)]

    @_trip
    async def save_deal(self, pool: str, first: int, keys: list[str]) -> None:
        """Deal keys to numbers first, first + 1, ...; a number dealt already keeps its key."""
        for i, key in enumerate(keys):
            self._deals.setdefault((pool, first + i), key)

    def _workspace(self, place: Place) -> int:
        return self._workspaces.setdefault(
            (place.platform, place.workspace), len(self._workspaces) + 1
        )

    def _player(self, place: Place, user: str, name: str) -> int:
        """The player's id, created on first sight; the display name follows renames."""
        workspace_id = self._workspace(place)
        player_id = self._players.setdefault((workspace_id, user), len(self._names) + 1)
        self._names[player_id] = name
        self._player_workspace[player_id] = workspace_id
        return player_id

    async def player_card(
        self, place: Place, user: str, *, anywhere: bool = False
    ) -> PlayerCard | None:
        """A known player's all-time stats and daily streak here (`anywhere`: their longest
        in the workspace); None if never seen in the workspace."""
        workspace_id = self._workspace(place)
        player_id = self._players.get((workspace_id, user))
        if player_id is None:
            return None
        if anywhere:
            mine = [
                held[player_id]
                for where, held in self._streaks.items()
                if self._workspace(where) == workspace_id and player_id in held
            ]
            daily = max(mine, key=lambda s: (s.current, s.best), default=None)
        else:
            daily = self._streaks.get(place, {}).get(player_id)
        return PlayerCard(self._stats(workspace_id, "all", player_id), daily)

    def _active(self, place: Place, lane: str) -> _Round | None:
        return next(
            (r for r in self._rounds if r.place == place and r.lane == lane and not r.ended), None
        )

    def _open_in_lane(self, place: Place, lane: str) -> OpenQuestion | None:
        active = self._active(place, lane)
        found = [q for q in active.questions if not q.revealed] if active else []
        return found[0].open() if found else None

    async def open_question(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed quick-play question, if any."""
        return self._open_in_lane(place, PLAY)

    async def open_daily(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed daily question, if any."""
        return self._open_in_lane(place, DAILY)

    def _ask(self, asked_in: _Round, asked: NextQuestion, daily: DailyInfo | None) -> _Question:
        seq = len(asked_in.questions) + 1
        question = _Question(next(self._question_ids), asked_in, seq, asked, daily)
        asked_in.questions.append(question)
        self._questions[question.id] = question
        return question

    def _start(
        self, place: Place, lane: str, total: int, first: NextQuestion, daily: DailyInfo | None
    ) -> OpenQuestion | None:
        if self._active(place, lane) is not None:
            return None
        started = _Round(next(self._round_ids), place, lane, total)
        self._rounds.append(started)
        return self._ask(started, first, daily).open()

    @_trip
    async def start_round(
        self, place: Place, *, total: int, seed: int, first: NextQuestion
    ) -> OpenQuestion | None:
        """Start a round with its first question; None if the channel has an active round."""
        return self._start(place, PLAY, total, first, None)

    @_trip
    async def start_daily(
        self, place: Place, info: DailyInfo, question: NextQuestion
    ) -> OpenQuestion | None:
        """Ask the channel's daily question; None if one is open or this date was posted."""
        if (place, info.day) in self._posted:
            return None
        asked = self._start(place, DAILY, 1, question, info)
        if asked is not None:
            self._posted.add((place, info.day))
        return asked

    async def streak_leaderboard(self, place: Place, limit: int) -> list[StreakStanding]:
        """The channel's longest live daily streaks, then best streaks, then name."""
        rows = sorted(
            ((self._names[s.player_id], s) for s in self._streaks.get(place, {}).values()),
            key=lambda row: (-row[1].current, -row[1].best, row[0]),
        )
        shown = [(name, s) for name, s in rows if s.best > 0][:limit]
        return [
            StreakStanding(rank, name, s.current, s.best)
            for rank, (name, s) in enumerate(shown, start=1)
        ]

    def _count(self, a: _Answer, before: Outcome | None) -> None:
        """Fold one answer into its player's standings (the settle order is call order)."""
        moment = a.answered_at.timestamp()
        for period in periods(moment):
            key = (a.workspace_id, a.player_id, period)
            self._lines[key] = count(self._lines.get(key, Line()), before, a.outcome, moment)

    @_trip
    async def record_answer(
        self,
        question: OpenQuestion,
        *,
        user: str,
        name: str,
        text: str,
        choice_index: int | None,
        value: float | None,
        correct: bool | None,
        points: int,
        hinted_points: int,
        answered_at: datetime,
    ) -> Lock:
        """Lock and score one answer (its hinted points after a hint), unless the player
        already answered or it closed."""
        asked = self._questions.get(question.id)
        if asked is None or asked.revealed:
            return Lock.CLOSED
        player_id = self._player(question.place, user, name)
        if self._answered(question.id, player_id):
            return Lock.DUPLICATE
        if (question.id, player_id) in self._hints:
            points = hinted_points
        answer = _Answer(
            next(self._answer_ids), question.id, player_id, self._player_workspace[player_id],
            choice_index, value,
            Outcome(points, correct), answered_at,
        )  # fmt: skip
        self._answers[answer.id] = answer
        self._count(answer, None)
        return Lock.LOCKED

    def _answered(self, question_id: int, player_id: int) -> bool:
        return any(a.question_id == question_id and a.player_id == player_id for a in self._log())

    def _log(self) -> list[_Answer]:
        return list(self._answers.values())

    def _row(self, a: _Answer) -> AnswerRow:
        return AnswerRow(
            a.id, a.player_id, self._names[a.player_id], a.choice_index, a.value,
            a.outcome.correct, a.outcome.points, a.answered_at,
            (a.question_id, a.player_id) in self._hints,
        )  # fmt: skip

    def _rows(self, question_id: int) -> list[AnswerRow]:
        found = sorted((a for a in self._log() if a.question_id == question_id), key=_key)
        return [self._row(a) for a in found]

    async def answers(self, question_id: int) -> list[AnswerRow]:
        """Locked answers, earliest first."""
        return self._rows(question_id)

    @_trip
    async def take_hint(
        self, question_id: int, place: Place, *, user: str, name: str, text: str, at: datetime
    ) -> str | None:
        """Keep a hint unless the player holds one at this question; the one they hold
        (None when they answered it first)."""
        player_id = self._player(place, user, name)
        held = self._hints.get((question_id, player_id))
        if held is None and self._answered(question_id, player_id):
            return None
        return self._hints.setdefault((question_id, player_id), text)

    async def daily_outcome(
        self, place: Place, user: str, question_id: int | None
    ) -> DailyOutcome | None:
        """The channel's latest revealed daily (or that one), its final answers, and the
        user's id and daily streak here."""
        revealed = [
            q
            for r in self._rounds
            if r.place == place and r.lane == DAILY
            for q in r.questions
            if q.revealed and question_id in (None, q.id)
        ]
        if not revealed:
            return None
        daily = max(revealed, key=lambda q: (q.daily.day if q.daily else date.min, q.id))
        player_id = self._players.get((self._workspace(place), user))
        streak = None if player_id is None else self._streaks.get(place, {}).get(player_id)
        return DailyOutcome(daily.open(), self._rows(daily.id), player_id, streak)

    @_trip
    async def close_question(
        self,
        question: OpenQuestion,
        *,
        revealed_at: datetime,
        settle: Settle,
        following: NextQuestion | None,
        announce: Announce,
    ) -> Revealed | None:
        """Reveal once: close the question, settle its answers (and the daily streaks they
        can change), write what was settled, then ask the next question or end the round."""
        asked = self._questions.get(question.id)
        if asked is None or asked.revealed:
            return None
        asked.revealed = True
        answers = self._rows(question.id)
        held = self._streaks.setdefault(asked.round.place, {})
        answered = {a.player_id for a in answers}
        streaks = [
            s for s in held.values() if s.current > 0 or s.player_id in answered
        ] if asked.daily else []  # fmt: skip
        settled: Settled = settle(answers, streaks)
        for answer_id, points, correct in settled.rescored:
            a = self._answers[answer_id]
            before, a.outcome = a.outcome, Outcome(points, correct)
            self._count(a, before)
        held.update((s.player_id, s) for s in settled.streaks)
        if following is None:
            asked.round.ended = True
            revealed = Revealed(answers, settled, None, self._round_scores(asked.round))
        else:
            revealed = Revealed(answers, settled, self._ask(asked.round, following, None).open())
        announce(revealed)  # posts are the shell's outbox; this store keeps none
        return revealed

    def _round_scores(self, played: _Round) -> list[tuple[str, int]]:
        """Each player's points in a round, best first, ties by name."""
        asked = {q.id for q in played.questions}
        totals: dict[int, int] = {}
        for a in self._log():
            if a.question_id in asked:
                totals[a.player_id] = totals.get(a.player_id, 0) + a.outcome.points
        scores = [(self._names[p], points) for p, points in totals.items()]
        return sorted(scores, key=lambda s: (-s[1], s[0]))

    def _unrevealed(self, scope: Scope | None) -> list[_Question]:
        return [
            q
            for q in self._questions.values()
            if not q.revealed and (scope is None or scope.covers(q.round.place))
        ]

    async def due_questions(self, now: datetime, scope: Scope | None = None) -> list[OpenQuestion]:
        """Unrevealed questions whose window has closed, soonest closed first."""
        due = [q for q in self._unrevealed(scope) if q.asked.closes_at <= now]
        return [q.open() for q in sorted(due, key=lambda q: (q.asked.closes_at, q.id))]

    async def next_deadline(self, scope: Scope | None = None) -> datetime | None:
        """When the next open question closes."""
        return min((q.asked.closes_at for q in self._unrevealed(scope)), default=None)

    async def asking(self, place: Place, recent: int) -> Asking:
        """The settings overrides, the channel's latest quick-play subjects (newest first),
        its open daily's records and the records version."""
        rounds = [r for r in reversed(self._rounds) if r.place == place]
        subjects = [
            q.asked.question.subject
            for r in rounds
            if r.lane == PLAY
            for q in reversed(r.questions)
        ]
        held = [
            key
            for r in rounds
            if r.lane == DAILY
            for q in r.questions
            if not q.revealed
            for key in q.asked.question.event_keys
        ]
        return Asking(self._overrides(place), subjects[:recent], held, self._version)

    def _ranked(self, workspace_id: int, period: str) -> list[tuple[int, Line]]:
        lines = [
            (player_id, line)
            for (w, player_id, p), line in self._lines.items()
            if (w, p) == (workspace_id, period)
        ]
        return sorted(lines, key=lambda row: rank_order(*row))

    def _standing(self, rank: int, player_id: int, line: Line) -> Standing:
        name = self._names[player_id]
        return Standing(
            rank, player_id, name, line.points, line.answered, line.correct, line.pending
        )

    async def leaderboard(self, place: Place, period: str, limit: int) -> list[Standing]:
        """The workspace's top players for a period, in rank order."""
        ranked = self._ranked(self._workspace(place), period)[:limit]
        return [self._standing(rank, *row) for rank, row in enumerate(ranked, start=1)]

    def _stats(self, workspace_id: int, period: str, player_id: int) -> PlayerStats | None:
        line = self._lines.get((workspace_id, player_id, period))
        if line is None:
            return None
        ranked = self._ranked(workspace_id, period)
        rank = ranked.index((player_id, line)) + 1
        overall = self._lines[workspace_id, player_id, "all"]
        return PlayerStats(
            name=self._names[player_id],
            points=line.points,
            answered=line.answered,
            correct=line.correct,
            pending=line.pending,
            streak=overall.streak,
            best_streak=overall.best_streak,
            rank=rank,
            players=len(ranked),
            above=self._standing(rank - 1, *ranked[rank - 2]) if rank > 1 else None,
            below=self._standing(rank + 1, *ranked[rank]) if rank < len(ranked) else None,
        )

    async def player_stats(self, place: Place, period: str, player_id: int) -> PlayerStats | None:
        """A player's totals and rank in the workspace for a period, with the neighbours."""
        return self._stats(self._workspace(place), period, player_id)

    def _overrides(self, place: Place) -> dict[str, str]:
        return dict(self._settings.get(self._workspace(place), {}))

    async def settings(self, place: Place) -> dict[str, str]:
        """The workspace's settings overrides."""
        return self._overrides(place)

    @_trip
    async def save_settings(self, place: Place, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) workspace settings overrides."""
        saved = self._settings.setdefault(self._workspace(place), {})
        for name, value in values.items():
            if value is None:
                saved.pop(name, None)
            else:
                saved[name] = value

    @_trip
    async def add_schedule(
        self,
        place: Place,
        timing: Timing,
        *,
        series: str | None,
        questions: int | None,
        reveal_at: time | None,
        now: datetime,
    ) -> int:
        """Store a schedule for this channel; its id, a number never given before."""
        schedule_id = next(self._schedule_ids)
        self._schedules[schedule_id] = Schedule(
            schedule_id, place, timing, series, questions, paused=False, last_error=None,
            reveal_at=reveal_at, created_at=now.astimezone(UTC),
        )  # fmt: skip
        return schedule_id

    async def list_schedules(self, place: Place) -> list[Schedule]:
        """The workspace's schedules, oldest first."""
        here = (place.platform, place.workspace)
        return [
            s
            for _, s in sorted(self._schedules.items())
            if (s.place.platform, s.place.workspace) == here
        ]

    @_trip
    async def change_schedule(self, place: Place, action: str, schedule_id: int) -> bool:
        """Pause, resume or remove one of the workspace's schedules; False if not found."""
        if schedule_id not in {s.id for s in await self.list_schedules(place)}:
            return False
        if action == "remove":
            del self._schedules[schedule_id]
        else:
            self._schedules[schedule_id] = replace(
                self._schedules[schedule_id], paused=action == "pause"
            )
        return True

    @_trip
    async def reset_standings(self, place: Place) -> None:
        """Delete the workspace's answers, standings and daily streaks."""
        workspace_id = self._workspace(place)
        for a in self._log():
            if a.workspace_id == workspace_id:
                del self._answers[a.id]
        for key in [key for key in self._lines if key[0] == workspace_id]:
            del self._lines[key]
        for where in self._streaks:
            if self._workspace(where) == workspace_id:
                self._streaks[where] = {}
