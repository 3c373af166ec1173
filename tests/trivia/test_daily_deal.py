"""The numbered daily question through the engine, on both stores: a year without repeats
in every pool, numbers pinned through imports, and quick play that never spoils the open
daily."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from db.records import shipped_packs
from tests.conftest import T0
from tests.trivia.conftest import STORES, EngineStore, engine_store, import_pack
from trivia.commands import Answer, Ask, Configure, DailyPost, Stop
from trivia.daily import daily_number
from trivia.engine import Actor, Engine
from trivia.model import Place, RecordsPack
from trivia.replies import ReplyKind
from trivia.settings import Settings

PLACE = Place("test", "guild", "chan")
START = date(2026, 1, 1)


def host(now: datetime, place: Place = PLACE) -> Actor:
    return Actor(place, "host", "Host", now, admin=True)


async def post(eng: Engine, day: date, place: Place = PLACE, series: str | None = None) -> str:
    """Post a date's daily question; the record it is about."""
    now = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    closes = now + timedelta(hours=12)
    await eng.handle(
        DailyPost(day=day, previous_day=day - timedelta(days=1), closes_at=closes, series=series),
        host(now, place),
    )
    daily = await eng.store.open_daily(place)
    assert daily is not None
    assert daily.daily is not None
    assert daily.daily.number == daily_number(day)
    return daily.question.event_keys[0]


def no_repeats(keys: list[str], pool: int) -> None:
    """Within each cycle of `pool` days no record repeats, and never on consecutive days."""
    for start in range(0, len(keys), pool):
        cycle = keys[start : start + pool]
        assert len(set(cycle)) == len(cycle), cycle
    assert all(a != b for a, b in itertools.pairwise(keys))


async def test_a_year_of_dailies_repeats_nothing_within_a_cycle(
    store: EngineStore, mini_pack: RecordsPack
) -> None:
    """365 days in one channel, and a single-series pool in another: each goes through its
    pool before repeating, never repeats on consecutive days, and both channels on the
    same pool get the same record for a date."""
    eng = Engine(store, defaults=Settings(), seed=1)
    twin = Place("test", "guild2", "other")
    keys, twins = [], []
    for i in range(365):
        day = START + timedelta(days=i)
        keys.append(await post(eng, day))
        if i < 40:
            twins.append(await post(eng, day, twin))
    pool = len({k for k in keys})
    assert pool == len(mini_pack.events)
    no_repeats(keys, pool)
    assert twins == keys[:40]


async def test_a_single_series_pool_deals_its_own_cycles(store: EngineStore) -> None:
    """A schedule naming a series gets every record of that series before any repeats."""
    eng = Engine(store, defaults=Settings(), seed=1)
    bank = await eng.bank()
    cup = {e.key for e in bank.records.events if e.series == "NASCAR Cup Series"}
    keys = [await post(eng, START + timedelta(days=i), series="Cup Series") for i in range(60)]
    assert set(keys) <= cup
    no_repeats(keys, len(cup))


async def test_importing_records_never_changes_a_number_already_dealt(
    store: EngineStore, mini_pack: RecordsPack
) -> None:
    """Records imported later join a later cycle; dealt numbers keep their record."""
    eng = Engine(store, defaults=Settings(), seed=1)
    before = [await post(eng, START + timedelta(days=i)) for i in range(5)]
    extra = replace(mini_pack.events[0], key="nascar-cup-2099-new", season=2025,
                    date=date(2025, 3, 3), name="New 400")  # fmt: skip
    await import_pack(store, replace(mini_pack, events=(extra,)))
    later = Engine(store, defaults=Settings(), seed=2)
    again = [await post(later, START + timedelta(days=i), Place("t", "g", "fresh"))
             for i in range(len(mini_pack.events) + 1)]  # fmt: skip
    assert again[:5] == before
    assert "nascar-cup-2099-new" not in again[: len(mini_pack.events)]


async def test_quick_play_never_asks_or_shows_the_open_daily(store: EngineStore) -> None:
    """While the daily is open, no quick-play question is about its record or shows it;
    once it is revealed, that record can come up again."""
    eng = Engine(store, defaults=Settings(answer_window=5), seed=3)
    day = T0.date()
    held = await post(eng, day)
    now = T0
    for _ in range(40):
        await eng.handle(Ask(), host(now))
        q = await store.open_question(PLACE)
        assert q is not None
        assert held not in q.question.event_keys
        await eng.handle(Stop(), host(now))
        now += timedelta(seconds=1)
    daily = await store.open_daily(PLACE)
    assert daily is not None
    await eng.handle(Answer("0.01"), host(daily.closes_at + timedelta(seconds=1)))
    asking = await store.asking(PLACE, 10)
    assert asking.held == []


@pytest.mark.parametrize("kind", STORES)
async def test_admins_choose_the_sports_questions_come_from(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    """With sports set to Athletics and Swimming, every quick question is about one of
    them; a wrong name gets the list of sports; 'all' lifts the choice; a schedule may name
    a sport, and its daily question comes from that sport."""
    shipped = [pack for pack, _ in shipped_packs()]
    async with engine_store(request, kind, tmp_path / "sports.sqlite3", *shipped) as store:
        eng = Engine(store, defaults=Settings(answer_window=5), seed=5)
        [shown] = (await eng.handle(Configure(sports=("athletics", "Swimming")), host(T0))).replies
        assert dict(shown.fields)["Sports"] == "Athletics, Swimming"
        bank = await eng.bank()
        now = T0
        for _ in range(30):
            await eng.handle(Ask(), host(now))
            q = await store.open_question(PLACE)
            assert q is not None
            assert bank.by_key[q.question.event_keys[0]].sport in {"Athletics", "Swimming"}
            await eng.handle(Stop(), host(now))
            now += timedelta(seconds=1)
        [refused] = (await eng.handle(Configure(sports=("Curling",)), host(T0))).replies
        assert refused.title.startswith("Sports are: all, Alpine skiing, Athletics")
        [shown] = (await eng.handle(Configure(sports=("all",)), host(T0))).replies
        assert dict(shown.fields)["Sports"] == "all"
        key = await post(eng, date(2026, 12, 2), Place("t", "g", "luge"), series="Luge")
        assert bank.by_key[key].sport == "Luge"


@pytest.mark.parametrize("kind", STORES)
async def test_settings_that_leave_no_question_are_refused(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    """Series Cup Series with sports Athletics has no question: it is refused when saved,
    naming what would work, and the settings stay as they were (it used to be saved, and
    every /trivia then said "No questions for series None")."""
    shipped = [pack for pack, _ in shipped_packs()]
    async with engine_store(request, kind, tmp_path / "none.sqlite3", *shipped) as store:
        eng = Engine(store, defaults=Settings(answer_window=5), seed=5)
        await eng.handle(Configure(series="Cup Series"), host(T0))
        [refused] = (await eng.handle(Configure(sports=("Athletics",)), host(T0))).replies
        assert refused.kind is ReplyKind.ERROR
        assert refused.title.startswith(
            "No question is about series Cup Series in sports Athletics, so nothing was"
            " changed. Series Cup Series is in sports: Stock car racing. With sports"
            " Athletics, series can be: all, Athletics, European Athletics Championships,"
        )
        assert await store.settings(PLACE) == {"series": "Cup Series"}
        [both] = (
            await eng.handle(Configure(series="Luge", sports=("Swimming", "Rowing")), host(T0))
        ).replies
        assert both.title.startswith(
            "No question is about series Luge in sports Rowing, Swimming, so nothing was changed."
        )
        [shown] = (await eng.handle(Configure(sports=("Stock car racing",)), host(T0))).replies
        assert dict(shown.fields)["Sports"] == "Stock car racing"


@pytest.mark.parametrize("kind", STORES)
async def test_no_question_says_which_settings_leave_none(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    """When the settings (here from the config) leave no question, /trivia says which,
    and how to change them, not "No questions for series None"."""
    shipped = [pack for pack, _ in shipped_packs()]
    async with engine_store(request, kind, tmp_path / "none.sqlite3", *shipped) as store:
        defaults = Settings(series="Cup Series", sports=frozenset({"Athletics"}))
        eng = Engine(store, defaults=defaults, seed=5)
        [refused] = (await eng.handle(Ask(), host(T0))).replies
        assert refused.title == (
            "No question is about series Cup Series in sports Athletics. An admin can change"
            " that with /trivia admin settings."
        )
        [named] = (await eng.handle(Ask("Luge"), host(T0))).replies
        assert named.title == ("No question is about series Luge in sports Athletics. Try /trivia.")
