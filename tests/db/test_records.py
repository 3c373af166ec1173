"""The records database: import is validated, atomic and idempotent; export round-trips.
The store's tests run on both backends, SQLite and PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.backend import DATABASE_ERRORS, open_store
from db.connection import migrations, open_db
from db.game import GameStore
from db.records import parse_pack_text, read_pack, shipped_packs
from tests.conftest import MINI_PACK, Databases, query
from trivia.model import Note, RecordsPack, Result
from trivia.pack import PackError, pack_to_dict


async def table_counts(database: Path | str) -> dict[str, int]:
    tables = ("events", "series", "packs", "competitors", "competitor_aliases")
    return {t: (await query(database, f"SELECT count(*) FROM {t}"))[0][0] for t in tables}


def mutate(edit: str) -> str:
    data = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    if edit == "missing competitor":
        del data["events"][3]["results"][1]["competitor"]
    elif edit == "duplicate key":
        data["events"][5]["key"] = data["events"][0]["key"]
    elif edit == "bad url":
        data["events"][2]["sources"][0]["url"] = "ftp://example.org"
    elif edit == "date outside season":
        data["events"][1]["date"] = "1999-01-01"
    return json.dumps(data, indent=1)


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        ("missing competitor", "events[3].results[1].competitor: is required"),
        ("duplicate key", "events[5].key: duplicates events[0]"),
        ("bad url", "events[2].sources[0].url: expected an http(s) URL"),
        ("date outside season", "events[1].date: is not in season"),
    ],
    ids=lambda v: v if " " in v and ":" not in v else "",
)
def test_bad_packs_name_the_field(edit: str, where: str) -> None:
    """A bad pack is rejected with the field path and the reason."""
    with pytest.raises(PackError) as caught:
        parse_pack_text(mutate(edit))
    assert str(caught.value).startswith(where)


def _level(data: dict[str, Any], level: str) -> dict[str, Any]:
    """The object at one level of a pack."""
    event = data["events"][0]
    places: dict[str, dict[str, Any]] = {
        "": data,
        "series[0]": data.setdefault("series", [{"name": "NASCAR Cup Series"}])[0],
        "competitors[0]": data["competitors"][0],
        "events[0]": event,
        "events[0].results[0]": event["results"][0],
        "events[0].sources[0]": event["sources"][0],
    }
    return places[level]


@pytest.mark.parametrize(
    ("level", "typo", "meant"),
    [
        ("", "nmae", "name"),
        ("series[0]", "anual", "annual"),
        ("competitors[0]", "alias", "aliases"),
        ("events[0]", "caveta", "margin_caveat or caveat"),
        ("events[0]", "Margin_Display", "margin_display"),
        ("events[0].results[0]", "postion", "position"),
        ("events[0].sources[0]", "titel", "title"),
    ],
)
def test_an_unknown_field_is_refused_at_every_level(level: str, typo: str, meant: str) -> None:
    """A field the format does not have is refused with its path and the close match,
    wherever it is (a misspelt optional field used to be dropped without a word)."""
    data = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    _level(data, level)[typo] = "x"
    with pytest.raises(PackError) as caught:
        parse_pack_text(json.dumps(data))
    where = f"{level}.{typo}" if level else typo
    assert str(caught.value) == f"{where}: unknown field; did you mean {meant}?"


def test_unknown_fields_without_a_close_match_get_the_list() -> None:
    data = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    data["events"][0]["notes"] = [{"label": "l", "text": "t", "source": "s"}]
    with pytest.raises(PackError) as caught:
        parse_pack_text(json.dumps(data))
    assert str(caught.value) == (
        "events[0].notes[0].source: unknown field; expected one of: label, text"
    )


def test_the_reader_names_the_file_and_reads_a_byte_order_mark(tmp_path: Path) -> None:
    """Errors start with the file's name (the whole document's own error too, which was
    ': expected an object'); UTF-8 with a BOM reads like UTF-8."""
    pack = tmp_path / "pack.json"
    pack.write_text(MINI_PACK.read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert len(read_pack(pack).events) == 12
    pack.write_text("[]", encoding="utf-8")
    with pytest.raises(PackError, match=rf"^{re.escape(str(pack))}: expected an object$"):
        read_pack(pack)
    pack.write_text("{", encoding="utf-8")
    with pytest.raises(PackError, match=rf"^{re.escape(str(pack))}: line 1 column 2: "):
        read_pack(pack)


@pytest.mark.parametrize(
    ("margin", "problem"),
    [
        ("1" + "0" * 400, "events[0].margin_s: expected a finite number from 0 to 1000000"),
        ("1" + "0" * 5000, "events[0].margin_s: expected a finite number from 0 to 1000000"),
        ("-" + "9" * 5000, "events[0].margin_s: expected a finite number from 0 to 1000000"),
        ("1e400", "events[0].margin_s: expected a finite number from 0 to 1000000"),
    ],
    ids=["10**400", "5001 digits", "minus 5000 digits", "1e400"],
)
def test_numbers_too_big_for_a_field_name_it(margin: str, problem: str) -> None:
    """10**400 was an OverflowError and 5,000 digits a ValueError, both as tracebacks."""
    text = MINI_PACK.read_text(encoding="utf-8").replace(
        '"margin_s": 0.001', f'"margin_s": {margin}', 1
    )
    with pytest.raises(PackError) as caught:
        parse_pack_text(text)
    assert str(caught.value) == problem


def test_json_syntax_errors_name_the_line() -> None:
    """Broken JSON is reported by line and column."""
    text = MINI_PACK.read_text(encoding="utf-8").replace('"season": 2024', '"season" 2024', 1)
    with pytest.raises(PackError, match=r"^line \d+ column \d+"):
        parse_pack_text(text)


async def test_failed_import_leaves_the_database_unchanged(
    database: Path | str, mini_pack: RecordsPack
) -> None:
    """A failure part-way through an import rolls everything back."""
    async with open_store(database) as stores:
        store = stores.records
        await store.import_pack(replace(mini_pack, events=mini_pack.events[:4]))
        before = await table_counts(database)
        broken = replace(mini_pack.events[6], sources=(*mini_pack.events[6].sources,) * 2)
        # Same source twice is fine; a nameless competitor breaks NOT NULL mid-import.
        bad_result = replace(broken.results[1], competitor=None)  # type: ignore[arg-type]
        bad_event = replace(broken, results=(broken.results[0], bad_result))
        events = (*mini_pack.events[4:6], bad_event)
        with pytest.raises(DATABASE_ERRORS, match=r"(?i)not.null"):
            await store.import_pack(replace(mini_pack, events=events))
        assert await table_counts(database) == before
        assert len(await store.load_events()) == 4


async def test_reimport_is_idempotent_and_export_round_trips(
    databases: Databases, mini_pack: RecordsPack
) -> None:
    """Importing twice changes nothing; export then import gives the same records."""
    first = databases.new()
    async with open_store(first) as stores:
        store = stores.records
        summary = await store.import_pack(mini_pack)
        assert (summary.added, summary.updated) == (12, 0)
        counts = await table_counts(first)
        again = await store.import_pack(mini_pack)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 12)
        assert await table_counts(first) == counts
        exported = pack_to_dict(await store.export_pack())
    assert {e["key"] for e in exported["events"]} == {e.key for e in mini_pack.events}
    second = databases.new()
    async with open_store(second) as stores:
        store = stores.records
        await store.import_pack(parse_pack_text(json.dumps(exported)))
        assert pack_to_dict(await store.export_pack()) == exported
    assert await table_counts(second) == counts


async def test_surnames_and_nicknames_become_aliases(
    database: Path | str, mini_pack: RecordsPack
) -> None:
    """Import adds surnames (skipping Jr.) and the pack's nicknames."""
    async with open_store(database) as stores:
        await stores.records.import_pack(mini_pack)
    rows = dict(
        await query(
            database,
            "SELECT a.alias, c.name FROM competitor_aliases a"
            " JOIN competitors c ON c.id = a.competitor_id",
        )
    )
    assert rows["Larson"] == "Kyle Larson"
    assert rows["Junior"] == "Dale Earnhardt Jr."
    assert rows["Earnhardt"] in {"Dale Earnhardt", "Dale Earnhardt Jr."}


async def test_changed_event_is_updated_in_place(
    database: Path | str, mini_pack: RecordsPack
) -> None:
    """Re-importing an event with the same key and new facts replaces it."""
    async with open_store(database) as stores:
        store = stores.records
        await store.import_pack(mini_pack)
        changed = replace(mini_pack.events[0], caveat="Re-checked in 2026.")
        summary = await store.import_pack(replace(mini_pack, events=(changed,)))
        assert (summary.added, summary.updated) == (0, 1)
        events = {e.key: e for e in await store.load_events()}
        assert events[changed.key] == changed
        assert len(events) == 12


async def test_an_old_database_keeps_every_record_through_the_upgrade(tmp_path: Path) -> None:
    """Records stored in the version-6 tables come through migration 7 field for field."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        for version, _, sql in migrations():
            if version <= 6:
                conn.executescript(sql)
        conn.executescript(
            """
            INSERT INTO sports VALUES (1, 'Stock car racing');
            INSERT INTO series VALUES (1, 1, 'NASCAR Cup Series');
            INSERT INTO competitors VALUES (1, 'Kyle Larson'), (2, 'Chris Buescher');
            INSERT INTO events VALUES (7, 'nascar-cup-2024-05-05-kansas', 1, 2024,
                '2024-05-05', 'AdventHealth 400', 'Kansas Speedway', 'race', 1, 267, 268,
                0.001, '0.001', NULL, 'high', 'Overtime.');
            INSERT INTO results VALUES (7, 2, 2, '17', 'RFK Racing', 'Ford', 0.001, NULL),
                (7, 1, 1, '5', 'Hendrick Motorsports', 'Chevrolet', 0.0, NULL);
            INSERT INTO event_notes VALUES (7, 0, 'note', 'lead changes', '27 lead changes.'),
                (7, 0, 'correction', 'correction', 'Not the closest ever.');
            INSERT INTO sources VALUES (7, 1, 'B', 'Pub B', 'https://b.example', NULL),
                (7, 0, 'A', 'Pub A', 'https://a.example', '2024-05-05');
            PRAGMA user_version = 6;
            """
        )
    async with open_db(path) as conn:
        [kansas] = await GameStore(conn).records.load_events()
    assert [r.competitor for r in kansas.results] == ["Kyle Larson", "Chris Buescher"]
    assert kansas.results[1] == Result(2, "Chris Buescher", "17", "RFK Racing", "Ford", 0.001)
    assert (kansas.margin_s, kansas.margin_display, kansas.margin_unit) == (0.001, "0.001", "s")
    assert (kansas.scheduled_laps, kansas.laps, kansas.caveat) == (267, 268, "Overtime.")
    assert kansas.notes == (Note("lead changes", "27 lead changes."),)
    assert kansas.corrections == ("Not the closest ever.",)
    assert [s.url for s in kansas.sources] == ["https://a.example", "https://b.example"]
    assert kansas.sources[0].published == date(2024, 5, 5)


async def test_every_shipped_pack_imports_on_its_own_and_round_trips(
    databases: Databases,
) -> None:
    """Each sport's pack loads into an empty database by itself, and exporting gives back
    every field: margins in their units, shared places, countries, times, series names."""
    for pack, _ in shipped_packs():
        async with open_store(databases.new()) as stores:
            store = stores.records
            summary = await store.import_pack(pack)
            assert summary.added == len(pack.events), pack.name
            exported = pack_to_dict(await store.export_pack())
        original = pack_to_dict(pack)
        assert sorted(exported["events"], key=str) == sorted(original["events"], key=str)
        assert exported["series"] == sorted(original["series"], key=lambda s: s["name"])


async def test_seeding_brings_in_every_shipped_pack_once(database: Path | str) -> None:
    """A new database gets every shipped record; seeding again imports nothing and leaves
    the records version as it was, so the question bank is not built again."""
    shipped = shipped_packs()
    async with open_store(database) as stores:
        store = stores.records
        assert await store.count_events() == 0
        assert await store.seed() == [pack.name for pack, _ in shipped]
        assert await store.count_events() == sum(len(pack.events) for pack, _ in shipped)
        # In code point order, as SQLite sorts ('AJ Allmendinger' before 'Abbie Wood').
        names = [c.name for c in await store.load_competitors()]
        assert names == sorted(names)
        events = [(e.date, e.key) for e in await store.load_events()]
        assert events == sorted(events)
        version = await store.version()
        assert await store.seed() == []
        assert await store.version() == version
    async with open_store(database) as stores:
        assert stores.applied == []
        assert await stores.records.seed() == []


async def test_seeding_leaves_an_admins_own_records_alone(
    database: Path | str, mini_pack: RecordsPack
) -> None:
    """A database filled with an admin's own pack gets no shipped records on top; each
    import changes the records version."""
    async with open_store(database) as stores:
        store = stores.records
        before = await store.version()
        await store.import_pack(mini_pack)
        assert await store.version() > before
        assert await store.seed() == []
        assert [p.name for p in [await store.export_pack()]] == [mini_pack.name]
        assert await store.count_events() == len(mini_pack.events)


async def test_competitors_load_with_their_nicknames_in_name_order(
    database: Path | str, mini_pack: RecordsPack
) -> None:
    """The competitors come back in name order (by code point, as SQLite sorts, also on a
    PostgreSQL database that sorts by language rules), each with the pack's nicknames."""
    async with open_store(database) as stores:
        store = stores.records
        await store.import_pack(mini_pack)
        competitors = await store.load_competitors()
    names = [c.name for c in competitors]
    assert names == sorted(names)
    nicknamed = {c.name: c.aliases for c in competitors if c.aliases}
    assert nicknamed == {
        c.name: tuple(sorted(c.aliases)) for c in mini_pack.competitors if c.aliases
    }
