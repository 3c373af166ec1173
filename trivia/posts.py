"""Public posts owed to the platforms, as the outbox keeps them on either backend: the
values, and a reply as stored JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from trivia.model import Place
from trivia.replies import (
    Button,
    ButtonKind,
    ChoiceButton,
    GuessButton,
    HintButton,
    Reply,
    ReplyKind,
    ResetConfirmButton,
    ShareButton,
)


@dataclass(frozen=True)
class Post:
    """One public post to make."""

    key: str
    place: Place
    reply: Reply
    schedule_id: int | None = None
    """The schedule that posts it: a failure to post shows on the schedule."""


@dataclass(frozen=True)
class SlotDone:
    """A scheduled slot whose posts are stored (or that failed with `error`)."""

    schedule_id: int
    local_day: date
    error: str | None = None


@dataclass(frozen=True)
class Pending:
    """A post taken from the outbox: `id` marks it posted or failed."""

    id: int
    key: str
    place: Place
    reply: Reply
    attempts: int


def _button_to_dict(button: Button) -> dict[str, str | float]:
    match button.kind:
        case ButtonKind.ANSWER:
            return {"kind": button.kind.value, "letter": button.letter}
        case ButtonKind.GUESS:
            return {"kind": button.kind.value, "label": button.label}
        case ButtonKind.RESET_CONFIRM:
            return {"kind": button.kind.value, "asked_at": button.asked_at.timestamp()}
        case ButtonKind.HINT | ButtonKind.SHARE:
            return {"kind": button.kind.value, "label": button.label}


def _button_from_dict(data: dict[str, Any]) -> Button:
    match ButtonKind(data["kind"]):
        case ButtonKind.ANSWER:
            return ChoiceButton(data["letter"])
        case ButtonKind.GUESS:
            return GuessButton(data["label"])
        case ButtonKind.RESET_CONFIRM:
            return ResetConfirmButton(datetime.fromtimestamp(data["asked_at"], UTC))
        case ButtonKind.HINT:
            return HintButton(data["label"])
        case ButtonKind.SHARE:
            return ShareButton(data["label"])


def reply_to_json(reply: Reply) -> str:
    """A reply as stored JSON."""
    return json.dumps(
        {
            "kind": reply.kind.value,
            "title": reply.title,
            "body": reply.body,
            "fields": [list(f) for f in reply.fields],
            "buttons": [_button_to_dict(b) for b in reply.buttons],
            "private": reply.private,
            "question_id": reply.question_id,
            "picture": reply.picture,
        }
    )


def reply_from_json(text: str) -> Reply:
    """A stored reply."""
    data = json.loads(text)
    return Reply(
        ReplyKind(data["kind"]),
        data["title"],
        data["body"],
        tuple((name, value) for name, value in data["fields"]),
        tuple(_button_from_dict(b) for b in data["buttons"]),
        data["private"],
        data["question_id"],
        data.get("picture"),  # posts stored before pictures have none
    )
