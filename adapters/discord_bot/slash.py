"""The slash-command tree: /trivia and /trivia-admin, each option becoming an engine command."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord_bot.hooks import bot_of
from trivia.commands import (
    LEADERBOARDS,
    Answer,
    Ask,
    Command,
    Configure,
    Help,
    Hint,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleList,
    ScheduleSet,
    Start,
    Stats,
    Stop,
    daily,
    parse_sports,
)
from trivia.settings import MAX_MATCH, MAX_WINDOW, MIN_WINDOW


def _matching(names: list[str], current: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=n, value=n) for n in names if current.casefold() in n.casefold()
    ][:25]


async def _series(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return _matching(await bot_of(interaction).series(), current)


async def _sports(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Sport names; after a comma, the next name of a list."""
    done, _, last = current.rpartition(",")
    prefix = f"{done}, " if done else ""
    names = ["all", *await bot_of(interaction).sports()]
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
    await bot_of(interaction).dispatch_command(interaction, Ask(series))


@trivia.command(name="start", description="Play a match of several questions")
@app_commands.describe(questions=f"How many questions (1-{MAX_MATCH})", series="Only this series")
@app_commands.autocomplete(series=_series)
async def start(
    interaction: discord.Interaction[Any],
    questions: app_commands.Range[int, 1, MAX_MATCH] | None = None,
    series: str | None = None,
) -> None:
    """A match of N questions."""
    await bot_of(interaction).dispatch_command(interaction, Start(questions, series))


@trivia.command(name="answer", description="Answer the open question: a letter, a name or a number")
async def answer(interaction: discord.Interaction[Any], text: str) -> None:
    """A free-text answer."""
    await bot_of(interaction).dispatch_command(interaction, Answer(text))


@trivia.command(name="leaderboard", description="Top players here, or this channel's daily streaks")
@app_commands.choices(period=[app_commands.Choice(name=p, value=p) for p in LEADERBOARDS])
async def leaderboard(interaction: discord.Interaction[Any], period: str = "all") -> None:
    """The leaderboard for a period."""
    await bot_of(interaction).dispatch_command(interaction, Leaderboard(period))


@trivia.command(name="stats", description="Answers, accuracy, streaks and rank")
async def stats(interaction: discord.Interaction[Any], member: discord.User | None = None) -> None:
    """Your stats, or a member's (also someone who has left the server since)."""
    await bot_of(interaction).dispatch_command(
        interaction, Stats(str(member.id) if member else None)
    )


def _plain(group: app_commands.Group, name: str, description: str, command: Command) -> None:
    """A subcommand with no options that always sends the same engine command."""

    @group.command(name=name, description=description)
    async def handler(interaction: discord.Interaction[Any]) -> None:
        await bot_of(interaction).dispatch_command(interaction, command)


def _numbered(group: app_commands.Group, action: str, description: str) -> None:
    """A schedule subcommand that takes a schedule number."""

    @group.command(name=action, description=description)
    @app_commands.describe(number="The schedule's number, as /trivia-admin schedule list shows")
    async def handler(interaction: discord.Interaction[Any], number: int) -> None:
        await bot_of(interaction).dispatch_command(interaction, ScheduleChange(action, number))


_plain(trivia, "stop", "Reveal the open question and end the match", Stop())


@trivia.command(name="daily", description="Today's daily question here, or your guess at it")
@app_commands.describe(
    guess="Your guess at the margin, in seconds (one guess each); 'result' for your result"
)
async def daily_command(interaction: discord.Interaction[Any], guess: str | None = None) -> None:
    """Show the daily question, lock in a guess, or ('result') the result to share."""
    await bot_of(interaction).dispatch_command(interaction, daily(guess))


_plain(
    trivia, "hint", "One private hint at the open question (an answer after it scores half)", Hint()
)
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
    daily_hints="Whether players may take a hint at the daily question",
)
@app_commands.autocomplete(series=_series, sports=_sports)
async def settings(
    interaction: discord.Interaction[Any],
    answer_window: app_commands.Range[int, MIN_WINDOW, MAX_WINDOW] | None = None,
    match_length: app_commands.Range[int, 1, MAX_MATCH] | None = None,
    series: str | None = None,
    sports: str | None = None,
    daily_hints: bool | None = None,
) -> None:
    """Workspace settings."""
    chosen = None if sports is None else parse_sports(sports)
    await bot_of(interaction).dispatch_command(
        interaction,
        Configure(
            answer_window=answer_window,
            match_length=match_length,
            series=series,
            sports=chosen,
            daily_hints=daily_hints,
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
    await bot_of(interaction).dispatch_command(interaction, command)


_plain(schedule, "list", "This server's schedules and when each fires next", ScheduleList())
_plain(schedule, "next", "When each schedule fires next, locally and in UTC", ScheduleList())
_numbered(schedule, "pause", "Pause a schedule")
_numbered(schedule, "resume", "Resume a paused schedule")
_numbered(schedule, "remove", "Delete a schedule")
