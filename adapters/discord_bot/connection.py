"""How to reach Discord (or a stand-in for it): the config, the invite link, the URLs."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import discord
import yarl

PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,  # the picture of the finish on each reveal
)
SCOPES = ("bot", "applications.commands")


@dataclass(frozen=True)
class DiscordConfig:
    """How to reach Discord (or a stand-in for it)."""

    token: str
    dev_guild_id: int | None = None
    api_base_url: str | None = None
    gateway_url: str | None = None
    shard_count: int | None = None
    """The bot's shards over all its processes (None: as many as Discord advises)."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process runs (None: all)."""

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs the commands: the one running shard 0, so that
        several processes sync once."""
        return self.shard_ids is None or 0 in self.shard_ids


def application_id(token: str) -> int:
    """The bot's application (client) id, which a bot token starts with, base64-encoded."""
    head = token.split(".", 1)[0]
    try:
        return int(base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode())
    except (ValueError, UnicodeDecodeError):
        raise ValueError("this does not look like a Discord bot token") from None


def invite_url(token: str) -> str:
    """The OAuth2 link that adds the bot with exactly the scopes and permissions it needs."""
    return discord.utils.oauth_url(application_id(token), permissions=PERMISSIONS, scopes=SCOPES)


def point_at(config: DiscordConfig) -> None:
    """Send discord.py's REST and gateway traffic to the configured URLs (a local fake)."""
    if config.api_base_url:
        discord.http.Route.BASE = config.api_base_url.rstrip("/")
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def without_voice() -> None:
    """The bot has no voice: discord.py need not warn at every start that voice support
    (PyNaCl, davey) is not installed."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
