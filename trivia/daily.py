"""The daily question: which record a date gets, its number, and daily streaks.

Every channel everywhere gets the same numbered question for a local date and pool (all
records, a series or a sport). A pool is dealt in cycles: each cycle is a fixed shuffle of
the records in the pool when it is dealt, so no record repeats within a cycle, and a cycle
never starts with the record that ended the one before. Dealt numbers are stored by
record key, so records imported later join the next cycle and never change a number
already dealt. Within a cycle, a record whose race fell on a day's month and day
("on this day") is moved to that day.

A pool carries a daily only with at least MIN_DAILY_RECORDS records it can ask. Its
daily is a guess at a margin in seconds; a pool whose margins are words (horse racing:
a nose, a head) gets a choice among four such margins instead, never a dead heat.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from random import Random

from trivia.bank import CHOICES, Bank, Pool
from trivia.margins import VERBAL_MARGINS, verbal_choice
from trivia.model import Event, QuestionKind

EPOCH = date(2026, 1, 1)
"""The local date of Daily #1."""

SPREAD_BANDS = (0.001, 0.01, 0.1)
"""Bands of distance from the true margin, in seconds, for the reveal's spread of guesses."""
MIN_DAILY_RECORDS = 7
"""The fewest records a daily schedule's pool may hold: a week of daily questions without
a repeat. A cycle is as many days as its pool has records, and the next cycle's order is
new, so a record can come back two days after it was asked at the seam; with fewer than a
week's records a player meets the same question again within days (with one record, every
day), which the daily streak, a run of consecutive days, makes plain."""
_VERBAL = re.compile(r"\b(?:short )?(?:head|neck)\b|\bnose\b")


class DailyForm(StrEnum):
    """How a pool's daily question is asked."""

    GUESS = "guess"
    """Guess the margin in seconds; the closest guesses score."""
    CHOICE = "choice"
    """Pick the margin in words (a nose, a head...) among four; right or wrong."""


@dataclass(frozen=True)
class DailyInfo:
    """What makes a question a channel's daily question."""

    number: int
    day: date
    previous_day: date | None
    """The schedule's previous local date: answering then and now continues a streak."""


@dataclass(frozen=True)
class DailyStreak:
    """A player's run of consecutive daily questions answered in one channel."""

    player_id: int
    current: int
    best: int
    last_day: date


@dataclass(frozen=True)
class DailyPool:
    """The records a pool's daily question is dealt from, and how it is asked."""

    series: str | None
    """The series or sport a schedule names (None: every record)."""
    form: DailyForm
    events: tuple[Event, ...]

    @property
    def name(self) -> str:
        """The name its deal is stored under ('all', 'Cup Series', 'Horse racing choice')."""
        pool = self.series or "all"
        return pool if self.form is DailyForm.GUESS else f"{pool} {self.form}"

    @property
    def days(self) -> int:
        """Days before a repeat: each record comes up once per cycle."""
        return len(self.events)

    @property
    def runs(self) -> bool:
        """True if the pool holds enough records for a daily question."""
        return self.days >= MIN_DAILY_RECORDS

    def describe(self) -> str:
        """'389 days before a repeat', or 'a choice of margins, 41 days before a repeat'."""
        form = "a choice of margins, " if self.form is DailyForm.CHOICE else ""
        return f"{form}{self.days} days before a repeat"


def verbal_others(event: Event) -> list[str]:
    """The margins in words a choice daily may offer as wrong answers: every official
    margin under half a length but the record's own and any reading its caveats or
    corrections mention (a widely printed 'by a nose' is not offered against a head)."""
    texts = [event.caveat or "", event.margin_caveat or "", *event.corrections]
    said = {verbal_choice(m) for text in texts for m in _VERBAL.findall(text.casefold())}
    own = verbal_choice(event.margin_display)
    return [m for m in VERBAL_MARGINS if m != own and m not in said]


def asks_choice(event: Event) -> bool:
    """True if a choice daily can ask this record (the bank has already checked that a
    margin question about it names one record and one clean pair, and no tie)."""
    return (
        event.margin_unit == "verbal"
        and verbal_choice(event.margin_display) in VERBAL_MARGINS
        and event.confidence == "high"
        and len(verbal_others(event)) >= CHOICES - 1
    )


def daily_pool(bank: Bank, series: str | None) -> DailyPool:
    """A schedule's daily pool: its undisputed margins in seconds when it has enough of
    them, else its margins in words when it has more of those."""
    pool = Pool(series)
    guess = tuple(e for k, e in bank.subjects if k is QuestionKind.GUESS_MARGIN and pool.admits(e))
    if len(guess) < MIN_DAILY_RECORDS:
        choice = tuple(
            e
            for k, e in bank.subjects
            if k is QuestionKind.MARGIN and pool.admits(e) and asks_choice(e)
        )
        if len(choice) > len(guess):
            return DailyPool(series, DailyForm.CHOICE, choice)
    return DailyPool(series, DailyForm.GUESS, guess)


def daily_refusal(bank: Bank, pool: DailyPool) -> str | None:
    """Why a pool cannot carry a daily question, naming pools that can; None if it can.
    The pools named are the sports of its records that can, else every sport that can."""
    if pool.runs:
        return None
    have = f"{pool.days} record{'s' * (pool.days != 1)}" if pool.days else "no record"
    named = pool.series or "The records"
    reason = (
        f"{named} {'hold' if pool.series is None else 'has'} {have} a daily question can ask,"
        f" and a daily needs {MIN_DAILY_RECORDS} (a week without a repeat)."
    )
    if pool.series is None or not daily_pool(bank, None).runs:
        return f"{reason} Import more records first."
    sports = [s for s in bank.sports if daily_pool(bank, s).runs]
    theirs = {e.sport for e in bank.records.events if Pool(pool.series).admits(e)}
    near = [s for s in sports if s in theirs and s != pool.series] or sports
    tries = "".join(f"{s}, " for s in near)
    return f"{reason} Try {tries}{'or ' * bool(near)}no series for all records."


def daily_number(day: date) -> int:
    """The number a local date's question carries: Daily #1 on EPOCH."""
    return (day - EPOCH).days + 1


def is_on_this_day(event: Event, day: date) -> bool:
    """True if the race was run on this month and day."""
    return (event.date.month, event.date.day) == (day.month, day.day)


def day_of(number: int) -> date:
    """The local date a daily number belongs to."""
    return EPOCH + timedelta(days=number - 1)


def deal_cycle(pool: Sequence[Event], first: int, previous: str | None, name: str) -> list[str]:
    """The record keys of a pool's cycle that starts at daily number `first`, in day order:
    on-this-day matches placed first, then a fixed shuffle of the rest; never starting
    with `previous`, the key that ended the cycle before."""
    if not pool:
        raise ValueError("the daily question needs at least one record")
    order = sorted(pool, key=lambda e: e.key)
    Random(f"photo-finish daily {name} {first}").shuffle(order)
    on_day: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in order:
        on_day[e.date.month, e.date.day].append(e)
    placed: dict[int, str] = {}
    for i in range(len(order)):
        day = day_of(first + i)
        if matches := on_day.get((day.month, day.day)):
            placed[i] = matches.pop(0).key
    taken = set(placed.values())
    rest = iter(e.key for e in order if e.key not in taken)
    keys = [placed[i] if i in placed else next(rest) for i in range(len(order))]
    if len(keys) > 1 and keys[0] == previous:
        keys[0], keys[1] = keys[1], keys[0]
    return keys


def advance_streaks(
    existing: Iterable[DailyStreak], answered: Iterable[int], info: DailyInfo
) -> list[DailyStreak]:
    """Streaks after a daily question is revealed: players who answered it extend their
    run if they also answered the schedule's previous day (else start at 1); everyone
    else with a live run drops to 0. Only changed streaks are returned."""
    by_player = {s.player_id: s for s in existing}
    changed = []
    for player_id in sorted(set(answered)):
        before = by_player.pop(player_id, None)
        if before is not None and before.last_day == info.day:
            continue
        carries = before is not None and before.current > 0 and before.last_day == info.previous_day
        current = before.current + 1 if before is not None and carries else 1
        best = max(current, before.best if before is not None else 0)
        changed.append(DailyStreak(player_id, current, best, info.day))
    changed += [
        replace(s, current=0) for s in by_player.values() if s.current > 0 and s.last_day < info.day
    ]
    return changed


def guess_spread(values: Iterable[float], truth: float) -> str:
    """How far the guesses were from the truth, e.g. 'within 0.001 s: 2 · within 0.01 s: 5'."""
    counts = [0] * (len(SPREAD_BANDS) + 1)
    for value in values:
        off = round(abs(value - truth), 9)
        band = next((i for i, limit in enumerate(SPREAD_BANDS) if off <= limit), len(SPREAD_BANDS))
        counts[band] += 1
    labels = [f"within {limit:g} s" for limit in SPREAD_BANDS] + ["further"]
    return " · ".join(f"{label}: {n}" for label, n in zip(labels, counts, strict=True) if n)
