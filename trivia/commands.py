"""The /trivia command grammar, shared by every text-driven adapter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from trivia.scoring import PERIODS
from trivia.settings import MAX_MATCH, MAX_WINDOW, MIN_WINDOW

_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Ask:
    """One quick question."""

    series: str | None = None


@dataclass(frozen=True)
class Start:
    """A match of N questions (None: the workspace's match length)."""

    count: int | None
    series: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer to the open question, or to one question (a button on its message)."""

    text: str
    question_id: int | None = None


@dataclass(frozen=True)
class Leaderboard:
    """The workspace leaderboard for a period, or this channel's daily streaks ('streak')."""

    period: str = "all"


@dataclass(frozen=True)
class Stats:
    """A player's stats: the caller's, or the named user's."""

    user: str | None = None


@dataclass(frozen=True)
class Daily:
    """Today's daily question in this channel; with a guess, an answer to it."""

    guess: str | None = None


@dataclass(frozen=True, kw_only=True)
class DailyPost:
    """The scheduler posts a local date's daily question (never parsed from text).

    The channel's previous daily question is revealed first, if still open."""

    day: date
    previous_day: date | None
    closes_at: datetime
    series: str | None = None


@dataclass(frozen=True)
class Stop:
    """End the channel's round after revealing the open question."""


@dataclass(frozen=True, kw_only=True)
class Configure:
    """An admin changes workspace settings; None leaves a setting as it is."""

    answer_window: int | None = None
    match_length: int | None = None
    series: str | None = None
    sports: tuple[str, ...] | None = None
    """Sport names, or ('all',)."""


@dataclass(frozen=True)
class Reset:
    """An admin clears the workspace leaderboard. Without `asked_at` it asks first; with
    it, it is the click that confirms the request made at that time."""

    asked_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ScheduleSet:
    """An admin schedules the daily question (questions None) or a quiz of N questions in
    a channel of this workspace (None: this one) at a local time; the daily question is
    revealed at `reveal` or at the next post."""

    at: str
    zone: str
    days: str | None = None
    questions: int | None = None
    series: str | None = None
    reveal: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class ScheduleList:
    """An admin lists this workspace's schedules and when each fires next."""


@dataclass(frozen=True)
class ScheduleChange:
    """An admin pauses, resumes or removes a schedule by number."""

    action: str
    schedule_id: int


@dataclass(frozen=True)
class Invalid:
    """A known command used wrongly; `problem` says how to use it."""

    problem: str


@dataclass(frozen=True)
class Help:
    """The command list; `problem` explains what was wrong with the input."""

    problem: str | None = None


Command = (
    Ask
    | Start
    | Answer
    | Leaderboard
    | Stats
    | Stop
    | Daily
    | DailyPost
    | Help
    | Invalid
    | Configure
    | Reset
    | ScheduleSet
    | ScheduleList
    | ScheduleChange
)
ADMIN_COMMANDS = (Configure, Reset, ScheduleSet, ScheduleList, ScheduleChange, DailyPost)
LEADERBOARDS = (*PERIODS, "streak")


def _series(words: list[str]) -> str | None:
    return " ".join(words) or None


def parse(text: str) -> Command:
    """Parse what follows '/trivia' (e.g. 'start 5', 'answer larson') into a command."""
    words = text.split()
    if not words:
        return Ask()
    verb, rest = words[0].casefold(), words[1:]
    if verb in ("play", "ask", "question", "q"):
        return Ask(_series(rest))
    if verb in ("start", "match"):
        if not rest:
            return Start(None)
        count = whole_number(rest[0])
        if count is None or not 1 <= count <= MAX_MATCH:
            return Invalid(f"A match is 1 to {MAX_MATCH} questions, e.g. /trivia start 5.")
        return Start(count, _series(rest[1:]))
    if verb in ("answer", "a", "guess"):
        if not rest:
            return Invalid("Type your answer after the command, e.g. /trivia answer B.")
        return Answer(" ".join(rest))
    if verb in ("leaderboard", "lb", "top"):
        period = rest[0].casefold() if rest else "all"
        if period not in LEADERBOARDS or len(rest) > 1:
            return Invalid("Leaderboards are week, month, all and streak.")
        return Leaderboard(period)
    if verb in ("stats", "me"):
        if len(rest) > 1:
            return Invalid("Name one player, e.g. /trivia stats @alice.")
        if not rest:
            return Stats()
        match = _MENTION.match(rest[0])
        return Stats(match.group(1) if match else rest[0].lstrip("@"))
    if verb in ("stop", "end"):
        return Stop()
    if verb == "daily":
        return Daily(" ".join(rest) or None)
    if verb == "admin":
        return _admin(rest)
    if verb == "help":
        return Help()
    return Help(f"Unknown command: {words[0][:40]}")


ADMIN_USAGE = (
    "Admin commands: /trivia admin settings [window SECONDS] [length N] [series NAME|all] "
    "[sports NAME, NAME|all], "
    "/trivia admin reset, /trivia admin schedule set HH:MM ZONE [days mon,wed|weekdays] "
    "[reveal HH:MM] [questions N] [channel #NAME] [series NAME|sport NAME] (without questions: the "
    "daily question; without channel: this one), "
    "/trivia admin schedule list|next, "
    "/trivia admin schedule pause|resume|remove NUMBER"
)


def _admin(words: list[str]) -> Command:
    """'settings window 30 length 5 series Cup Series', 'settings', or 'reset'."""
    if not words:
        return Invalid(ADMIN_USAGE)
    action, rest = words[0].casefold(), words[1:]
    if action == "reset" and not rest:
        return Reset()
    if action == "schedule":
        return _schedule(rest)
    if action != "settings":
        return Invalid(ADMIN_USAGE)
    window = length = None
    series = None
    sports = None
    while rest:
        key = rest.pop(0).casefold()
        if key in ("window", "length") and rest and (number := whole_number(rest[0])) is not None:
            rest.pop(0)
            window, length = (number, length) if key == "window" else (window, number)
        elif key == "series" and rest:
            series, rest = " ".join(rest), []
        elif key == "sports" and rest:
            sports, rest = parse_sports(" ".join(rest)), []
        else:
            return Invalid(SETTINGS_USAGE.get(key, SETTINGS_USAGE[""]))
    return Configure(answer_window=window, match_length=length, series=series, sports=sports)


SETTINGS_USAGE = {
    "window": f"The answer window is a whole number of seconds, {MIN_WINDOW} to {MAX_WINDOW},"
    " e.g. /trivia admin settings window 30.",
    "length": f"A match is 1 to {MAX_MATCH} questions, e.g. /trivia admin settings length 5.",
    "series": "Name a series or sport, or all, e.g. /trivia admin settings series Olympic Games.",
    "sports": "Name the sports, separated by commas, or all, e.g. /trivia admin settings"
    " sports Athletics, Swimming.",
    "": "Settings are window, length, series and sports, e.g. /trivia admin settings window 30.",
}
"""What to say when a setting is given wrongly (by its word; "" for an unknown word)."""


def whole_number(text: str, digits: int = 6) -> int | None:
    """A whole number typed with the digits 0-9 (not '²' or other digits int() refuses),
    at most `digits` long; None otherwise."""
    if not 1 <= len(text) <= digits or not all("0" <= c <= "9" for c in text):
        return None
    return int(text)


def parse_sports(text: str) -> tuple[str, ...]:
    """'Athletics, Swimming' -> ('Athletics', 'Swimming'); 'all' -> ('all',)."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return ("all",) if [n.casefold() for n in names] == ["all"] else names


def _schedule(words: list[str]) -> Command:
    """'set 09:00 Europe/London days weekdays reveal 21:00 series Cup Series', 'list', ..."""
    if not words:
        return Invalid(ADMIN_USAGE)
    action, rest = words[0].casefold(), words[1:]
    if action in ("list", "next") and not rest:
        return ScheduleList()
    if action in ("pause", "resume", "remove") and len(rest) == 1:
        number = whole_number(rest[0])
        if number is not None:
            return ScheduleChange(action, number)
    if action != "set" or len(rest) < 2:
        return Invalid(ADMIN_USAGE)
    at, zone, rest = rest[0], rest[1], rest[2:]
    days: str | None = None
    questions: int | None = None
    series = reveal = channel = None
    while rest:
        key = rest.pop(0).casefold()
        if key == "days" and rest:
            days = rest.pop(0)
        elif key == "reveal" and rest:
            reveal = rest.pop(0)
        elif key == "channel" and rest and (link := _CHANNEL.match(rest[0])):
            channel = link.group(1)
            rest.pop(0)
        elif key == "questions" and rest and (count := whole_number(rest[0])) is not None:
            questions, _ = count, rest.pop(0)
        elif key in ("series", "sport") and rest:
            series, rest = " ".join(rest), []
        else:
            return Invalid(ADMIN_USAGE)
    return ScheduleSet(
        at=at,
        zone=zone,
        days=days,
        questions=questions,
        series=series,
        reveal=reveal,
        channel=channel,
    )
