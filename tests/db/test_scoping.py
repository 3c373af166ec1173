"""A process's scope in SQL keeps exactly the rows its Scope covers, Discord shards too."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import astuple
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.scoping import in_scope
from trivia.model import Place, Scope, Shards, shard_of

SNOWFLAKES = st.integers(min_value=1, max_value=2**63 - 1)


def test_a_server_is_on_the_shard_discords_formula_gives() -> None:
    """(guild_id >> 22) % shard_count; the first is serenity's documented example."""
    assert shard_of("81384788765712384", 17) == 7
    assert shard_of("5001", 2) == 0
    assert shard_of(str((1 << 22) | 5003), 2) == 1


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    guilds=st.lists(SNOWFLAKES, min_size=1, max_size=20),
    count=st.integers(min_value=1, max_value=16),
    data=st.data(),
)
def test_the_sql_keeps_what_the_scope_covers(
    tmp_path: Path, guilds: list[int], count: int, data: st.DataObject
) -> None:
    ids = data.draw(st.sets(st.integers(0, count - 1), min_size=1))
    console = Place("console", "local", "console-2")
    scope = Scope(
        frozenset({"slack"}),
        frozenset({console}),
        frozenset({Shards("discord", frozenset(ids), count)}),
    )
    places = [Place("discord", str(g), "6001") for g in guilds]
    places += [Place("slack", "T1", "C1"), console, Place("console", "local", "console")]
    where, params = in_scope(scope, "platform", "workspace", "channel")
    with closing(sqlite3.connect(tmp_path / "scope.sqlite3")) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS rows (platform TEXT, workspace TEXT, channel TEXT)"
        )
        conn.execute("DELETE FROM rows")
        conn.executemany("INSERT INTO rows VALUES (?, ?, ?)", [astuple(p) for p in places])
        kept = conn.execute(f"SELECT * FROM rows WHERE true{where}", params).fetchall()
    assert sorted((Place(*row) for row in kept), key=str) == sorted(
        (p for p in places if scope.covers(p)), key=str
    )
