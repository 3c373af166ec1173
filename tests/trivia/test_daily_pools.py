"""Which pools can carry a daily question, on both stores with the shipped records: a
schedule names only a pool with a week of records and says how long it runs before a
repeat; a pool whose margins are words (horse racing) gets a daily asked as a choice of
margins, scored, revealed and streaked like the numeric one; a schedule stored before
these rules on a pool that cannot carry a daily posts nothing and says why."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from db.records import read_pack, shipped_packs
from tests.conftest import MINI_PACK
from tests.trivia.conftest import STORES, engine_store
from trivia.commands import Daily, DailyPost, Leaderboard, ScheduleList, ScheduleSet
from trivia.engine import Actor, Engine
from trivia.margins import VERBAL_MARGINS
from trivia.model import CHOICE_LETTERS, Place, QuestionKind
from trivia.replies import ButtonKind, Reply, ReplyKind
from trivia.schedule import parse_timing
from trivia.settings import Settings

PLACE = Place("test", "guild", "chan")
START = date(2026, 3, 2)
NOT_ENOUGH = (
    "European Athletics Championships",
    "USAC Championship Car",
    "250cc World Championship",
)
"""Pools of the shipped records with one record a daily question could ask."""


@pytest.fixture(params=STORES)
async def shipped(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine over every shipped pack, on each kind of store."""
    packs = [pack for pack, _ in shipped_packs()]
    async with engine_store(request, request.param, tmp_path / "shipped.sqlite3", *packs) as store:
        yield Engine(store, defaults=Settings(), seed=7)


def admin(now: datetime = datetime(2026, 3, 1, 12, tzinfo=UTC)) -> Actor:
    return Actor(PLACE, "ann", "Ann", now, admin=True)


def player(user: str, now: datetime) -> Actor:
    return Actor(PLACE, user, user.title(), now)


def days_before_repeat(line: str) -> int:
    """The number a schedule line gives for its daily's days before a repeat."""
    found = re.search(r"(\d+) days before a repeat", line)
    assert found is not None, line
    return int(found[1])


async def post(eng: Engine, day: date, series: str | None) -> list[Reply]:
    """The scheduler's post of a date's daily question: the replies it makes."""
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    command = DailyPost(
        day=day, previous_day=day - timedelta(days=1), closes_at=at + timedelta(days=1),
        series=series,
    )  # fmt: skip
    return (await eng.handle(command, admin(at))).replies


async def test_a_daily_schedule_on_a_pool_too_small_is_refused_naming_pools_that_can(
    shipped: Engine,
) -> None:
    """One record (the same question every day) or none: refused with the count, the
    minimum and pools that can carry a daily; nothing is stored. A quiz on the same
    pool is fine: it asks every kind of question."""
    eng = shipped
    for series in NOT_ENOUGH:
        [refused] = (
            await eng.handle(ScheduleSet(at="09:00", zone="UTC", series=series), admin())
        ).replies
        assert refused.kind is ReplyKind.ERROR
        assert refused.private
        assert refused.title.startswith(f"{series} has 1 record a daily question can ask")
        assert "a daily needs 7 (a week without a repeat)" in refused.title
        assert refused.title.endswith("or no series for all records.")
    [athletics] = (
        await eng.handle(ScheduleSet(at="09:00", zone="UTC", series=NOT_ENOUGH[0]), admin())
    ).replies
    assert "Try Athletics, or" in athletics.title
    [none] = (
        await eng.handle(ScheduleSet(at="09:00", zone="UTC", series="Triathlon"), admin())
    ).replies
    assert none.title.startswith("Triathlon has no record a daily question can ask")
    assert "Horse racing" in none.title
    assert "Swimming" in none.title
    assert await eng.store.list_schedules(PLACE) == []
    [quiz] = (
        await eng.handle(
            ScheduleSet(at="09:00", zone="UTC", series=NOT_ENOUGH[0], questions=3), admin()
        )
    ).replies
    assert quiz.kind is ReplyKind.SETTINGS
    assert len(await eng.store.list_schedules(PLACE)) == 1


async def test_an_accepted_daily_schedule_says_how_long_it_runs_before_a_repeat(
    shipped: Engine,
) -> None:
    """The reply and the listing give the pool's days before a repeat, and so many days
    of dailies are that many different records."""
    eng = shipped
    [listed] = (
        await eng.handle(ScheduleSet(at="09:00", zone="UTC", series="Formula One"), admin())
    ).replies
    [(_, line)] = listed.fields
    days = days_before_repeat(line)
    [again] = (await eng.handle(ScheduleList(), admin())).replies
    assert again.fields == listed.fields
    keys = []
    for i in range(days):
        await post(eng, START + timedelta(days=i), "Formula One")
        daily = await eng.store.open_daily(PLACE)
        assert daily is not None
        keys.append(daily.question.event_keys[0])
    assert len(set(keys)) == days >= 7
    bank = await eng.bank()
    assert {bank.by_key[k].sport for k in keys} == {"Formula One"}


async def test_horse_racing_gets_a_daily_asked_as_a_choice_of_margins(shipped: Engine) -> None:
    """Horse racing and the Kentucky Derby (no margin in seconds) can be scheduled; each
    day's question is a choice among four margins in words, with the right one among
    them, never a dead heat, and no record repeats within the days the schedule gives."""
    eng = shipped
    [derby] = (
        await eng.handle(ScheduleSet(at="09:00", zone="UTC", series="Kentucky Derby"), admin())
    ).replies
    assert derby.kind is ReplyKind.SETTINGS
    [(_, derby_line)] = derby.fields
    assert "a choice of margins" in derby_line
    assert days_before_repeat(derby_line) >= 7
    horses = Place("test", "guild", "horses")
    [listed] = (
        await eng.handle(
            ScheduleSet(at="09:00", zone="UTC", series="Horse racing", channel="horses"), admin()
        )
    ).replies
    line = dict(listed.fields)["#2"]
    days = days_before_repeat(line)
    bank = await eng.bank()
    keys = []
    for i in range(days):
        day = START + timedelta(days=i)
        at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        command = DailyPost(
            day=day, previous_day=day - timedelta(days=1), closes_at=at + timedelta(days=1),
            series="Horse racing",
        )  # fmt: skip
        [shown] = (await eng.handle(command, replace(admin(at), place=horses))).replies
        daily = await eng.store.open_daily(horses)
        assert daily is not None
        q = daily.question
        event = bank.by_key[q.event_keys[0]]
        keys.append(event.key)
        assert event.sport == "Horse racing"
        assert not event.tied
        assert q.answer_index is not None
        labels = [c.label for c in q.choices]
        assert len(labels) == 4
        assert set(labels) <= set(VERBAL_MARGINS)
        assert labels == sorted(labels, key=VERBAL_MARGINS.index), "shortest margin first"
        assert labels[q.answer_index] == f"a {event.margin_display}"
        assert "second" not in q.prompt
        assert [b.kind for b in shown.buttons] == [ButtonKind.ANSWER] * 4
        for letter, label in zip(CHOICE_LETTERS, labels, strict=False):
            assert f"{letter}) {label}" in shown.body
    assert len(set(keys)) == days >= 7


async def test_a_choice_daily_is_judged_at_its_reveal_with_points_and_streaks(
    shipped: Engine,
) -> None:
    """Ann picks the right margin, Bo a wrong one: both are told only what they locked
    in, the leaderboard gives nobody points before the reveal, and the next day's post
    reveals it: the right answer, who was right (+30), no closest guesses, daily streaks
    for both; a second day extends Ann's streak."""
    eng = shipped
    await post(eng, START, "Horse racing")
    daily = await eng.store.open_daily(PLACE)
    assert daily is not None
    right = daily.question.answer_index
    assert right is not None
    wrong = (right + 1) % 4
    morning = datetime(2026, 3, 2, 10, tzinfo=UTC)
    [bad] = (await eng.handle(Daily("0.004"), player("ann", morning))).replies
    assert bad.kind is ReplyKind.ERROR
    assert "seconds" not in bad.title
    [ann] = (await eng.handle(Daily(CHOICE_LETTERS[right]), player("ann", morning))).replies
    label = daily.question.choices[right].label
    assert ann.title == f"Locked in: {CHOICE_LETTERS[right]} ({label})"
    [bo] = (await eng.handle(Daily(CHOICE_LETTERS[wrong]), player("bo", morning))).replies
    assert bo.title.startswith("Locked in:")
    [board] = (await eng.handle(Leaderboard(), player("cy", morning))).replies
    assert all(": 0 pts" in line for line in board.body.splitlines()), board.body
    await post(eng, START + timedelta(days=1), "Horse racing")
    [board] = (await eng.handle(Leaderboard(), player("cy", morning))).replies
    assert board.body.splitlines() == ["1. Ann: 30 pts (1/1 right)", "2. Bo: 0 pts (0/1 right)"]
    second = await eng.store.open_daily(PLACE)
    assert second is not None
    assert second.question.answer_index is not None
    letter = CHOICE_LETTERS[second.question.answer_index]
    await eng.handle(Daily(letter), player("ann", morning + timedelta(days=1)))
    await post(eng, START + timedelta(days=2), "Horse racing")
    [streaks] = (await eng.handle(Leaderboard("streak"), player("cy", morning))).replies
    assert streaks.body.splitlines() == ["1. Ann: 2 now (best 2)", "2. Bo: 0 now (best 1)"]


async def test_the_reveal_of_a_choice_daily_says_who_was_right_not_who_came_closest(
    shipped: Engine,
) -> None:
    """The reveal posted at the next day's post: the answer's letter and margin, the
    count per choice, who was right, the daily streaks; nothing about seconds."""
    eng = shipped
    await post(eng, START, "Horse racing")
    daily = await eng.store.open_daily(PLACE)
    assert daily is not None
    q = daily.question
    assert q.answer_index is not None
    noon = datetime(2026, 3, 2, 12, tzinfo=UTC)
    await eng.handle(Daily(CHOICE_LETTERS[q.answer_index]), player("ann", noon))
    at = datetime(2026, 3, 3, 9, tzinfo=UTC)
    command = DailyPost(
        day=START + timedelta(days=1), previous_day=START, closes_at=at + timedelta(days=1),
        series="Horse racing",
    )  # fmt: skip
    done = await eng.handle(command, admin(at))
    [reveal] = [a.reply for a in done.announced()]
    number = daily.daily.number if daily.daily else 0
    answer = f"{CHOICE_LETTERS[q.answer_index]}) {q.choices[q.answer_index].label}"
    assert reveal.title == f"Daily #{number}. Answer: {answer}"
    fields = dict(reveal.fields)
    assert fields["Right"] == "Ann (+30)"
    assert fields["Daily streaks"] == "Ann 1 day"
    assert "Closest" not in fields
    assert "Spread" not in fields
    assert " s " not in " ".join(fields.values())


async def test_a_stored_schedule_on_a_pool_that_cannot_carry_a_daily_posts_nothing(
    shipped: Engine,
) -> None:
    """A daily schedule stored before these rules on a one-record pool: its listing says
    it is not posting and why, and its post opens no question (it used to ask the same
    question every day); the channel's open daily is still revealed."""
    eng = shipped
    await eng.store.add_schedule(
        PLACE,
        parse_timing("09:00", "UTC"),
        series=NOT_ENOUGH[0],
        questions=None,
        reveal_at=None,
        now=admin().now,
    )
    [listed] = (await eng.handle(ScheduleList(), admin())).replies
    [(_, line)] = listed.fields
    assert "; not posting: European Athletics Championships has 1 record" in line
    assert "; next " not in line
    await post(eng, START, None)
    for i in range(1, 3):
        [refused] = await post(eng, START + timedelta(days=i), NOT_ENOUGH[0])
        assert refused.kind is ReplyKind.ERROR
        assert refused.title.startswith("No daily question: European Athletics Championships")
        assert await eng.store.open_daily(PLACE) is None


@pytest.mark.parametrize("kind", STORES)
async def test_the_numeric_daily_is_unchanged_where_a_pool_has_enough_margins_in_seconds(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    """A pool of seconds keeps its guess-the-margin daily: one guess, judged at the
    reveal by closeness (the mini pack: twelve Cup finishes, twelve days)."""
    async with engine_store(
        request, kind, tmp_path / "mini.sqlite3", read_pack(MINI_PACK)
    ) as store:
        eng = Engine(store, defaults=Settings(), seed=1)
        [listed] = (await eng.handle(ScheduleSet(at="09:00", zone="UTC"), admin())).replies
        [(_, line)] = listed.fields
        assert line.endswith("; 12 days before a repeat")
        await post(eng, START, None)
        daily = await store.open_daily(PLACE)
        assert daily is not None
        assert daily.question.kind is QuestionKind.GUESS_MARGIN
        assert daily.question.is_numeric
