"""`photo-finish db copy` and `db backup` between SQLite files and PostgreSQL, as an admin
runs them: a database with played games arrives whole, a target holding data is refused
unless --replace, a copy round-trips, and Ctrl-C leaves the target as it was."""

from __future__ import annotations

import asyncio
import io
import json
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Coroutine
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pexpect
import pytest

from bot.progress import Lines
from tests.bot.test_cli import MINI_PACK, REPO, Ran
from tests.bot.test_cli_postgres import cli, closed_port, config_for, one_line_error
from tests.conftest import T0, game_store, query
from tests.generating import event
from tests.isolation import clean_env
from tests.postgres import Server
from tests.test_console_e2e import Screen
from trivia.commands import Answer, Command, Configure, Daily, DailyPost, ScheduleSet, Start
from trivia.engine import Actor, Engine
from trivia.model import Place, RecordsPack
from trivia.pack import pack_to_dict
from trivia.settings import Settings

__all__ = ["cli"]  # the fixture, used by name
T = TypeVar("T")

HERE = Place("console", "local", "general")
OTHER_PACK = REPO / "db" / "packs" / "rowing_and_canoe.json"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters other than a tab and a newline (escape codes, carriage returns)."""


async def played(path: Path, pack: RecordsPack) -> None:
    """A SQLite database with games in it: a match answered by two players and revealed, a
    daily question with a guess, a changed setting, a schedule and a kept value."""
    async with game_store(path, pack) as store:
        engine = Engine(store, defaults=Settings(answer_window=30), seed=1)

        async def say(command: Command, user: str, seconds: float, admin: bool = False) -> None:
            now = T0 + timedelta(seconds=seconds)
            await engine.handle(command, Actor(HERE, user, user.title(), now, admin=admin))

        await say(Configure(answer_window=20), "ann", 0, admin=True)
        await say(ScheduleSet(at="09:00", zone="Europe/London"), "ann", 1, admin=True)
        await say(Start(2), "ann", 2)
        for question in range(2):
            at = 3 + 40 * question
            await say(Answer("a"), "ann", at)
            await say(Answer("b"), "bob", at + 1)
            await engine.close_due(T0 + timedelta(seconds=at + 30))
        day, closes = T0.date(), T0 + timedelta(hours=12)
        await say(
            DailyPost(day=day, previous_day=day - timedelta(days=1), closes_at=closes),
            "host",
            100,
            admin=True,
        )
        await say(Daily("0.01"), "bob", 101)
        await say(Daily("0.02"), "ann", 102)
        await engine.close_due(closes)
        await store.set_state("commands_hash", "abc")


def tables(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]


def contents(database: Path | str, names: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, with JSON documents read as JSON (PostgreSQL's jsonb
    writes its keys in its own order)."""

    def plain(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(("{", "[")):
            return json.loads(value)
        return value

    found = {}
    for name in names:
        rows = on_the_side(query(database, f'SELECT * FROM "{name}"'))
        found[name] = sorted((tuple(map(plain, row)) for row in rows), key=repr)
    return found


def on_the_side(work: Coroutine[Any, Any, T]) -> T:
    """Run a check's coroutine to its end from a test that runs the command line (which
    runs its own event loop)."""
    return asyncio.run(work)


def copied_counts(out: str) -> dict[str, int]:
    """The rows per table that a copy printed at its end."""
    table = re.compile(r"  (\w+) +([\d,]+)")
    found = (table.fullmatch(line) for line in out[out.index("Copied ") :].splitlines())
    return {m[1]: int(m[2].replace(",", "")) for m in found if m}


def assert_plain(out: str) -> None:
    """Output for a log: no escape codes or carriage returns, whole lines."""
    assert not CONTROL.search(out), out
    assert out.endswith("\n")


@pytest.fixture
async def sqlite_game(tmp_path: Path, mini_pack: RecordsPack) -> Path:
    path = tmp_path / "game.sqlite3"
    await played(path, mini_pack)
    return path


def test_a_played_database_moves_to_postgresql_whole(
    cli: Any, tmp_path: Path, sqlite_game: Path, pg_url: str
) -> None:
    """Every table arrives with the same rows; the records export the same; and new rows
    written on PostgreSQL afterwards take new ids (the sequences follow the copied ids)."""
    names = tables(sqlite_game)
    before = contents(sqlite_game, names)
    for must_hold in ("answers", "standings", "schedules", "dailies", "workspace_settings"):
        assert before[must_hold], must_hold

    ran = cli("--db", sqlite_game, "db", "copy", "--to", pg_url)

    assert (ran.code, ran.err) == (0, ""), ran
    assert_plain(ran.out)
    assert copied_counts(ran.out) == {name: len(rows) for name, rows in before.items()}
    assert contents(pg_url, names) == before
    on_postgres = ["--config", config_for(tmp_path, pg_url)]
    assert (
        cli(*on_postgres, "records", "export").out
        == cli("--db", sqlite_game, "records", "export").out
    )
    imported = cli(*on_postgres, "records", "import", OTHER_PACK)
    assert imported.code == 0, imported
    assert " 0 added" not in imported.out
    [(workspaces,)] = on_the_side(query(pg_url, "SELECT max(id) FROM workspaces"))
    new = "INSERT INTO workspaces (platform, ref) VALUES ('slack', 'T1') RETURNING id"
    [(new_id,)] = on_the_side(query(pg_url, new))
    assert new_id == workspaces + 1


def test_a_target_holding_data_is_refused_unless_replace(
    cli: Any, tmp_path: Path, sqlite_game: Path, pg_url: str
) -> None:
    """A second copy into the same database says what it holds and changes nothing; with
    --replace the target holds exactly the new source."""
    other = tmp_path / "other.sqlite3"
    assert cli("--db", other, "records", "import", OTHER_PACK).code == 0
    assert cli("--db", sqlite_game, "db", "copy", "--to", pg_url).code == 0
    names = tables(sqlite_game)
    first = contents(pg_url, names)

    line = one_line_error(cli("--db", other, "db", "copy", "--to", pg_url))

    assert f"{pg_url}: already holds data (" in line
    assert line.endswith("add --replace to empty it first")
    assert contents(pg_url, names) == first

    replaced = cli("--db", other, "db", "copy", "--to", pg_url, "--replace")
    assert replaced.code == 0, replaced
    assert contents(pg_url, names) == contents(other, names)


def test_postgresql_backs_up_to_a_sqlite_file_that_copies_back(
    cli: Any, tmp_path: Path, sqlite_game: Path, pg_server: Server
) -> None:
    """SQLite -> PostgreSQL -> `db backup` (a SQLite file) -> another PostgreSQL database:
    the same rows everywhere. A backup never overwrites a file."""
    names = tables(sqlite_game)
    with pg_server.database() as first, pg_server.database() as second:
        assert cli("--db", sqlite_game, "db", "copy", "--to", first).code == 0
        backup = tmp_path / "backups" / "pg.sqlite3"
        config = config_for(tmp_path, first)

        ran = cli("--config", config, "db", "backup", backup)

        assert ran.code == 0, ran
        assert ran.out.startswith("db backup: ")
        assert contents(backup, names) == contents(sqlite_game, names)
        back = cli("db", "copy", "--from", backup, "--to", second)
        assert back.code == 0, back
        assert contents(second, names) == contents(first, names)
        line = one_line_error(cli("--config", config, "db", "backup", backup))
        assert line == f"photo-finish: {backup}: already exists; choose a new file"


def test_postgresql_copies_into_a_sqlite_file_refusing_one_with_data(
    cli: Any, tmp_path: Path, sqlite_game: Path, pg_url: str
) -> None:
    assert cli("--db", sqlite_game, "db", "copy", "--to", pg_url).code == 0
    target = tmp_path / "target.sqlite3"
    assert cli("--db", target, "records", "import", OTHER_PACK).code == 0
    held = contents(target, tables(target))

    line = one_line_error(cli("db", "copy", "--from", pg_url, "--to", target))

    assert line.startswith(f"photo-finish: db copy: {target}: already holds data (")
    assert contents(target, tables(target)) == held
    assert cli("db", "copy", "--from", pg_url, "--to", target, "--replace").code == 0
    assert contents(target, tables(target)) == contents(sqlite_game, tables(sqlite_game))


@pytest.mark.parametrize(
    ("version", "says"),
    [(99, "newer than this photo-finish knows"), (12, "older than this photo-finish")],
)
def test_a_source_at_another_version_is_refused(
    cli: Any, tmp_path: Path, sqlite_game: Path, version: int, says: str
) -> None:
    with closing(sqlite3.connect(sqlite_game)) as conn:
        conn.execute(f"PRAGMA user_version = {version}")
    target = tmp_path / "target.sqlite3"

    line = one_line_error(cli("--db", sqlite_game, "db", "copy", "--to", target))

    assert f"the source is at migration {version}, {says}" in line
    assert not target.exists()


def test_a_missing_source_is_one_line_and_no_file(cli: Any, tmp_path: Path) -> None:
    missing, target = tmp_path / "missing.sqlite3", tmp_path / "target.sqlite3"
    line = one_line_error(cli("db", "copy", "--from", missing, "--to", target))
    assert line == f"photo-finish: db copy: {missing}: no such database file"
    assert not missing.exists()
    assert not target.exists()


async def big_database(path: Path, pack: RecordsPack, answers: int) -> None:
    """A database with `answers` answers (1,000 players, one question per thousand)."""
    async with game_store(path, pack):
        pass
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO workspaces (id, platform, ref) VALUES (1, 'console', 'w')")
        conn.execute("INSERT INTO channels (id, workspace_id, ref) VALUES (1, 1, 'c')")
        conn.execute(
            "INSERT INTO rounds (id, channel_id, total, started_at, ended_at, seed)"
            " VALUES (1, 1, 1, 0, 1, 0)"
        )
        conn.executemany(
            "INSERT INTO players (id, workspace_id, ref, display_name) VALUES (?, 1, ?, ?)",
            ((p, f"u{p}", f"Player {p}") for p in range(1, 1001)),
        )
        conn.executemany(
            "INSERT INTO questions (id, round_id, seq, body, asked_at, closes_at, revealed_at)"
            " VALUES (?, 1, ?, '{}', 0, 30, 30)",
            ((q, q) for q in range(1, answers // 1000 + 2)),
        )
        conn.executemany(
            "INSERT INTO answers (question_id, player_id, workspace_id, answer, correct,"
            " points, answered_at, settle_seq) VALUES (?, ?, 1, 'a', 1, 10, 1, ?)",
            ((n // 1000 + 1, n % 1000 + 1, n + 1) for n in range(answers)),
        )


@pytest.fixture
async def big_source(tmp_path: Path, mini_pack: RecordsPack) -> Path:
    """A database holding 300,000 answers."""
    source = tmp_path / "big.sqlite3"
    await big_database(source, mini_pack, 300_000)
    return source


def test_ctrl_c_during_a_copy_leaves_the_target_as_it_was(
    tmp_path: Path, big_source: Path, pg_url: str
) -> None:
    """A real process copying 300,000 answers gets SIGINT once its progress shows rows
    copied: it says in one line that nothing was copied, exits 130, and the target holds
    nothing (as a newly migrated database)."""
    copy = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", big_source, "db", "copy", "--to", pg_url],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert copy.stdout is not None
    seen = []
    for line in copy.stdout:
        seen.append(line)
        if re.search(r"\d+% \(", line):
            copy.send_signal(signal.SIGINT)
            break
    out, err = copy.communicate(timeout=60)

    assert copy.returncode == 130, (seen, out, err)
    assert err == (
        f"photo-finish: db copy: interrupted; nothing was copied, {pg_url} is as it was\n"
    )
    assert "Copied " not in out
    assert_plain("".join(seen) + out)
    counts = on_the_side(
        query(
            pg_url,
            "SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM players),"
            " (SELECT count(*) FROM events)",
        )
    )
    assert counts == [(0, 0, 0)]


def test_plain_progress_is_a_line_each_tenth_or_five_seconds() -> None:
    """Not on a terminal: a line per tenth of the rows done, or when five seconds have
    passed without one, each with the counts and the time left."""
    clock = [0.0]
    out = io.StringIO()  # not a terminal
    lines = Lines("db copy", "rows", out, clock=lambda: clock[0])

    lines.begin([("players", 1_000), ("answers", 9_000)])
    clock[0] = 1.0
    lines.advance("players", 1_000)  # 10%
    clock[0] = 2.0
    lines.advance("answers", 500)  # 15%: no line
    clock[0] = 7.5
    lines.advance("answers", 100)  # 16%, but 6.5 s since the last line
    clock[0] = 8.0
    lines.advance("answers", 8_400)

    assert out.getvalue().splitlines() == [
        "db copy: 10,000 rows",
        "db copy: 10% (1,000 of 10,000 rows; players), about 9 s left",
        "db copy: 16% (1,600 of 10,000 rows; answers), about 39 s left",
        "db copy: 100% (10,000 of 10,000 rows; answers)",
    ]


def test_a_copy_of_an_empty_database_is_itself_empty(cli: Any, tmp_path: Path, pg_url: str) -> None:
    """A database that was only migrated copies as such: its counters, no data, and the
    target counts as empty for a next copy (no --replace needed)."""
    source = tmp_path / "new.sqlite3"
    assert cli("--db", source, "db", "migrate").code == 0
    for _ in range(2):
        ran: Ran = cli("db", "copy", "--from", source, "--to", pg_url)
        assert ran.code == 0, ran
        assert set(copied_counts(ran.out).values()) == {0, 1}


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_the_copy_shows_bars_with_counts_and_time_left(
    tmp_path: Path, sqlite_game: Path
) -> None:
    """In a terminal (a real pseudo-terminal, drawn by a terminal emulator): a bar for all
    rows and one for each table with rows, each with its counts and the time left."""
    screen = Screen(rows=60, columns=100)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "--db", str(sqlite_game), "db", "copy", "--to", str(tmp_path / "t.db")],
        cwd=str(tmp_path),
        env=clean_env(tmp_path) | {"TERM": "xterm-256color"},
        encoding="utf-8",
        timeout=60,
        dimensions=(60, 100),
    )
    child.logfile_read = screen
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0, screen.lines()
    shown = {line.split()[0]: line.split()[1:] for line in screen.lines() if "━" in line}
    counts = copied_counts("\n".join(screen.lines()))
    assert sorted(counts) == sorted(tables(sqlite_game))
    total = sum(counts.values())
    assert shown.pop("all") == ["rows", "━" * 40, f"{total}/{total}", "0:00:00"]
    assert shown == {
        name: ["━" * 40, f"{rows}/{rows}", "0:00:00"] for name, rows in counts.items() if rows
    }


def test_a_large_import_shows_its_progress_and_a_small_one_does_not(
    cli: Any, tmp_path: Path, database: Path | str
) -> None:
    """Not on a terminal, `records import` of 1,200 events prints a line per tenth written,
    with counts and time left, then its summary; the twelve-event mini pack just the
    summary."""
    where: list[str | Path] = (
        ["--db", database]
        if isinstance(database, Path)
        else ["--config", config_for(tmp_path, database)]
    )
    days = [date(2000, 1, 1) + timedelta(days=n) for n in range(1200)]
    events = [event(f"e{n:04}", date=day, season=day.year) for n, day in enumerate(days)]
    pack = RecordsPack("generated", "1,200 made-up finishes", (), tuple(events))
    path = tmp_path / "generated.json"
    path.write_text(json.dumps(pack_to_dict(pack)), encoding="utf-8")

    small = cli(*where, "records", "import", MINI_PACK)
    large = cli(*where, "records", "import", path)

    assert small.out == f"{MINI_PACK}: 12 events: 12 added, 0 updated, 0 unchanged\n"
    assert large.code == 0, large
    assert_plain(large.out)
    *progress, summary = large.out.splitlines()
    assert summary == f"{path}: 1200 events: 1200 added, 0 updated, 0 unchanged"
    assert progress[0] == "records import: 1,200 events"
    shares = [re.fullmatch(r"records import: (\d+)% \(([\d,]+) of 1,200 events\)(.*)", line)
              for line in progress[1:]]  # fmt: skip
    assert all(shares), progress
    percents = [int(m[1]) for m in shares if m]
    # A line per tenth; one more wherever five seconds passed without one (a slow machine).
    assert set(range(10, 101, 10)) <= set(percents)
    assert percents == sorted(percents)
    assert all(re.fullmatch(r", about [\d,]+ s left", m[3]) for m in shares[:-1] if m)


def test_rows_whose_keys_point_nowhere_copy_nothing(
    cli: Any, sqlite_game: Path, pg_url: str
) -> None:
    """A SQLite file written with its foreign keys unchecked (an answer by a player it does
    not hold): PostgreSQL checks every key after the rows are in, says which in one line,
    and keeps none of them."""
    with closing(sqlite3.connect(sqlite_game)) as conn, conn:
        conn.execute("UPDATE answers SET player_id = 999 WHERE id = (SELECT min(id) FROM answers)")

    line = one_line_error(cli("--db", sqlite_game, "db", "copy", "--to", pg_url))

    assert line.startswith(
        f"photo-finish: db copy: {pg_url}: rows of the source refer to rows it does not hold,"
        " so nothing was copied: Key (player_id)=(999)"
    )
    assert on_the_side(query(pg_url, "SELECT count(*) FROM answers")) == [(0,)]
    assert on_the_side(query(pg_url, "SELECT count(*) FROM events")) == [(0,)]


def test_an_unreachable_target_is_one_line_naming_it(cli: Any, sqlite_game: Path) -> None:
    url = f"postgresql://bot:hunter2@127.0.0.1:{closed_port()}/trivia"
    line = one_line_error(cli("--db", sqlite_game, "db", "copy", "--to", url))
    assert line == (
        f"photo-finish: db copy: {url.replace('hunter2', '***')}: cannot connect:"
        " connection refused"
    )
