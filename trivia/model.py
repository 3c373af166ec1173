"""Value types shared by the engine, the store and the adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Source:
    """Where a fact comes from."""

    title: str
    publisher: str
    url: str
    published: date | None = None


@dataclass(frozen=True)
class Result:
    """One finishing position in an event."""

    position: int
    competitor: str
    car_number: str | None = None
    team: str | None = None
    make: str | None = None
    gap_s: float | None = None
    caveat: str | None = None


@dataclass(frozen=True)
class Note:
    """A sourced fact about an event, used in reveals."""

    label: str
    text: str


@dataclass(frozen=True)
class Event:
    """One sports result: a race with its finishing order, notes and sources."""

    key: str
    sport: str
    series: str
    season: int
    date: date
    name: str
    venue: str
    kind: str
    official: bool
    margin_s: float
    margin_display: str
    results: tuple[Result, ...]
    sources: tuple[Source, ...]
    confidence: str = "high"
    caveat: str | None = None
    margin_caveat: str | None = None
    scheduled_laps: int | None = None
    laps: int | None = None
    notes: tuple[Note, ...] = ()
    corrections: tuple[str, ...] = ()

    @property
    def winner(self) -> Result:
        """The first-place result."""
        return self.results[0]

    @property
    def runner_up(self) -> Result:
        """The second-place result."""
        return self.results[1]


@dataclass(frozen=True)
class Competitor:
    """A competitor with the extra names people type for them."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordsPack:
    """A validated records pack: competitors and events."""

    name: str
    description: str
    competitors: tuple[Competitor, ...]
    events: tuple[Event, ...]


class QuestionKind(StrEnum):
    """The kinds of question the generator can make."""

    WINNER = "winner"
    RUNNER_UP = "runner_up"
    MARGIN = "margin"
    VENUE = "venue"
    SEASON = "season"
    CLOSEST = "closest"
    TRUE_FALSE = "true_false"
    GUESS_MARGIN = "guess_margin"


class Difficulty(StrEnum):
    """Question difficulty, which sets the base points."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True)
class Choice:
    """One multiple-choice option and the texts that select it."""

    label: str
    accepts: tuple[str, ...] = ()
    number: float | None = None


@dataclass(frozen=True)
class Question:
    """A generated question with everything needed to judge and reveal it."""

    kind: QuestionKind
    difficulty: Difficulty
    prompt: str
    choices: tuple[Choice, ...]
    answer_index: int | None
    answer_value: float | None
    answer_text: str
    explanation: str
    sources: tuple[Source, ...]
    event_keys: tuple[str, ...]
    caveat: str | None = None

    @property
    def is_numeric(self) -> bool:
        """True for questions answered with a number rather than a choice."""
        return self.answer_index is None
