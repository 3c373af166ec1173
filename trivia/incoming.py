"""A command as an adapter received it, and what running it may lead to."""

from __future__ import annotations

from dataclasses import dataclass

from trivia.commands import Ask, Command, DailyPost, ScheduleSet, Start
from trivia.model import Place


@dataclass(frozen=True)
class Incoming:
    """One command from a platform: what, where, from whom."""

    command: Command
    place: Place
    user: str
    name: str
    admin: bool = False
    players: int | None = None
    """How many players can answer here, where the platform knows (the console)."""


def posts_later(command: Command) -> str | None:
    """The channel this command makes the bot post in later, outside any reply ("" for
    the channel it came from): an adapter checks it can post there before running it."""
    if isinstance(command, ScheduleSet):
        return command.channel or ""
    if isinstance(command, Ask | Start | DailyPost):
        return ""
    return None
