"""What a reset confirmation button carries on Discord and Slack: when the reset was asked."""

from __future__ import annotations

from datetime import UTC, datetime

from trivia.commands import whole_number

RESET_CONFIRM = "reset-confirm"


def reset_id(asked_at: datetime) -> str:
    """'reset-confirm:1767225600': the confirmation of the reset asked for at `asked_at`."""
    return f"{RESET_CONFIRM}:{int(asked_at.timestamp())}"


def reset_asked_at(value: str) -> datetime:
    """When the reset a confirmation id stands for was asked; an id from before they carried
    their time ('reset-confirm') or a damaged one gives the epoch, long expired."""
    _, _, seconds = value.partition(":")
    return datetime.fromtimestamp(whole_number(seconds, digits=12) or 0, UTC)
