"""The Discord client: runs an interaction's command through the engine and sends the
replies back (deferring when the engine is slow), and posts replies of its own."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord_bot.components import (
    AnswerButton,
    AskButton,
    GuessButton,
    ResetButton,
    to_view,
    typed_guess,
)
from adapters.discord_bot.connection import DiscordConfig, without_voice
from adapters.discord_bot.embeds import to_embed
from adapters.discord_bot.slash import admin, trivia
from adapters.picture import ALT_TEXT, FILENAME, Painter
from trivia.commands import Command
from trivia.incoming import Incoming, posts_later
from trivia.model import Place
from trivia.replies import FAILED, Reply, error

log = logging.getLogger(__name__)

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
"""(command, place, user id, display name, is admin) -> replies."""
StateGet = Callable[[str], Awaitable[str | None]]
StateSet = Callable[[str, str], Awaitable[None]]

PLATFORM = "discord"
DEFER_AFTER = 1.0  # seconds of engine work before the interaction is deferred (deadline: 3 s)
SYNC_STATE_KEY = "discord.command_hash"
NO_MENTIONS = discord.AllowedMentions.none()
CANNOT_POST = error(
    "I can't post in this channel, so nobody would see the reveal. An admin can give me"
    " View Channel, Send Messages (in a thread: Send Messages in Threads) and Embed Links here."
)
CANNOT_POST_THERE = error(
    "I can't post in that channel, so nobody would see the scheduled questions. An admin can"
    " give me View Channel, Send Messages and Embed Links there."
)


def _can_post(interaction: discord.Interaction[Any], channel_id: str | None = None) -> bool:
    """Whether the bot may post its own messages (embeds) in a channel of the interaction's
    server (None: where the interaction came from)."""
    channel: object = interaction.channel
    allowed = interaction.app_permissions
    if channel_id is not None and int(channel_id) != interaction.channel_id:
        there = interaction.guild and interaction.guild.get_channel_or_thread(int(channel_id))
        if not there:
            return False
        channel, allowed = there, there.permissions_for(there.guild.me)
    in_thread = isinstance(channel, discord.Thread)
    send = allowed.send_messages_in_threads if in_thread else allowed.send_messages
    return allowed.view_channel and send and allowed.embed_links


def _can_attach(channel: object) -> bool:
    """Whether the bot may attach files in a channel: a reveal where it may not (a channel
    setting took Attach Files away) goes out without its picture rather than not at all."""
    if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return channel.permissions_for(channel.guild.me).attach_files
    return True


class _Tree(app_commands.CommandTree["TriviaBot"]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """A command discord.py could not run (e.g. one this bot no longer has): say so
        privately instead of leaving the member with "The application did not respond"."""
        log.warning("could not run %s: %r", interaction.data, error)
        await self.client.send_failure(interaction)


class CannotPostError(Exception):
    """The channel cannot take messages (a category, a forum, gone)."""


def post_nonce(key: str) -> str:
    """A post's nonce: the same for the same key, at most 25 characters, and distinct across
    keys (Discord compares nonces per author, whatever the channel). Sent with
    enforce_nonce, a second post with it within minutes returns the message Discord has."""
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _reply_key(interaction: discord.Interaction[Any], index: int) -> str:
    """The key of an interaction's public reply posted to the channel (interaction ids are
    unique on Discord)."""
    return f"reply:{interaction.id}:{index}"


def _refusal(exc: discord.HTTPException) -> str:
    """'404 Not Found (10062): Unknown interaction'."""
    return f"{exc.status} {exc.response.reason} ({exc.code}): {exc.text}"


class TriviaBot(discord.AutoShardedClient):
    """The Discord client: default intents only, no mentions ever; it runs the configured
    shards (all by default, as many as Discord advises)."""

    def __init__(
        self,
        config: DiscordConfig,
        *,
        handle: Handler,
        series: Callable[[], Awaitable[list[str]]],
        sports: Callable[[], Awaitable[list[str]]],
        get_state: StateGet,
        set_state: StateSet,
        picture: Painter | None = None,
        **options: Any,
    ) -> None:
        without_voice()
        if config.shard_ids is not None:
            options["shard_ids"] = list(config.shard_ids)
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
            shard_count=config.shard_count,
            **options,
        )
        self.config = config
        self.handle = handle
        self.series = series
        self.sports = sports
        self.get_state = get_state
        self.set_state = set_state
        self.picture = picture
        self.tree: app_commands.CommandTree[TriviaBot] = _Tree(self)
        self.tree.add_command(trivia)
        self.tree.add_command(admin)

    async def setup_hook(self) -> None:
        """Register the buttons (they survive restarts) and, in the process running shard 0,
        sync commands if they changed."""
        self.add_dynamic_items(AnswerButton, AskButton, GuessButton, ResetButton)
        if self.config.syncs_commands:
            await self.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Lock in a submitted guess form (see GuessForm); other interactions are routed
        by discord.py itself."""
        guess = typed_guess(interaction)
        if guess is not None:
            await self.dispatch_command(interaction, guess)

    async def sync_commands(self) -> bool:
        """Sync the command tree only when it differs from the last sync; True if synced."""
        guild = discord.Object(self.config.dev_guild_id) if self.config.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(
            json.dumps([self.config.dev_guild_id, payload], sort_keys=True).encode()
        ).hexdigest()
        if await self.get_state(SYNC_STATE_KEY) == digest:
            return False
        await self.tree.sync(guild=guild)
        await self.set_state(SYNC_STATE_KEY, digest)
        return True

    async def dispatch_command(
        self, interaction: discord.Interaction[Any], command: Command
    ) -> None:
        """Send a command to the engine and the replies back, deferring if it runs long."""
        channel = posts_later(command)
        elsewhere = channel or None
        if channel is not None and not _can_post(interaction, elsewhere):
            await self._send(interaction, CANNOT_POST_THERE if elsewhere else CANNOT_POST)
            return
        place = Place(PLATFORM, str(interaction.guild_id), str(interaction.channel_id))
        user = interaction.user
        name = user.display_name  # stored as typed; to_embed escapes markdown when rendering
        is_admin = interaction.permissions.manage_guild
        incoming = Incoming(command, place, str(user.id), name, is_admin)
        work = asyncio.ensure_future(self.handle(incoming))
        done, _ = await asyncio.wait({work}, timeout=DEFER_AFTER)
        try:
            if not done:
                await self._defer(interaction)
            replies = await work
            for index, reply in enumerate(replies):
                await self._reply(interaction, place, reply, _reply_key(interaction, index))
        except Exception:
            log.exception("%s failed in %s", command, interaction.channel_id)
            await self.send_failure(interaction)
            return
        if not done and not any(reply.private for reply in replies):
            await interaction.delete_original_response()  # the private "thinking..." note

    async def _defer(self, interaction: discord.Interaction[Any]) -> None:
        """Defer; if Discord has already dropped the interaction, say so in one line."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as exc:
            log.warning("could not defer interaction %s: %s", interaction.id, _refusal(exc))

    async def _reply(
        self, interaction: discord.Interaction[Any], place: Place, reply: Reply, key: str
    ) -> None:
        """Answer the interaction; when Discord refuses (10062 after a slow call, 40060),
        log one line, and post a public reply (a question, a reveal) to the channel itself
        so it is not lost, unless the reply went through after all (a 502 after Discord
        carried it out): the fallback is made once, by `key`."""
        try:
            await self._send(interaction, reply, key)
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", interaction.id, _refusal(exc))
            if not reply.private and not await self._answered(interaction):
                await self.post(place, reply, key)

    async def _answered(self, interaction: discord.Interaction[Any]) -> bool:
        """Whether Discord holds a reply to the interaction (one it carried out but answered
        with an error), not only a deferral's "thinking..." note; a channel post made
        instead is covered by its nonce."""
        if interaction.response.is_done():
            return False
        try:
            original = await interaction.original_response()
        except discord.HTTPException:
            return False
        return not original.flags.loading

    async def send_failure(self, interaction: discord.Interaction[Any]) -> None:
        """Tell the member privately that the bot failed, if Discord still lets us."""
        with contextlib.suppress(discord.HTTPException):
            await self._send(interaction, FAILED)

    async def _send(
        self, interaction: discord.Interaction[Any], reply: Reply, key: str | None = None
    ) -> None:
        """Send a reply to the interaction (a public one after a deferral goes to the
        channel, with the nonce of `key`)."""
        embed, view = to_embed(reply), to_view(reply)
        extra: dict[str, Any] = {"view": view} if view else {}
        if not interaction.response.is_done():
            await interaction.response.send_message(
                embed=embed, ephemeral=reply.private, allowed_mentions=NO_MENTIONS, **extra
            )
        elif reply.private:
            await interaction.followup.send(
                embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
            )
        elif isinstance(interaction.channel, discord.abc.Messageable):
            if key is not None:
                extra["nonce"] = post_nonce(key)
            await interaction.channel.send(embed=embed, allowed_mentions=NO_MENTIONS, **extra)

    async def _message(self, reply: Reply, attach: bool) -> dict[str, Any]:
        """A post as send() arguments: its embed, its buttons, and (where the bot may
        `attach` files) its picture, a reveal's, shown as the embed's image. (Interaction
        replies carry no reveal.)"""
        embed, view = to_embed(reply), to_view(reply)
        extra: dict[str, Any] = {"embed": embed, "view": view} if view else {"embed": embed}
        png = None
        if attach and self.picture and reply.picture:
            png = await self.picture(reply.picture)
        if png is not None:
            embed.set_image(url=f"attachment://{FILENAME}")
            extra["file"] = discord.File(io.BytesIO(png), FILENAME, description=ALT_TEXT)
        return extra

    async def post(self, place: Place, reply: Reply, key: str, again: bool = False) -> None:
        """Post a reply to a channel on its own (a reveal, a scheduled question), carrying
        the nonce of its `key`: posted again (`again`, after a takeover), Discord returns
        the message it already has. Raises when the channel cannot take messages."""
        channel_id = int(place.channel)
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise CannotPostError(f"channel {channel_id} cannot take messages")
        extra = await self._message(reply, _can_attach(channel))
        await channel.send(allowed_mentions=NO_MENTIONS, nonce=post_nonce(key), **extra)
