"""The /trivia command grammar, shared by every text-driven adapter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from trivia.schedule import is_days
from trivia.scoring import PERIODS
from trivia.settings import MAX_MATCH

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


@dataclass(frozen=True)
class Hint:
    """A private hint at the open question, or at one question (a button on its message)."""

    question_id: int | None = None


@dataclass(frozen=True)
class DailyResult:
    """The caller's spoiler-free result at the channel's latest revealed daily question,
    or at one daily (a button on its reveal)."""

    question_id: int | None = None


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
    daily_hints: bool | None = None


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
    """The channel's id, from a link (<#C42|quiz>) or Discord's option; or, with
    `channel_typed`, a name typed plainly (`#console-2`: the console's channels)."""
    channel_typed: bool = False


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
    | DailyResult
    | Hint
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
        return daily(" ".join(rest) or None)
    if verb == "hint" and not rest:
        return Hint()
    if verb == "admin":
        return _admin(rest)
    if verb == "help":
        return Help()
    return Help(f"Unknown command: {words[0][:40]}")


SETTINGS_USAGE = (
    "/trivia admin settings [window S] [length N] [series NAME|all] [sports NAMES|all]"
    " [daily_hints on|off]"
)
SCHEDULE_USAGE = (
    "/trivia admin schedule set HH:MM ZONE [days mon,wed|weekdays|weekends] [reveal HH:MM]"
    " [questions N] [channel #NAME] [series NAME|sport NAME], the bracketed parts in any order"
    " (without questions: the daily question; without channel: this one)"
)
ADMIN_USAGE = (
    f"Admin commands: {SETTINGS_USAGE}, /trivia admin reset, {SCHEDULE_USAGE}, "
    "/trivia admin schedule list|next, "
    "/trivia admin schedule pause|resume|remove NUMBER"
)
SETTINGS_CLAUSES = ("window", "length", "series", "sports", "daily_hints")
SCHEDULE_CLAUSES = ("days", "reveal", "questions", "channel", "series", "sport")
NAMED_CLAUSES = ("series", "sports", "sport")
ON_OFF = {"on": True, "off": False}
"""Clauses whose value is a name of several words ('Cup Series', 'Stock car racing')."""
_EXAMPLES = {
    "window": "window takes a number of seconds, e.g. window 30.",
    "length": "length takes a number of questions, e.g. length 5.",
    "series": "series takes a series or sport, e.g. series Cup Series or series all.",
    "sports": "sports takes sport names, e.g. sports Athletics, Swimming, or sports all.",
    "sport": "sport takes a sport, e.g. sport Athletics.",
    "daily_hints": "daily_hints takes on or off, e.g. daily_hints on.",
    "days": "days takes mon,wed,fri, weekdays or weekends.",
    "reveal": "reveal takes a time, e.g. reveal 21:00.",
    "questions": "questions takes a number, e.g. questions 5.",
    "channel": "channel takes a channel, e.g. channel #quiz.",
}


class _MisusedError(ValueError):
    """A clause typed wrongly; the message says how to type it."""


def _clauses(words: list[str], keywords: tuple[str, ...], usage: str) -> dict[str, list[str]]:
    """Split 'series Cup Series window 30' into {'series': ['Cup', 'Series'], 'window': ['30']},
    in any order. A name runs to the next keyword; a word that only days can be ('weekdays',
    'mon,wed') starts a days clause of its own where days are a keyword. The word 'series'
    inside a name ('Cup Series') starts a clause only when a name follows it."""
    found: dict[str, list[str]] = {}
    key: str | None = None
    for i, word in enumerate(words):
        folded = word.casefold()
        in_name = key in NAMED_CLAUSES and bool(found[key])
        if folded in keywords and not (
            folded == "series" and in_name and _ends(words[i + 1 :], keywords)
        ):
            key, value = folded, []
        elif "days" in keywords and is_days(word) and key != "days":
            key, value = "days", [word]
        elif key is not None and (
            key in NAMED_CLAUSES
            or not found[key]
            or (key == "days" and (is_days(word) or found[key][-1].endswith(",")))
        ):
            found[key].append(word)
            continue
        else:
            raise _MisusedError(f"Not understood: {word[:40]!r}. Usage: {usage}.")
        if key in found:
            raise _MisusedError(f"{key} is given twice.")
        found[key] = value
    for name, value in found.items():
        if not value:
            raise _MisusedError(_EXAMPLES[name])
    return found


def _ends(rest: list[str], keywords: tuple[str, ...]) -> bool:
    """True if nothing follows but the end or another clause: the word before is the last
    of a name ('Cup Series'), not the keyword 'series'."""
    return not rest or rest[0].casefold() in keywords or ("days" in keywords and is_days(rest[0]))


def _number(clauses: dict[str, list[str]], key: str) -> int | None:
    """A clause's whole number (None if the clause is not there)."""
    if key not in clauses:
        return None
    number = whole_number(clauses[key][0])
    if number is None:
        raise _MisusedError(_EXAMPLES[key])
    return number


def _admin(words: list[str]) -> Command:
    """'settings window 30 length 5 series Cup Series', 'settings', 'reset', 'schedule ...'."""
    if not words:
        return Invalid(ADMIN_USAGE)
    action, rest = words[0].casefold(), words[1:]
    if action == "reset" and not rest:
        return Reset()
    if action == "schedule":
        return _schedule(rest)
    if action != "settings":
        return Invalid(ADMIN_USAGE)
    try:
        clauses = _clauses(rest, SETTINGS_CLAUSES, SETTINGS_USAGE)
        window, length = _number(clauses, "window"), _number(clauses, "length")
    except _MisusedError as exc:
        return Invalid(str(exc))
    series = " ".join(clauses["series"]) if "series" in clauses else None
    sports = parse_sports(" ".join(clauses["sports"])) if "sports" in clauses else None
    hints = None
    if "daily_hints" in clauses:
        hints = ON_OFF.get(" ".join(clauses["daily_hints"]).casefold())
        if hints is None:
            return Invalid(_EXAMPLES["daily_hints"])
    return Configure(
        answer_window=window, match_length=length, series=series, sports=sports, daily_hints=hints
    )


def daily(text: str | None) -> Daily | DailyResult:
    """'/trivia daily' words: 'result' asks for the result to share, anything else is a
    guess (none: show the question)."""
    if text is not None and text.strip().casefold() == "result":
        return DailyResult()
    return Daily(text)


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
    """'set 09:00 Europe/London weekdays sport Athletics questions 2', 'list', ..."""
    if not words:
        return Invalid(ADMIN_USAGE)
    action, rest = words[0].casefold(), words[1:]
    if action in ("list", "next") and not rest:
        return ScheduleList()
    if action in ("pause", "resume", "remove") and len(rest) == 1:
        number = whole_number(rest[0])
        if number is not None:
            return ScheduleChange(action, number)
    if action != "set":
        return Invalid(ADMIN_USAGE)
    if len(rest) < 2:
        return Invalid(f"Usage: {SCHEDULE_USAGE}.")
    try:
        clauses = _clauses(rest[2:], SCHEDULE_CLAUSES, SCHEDULE_USAGE)
        questions = _number(clauses, "questions")
    except _MisusedError as exc:
        return Invalid(str(exc))
    if "series" in clauses and "sport" in clauses:
        return Invalid("Name one series or sport, not both.")
    named = clauses.get("series") or clauses.get("sport")
    channel, typed = None, False
    if "channel" in clauses:
        link = _CHANNEL.match(clauses["channel"][0])
        channel = link.group(1) if link else clauses["channel"][0].removeprefix("#")
        typed = link is None
    return ScheduleSet(
        at=rest[0],
        zone=rest[1],
        days=",".join(d.strip(",") for d in clauses["days"]) if "days" in clauses else None,
        questions=questions,
        series=" ".join(named) if named else None,
        reveal=clauses["reveal"][0] if "reveal" in clauses else None,
        channel=channel,
        channel_typed=typed,
    )
