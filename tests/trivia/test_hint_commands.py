"""Hints and the daily result through the engine, on the SQLite store and the in-memory one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from tests.conftest import T0
from tests.trivia.conftest import EngineStore
from tests.trivia.test_engine import PLACE, actor, engine, open_question
from trivia.commands import (
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    DailyPost,
    DailyResult,
    Hint,
    Stop,
    parse,
)
from trivia.daily import daily_number
from trivia.engine import Engine
from trivia.hints import margin_hint
from trivia.model import CHOICE_LETTERS
from trivia.replies import ButtonKind, Reply, ReplyKind, question_reply
from trivia.scoring import BASE_POINTS, answer_points
from trivia.store import OpenQuestion


async def ask_until(eng: Engine, wanted: Callable[[OpenQuestion], bool]) -> OpenQuestion:
    """Ask until the open question is one `wanted` takes."""
    now = T0
    for _ in range(80):
        await eng.handle(Ask(), actor("host", now))
        found = await open_question(eng.store)
        if wanted(found):
            return found
        await eng.handle(Stop(), actor("host", now))
        now += timedelta(seconds=1)
    raise AssertionError("no such question in 80 tries")


def four_choices(q: OpenQuestion) -> bool:
    return len(q.question.choices) == 4


async def one(eng: Engine, command: Command, who: str, seconds: float = 0) -> Reply:
    """The one reply to a command sent `seconds` after T0."""
    outcome = await eng.handle(command, actor(who, T0 + timedelta(seconds=seconds)))
    [reply] = outcome.replies
    return reply


def buttons(reply: Reply) -> list[ButtonKind]:
    return [b.kind for b in reply.buttons]


async def test_a_choice_hint_takes_two_wrong_choices_away_and_halves_the_points(
    store: EngineStore,
) -> None:
    """The hint names two wrong letters and the two left (the answer one of them), says
    the same when asked again, and the answer after it scores half (rounded down) while
    another player's scores whole; the reveal names who took one."""
    eng = engine(store)
    q = await ask_until(eng, four_choices)
    right = q.question.answer_index
    assert right is not None
    hint = await one(eng, Hint(), "ann", 1)
    assert hint.private
    assert hint.kind is ReplyKind.NOTICE
    kept = [CHOICE_LETTERS[i] for i in range(4) if f"{CHOICE_LETTERS[i]}) " in hint.body]
    assert len(kept) == 2
    assert CHOICE_LETTERS[right] in kept
    gone = [c for c in CHOICE_LETTERS if c not in kept]
    assert hint.body.startswith(f"Not {gone[0]} or {gone[1]}. Still in: ")
    assert (await one(eng, Hint(question_id=q.id), "ann", 2)).body == hint.body
    assert (await one(eng, Hint(), "bea", 2)).body == hint.body  # the same for everyone

    letter = CHOICE_LETTERS[right]
    await one(eng, Answer(letter), "ann", 3)
    await one(eng, Answer(letter), "cy", 3)
    full = answer_points(q.question.difficulty, correct=True, elapsed=3, window=30)
    points = {a.player_name: a.points for a in await eng.store.answers(q.id)}
    assert points == {"Ann": full // 2, "Cy": full}
    assert await one(eng, Hint(), "ann", 4) == hint  # still the same after answering

    outcome = await eng.handle(Stop(), actor("host", T0 + timedelta(seconds=5)))
    [reveal] = [e.reply for e in outcome.announced()]
    assert dict(reveal.fields)["Took a hint (half points)"] == "Ann"
    assert f"Ann (+{full // 2})" in dict(reveal.fields)["Right"]


async def test_a_guess_hint_gives_the_order_of_magnitude_and_the_reveal_halves(
    store: EngineStore,
) -> None:
    """At a margin guess the hint is the margin's order of magnitude; the guess after it
    is ranked as any other at the reveal and scores half of its place's points."""
    eng = engine(store)
    q = await ask_until(eng, lambda found: found.question.is_numeric)
    bank = await eng.bank()
    hint = await one(eng, Hint(), "ann", 1)
    assert hint.body.startswith(margin_hint(bank.by_key[q.question.event_keys[0]]) or "?")
    assert hint.body.startswith("The margin is ")
    assert q.question.answer_value is not None
    await one(eng, Answer(f"{q.question.answer_value:g}"), "ann", 2)
    await eng.handle(Stop(), actor("host", T0 + timedelta(seconds=3)))
    [mine] = await eng.store.answers(q.id)
    assert mine.hinted
    assert mine.points == BASE_POINTS[q.question.difficulty] // 2


async def test_hints_refused_with_a_short_private_reply(store: EngineStore) -> None:
    """No hint with no question open, after answering, or at a true-or-false question
    (taking one choice away would give it); none of these is kept."""
    eng = engine(store)
    none = await one(eng, Hint(), "ann")
    assert none.kind is ReplyKind.ERROR
    assert none.title.startswith("No question is open here")
    q = await ask_until(eng, four_choices)
    await one(eng, Answer("A"), "bea", 1)
    late = await one(eng, Hint(), "bea", 2)
    assert late.kind is ReplyKind.ERROR
    assert "already locked in" in late.title
    await eng.handle(Stop(), actor("host", T0 + timedelta(seconds=3)))
    assert [a.hinted for a in await eng.store.answers(q.id)] == [False]
    truth = await ask_until(eng, lambda found: len(found.question.choices) == 2)
    assert ButtonKind.HINT not in buttons(question_reply(truth, 30))
    given = await one(eng, Hint(), "bea", 1)
    assert given.kind is ReplyKind.ERROR
    assert given.title.startswith("No hint for this question")
    await one(eng, Answer("A"), "bea", 2)
    await eng.handle(Stop(), actor("host", T0 + timedelta(seconds=3)))
    assert [a.hinted for a in await eng.store.answers(truth.id)] == [False]


async def test_daily_hints_are_off_until_an_admin_turns_them_on(store: EngineStore) -> None:
    """At the daily question a hint is refused, and no Hint button shown, until an admin
    sets daily_hints on; then the daily carries the button and the hint is given."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    post = DailyPost(day=T0.date(), previous_day=None, closes_at=T0 + timedelta(days=1))
    [posted] = (await eng.handle(post, admin)).replies
    assert ButtonKind.HINT not in buttons(posted)
    refused = await one(eng, Hint(), "bea", 1)
    assert refused.kind is ReplyKind.ERROR
    assert refused.title.startswith("Hints are off for the daily question here")
    assert "daily_hints on" in refused.title

    assert parse("admin settings daily_hints on") == Configure(daily_hints=True)
    [shown] = (await eng.handle(Configure(daily_hints=True), admin)).replies
    assert dict(shown.fields)["Daily hints"] == "on"
    [again] = (await eng.handle(Daily(), actor("bea", T0 + timedelta(seconds=2)))).replies
    assert ButtonKind.HINT in buttons(again)
    hint = await one(eng, Hint(question_id=again.question_id), "bea", 3)
    assert hint.title == f"Hint for Daily #{daily_number(T0.date())}"
    assert hint.body.startswith("The margin is ")


async def test_the_daily_result_is_one_spoiler_free_line_after_the_reveal(
    store: EngineStore,
) -> None:
    """Before the reveal the result is refused; after it, a player who guessed gets the
    line (from the command or the reveal's Share button), one who did not is told so."""
    eng = engine(store)
    admin = replace(actor("host", T0), admin=True)
    day = T0.date()
    n = daily_number(day)
    await eng.handle(
        DailyPost(day=day, previous_day=None, closes_at=T0 + timedelta(hours=12)), admin
    )
    daily = await store.open_daily(PLACE)
    assert daily is not None
    assert daily.question.answer_value is not None
    truth = daily.question.answer_value
    await one(eng, Daily(f"{truth + 0.002:.3f}"), "ann", 60)
    await one(eng, Daily(f"{truth:g}"), "bea", 61)
    early = await one(eng, parse("daily result"), "ann", 62)
    assert early.kind is ReplyKind.ERROR
    assert early.title.startswith(f"Daily #{n} is not revealed yet")

    next_day = DailyPost(
        day=day + timedelta(days=1), previous_day=day, closes_at=T0 + timedelta(days=1, hours=12)
    )
    outcome = await eng.handle(next_day, replace(admin, now=T0 + timedelta(days=1)))
    [reveal] = [e.reply for e in outcome.announced()]
    assert ButtonKind.SHARE in buttons(reveal)
    later = timedelta(days=1, minutes=1).total_seconds()
    mine = await one(eng, DailyResult(reveal.question_id), "ann", later)
    assert mine.private
    assert mine.title == f"Photo Finish Daily #{n}: 0.002 s off, 2nd closest of 2, 1-day streak"
    assert (await one(eng, DailyResult(), "ann", later)).title == mine.title
    bea = await one(eng, DailyResult(), "bea", later)
    assert bea.title == f"Photo Finish Daily #{n}: spot on, 1st closest of 2, 1-day streak"
    missed = await one(eng, DailyResult(), "cy", later)
    assert missed.kind is ReplyKind.ERROR
    assert missed.title.startswith(f"You did not answer Daily #{n}")
