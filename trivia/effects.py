"""What a command did, as the engine says it: the replies to the sender and typed effects
the shell acts on (nothing in the shell re-derives them from command types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from trivia.model import Place
from trivia.replies import Reply, ReplyKind


@dataclass(frozen=True)
class QuestionOpened:
    """A question was asked; it is revealed at `closes_at`."""

    place: Place
    question_id: int
    closes_at: datetime


@dataclass(frozen=True)
class Announced:
    """A public post to a channel on its own, not an answer to the command (a reveal, the
    next question of a match, a match's end). `key` names it once: posting it is retried
    until the platform has it, and never twice."""

    place: Place
    reply: Reply
    key: str
    stored: bool = False
    """Already in the outbox: a reveal's posts are stored in the reveal's own transaction."""


@dataclass(frozen=True)
class SchedulesChanged:
    """A schedule in this workspace was added, paused, resumed or removed."""

    place: Place


@dataclass(frozen=True)
class Refused:
    """The command changed nothing; `reason` is what the sender was told."""

    reason: str


Effect = QuestionOpened | Announced | SchedulesChanged | Refused


@dataclass(frozen=True)
class Outcome:
    """A command's replies to its sender, in order, and its effects."""

    replies: list[Reply]
    effects: list[Effect] = field(default_factory=list)

    @property
    def refused(self) -> Refused | None:
        """Why the command changed nothing, if it did not."""
        return next((e for e in self.effects if isinstance(e, Refused)), None)

    def announced(self) -> list[Announced]:
        """The posts this command made to channels on their own."""
        return [e for e in self.effects if isinstance(e, Announced)]


def outcome(replies: list[Reply], effects: list[Effect]) -> Outcome:
    """The outcome of a command: a command answered only with errors was refused (the
    engine answers with an error exactly when it changes nothing)."""
    if replies and all(r.kind is ReplyKind.ERROR for r in replies):
        effects = [*effects, Refused(replies[0].title)]
    return Outcome(replies, effects)
