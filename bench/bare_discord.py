"""A bare discord.py client whose /trivia commands only acknowledge: the Discord benchmark's
baseline, run as its own process like the bot (`python -m bench.bare_discord BASE GATEWAY`).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord_bot import DiscordConfig, point_at
from bench.bot_process import TOKEN


async def _ack(interaction: discord.Interaction[Any]) -> None:
    await interaction.response.send_message("ok", ephemeral=True)


def _bare_group() -> app_commands.Group:
    """/trivia with the same subcommands and options as the bot's, each only acknowledging."""
    group = app_commands.Group(name="trivia", description="Bare handler", guild_only=True)

    @group.command(name="play", description="Ask one question in this channel")
    async def play(interaction: discord.Interaction[Any], series: str | None = None) -> None:
        await _ack(interaction)

    @group.command(name="answer", description="Answer the open question")
    async def answer(interaction: discord.Interaction[Any], text: str) -> None:
        await _ack(interaction)

    @group.command(name="leaderboard", description="Top players in this server")
    async def leaderboard(
        interaction: discord.Interaction[Any], period: Literal["week", "month", "all"] = "all"
    ) -> None:
        await _ack(interaction)

    @group.command(name="stats", description="Answers, accuracy, streaks and rank")
    async def stats(
        interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        await _ack(interaction)

    @group.command(name="stop", description="Reveal the open question and end the match")
    async def stop(interaction: discord.Interaction[Any]) -> None:
        await _ack(interaction)

    return group


class BareClient(discord.Client):
    """A minimal discord.Client whose command tree only acknowledges."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree: app_commands.CommandTree[BareClient] = app_commands.CommandTree(self)
        self.tree.add_command(_bare_group())

    async def setup_hook(self) -> None:
        """Sync the commands, as the bot does on its first start."""
        await self.tree.sync()


async def _serve(base_url: str, gateway_url: str) -> None:
    point_at(DiscordConfig(TOKEN, api_base_url=base_url, gateway_url=gateway_url))
    async with BareClient() as client:
        await client.start(TOKEN)


def main() -> None:
    """Run the bare client against the fake at the given URLs until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base_url")
    parser.add_argument("gateway_url")
    args = parser.parse_args()
    asyncio.run(_serve(args.base_url, args.gateway_url))


if __name__ == "__main__":
    main()
