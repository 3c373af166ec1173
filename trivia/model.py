"""Value types shared by the engine, the store and the adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Place:
    """Where a command came from: platform, workspace (guild/team) and channel."""

    platform: str
    workspace: str
    channel: str


SHARD_SHIFT = 22
"""A Discord server is on shard (guild_id >> 22) % shard_count (Discord's formula; direct
messages are on shard 0)."""


def shard_of(workspace: str, count: int) -> int:
    """The shard of `count` a Discord server (workspace) is on; 0 for one that is not a
    server id (direct messages)."""
    return (int(workspace) >> SHARD_SHIFT) % count if workspace.isdigit() else 0


@dataclass(frozen=True)
class Shards:
    """Some shards of a platform's workspaces: those on one of `ids` of `count` shards."""

    platform: str
    ids: frozenset[int]
    count: int

    def covers(self, place: Place) -> bool:
        """Whether `place` is in a workspace on these shards."""
        return place.platform == self.platform and shard_of(place.workspace, self.count) in self.ids


@dataclass(frozen=True)
class Scope:
    """What one process serves: whole platforms, some shards of a platform (a Discord
    process running some of the bot's shards), plus single channels (a console seat: each
    console on a database plays in its own channel)."""

    platforms: frozenset[str] = frozenset()
    channels: frozenset[Place] = frozenset()
    shards: frozenset[Shards] = frozenset()

    def covers(self, place: Place) -> bool:
        """Whether this process reveals, posts and schedules for `place`."""
        return (
            place.platform in self.platforms
            or place in self.channels
            or any(s.covers(place) for s in self.shards)
        )

    def only(self, platforms: frozenset[str]) -> Scope:
        """The part of this scope on `platforms` (those that are up, say)."""
        return Scope(
            self.platforms & platforms,
            frozenset(c for c in self.channels if c.platform in platforms),
            frozenset(s for s in self.shards if s.platform in platforms),
        )

    @property
    def empty(self) -> bool:
        """Serves nothing."""
        return not self.platforms and not self.channels and not self.shards


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
    country: str | None = None
    rider: str | None = None
    time: str | None = None
    time_precise: str | None = None


@dataclass(frozen=True)
class Note:
    """A sourced fact about an event, used in reveals."""

    label: str
    text: str


@dataclass(frozen=True)
class Event:
    """One sports result: a race with its finishing order, notes and sources.

    The margin is in the sport's own terms: `margin_unit` "s" (with `margin_s`), "mm" or
    "cm" (with `margin_value`), or "verbal" (a nose, a head, a dead heat); `margin_display`
    is the margin as officially printed, its decimals being the timing precision."""

    key: str
    sport: str
    series: str
    season: int
    date: date
    name: str
    venue: str
    kind: str
    official: bool
    margin_s: float | None
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
    margin_unit: str = "s"
    margin_value: float | None = None
    margin_distance: str | None = None
    margin_places: tuple[int, int] | None = None
    """The places the margin separates, when not the first two results: (2, 3) for a
    photo finish that decided silver, (3, 3) for a dead heat for third."""
    venue_names: tuple[str, ...] = ()
    """Other names the venue has gone by (a rename, a translation): one place, one choice."""

    @property
    def winner(self) -> Result:
        """The first-place result."""
        return self.results[0]

    @property
    def runner_up(self) -> Result:
        """The second result in finishing order (second place, or a co-winner)."""
        return self.results[1]

    @property
    def places(self) -> tuple[int, int]:
        """The places the margin separates: (1, 2) for a win, (1, 1) for a shared win."""
        return self.margin_places or (self.results[0].position, self.results[1].position)

    @property
    def ahead(self) -> tuple[Result, ...]:
        """Who finished at the upper place of the margin (several when they tied)."""
        return self.at(self.places[0])

    @property
    def behind(self) -> tuple[Result, ...]:
        """Who finished at the lower place of the margin; the same as `ahead` for a tie."""
        return self.at(self.places[1])

    @property
    def for_win(self) -> bool:
        """True when the margin decided the win (or was a dead heat for it)."""
        return self.places[0] == 1

    def at(self, position: int) -> tuple[Result, ...]:
        """Every result at one place (several when they tied)."""
        return tuple(r for r in self.results if r.position == position)

    @property
    def tied(self) -> bool:
        """True when the margin is a tie: a dead heat or an equal time at one place."""
        return self.places[0] == self.places[1]

    @property
    def shared_win(self) -> bool:
        """True when two or more shared first place."""
        return len(self.at(1)) > 1

    @property
    def timed(self) -> bool:
        """True when the margin is a time in seconds."""
        return self.margin_unit == "s" and self.margin_s is not None

    @property
    def precision(self) -> int:
        """Decimal places of the printed margin: 3 for '0.001', 2 for '0.01'."""
        _, _, decimals = self.margin_display.partition(".")
        return len(decimals) if decimals.isdigit() else 0


@dataclass(frozen=True)
class Competitor:
    """A competitor with the extra names people type for them."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesName:
    """What a series was called from one season to another (inclusive)."""

    first: int
    last: int
    name: str


@dataclass(frozen=True)
class Series:
    """A competition: whether it runs every year, since when, and its names over time."""

    name: str
    annual: bool = False
    first_season: int | None = None
    names: tuple[SeriesName, ...] = ()
    sources: tuple[Source, ...] = ()

    def name_in(self, season: int) -> str | None:
        """The series' name in a season, if it was called something else then."""
        for era in self.names:
            if era.first <= season <= era.last:
                return era.name
        return None


@dataclass(frozen=True)
class RecordsPack:
    """A validated records pack: series, competitors and events."""

    name: str
    description: str
    competitors: tuple[Competitor, ...]
    events: tuple[Event, ...]
    series: tuple[Series, ...] = ()


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
    SPORT = "sport"
    COUNTRY = "country"
    THIRD = "third"
    SHARED = "shared"
    WINNING_TIME = "winning_time"


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


CHOICE_LETTERS = "ABCD"
"""The letters a question's choices go by, in order (a question has at most four)."""


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
    """The records the question states, the one it is about first."""
    caveat: str | None = None
    answer_step: float | None = None
    """For a margin guess: one step of the printed precision (0.001 s)."""

    @property
    def subject(self) -> str:
        """What the question asks about, e.g. 'winner:nascar-cup-2024-05-05-kansas'."""
        return f"{self.kind}:{self.event_keys[0]}"

    @property
    def is_numeric(self) -> bool:
        """True for questions answered with a number rather than a choice."""
        return self.answer_index is None
