"""Discord adapter: /trivia and /trivia-admin slash commands and answer buttons on discord.py.

It only translates: an interaction becomes an engine command, and the engine's neutral
replies become embeds, buttons and ephemeral messages. Game rules live in trivia/.

connection: how to reach Discord (config, invite link, a local fake's URLs);
embeds: replies as embeds; components: buttons and the guess form, their ids and clicks;
slash: the slash-command tree; client: the client that runs commands and sends replies;
hooks: what commands and buttons need of the client.
"""

from adapters.discord_bot.client import TriviaBot
from adapters.discord_bot.connection import DiscordConfig, invite_url, point_at

__all__ = ["DiscordConfig", "TriviaBot", "invite_url", "point_at"]
