"""The daily result a player can paste anywhere: one line, no spoiler.

It names the daily's number, how far off the player was (in seconds, the unit of every
guess) or whether their pick was right, their place among that daily's answers, and their
daily streak; never a name, a venue or the margin itself.
"""

from __future__ import annotations

from decimal import Decimal

from trivia.daily import DailyStreak
from trivia.margins import seconds_text
from trivia.scoring import DEFAULT_STEP, Guess, rank_guesses
from trivia.store import AnswerRow, OpenQuestion


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def share_line(
    daily: OpenQuestion, answers: list[AnswerRow], player_id: int, streak: DailyStreak | None
) -> str | None:
    """'Photo Finish Daily #336: 0.002 s off, 3rd closest of 12, 12-day streak' for a
    revealed daily's final answers; None if the player did not answer it. The streak is
    shown while it is the one this daily extended (no later daily revealed yet)."""
    assert daily.daily is not None
    mine = next((a for a in answers if a.player_id == player_id), None)
    if mine is None:
        return None
    q = daily.question
    parts: list[str]
    if q.is_numeric and q.answer_value is not None and mine.value is not None:
        parts = _guess_parts(daily, answers, mine)
    else:
        right = [a for a in answers if a.correct]
        if mine.correct:
            place = right.index(mine) + 1
            parts = [f"right, {ordinal(place)} of {len(right)} right by time"]
        else:
            parts = [f"wrong ({len(right)} of {len(answers)} right)"]
    if mine.hinted:
        parts.append("with a hint")
    if streak is not None and streak.current > 0 and streak.last_day == daily.daily.day:
        parts.append(f"{streak.current}-day streak")
    return f"Photo Finish Daily #{daily.daily.number}: {', '.join(parts)}"


def _guess_parts(daily: OpenQuestion, answers: list[AnswerRow], mine: AnswerRow) -> list[str]:
    """How far off and which place, closest first as the reveal ranks them. The distance
    is left out when it reads the same as the margin (a guess of 0, or of twice it)."""
    q = daily.question
    truth = q.answer_value or 0.0
    step = q.answer_step or DEFAULT_STEP
    guesses = [Guess(a.id, a.value, i) for i, a in enumerate(answers) if a.value is not None]
    order = [answer_id for answer_id, _, _ in rank_guesses(guesses, truth, q.difficulty, step)]
    place = f"{ordinal(order.index(mine.id) + 1)} closest of {len(order)}"
    off = round(abs((mine.value or 0.0) - truth), 9)
    if off == 0:
        return ["spot on", place]
    places = max(0, -Decimal(str(step)).normalize().as_tuple().exponent)  # type: ignore[operator]
    printed = Decimal(f"{truth:.{places}f}")
    if Decimal(seconds_text(off)) == printed:
        return [place]
    return [f"{seconds_text(off)} s off", place]
