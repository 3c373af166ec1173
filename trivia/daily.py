"""The daily question: which record a date gets, its number, and daily streaks.

Every channel everywhere gets the same numbered question for a local date and pool (all
records, a series or a sport). A pool is dealt in cycles: each cycle is a fixed shuffle of
the records in the pool when it is dealt, so no record repeats within a cycle, and a cycle
never starts with the record that ended the one before. Dealt numbers are stored by
record key, so records imported later join the next cycle and never change a number
already dealt. Within a cycle, a record whose race fell on a day's month and day
("on this day") is moved to that day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random

from trivia.model import Event

EPOCH = date(2026, 1, 1)
"""The local date of Daily #1."""

SPREAD_BANDS = (0.001, 0.01, 0.1)
"""Bands of distance from the true margin, in seconds, for the reveal's spread of guesses."""


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
