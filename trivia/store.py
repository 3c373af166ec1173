"""The storage interface the engine talks to (implemented by db.game.GameStore)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from trivia.bank import Records
from trivia.daily import DailyInfo, DailyStreak
from trivia.model import Place, Question, Scope
from trivia.schedule import Schedule, Timing

if TYPE_CHECKING:  # trivia.effects imports trivia.replies, which imports this module
    from trivia.effects import Announced


class Lock(StrEnum):
    """What happened to an answer sent to the store."""

    LOCKED = "locked"
    DUPLICATE = "duplicate"
    CLOSED = "closed"


@dataclass(frozen=True)
class OpenQuestion:
    """A question that has been asked and not yet revealed."""

    id: int
    round_id: int
    seq: int
    total: int
    question: Question
    asked_at: datetime
    closes_at: datetime
    place: Place
    daily: DailyInfo | None = None


@dataclass(frozen=True)
class AnswerRow:
    """One locked answer."""

    id: int
    player_id: int
    player_name: str
    choice_index: int | None
    value: float | None
    correct: bool | None
    points: int
    answered_at: datetime
    hinted: bool = False
    """The player took a hint at this question before answering (it scores half)."""


@dataclass(frozen=True)
class Settled:
    """What a reveal settles from the answers locked before it."""

    rescored: list[tuple[int, int, bool]]  # (answer id, points, correct)
    streaks: list[DailyStreak]  # daily streaks that change


Settle = Callable[[list[AnswerRow], list[DailyStreak]], Settled]
"""Settles a reveal from its final answers and the daily streaks they can change."""


@dataclass(frozen=True)
class Revealed:
    """A reveal: the question's final answers, what they settled, and the next question."""

    answers: list[AnswerRow]
    settled: Settled
    following: OpenQuestion | None
    scores: list[tuple[str, int]] = field(default_factory=list)
    """Each player's points in the round, best first, when the reveal ended it."""


Announce = Callable[[Revealed], "list[Announced]"]
"""The posts a reveal makes on its own, stored in the reveal's transaction."""


@dataclass(frozen=True)
class Standing:
    """One player's line in a leaderboard."""

    rank: int
    player_id: int
    name: str
    points: int
    answered: int
    correct: int
    pending: int = 0
    """Guesses waiting for their reveal: not yet answered, right or wrong."""


@dataclass(frozen=True)
class StreakStanding:
    """One player's line in a channel's daily-streak leaderboard."""

    rank: int
    name: str
    current: int
    best: int


@dataclass(frozen=True)
class PlayerStats:
    """One player's totals, streaks and rank with neighbours."""

    name: str
    points: int
    answered: int
    correct: int
    streak: int
    best_streak: int
    rank: int | None
    players: int
    above: Standing | None
    below: Standing | None
    pending: int = 0
    """Guesses waiting for their reveal: not yet answered, right or wrong."""


@dataclass(frozen=True)
class PlayerCard:
    """What the stats command shows of a known player."""

    stats: PlayerStats | None  # all time, in the workspace
    daily: DailyStreak | None  # in this channel


@dataclass(frozen=True)
class Asking:
    """What asking a question in a channel needs to know."""

    settings: dict[str, str]  # the workspace's overrides
    recent: list[str]  # subjects ('kind:key') of the channel's quick-play questions, newest first
    held: list[str]  # records of the channel's open daily question, not to be shown meanwhile
    version: int  # the records version (the question bank is rebuilt when it changes)


@dataclass(frozen=True)
class DailyOutcome:
    """A revealed daily question as one player sees it afterwards, for the result to share."""

    daily: OpenQuestion
    answers: list[AnswerRow]  # final, earliest first
    player_id: int | None  # the player's id in the workspace (None: never seen there)
    streak: DailyStreak | None  # their daily streak in the daily's channel


@dataclass(frozen=True)
class NextQuestion:
    """The question that follows a reveal in the same round."""

    question: Question
    asked_at: datetime
    closes_at: datetime


class Store(Protocol):
    """What the engine needs from storage."""

    async def records_version(self) -> int:
        """A number that changes whenever the records change."""
        ...

    async def load_records(self) -> Records:
        """Every event, competitor nickname and series description."""
        ...

    async def daily_deal(self, pool: str, number: int) -> str | None:
        """The record key dealt to a pool's daily number, if dealt."""
        ...

    async def last_deal(self, pool: str) -> tuple[int, int, str] | None:
        """A pool's first and last dealt daily numbers and the last record dealt."""
        ...

    async def save_deal(self, pool: str, first: int, keys: list[str]) -> None:
        """Deal record keys to daily numbers first, first + 1, ...; numbers already dealt
        keep their record."""
        ...

    async def player_card(
        self, place: Place, user: str, *, anywhere: bool = False
    ) -> PlayerCard | None:
        """A known player's all-time stats and daily streak here (`anywhere`: their
        longest in the workspace); None if never seen."""
        ...

    async def open_question(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed question, if any."""
        ...

    async def start_round(
        self, place: Place, *, total: int, seed: int, first: NextQuestion
    ) -> OpenQuestion | None:
        """Start a round with its first question; None if the channel has an active round."""
        ...

    async def open_daily(self, place: Place) -> OpenQuestion | None:
        """The channel's unrevealed daily question, if any."""
        ...

    async def start_daily(
        self, place: Place, info: DailyInfo, question: NextQuestion
    ) -> OpenQuestion | None:
        """Ask the channel's daily question; None if one is open or this date was posted."""
        ...

    async def streak_leaderboard(self, place: Place, limit: int) -> list[StreakStanding]:
        """This channel's longest live daily streaks."""
        ...

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
        """Lock and score one answer by the workspace's player `user`, unless they already
        answered or the question is revealed; in the same transaction (one trip) the player
        is created on first sight and takes `name` as their display name, and the answer
        scores `hinted_points` instead of `points` if the player took a hint at the question."""
        ...

    async def answers(self, question_id: int) -> list[AnswerRow]:
        """A question's locked answers, earliest first."""
        ...

    async def take_hint(
        self, question_id: int, place: Place, *, user: str, name: str, text: str, at: datetime
    ) -> str | None:
        """In one transaction: keep that the workspace's player `user` (created on first
        sight, named `name`) took this hint at a question; the hint they hold (the first one
        kept, when two requests race), so a second request repeats it. None, keeping no
        hint, when they already answered the question without one."""
        ...

    async def daily_outcome(
        self, place: Place, user: str, question_id: int | None
    ) -> DailyOutcome | None:
        """The channel's latest revealed daily question (or the daily `question_id`, once
        revealed), its final answers (each marked `hinted`), and the user's id and daily
        streak in the channel; None if there is none."""
        ...

    async def close_question(
        self,
        question: OpenQuestion,
        *,
        revealed_at: datetime,
        settle: Settle,
        following: NextQuestion | None,
        announce: Announce,
    ) -> Revealed | None:
        """Reveal once, in one transaction: close the question to answers, settle the
        answers locked before that (with the daily streaks they can change: live ones in the
        channel and the answerers'), write what was settled, then ask the next question or
        end the round, and store the posts `announce` makes of it (where posts are kept), so
        a stop cannot leave a reveal stored and never posted. `settle` and `announce` run
        inside the transaction, so they must be pure and quick. None if the question was
        already revealed."""
        ...

    async def due_questions(self, now: datetime, scope: Scope | None = None) -> list[OpenQuestion]:
        """Unrevealed questions whose window has closed (in this scope; None: all)."""
        ...

    async def next_deadline(self, scope: Scope | None = None) -> datetime | None:
        """When the next open question closes (in this scope; None: all)."""
        ...

    async def asking(self, place: Place, recent: int) -> Asking:
        """What asking a question needs: the settings overrides, the subjects of the
        channel's latest `recent` quick-play questions, its open daily's records and the
        records version."""
        ...

    async def leaderboard(self, place: Place, period: str, limit: int) -> list[Standing]:
        """The workspace's top players for a period key ('all', 'w2026-11-16', 'm2026-11')."""
        ...

    async def player_stats(self, place: Place, period: str, player_id: int) -> PlayerStats | None:
        """A player's standing in the workspace for a period key."""
        ...

    async def settings(self, place: Place) -> dict[str, str]:
        """The workspace's settings overrides."""
        ...

    async def save_settings(self, place: Place, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) workspace settings overrides."""
        ...

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
        """Store a schedule for this channel (questions None: the daily question); its id."""
        ...

    async def list_schedules(self, place: Place) -> list[Schedule]:
        """The workspace's schedules."""
        ...

    async def change_schedule(self, place: Place, action: str, schedule_id: int) -> bool:
        """Pause, resume or remove one of the workspace's schedules; False if not found."""
        ...

    async def reset_standings(self, place: Place) -> None:
        """Delete the workspace's answers and the standings derived from them."""
        ...
