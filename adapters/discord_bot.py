"""Discord adapter: /trivia and /trivia-admin slash commands and answer buttons on discord.py.

It only translates: an interaction becomes an engine command, and the engine's neutral
replies become embeds, buttons and ephemeral messages. Game rules live in trivia/.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ui import Button, DynamicItem

from adapters.button_ids import RESET_CONFIRM, reset_asked_at, reset_id
from adapters.fitting import fit
from trivia.commands import (
    LEADERBOARDS,
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    Help,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleList,
    ScheduleSet,
    Start,
    Stats,
    Stop,
    parse_sports,
)
from trivia.model import CHOICE_LETTERS, Place
from trivia.replies import FAILED, ButtonKind, Reply, ReplyKind, error
from trivia.settings import MAX_MATCH, MAX_WINDOW, MIN_WINDOW

log = logging.getLogger(__name__)

Handler = Callable[[Command, Place, str, str, bool], Awaitable[list[Reply]]]
"""(command, place, user id, display name, is admin) -> replies."""
StateGet = Callable[[str], Awaitable[str | None]]
StateSet = Callable[[str, str], Awaitable[None]]

PLATFORM = "discord"
DEFER_AFTER = 1.0  # seconds of engine work before the interaction is deferred (deadline: 3 s)
GUESS_FORM = re.compile(r"pf:guess-form:(\d+)")
GUESS_INPUT = "guess"
SYNC_STATE_KEY = "discord.command_hash"
NO_MENTIONS = discord.AllowedMentions.none()
PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True
)
POSTS_LATER = (Ask, Start, ScheduleSet)
"""Commands after which the bot posts in a channel by itself (reveals, next questions,
scheduled quizzes)."""
CANNOT_POST = error(
    "I can't post in this channel, so nobody would see the reveal. An admin can give me"
    " View Channel, Send Messages (in a thread: Send Messages in Threads) and Embed Links here."
)
CANNOT_POST_THERE = error(
    "I can't post in that channel, so nobody would see the scheduled questions. An admin can"
    " give me View Channel, Send Messages and Embed Links there."
)
SCOPES = ("bot", "applications.commands")
EMBED_TOTAL = 6000  # characters in an embed's title, description, fields and footer together
EMBED_FIELDS = 25
COLOURS = {
    ReplyKind.QUESTION: 0x2B6CB0,
    ReplyKind.REVEAL: 0x2F855A,
    ReplyKind.MATCH_END: 0x2F855A,
    ReplyKind.ERROR: 0xC53030,
    ReplyKind.CONFIRM: 0xC53030,
}


@dataclass(frozen=True)
class DiscordConfig:
    """How to reach Discord (or a stand-in for it)."""

    token: str
    dev_guild_id: int | None = None
    api_base_url: str | None = None
    gateway_url: str | None = None


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


def to_embed(reply: Reply) -> discord.Embed:
    """A reply as an embed within Discord's limits, its text (not our field labels)
    markdown-escaped, as names are stored as typed: what does not fit is cut at a whole
    name or line, and fields left out are counted in the footer."""
    escape = discord.utils.escape_markdown  # names are text: no masked links, no bold
    title, body = fit(escape(reply.title), 256), fit(escape(reply.body), 4096)
    embed = discord.Embed(
        title=title, description=body or None, colour=COLOURS.get(reply.kind, 0x4A5568)
    )
    budget = EMBED_TOTAL - len(title) - len(body) - len(_left_out(len(reply.fields)))
    for shown, (field_name, field_value) in enumerate(reply.fields):
        name, value = fit(field_name, 256), fit(escape(field_value), 1024) or "-"
        budget -= len(name) + len(value)
        if shown == EMBED_FIELDS or budget < 0:
            embed.set_footer(text=_left_out(len(reply.fields) - shown))
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def _left_out(count: int) -> str:
    return f"… and {count} more not shown"


def to_view(reply: Reply) -> discord.ui.View | None:
    """Buttons for a reply: one per choice on a question, or a reset confirmation."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in reply.buttons:
        match button.kind:
            case ButtonKind.RESET_CONFIRM:
                view.add_item(ResetButton(button.asked_at))
            case ButtonKind.GUESS if reply.question_id is not None:
                view.add_item(GuessButton(reply.question_id, button.label))
            case ButtonKind.ANSWER if reply.question_id is not None:
                view.add_item(AnswerButton(reply.question_id, button.letter))
    return view


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


def _bot(interaction: discord.Interaction[Any]) -> TriviaBot:
    client = interaction.client
    assert isinstance(client, TriviaBot)
    return client


class AnswerButton(
    DynamicItem[Button[Any]], template=rf"pf:answer:(?P<q>\d+):(?P<c>[{CHOICE_LETTERS}])"
):
    """A choice button; its custom_id carries the question, so it works after restarts."""

    def __init__(self, question_id: int, choice: str) -> None:
        super().__init__(
            Button(
                label=choice,
                style=discord.ButtonStyle.primary,
                custom_id=f"pf:answer:{question_id}:{choice}",
            )
        )
        self.question_id = question_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AnswerButton:
        """Rebuild the button from a click."""
        return cls(int(match["q"]), match["c"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Lock the member's answer to this question."""
        await _bot(interaction).dispatch_command(
            interaction, Answer(self.choice, question_id=self.question_id)
        )


class GuessButton(DynamicItem[Button[Any]], template=r"pf:guess:(?P<q>\d+)"):
    """Opens a one-line form for a typed answer (the daily margin guess)."""

    def __init__(self, question_id: int, label: str = "Guess") -> None:
        super().__init__(
            Button(
                label=label[:80],
                style=discord.ButtonStyle.primary,
                custom_id=f"pf:guess:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> GuessButton:
        """Rebuild the button from a click."""
        return cls(int(match["q"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Ask for the guess in a form; the engine judges it when it is sent."""
        form = GuessForm(self.question_id)
        form.stop()  # a finished form is shown but not kept: see GuessForm
        await interaction.response.send_modal(form)


class GuessForm(discord.ui.Modal, title="Your guess"):
    """The form a Guess button opens. What is sent back is routed by the form's custom_id
    (TriviaBot.on_interaction), like the buttons: discord.py keeps open forms in memory by
    custom_id alone, so a second member's form replaced the first's and was dropped once
    the first was sent, and a restart forgot them all."""

    guess: discord.ui.TextInput[GuessForm] = discord.ui.TextInput(
        label="Margin in seconds", placeholder="0.005", max_length=20, custom_id=GUESS_INPUT
    )

    def __init__(self, question_id: int) -> None:
        super().__init__(custom_id=f"pf:guess-form:{question_id}", timeout=None)


def _typed_guess(interaction: discord.Interaction[Any]) -> Answer | None:
    """The answer in a submitted guess form, or None if the interaction is not one."""
    data: dict[str, Any] = dict(interaction.data or {})
    form = GUESS_FORM.fullmatch(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or form is None:
        return None
    inputs = [
        component
        for row in data.get("components") or []
        for component in row.get("components") or [row.get("component") or {}]
    ]
    text = next(
        (str(c.get("value") or "") for c in inputs if c.get("custom_id") == GUESS_INPUT), ""
    )
    return Answer(text, question_id=int(form[1]))


class ResetButton(DynamicItem[Button[Any]], template=rf"pf:(?P<value>{RESET_CONFIRM}(:\d+)?)"):
    """The confirmation of a leaderboard reset; permissions are checked again on click,
    and the engine refuses one that has expired (the id carries when it was asked)."""

    def __init__(self, asked_at: datetime) -> None:
        super().__init__(
            Button(
                label="Reset leaderboard",
                style=discord.ButtonStyle.danger,
                custom_id=f"pf:{reset_id(asked_at)}",
            )
        )
        self.asked_at = asked_at

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ResetButton:
        """Rebuild the button from a click."""
        return cls(reset_asked_at(match["value"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reset, if the member may manage the server and the button is recent."""
        await _bot(interaction).dispatch_command(interaction, Reset(self.asked_at))


def _matching(names: list[str], current: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=n, value=n) for n in names if current.casefold() in n.casefold()
    ][:25]


async def _series(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return _matching(await _bot(interaction).series(), current)


async def _sports(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Sport names; after a comma, the next name of a list."""
    done, _, last = current.rpartition(",")
    prefix = f"{done}, " if done else ""
    names = ["all", *await _bot(interaction).sports()]
    return [
        app_commands.Choice(name=(prefix + c.value)[:100], value=(prefix + c.value)[:100])
        for c in _matching(names, last.strip())
    ]


trivia = app_commands.Group(
    name="trivia",
    description="Photo-finish trivia from the closest finishes in sport",
    guild_only=True,
)
admin = app_commands.Group(
    name="trivia-admin",
    description="Trivia settings for this server",
    guild_only=True,
    default_permissions=discord.Permissions(manage_guild=True),
)


@trivia.command(name="play", description="Ask one question in this channel")
@app_commands.describe(series="Only ask about this series")
@app_commands.autocomplete(series=_series)
async def play(interaction: discord.Interaction[Any], series: str | None = None) -> None:
    """One quick question."""
    await _bot(interaction).dispatch_command(interaction, Ask(series))


@trivia.command(name="start", description="Play a match of several questions")
@app_commands.describe(questions=f"How many questions (1-{MAX_MATCH})", series="Only this series")
@app_commands.autocomplete(series=_series)
async def start(
    interaction: discord.Interaction[Any],
    questions: app_commands.Range[int, 1, MAX_MATCH] | None = None,
    series: str | None = None,
) -> None:
    """A match of N questions."""
    await _bot(interaction).dispatch_command(interaction, Start(questions, series))


@trivia.command(name="answer", description="Answer the open question: a letter, a name or a number")
async def answer(interaction: discord.Interaction[Any], text: str) -> None:
    """A free-text answer."""
    await _bot(interaction).dispatch_command(interaction, Answer(text))


@trivia.command(name="leaderboard", description="Top players here, or this channel's daily streaks")
@app_commands.choices(period=[app_commands.Choice(name=p, value=p) for p in LEADERBOARDS])
async def leaderboard(interaction: discord.Interaction[Any], period: str = "all") -> None:
    """The leaderboard for a period."""
    await _bot(interaction).dispatch_command(interaction, Leaderboard(period))


@trivia.command(name="stats", description="Answers, accuracy, streaks and rank")
async def stats(interaction: discord.Interaction[Any], member: discord.User | None = None) -> None:
    """Your stats, or a member's (also someone who has left the server since)."""
    await _bot(interaction).dispatch_command(interaction, Stats(str(member.id) if member else None))


def _plain(group: app_commands.Group, name: str, description: str, command: Command) -> None:
    """A subcommand with no options that always sends the same engine command."""

    @group.command(name=name, description=description)
    async def handler(interaction: discord.Interaction[Any]) -> None:
        await _bot(interaction).dispatch_command(interaction, command)


def _numbered(group: app_commands.Group, action: str, description: str) -> None:
    """A schedule subcommand that takes a schedule number."""

    @group.command(name=action, description=description)
    @app_commands.describe(number="The schedule's number, as /trivia-admin schedule list shows")
    async def handler(interaction: discord.Interaction[Any], number: int) -> None:
        await _bot(interaction).dispatch_command(interaction, ScheduleChange(action, number))


_plain(trivia, "stop", "Reveal the open question and end the match", Stop())


@trivia.command(name="daily", description="Today's daily question here, or your guess at it")
@app_commands.describe(guess="Your guess at the margin, in seconds (one guess each)")
async def daily(interaction: discord.Interaction[Any], guess: str | None = None) -> None:
    """Show the daily question, or lock in a guess."""
    await _bot(interaction).dispatch_command(interaction, Daily(guess))


_plain(trivia, "help", "How to play and how scoring works", Help())


@admin.command(
    name="settings",
    description="Show or change the answer window, match length, series and sports",
)
@app_commands.describe(
    answer_window=f"Seconds to answer ({MIN_WINDOW}-{MAX_WINDOW})",
    match_length=f"Questions in a match started without a number (1-{MAX_MATCH})",
    series="Only ask about this series, or 'all'",
    sports="Only these sports, comma-separated (e.g. Athletics, Swimming), or 'all'",
)
@app_commands.autocomplete(series=_series, sports=_sports)
async def settings(
    interaction: discord.Interaction[Any],
    answer_window: app_commands.Range[int, MIN_WINDOW, MAX_WINDOW] | None = None,
    match_length: app_commands.Range[int, 1, MAX_MATCH] | None = None,
    series: str | None = None,
    sports: str | None = None,
) -> None:
    """Workspace settings."""
    chosen = None if sports is None else parse_sports(sports)
    await _bot(interaction).dispatch_command(
        interaction,
        Configure(
            answer_window=answer_window, match_length=match_length, series=series, sports=chosen
        ),
    )


_plain(admin, "reset", "Delete this server's leaderboard (asks to confirm)", Reset())

schedule = app_commands.Group(
    name="schedule", description="Scheduled quizzes in this server", parent=admin
)


@schedule.command(
    name="set", description="Post the daily question (or a quiz) here at a local time"
)
@app_commands.describe(
    time="24-hour HH:MM, e.g. 09:00",
    zone="IANA time zone, e.g. America/New_York",
    days="mon,wed,fri, weekdays or weekends (default: every day)",
    reveal="Daily question: reveal at this HH:MM (default: at the next post)",
    questions=f"Post a quiz of this many questions instead of the daily question (1-{MAX_MATCH})",
    channel="Where to post (default: this channel)",
    series="Only ask about this series or sport",
)
@app_commands.autocomplete(series=_series)
async def schedule_set(
    interaction: discord.Interaction[Any],
    time: str,
    zone: str,
    days: str | None = None,
    reveal: str | None = None,
    questions: app_commands.Range[int, 1, MAX_MATCH] | None = None,
    channel: discord.TextChannel | None = None,
    series: str | None = None,
) -> None:
    """Add a schedule."""
    where = None if channel is None else str(channel.id)
    command = ScheduleSet(
        at=time,
        zone=zone,
        days=days,
        questions=questions,
        series=series,
        reveal=reveal,
        channel=where,
    )
    await _bot(interaction).dispatch_command(interaction, command)


_plain(schedule, "list", "This server's schedules and when each fires next", ScheduleList())
_plain(schedule, "next", "When each schedule fires next, locally and in UTC", ScheduleList())
_numbered(schedule, "pause", "Pause a schedule")
_numbered(schedule, "resume", "Resume a paused schedule")
_numbered(schedule, "remove", "Delete a schedule")


class _Tree(app_commands.CommandTree["TriviaBot"]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """A command discord.py could not run (e.g. one this bot no longer has): say so
        privately instead of leaving the member with "The application did not respond"."""
        log.warning("could not run %s: %r", interaction.data, error)
        await _bot(interaction).send_failure(interaction)


def _refusal(exc: discord.HTTPException) -> str:
    """'404 Not Found (10062): Unknown interaction'."""
    return f"{exc.status} {exc.response.reason} ({exc.code}): {exc.text}"


class TriviaBot(discord.Client):
    """The Discord client: default intents only, no mentions ever."""

    def __init__(
        self,
        config: DiscordConfig,
        *,
        handle: Handler,
        series: Callable[[], Awaitable[list[str]]],
        sports: Callable[[], Awaitable[list[str]]],
        get_state: StateGet,
        set_state: StateSet,
        **options: Any,
    ) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=NO_MENTIONS, **options)
        self.config = config
        self.handle = handle
        self.series = series
        self.sports = sports
        self.get_state = get_state
        self.set_state = set_state
        self.tree: app_commands.CommandTree[TriviaBot] = _Tree(self)
        self.tree.add_command(trivia)
        self.tree.add_command(admin)

    async def setup_hook(self) -> None:
        """Register the buttons (they survive restarts) and sync commands if they changed."""
        self.add_dynamic_items(AnswerButton, GuessButton, ResetButton)
        await self.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Lock in a submitted guess form (see GuessForm); other interactions are routed
        by discord.py itself."""
        guess = _typed_guess(interaction)
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
        elsewhere = command.channel if isinstance(command, ScheduleSet) else None
        if isinstance(command, POSTS_LATER) and not _can_post(interaction, elsewhere):
            await self._send(interaction, CANNOT_POST_THERE if elsewhere else CANNOT_POST)
            return
        place = Place(PLATFORM, str(interaction.guild_id), str(interaction.channel_id))
        user = interaction.user
        name = user.display_name  # stored as typed; to_embed escapes markdown when rendering
        is_admin = interaction.permissions.manage_guild
        work = asyncio.ensure_future(self.handle(command, place, str(user.id), name, is_admin))
        done, _ = await asyncio.wait({work}, timeout=DEFER_AFTER)
        try:
            if not done:
                await self._defer(interaction)
            replies = await work
            for reply in replies:
                await self._reply(interaction, place, reply)
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
        self, interaction: discord.Interaction[Any], place: Place, reply: Reply
    ) -> None:
        """Answer the interaction; when Discord refuses (10062 after a slow call, 40060),
        log one line, and post a public reply (a question, a reveal) to the channel itself
        so it is not lost."""
        try:
            await self._send(interaction, reply)
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", interaction.id, _refusal(exc))
            if not reply.private:
                await self.post(place, reply)

    async def send_failure(self, interaction: discord.Interaction[Any]) -> None:
        """Tell the member privately that the bot failed, if Discord still lets us."""
        with contextlib.suppress(discord.HTTPException):
            await self._send(interaction, FAILED)

    async def _send(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
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
            await interaction.channel.send(embed=embed, allowed_mentions=NO_MENTIONS, **extra)

    async def post(self, place: Place, reply: Reply) -> None:
        """Post a reply that is not an answer to an interaction (a timed reveal)."""
        channel_id = int(place.channel)
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("cannot post to channel %s", channel_id)
            return
        view = to_view(reply)
        extra: dict[str, Any] = {"view": view} if view else {}
        await channel.send(embed=to_embed(reply), allowed_mentions=NO_MENTIONS, **extra)
