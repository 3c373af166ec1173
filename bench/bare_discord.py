"""A bare discord.py client whose /trivia commands only acknowledge: the Discord benchmark's
baseline, run as its own process like the bot (`python -m bench.bare_discord BASE GATEWAY`).

With `--replies FILE` (callback bodies our bot sent, by subcommand) each command instead sends
the next of our bot's replies to that subcommand, embed and buttons as captured: discord.py's
cost of sending our replies, without the engine or the database.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord_bot import DiscordConfig, point_at
from adapters.discord_bot.client import NO_MENTIONS
from adapters.discord_bot.components import AnswerButton
from bench.bot_process import TOKEN

Respond = Callable[[discord.Interaction[Any], str], Awaitable[None]]
"""(interaction, subcommand name) -> the handler's whole answer."""
EPHEMERAL = 1 << 6


async def _ack(interaction: discord.Interaction[Any], sub: str) -> None:
    await interaction.response.send_message("ok", ephemeral=True)


def replayer(path: Path) -> Respond:
    """Answer each subcommand with the next of the replies captured for it (cycling)."""
    captured: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    cycles: dict[str, Iterator[dict[str, Any]]] = {
        sub: itertools.cycle(bodies) for sub, bodies in captured.items()
    }

    async def replay(interaction: discord.Interaction[Any], sub: str) -> None:
        data = next(cycles[sub])
        extra: dict[str, Any] = {}
        ids = [c["custom_id"] for row in data.get("components") or [] for c in row["components"]]
        if ids:
            view = discord.ui.View(timeout=None)
            for custom_id in ids:
                _, _, question, letter = custom_id.split(":")
                view.add_item(AnswerButton(int(question), letter))
            extra["view"] = view
        await interaction.response.send_message(
            embed=discord.Embed.from_dict(data["embeds"][0]),
            ephemeral=bool(int(data.get("flags") or 0) & EPHEMERAL),
            allowed_mentions=NO_MENTIONS,
            **extra,
        )

    return replay


def _bare_group(respond: Respond) -> app_commands.Group:
    """/trivia with the same subcommands and options as the bot's, each only responding."""
    group = app_commands.Group(name="trivia", description="Bare handler", guild_only=True)

    @group.command(name="play", description="Ask one question in this channel")
    async def play(interaction: discord.Interaction[Any], series: str | None = None) -> None:
        await respond(interaction, "play")

    @group.command(name="answer", description="Answer the open question")
    async def answer(interaction: discord.Interaction[Any], text: str) -> None:
        await respond(interaction, "answer")

    @group.command(name="leaderboard", description="Top players in this server")
    async def leaderboard(
        interaction: discord.Interaction[Any], period: Literal["week", "month", "all"] = "all"
    ) -> None:
        await respond(interaction, "leaderboard")

    @group.command(name="stats", description="Answers, accuracy, streaks and rank")
    async def stats(
        interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        await respond(interaction, "stats")

    @group.command(name="stop", description="Reveal the open question and end the match")
    async def stop(interaction: discord.Interaction[Any]) -> None:
        await respond(interaction, "stop")

    return group


class BareClient(discord.Client):
    """A minimal discord.Client whose command tree only responds."""

    def __init__(self, respond: Respond) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree: app_commands.CommandTree[BareClient] = app_commands.CommandTree(self)
        self.tree.add_command(_bare_group(respond))

    async def setup_hook(self) -> None:
        """Sync the commands, as the bot does on its first start."""
        await self.tree.sync()


async def _serve(base_url: str, gateway_url: str, respond: Respond) -> None:
    point_at(DiscordConfig(TOKEN, api_base_url=base_url, gateway_url=gateway_url))
    async with BareClient(respond) as client:
        await client.start(TOKEN)


def main() -> None:
    """Run the bare client against the fake at the given URLs until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base_url")
    parser.add_argument("gateway_url")
    parser.add_argument("--replies", type=Path, help="replay these captured replies")
    args = parser.parse_args()
    respond = replayer(args.replies) if args.replies else _ack
    asyncio.run(_serve(args.base_url, args.gateway_url, respond))


if __name__ == "__main__":
    main()
