"""How players type the commands on each platform, for help and for hints in replies.

Text adapters (console, Slack) read one line after /trivia (trivia.commands.parse), and
the console has a few commands of its own; Discord has slash commands with named options
and a separate /trivia-admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from trivia.settings import MAX_MATCH


@dataclass(frozen=True)
class Usage:
    """Command spellings for one platform."""

    play: str
    daily_guess: str
    daily_pick: str
    schedule_example: str
    settings: str
    commands: tuple[tuple[str, str], ...]


TEXT = Usage(
    play="/trivia",
    daily_guess="/trivia daily 0.005",
    daily_pick="a button or /trivia daily B",
    schedule_example="/trivia admin schedule set 09:00 Europe/London",
    settings="/trivia admin settings",
    commands=(
        ("/trivia", "ask one question"),
        ("/trivia start N", f"play a match of N questions (1-{MAX_MATCH})"),
        ("/trivia answer TEXT", "lock in your answer: a letter, a name or a number"),
        ("/trivia leaderboard [week|month|all|streak]", "top players here, or daily streaks"),
        ("/trivia stats [@user]", "answered, accuracy, streaks and rank"),
        ("/trivia stop", "reveal the open question and end the match"),
        ("/trivia daily [GUESS]", "today's daily question; with a number or letter, your answer"),
        ("/trivia daily result", "your spoiler-free result at the last daily, to paste anywhere"),
        ("/trivia hint", "one private hint at the open question (an answer after it scores half)"),
        ("/trivia help", "this list"),
        ("/trivia admin ...", "settings and leaderboard reset (admins only)"),
    ),
)

CONSOLE = replace(
    TEXT,
    commands=(
        *TEXT.commands,
        ("/as NAME", "play as someone else (several players at one keyboard)"),
        ("/confirm", "confirm a leaderboard reset (the console has no buttons)"),
        ("/quit", "leave (or Ctrl-D); every locked answer is already saved"),
    ),
)

DISCORD = Usage(
    play="/trivia play",
    daily_guess="the Guess button or /trivia daily guess:0.005",
    daily_pick="a button or /trivia daily guess:B",
    schedule_example="/trivia-admin schedule set time:09:00 zone:Europe/London",
    settings="/trivia-admin settings",
    commands=(
        ("/trivia play [series]", "ask one question"),
        ("/trivia start [questions] [series]", f"play a match (1-{MAX_MATCH} questions)"),
        ("/trivia answer text", "lock in your answer: a letter, a name or a number"),
        ("/trivia leaderboard [period]", "top players here (week, month, all), or streaks"),
        ("/trivia stats [member]", "answered, accuracy, streaks and rank"),
        ("/trivia stop", "reveal the open question and end the match"),
        (
            "/trivia daily [guess]",
            "today's daily question; with a number or letter, your answer; with 'result',"
            " your spoiler-free result at the last daily",
        ),
        ("/trivia hint", "one private hint at the open question (an answer after it scores half)"),
        ("/trivia help", "this list"),
        ("/trivia-admin ...", "settings, leaderboard reset and schedules (admins only)"),
    ),
)


def usage_for(platform: str) -> Usage:
    """The spellings for a place's platform ("discord", "console", or another text one)."""
    return {"discord": DISCORD, "console": CONSOLE}.get(platform, TEXT)


CONSOLE_CHANNEL = re.compile(r"^console(?:-(?:[2-9]|[1-9]\d+))?$")
"""The console's channels: one per console playing on a database (console, console-2, ...)."""


def typed_channel_problem(platform: str, name: str) -> str | None:
    """Why a channel typed as a plain name (`channel #quiz`, not a link) cannot be posted
    in, or None if it can: in the console, where channels are the consoles' own, it can;
    on Slack a channel picked from the list arrives as a link, so a plain name is none."""
    if platform == "console":
        if CONSOLE_CHANNEL.match(name):
            return None
        return (
            "In the console the channels are the consoles' own: console, console-2, and so on"
            f" (a second console on this database plays in console-2); #{name[:40]} is not one."
        )
    return f"#{name[:40]} is not a channel link: type # and pick the channel from the list."
