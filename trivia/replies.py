"""Platform-neutral replies and the text the engine says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Literal

from trivia.daily import DailyStreak, guess_spread
from trivia.hints import KEPT
from trivia.margins import seconds_text
from trivia.model import CHOICE_LETTERS, Question
from trivia.schedule import Schedule, describe_days, next_slot
from trivia.scoring import BASE_POINTS, CLOSENESS_SHARE, GUESS_SHARES, SPEED_BONUS_SHARE
from trivia.settings import Settings
from trivia.store import AnswerRow, OpenQuestion, PlayerStats, Standing, StreakStanding
from trivia.usage import Usage

GUESSES_SHOWN = 5
"""How many of the closest guessers (and longest daily streaks) a reveal names."""
PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}


class ReplyKind(StrEnum):
    """What a reply is, so adapters can style it."""

    QUESTION = "question"
    LOCKED = "locked"
    REVEAL = "reveal"
    MATCH_END = "match_end"
    LEADERBOARD = "leaderboard"
    STATS = "stats"
    HELP = "help"
    ERROR = "error"
    SETTINGS = "settings"
    CONFIRM = "confirm"
    NOTICE = "notice"


class ButtonKind(Enum):
    """What a click on a button does; adapters dispatch on it."""

    ANSWER = "answer"
    """Answers the reply's question with the button's choice letter."""
    GUESS = "guess"
    """Asks the player to type an answer to the reply's question (e.g. in a form)."""
    RESET_CONFIRM = "reset-confirm"
    """Confirms the leaderboard reset asked for at the button's time."""
    HINT = "hint"
    """Gives the clicker a private hint at the reply's question."""
    SHARE = "share"
    """Gives the clicker their spoiler-free result at the reply's (revealed) daily."""


@dataclass(frozen=True)
class ChoiceButton:
    """Answers the reply's question with one choice."""

    letter: str
    kind: Literal[ButtonKind.ANSWER] = field(default=ButtonKind.ANSWER, init=False)

    @property
    def label(self) -> str:
        """The button's text: its letter."""
        return self.letter


@dataclass(frozen=True)
class GuessButton:
    """Asks for a typed answer to the reply's question."""

    label: str
    kind: Literal[ButtonKind.GUESS] = field(default=ButtonKind.GUESS, init=False)


@dataclass(frozen=True)
class ResetConfirmButton:
    """Confirms the leaderboard reset asked for at `asked_at` (the engine refuses it once
    expired)."""

    asked_at: datetime
    label: str = "Reset leaderboard"
    kind: Literal[ButtonKind.RESET_CONFIRM] = field(default=ButtonKind.RESET_CONFIRM, init=False)


@dataclass(frozen=True)
class HintButton:
    """Gives the clicker a private hint at the reply's question."""

    label: str = "Hint"
    kind: Literal[ButtonKind.HINT] = field(default=ButtonKind.HINT, init=False)


@dataclass(frozen=True)
class ShareButton:
    """Gives the clicker their spoiler-free result at the reply's revealed daily."""

    label: str = "Share result"
    kind: Literal[ButtonKind.SHARE] = field(default=ButtonKind.SHARE, init=False)


Button = ChoiceButton | GuessButton | ResetConfirmButton | HintButton | ShareButton
"""A button on a reply; `kind` tells which, and narrows to its payload."""


@dataclass(frozen=True)
class Reply:
    """One message for an adapter to render: public to the channel or private to the user."""

    kind: ReplyKind
    title: str
    body: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    private: bool = False
    question_id: int | None = None
    picture: str | None = None
    """The key of the record whose finish a picture shows with this reply (a reveal)."""


def error(text: str) -> Reply:
    """A short private reply to bad input."""
    return Reply(ReplyKind.ERROR, text, private=True)


FAILED = error("Something went wrong on our side. Please try again in a moment.")
"""What a member hears when the bot fails before it could answer (the fault is logged)."""


def question_reply(open_q: OpenQuestion, window: float) -> Reply:
    """The question as posted in the channel, with one button per choice."""
    q = open_q.question
    title = f"Question {open_q.seq}/{open_q.total}" if open_q.total > 1 else "Trivia"
    lines = [q.prompt]
    lines += [f"{CHOICE_LETTERS[i]}) {c.label}" for i, c in enumerate(q.choices)]
    how = "Type a number in seconds" if q.is_numeric else "Pick a letter"
    lines.append(f"{how}: /trivia answer ... ({window:g} s, {q.difficulty} difficulty)")
    buttons: tuple[Button, ...] = tuple(
        ChoiceButton(CHOICE_LETTERS[i]) for i in range(len(q.choices))
    )
    if q.is_numeric or len(q.choices) > KEPT:
        buttons += (HintButton(),)
    return Reply(
        ReplyKind.QUESTION, title, "\n".join(lines), buttons=buttons, question_id=open_q.id
    )


def daily_reply(open_q: OpenQuestion, *, private: bool, usage: Usage, hints: bool = False) -> Reply:
    """The daily question: posted in the channel, or shown again to one player; a guess
    in seconds with a button opening a form, or a choice with a button per choice."""
    assert open_q.daily is not None
    q = open_q.question
    reveal = f"{open_q.closes_at:%H:%M} UTC on {open_q.closes_at:%a %-d %b}"
    buttons: tuple[Button, ...]
    if q.is_numeric:
        lines = [q.prompt, f"Guess in seconds with {usage.daily_guess}: one guess each,"]
        buttons = (GuessButton("Guess the margin"),)
    else:
        lines = [q.prompt, *(f"{CHOICE_LETTERS[i]}) {c.label}" for i, c in enumerate(q.choices))]
        lines.append(f"Answer with {usage.daily_pick}: one answer each,")
        buttons = tuple(ChoiceButton(CHOICE_LETTERS[i]) for i in range(len(q.choices)))
    lines[-1] += f" kept private until the reveal at {reveal}."
    if hints:
        lines.append("Hints are on: one each, and an answer after a hint scores half.")
        buttons = (*buttons, HintButton())
    return Reply(
        ReplyKind.QUESTION,
        f"Daily #{open_q.daily.number}",
        "\n".join(lines),
        buttons=buttons,
        private=private,
        question_id=open_q.id,
    )


def locked_reply(question: Question, choice_index: int | None, value: float | None) -> Reply:
    """Private confirmation that an answer is locked."""
    if choice_index is not None:
        shown = f"{CHOICE_LETTERS[choice_index]} ({question.choices[choice_index].label})"
    else:
        shown = f"{seconds_text(value or 0.0)} s"
    return Reply(ReplyKind.LOCKED, f"Locked in: {shown}", private=True)


def _answer_line(q: Question) -> str:
    if q.answer_index is None:
        return q.answer_text
    return f"{CHOICE_LETTERS[q.answer_index]}) {q.answer_text}"


def reveal_reply(
    open_q: OpenQuestion, answers: list[AnswerRow], streaks: list[tuple[str, int]] | None = None
) -> Reply:
    """The public reveal: answer, explanation, caveat, source, spread and who was right;
    for a daily question, also the daily streaks of those who played."""
    q = open_q.question
    fields: list[tuple[str, str]] = []
    if q.is_numeric:
        truth = q.answer_value or 0.0
        ranked = sorted(
            (a for a in answers if a.points > 0 and a.value is not None),
            key=lambda a: (round(abs((a.value or 0.0) - truth), 9), a.answered_at),
        )
        right = ", ".join(
            f"{a.player_name} {seconds_text(a.value or 0.0)} s (+{a.points})"
            for a in ranked[:GUESSES_SHOWN]
        )
        fields.append(("Closest", right or "Nobody guessed."))
        values = sorted(a.value for a in answers if a.value is not None)
        if values:
            fields.append(("Guesses", _guess_range(values)))
            if q.answer_value is not None:
                fields.append(("Spread", guess_spread(values, q.answer_value)))
    else:
        counts = Counter(a.choice_index for a in answers)
        fields.append(
            (
                "Answers",
                "  ".join(f"{CHOICE_LETTERS[i]}: {counts[i]}" for i in range(len(q.choices))),
            )
        )
        right = ", ".join(f"{a.player_name} (+{a.points})" for a in answers if a.correct)
        fields.append(("Right", right or "Nobody got it."))
    hinted = [a.player_name for a in answers if a.hinted]
    if hinted:
        fields.append(("Took a hint (half points)", ", ".join(hinted)))
    if open_q.daily is not None:
        best = sorted(streaks or [], key=lambda s: (-s[1], s[0]))[:GUESSES_SHOWN]
        shown = ", ".join(f"{name} {days} day{'s' * (days != 1)}" for name, days in best)
        fields.append(("Daily streaks", shown or "Nobody played today."))
    if q.caveat:
        fields.append(("Caveat", q.caveat))
    fields.append(("Source", "; ".join(f"{s.publisher}: {s.url}" for s in q.sources)))
    daily = f"Daily #{open_q.daily.number}. " if open_q.daily is not None else ""
    return Reply(
        ReplyKind.REVEAL,
        f"{daily}Answer: {_answer_line(q)}",
        q.explanation,
        fields=tuple(fields),
        buttons=(ShareButton(),) if open_q.daily is not None else (),
        question_id=open_q.id,
        picture=q.event_keys[0],
    )


def _guess_range(values: list[float]) -> str:
    """'3, from 0.001 s to 0.004 s', or '1: 0.002 s' when there is nothing to span."""
    if values[0] == values[-1]:
        every = "" if len(values) == 1 else "all "
        return f"{len(values)}: {every}{seconds_text(values[0])} s"
    return f"{len(values)}, from {seconds_text(values[0])} s to {seconds_text(values[-1])} s"


def match_end_reply(scores: list[tuple[str, int]]) -> Reply:
    """The final table of a match."""
    lines = [f"{i}. {name}: {points} pts" for i, (name, points) in enumerate(scores, start=1)]
    return Reply(ReplyKind.MATCH_END, "Match over", "\n".join(lines) or "Nobody answered.")


def leaderboard_reply(period: str, rows: list[Standing]) -> Reply:
    """The top players for a period."""
    title = f"Leaderboard: {PERIOD_TITLES[period]}"
    if not rows:
        return Reply(ReplyKind.LEADERBOARD, title, f"No answers yet {PERIOD_TITLES[period]}.")
    lines = [
        f"{r.rank}. {r.name}: {r.points} pts ({r.correct}/{r.answered} right"
        f"{f', {r.pending} pending' if r.pending else ''})"
        for r in rows
    ]
    return Reply(ReplyKind.LEADERBOARD, title, "\n".join(lines))


def streak_leaderboard_reply(rows: list[StreakStanding]) -> Reply:
    """The channel's longest daily streaks."""
    title = "Leaderboard: daily streaks"
    if not rows:
        return Reply(ReplyKind.LEADERBOARD, title, "No daily streaks in this channel yet.")
    lines = [f"{r.rank}. {r.name}: {r.current} now (best {r.best})" for r in rows]
    return Reply(ReplyKind.LEADERBOARD, title, "\n".join(lines))


def _gap(me: PlayerStats, other: Standing, word: str) -> str:
    diff = abs(other.points - me.points)
    return f"{diff} point{'s' * (diff != 1)} {word} #{other.rank} {other.name}"


def stats_reply(
    stats: PlayerStats, private: bool, daily: DailyStreak | None = None, anywhere: bool = False
) -> Reply:
    """A player's totals, streaks (daily: in this channel, or `anywhere`: the longest in
    the workspace) and rank with neighbours."""
    accuracy = f"{100 * stats.correct / stats.answered:.0f}%" if stats.answered else "n/a"
    rank = f"#{stats.rank} of {stats.players}"
    if stats.above:
        rank += f", {_gap(stats, stats.above, 'behind')}"
    if stats.below:
        rank += f", {_gap(stats, stats.below, 'ahead of')}"
    fields = (
        ("Points", str(stats.points)),
        ("Answered", f"{stats.answered}{f', {stats.pending} pending' if stats.pending else ''}"),
        ("Correct", f"{stats.correct} ({accuracy})"),
        ("Streak", f"{stats.streak} now, best {stats.best_streak}"),
        (
            "Daily streak (longest here)" if anywhere else "Daily streak",
            f"{daily.current} now, best {daily.best}" if daily else "0",
        ),
        ("Rank", rank),
    )
    return Reply(ReplyKind.STATS, f"Stats: {stats.name}", fields=fields, private=private)


def help_reply(usage: Usage, problem: str | None = None) -> Reply:
    """The command list and scoring rules, privately."""
    lines = [f"{spelling}: {what}" for spelling, what in usage.commands]
    bases = ", ".join(f"{d} {p}" for d, p in BASE_POINTS.items())
    shares = "/".join(f"{s:.0%}" for s in GUESS_SHARES)
    lines.append(
        f"Scoring: {bases} points, plus up to {SPEED_BONUS_SHARE:.0%} more for a fast answer. "
        f"Guess-the-margin: the three closest guesses get {shares} of the points, the rest"
        f" up to {CLOSENESS_SHARE:.0%} by how close they came. An answer after a hint"
        " scores half, rounded down."
    )
    title = problem or "Photo Finish trivia"
    return Reply(ReplyKind.HELP, title, "\n".join(lines), private=True)


def confirm_reset(now: datetime) -> Reply:
    """Ask an admin to confirm a leaderboard reset with a button."""
    return Reply(
        ReplyKind.CONFIRM,
        "Reset this server's leaderboard?",
        "Every answer and point here is deleted for good. Nothing else changes.",
        buttons=(ResetConfirmButton(now),),
        private=True,
    )


def notice(text: str) -> Reply:
    """A short public announcement."""
    return Reply(ReplyKind.NOTICE, text)


def settings_reply(settings: Settings) -> Reply:
    """The workspace's current game settings, privately."""
    fields = (
        ("Answer window", f"{settings.answer_window:g} s"),
        ("Match length", f"{settings.match_length} questions"),
        ("Series", settings.series or "all"),
        ("Sports", ", ".join(sorted(settings.sports)) if settings.sports else "all"),
        ("Daily hints", "on" if settings.daily_hints else "off"),
    )
    return Reply(ReplyKind.SETTINGS, "Trivia settings", fields=fields, private=True)


def hint_reply(open_q: OpenQuestion, hint: str) -> Reply:
    """A player's hint at a question, privately (the same words each time they ask)."""
    what = f"Daily #{open_q.daily.number}" if open_q.daily is not None else "this question"
    return Reply(
        ReplyKind.NOTICE,
        f"Hint for {what}",
        f"{hint} Your answer to it now scores half.",
        private=True,
        question_id=open_q.id,
    )


def share_reply(line: str) -> Reply:
    """A player's daily result, privately, to copy and paste anywhere."""
    return Reply(
        ReplyKind.NOTICE,
        line,
        "Copy it and paste it anywhere: it gives nothing away.",
        private=True,
    )


def notice_private(text: str) -> Reply:
    """A short confirmation for the person who asked."""
    return Reply(ReplyKind.NOTICE, text, private=True)


@dataclass(frozen=True)
class DailyState:
    """What a schedule listing says of a daily schedule's pool."""

    runs: str
    """How long it runs: '389 days before a repeat'."""
    refusal: str | None = None
    """Why it posts nothing, if it cannot carry a daily question."""


def schedules_reply(
    schedules: list[Schedule],
    now: datetime,
    usage: Usage,
    dailies: Mapping[str | None, DailyState] | None = None,
) -> Reply:
    """The workspace's schedules with when each fires next, in its zone and in UTC, and
    for a daily question (`dailies`, by series) how long it runs before a repeat, or why
    it posts nothing."""
    fields = []
    for s in schedules:
        daily = (dailies or {}).get(s.series) if s.questions is None else None
        _, instant = next_slot(s.timing, now)
        local = instant.astimezone(s.timing.tz)
        if s.questions is None:
            what = "daily question, revealed " + (
                f"at {s.reveal_at:%H:%M}" if s.reveal_at else "at the next post"
            )
        else:
            what = f"{s.questions} question{'s' * (s.questions != 1)}"
        state = "paused" if s.paused else f"next {local:%a %d %b %H:%M} {s.timing.zone}"
        state += "" if s.paused else f" ({instant:%H:%M} UTC)"
        if daily is not None and daily.refusal is not None:
            state = f"{'paused; ' * s.paused}not posting: {daily.refusal}"
        elif daily is not None:
            state += f"; {daily.runs}"
        line = (
            f"{s.timing.at:%H:%M} {s.timing.zone}, {describe_days(s.timing.days)}, {what}"
            f"{', ' + s.series if s.series else ''} in channel {s.place.channel}; {state}"
        )
        if s.last_error and not (daily and daily.refusal and daily.refusal in s.last_error):
            line += f"; last post failed: {s.last_error}"
        fields.append((f"#{s.id}", line))
    body = "" if schedules else f"No schedules yet: {usage.schedule_example}"
    return Reply(ReplyKind.SETTINGS, "Scheduled quizzes", body, fields=tuple(fields), private=True)
