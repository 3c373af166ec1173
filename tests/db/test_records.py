"""The records database: import is validated, atomic and idempotent; export round-trips."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from db.connection import open_db
from db.game import GameStore
from db.records import parse_pack_text
from tests.conftest import MINI_PACK
from trivia.model import RecordsPack
from trivia.pack import PackError, pack_to_dict


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "results", "sources", "competitors", "competitor_aliases")
        }


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


def test_json_syntax_errors_name_the_line() -> None:
    """Broken JSON is reported by line and column."""
    text = MINI_PACK.read_text(encoding="utf-8").replace('"season": 2024', '"season" 2024', 1)
    with pytest.raises(PackError, match=r"^line \d+ column \d+"):
        parse_pack_text(text)


async def test_failed_import_leaves_the_database_unchanged(
    tmp_path: Path, mini_pack: RecordsPack
) -> None:
    """A failure part-way through an import rolls everything back."""
    path = tmp_path / "records.sqlite3"
    async with open_db(path) as conn:
        store = GameStore(conn).records
        await store.import_pack(replace(mini_pack, events=mini_pack.events[:4]))
        before = table_counts(path)
        broken = replace(mini_pack.events[6], sources=(*mini_pack.events[6].sources,) * 2)
        # Same source twice is fine; a negative gap breaks a CHECK constraint mid-import.
        bad_result = replace(broken.results[1], gap_s=-1.0)
        bad_event = replace(broken, results=(broken.results[0], bad_result))
        events = (*mini_pack.events[4:6], bad_event)
        with pytest.raises(sqlite3.IntegrityError):
            await store.import_pack(replace(mini_pack, events=events))
        assert table_counts(path) == before
        assert len(await store.load_events()) == 4


async def test_reimport_is_idempotent_and_export_round_trips(
    tmp_path: Path, mini_pack: RecordsPack
) -> None:
    """Importing twice changes nothing; export then import gives the same records."""
    first = tmp_path / "one.sqlite3"
    async with open_db(first) as conn:
        store = GameStore(conn).records
        summary = await store.import_pack(mini_pack)
        assert (summary.added, summary.updated) == (12, 0)
        counts = table_counts(first)
        again = await store.import_pack(mini_pack)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 12)
        assert table_counts(first) == counts
        exported = pack_to_dict(await store.export_pack())
    assert {e["key"] for e in exported["events"]} == {e.key for e in mini_pack.events}
    second = tmp_path / "two.sqlite3"
    async with open_db(second) as conn:
        store = GameStore(conn).records
        await store.import_pack(parse_pack_text(json.dumps(exported)))
        assert pack_to_dict(await store.export_pack()) == exported
    assert table_counts(second) == counts


async def test_surnames_and_nicknames_become_aliases(
    tmp_path: Path, mini_pack: RecordsPack
) -> None:
    """Import adds surnames (skipping Jr.) and the pack's nicknames."""
    path = tmp_path / "aliases.sqlite3"
    async with open_db(path) as conn:
        await GameStore(conn).records.import_pack(mini_pack)
    with sqlite3.connect(path) as conn:
        rows = dict(
            conn.execute(
                "SELECT a.alias, c.name FROM competitor_aliases a"
                " JOIN competitors c ON c.id = a.competitor_id"
            ).fetchall()
        )
    assert rows["Larson"] == "Kyle Larson"
    assert rows["Junior"] == "Dale Earnhardt Jr."
    assert rows["Earnhardt"] in {"Dale Earnhardt", "Dale Earnhardt Jr."}


async def test_changed_event_is_updated_in_place(tmp_path: Path, mini_pack: RecordsPack) -> None:
    """Re-importing an event with the same key and new facts replaces it."""
    async with open_db(tmp_path / "update.sqlite3") as conn:
        store = GameStore(conn).records
        await store.import_pack(mini_pack)
        changed = replace(mini_pack.events[0], caveat="Re-checked in 2026.")
        summary = await store.import_pack(replace(mini_pack, events=(changed,)))
        assert (summary.added, summary.updated) == (0, 1)
        events = {e.key: e for e in await store.load_events()}
        assert events[changed.key] == changed
        assert len(events) == 12
