"""What the slash commands and buttons need of the running client (client.TriviaBot),
so they can reach it from an interaction without importing it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import discord

from trivia.commands import Command


class Bot(Protocol):
    """The client as commands and buttons see it."""

    series: Callable[[], Awaitable[list[str]]]
    sports: Callable[[], Awaitable[list[str]]]

    async def dispatch_command(
        self, interaction: discord.Interaction[Any], command: Command
    ) -> None:
        """Run a command for an interaction and send the replies."""


def bot_of(interaction: discord.Interaction[Any]) -> Bot:
    """The client an interaction came to (a TriviaBot: this package registers its
    commands and buttons on no other client). Not checked with isinstance: against a
    Protocol that walks its members, tens of microseconds an interaction."""
    return cast(Bot, interaction.client)
