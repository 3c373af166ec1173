"""Tests for bot.cli: the photo-finish command line, as a user runs it."""

from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from adapters.console import WELCOME
from adapters.discord_bot.slash import admin, trivia
from bot.cli import CSV_COLUMNS, main
from db.records import read_pack
from tests.isolation import clean_env
from trivia.settings import MAX_WINDOW, MIN_WINDOW

REPO = Path(__file__).resolve().parents[2]
MINI_PACK = REPO / "tests" / "data" / "mini_pack.json"


@dataclass(frozen=True)
class Ran:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `photo-finish ARGS` in this process and capture what it prints."""

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse: --help and usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file that doesn't exist yet."""
    return tmp_path / "records.sqlite3"


@pytest.fixture
def loaded_db(cli: Any, db: Path) -> Path:
    """A database holding the twelve finishes of the mini pack."""
    ran = cli("--db", db, "records", "import", MINI_PACK)
    assert ran.code == 0, ran
    return db


def mini_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    return data


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def event_keys(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT key FROM events ORDER BY key")]


def run_subprocess(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit 1 with a single `photo-finish: ...` line on stderr naming each of `names`."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("photo-finish: ")
    for name in names:
        assert name in lines[0]
    assert done.returncode == 1


# -- help and usage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        ([], ["run", "play", "db", "records", "--config", "--db"]),
        (["run"], ["photo-finish run"]),
        (["play"], ["photo-finish play", "--name", "--window", "--seed"]),
        (["db"], ["photo-finish db", "migrate", "backup"]),
        (["db", "migrate"], ["photo-finish db migrate"]),
        (["db", "backup"], ["photo-finish db backup", "path"]),
        (["records"], ["photo-finish records", "import", "export", "list"]),
        (["records", "import"], ["photo-finish records import", "path"]),
        (["records", "export"], ["photo-finish records export", "--format", "--output"]),
        (["records", "list"], ["photo-finish records list"]),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) and v and v[0][0] != "-" else None,
)
def test_help_for_the_program_and_each_subcommand(
    cli: Any, db: Path, argv: list[str], mentions: list[str]
) -> None:
    ran = cli(*argv, "--help")

    assert ran.code == 0
    assert ran.out.startswith("usage: photo-finish")
    for word in mentions:
        assert word in ran.out
    assert ran.err == ""
    assert not db.exists()


def test_installed_script_prints_help(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "photo-finish"

    done = subprocess.run(
        [str(script), "--help"],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0
    assert "Photo Finish" in done.stdout
    assert "records" in done.stdout


def test_no_subcommand_is_a_usage_error(cli: Any) -> None:
    ran = cli()

    assert ran.code == 2
    assert "usage: photo-finish" in ran.err
    assert "required" in ran.err


def test_an_unknown_export_format_is_a_usage_error(cli: Any, db: Path) -> None:
    ran = cli("--db", db, "records", "export", "--format", "xml")

    assert ran.code == 2
    assert "invalid choice: 'xml'" in ran.err


def test_run_with_discord_unreachable_says_so_in_one_line(
    cli: Any, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    config = tmp_path / "unreachable.toml"
    config.write_text('[discord]\napi_base_url = "http://127.0.0.1:9/api/v10"\n', encoding="utf-8")

    ran = cli("--config", config, "--db", db, "run")

    assert ran.code == 1
    assert ran.out == ""
    assert ran.err == "photo-finish: discord: cannot reach 127.0.0.1:9 (connection refused)\n"
    assert "secret-token" not in ran.err


def test_run_with_a_name_that_does_not_resolve_says_the_dns_lookup_failed(
    cli: Any, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Said in words, not as `cannot connect (ClientConnectorDNSError)`. (A name too long
    for DNS fails at once, without asking a name server: no network needed.)"""
    host = ".".join(["a" * 60] * 5) + ".invalid"
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    config = tmp_path / "unresolved.toml"
    config.write_text(f'[discord]\napi_base_url = "http://{host}/api/v10"\n', encoding="utf-8")

    ran = cli("--config", config, "--db", db, "run")

    assert ran.code == 1
    assert ran.err == f"photo-finish: discord: cannot reach {host} (DNS lookup failed)\n"


@pytest.mark.parametrize("where", ["environment", "file"])
def test_invite_url_names_where_a_bad_token_came_from(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A token from DISCORD_TOKEN is not blamed on `[discord] token`, and the other way round."""
    config = tmp_path / "bot.toml"
    config.write_text('[discord]\ntoken = "not-a-token"\n' * (where == "file"), "utf-8")
    if where == "environment":
        monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")

    ran = cli("--config", config, "discord", "invite-url")

    assert ran.code == 1
    named = "DISCORD_TOKEN" if where == "environment" else f"[discord] token in {config}"
    assert ran.err == f"photo-finish: {named}: this does not look like a Discord bot token\n"


def test_invite_url_has_exactly_the_scopes_and_permissions(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.not-a-real-secret"  # id 123456789012345678
    monkeypatch.setenv("DISCORD_TOKEN", token)

    ran = cli("discord", "invite-url")

    assert ran.code == 0
    assert ran.out == (
        "https://discord.com/oauth2/authorize?client_id=123456789012345678"
        "&scope=bot+applications.commands&permissions=274877959168\n"
    )


# -- records import ----------------------------------------------------------------------------


def test_import_reports_added_then_unchanged(cli: Any, db: Path) -> None:
    first = cli("--db", db, "records", "import", MINI_PACK)
    second = cli("--db", db, "records", "import", MINI_PACK)

    assert first.code == 0
    assert first.out == f"{MINI_PACK}: 12 events: 12 added, 0 updated, 0 unchanged\n"
    assert second.code == 0
    assert second.out == f"{MINI_PACK}: 12 events: 0 added, 0 updated, 12 unchanged\n"
    assert len(event_keys(db)) == 12


def test_import_updates_by_key_and_adds_new_events(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    data = mini_data()
    data["events"][0]["venue"] = "Kansas Speedway (Kansas City)"
    extra = copy.deepcopy(data["events"][1])
    extra["key"] = "nascar-cup-2003-03-17-darlington-test"
    extra["date"] = "2003-03-17"
    data["events"].append(extra)
    pack = write_json(tmp_path / "v2.json", data)

    ran = cli("--db", loaded_db, "records", "import", pack)
    listed = cli("--db", loaded_db, "records", "list")

    assert ran.out == f"{pack}: 13 events: 1 added, 1 updated, 11 unchanged\n"
    assert "(Kansas Speedway (Kansas City))" in listed.out
    assert "13 records" in listed.out


def invalid_json(data: dict[str, Any]) -> tuple[str, str]:
    """Mini pack text with one comma dropped; the error must name the next line."""
    lines = MINI_PACK.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"name": "AdventHealth 400"' in line)
    lines[index] = lines[index].rstrip(",")
    return "\n".join(lines) + "\n", f"line {index + 2} column"


def missing_competitor(data: dict[str, Any]) -> tuple[str, str]:
    del data["events"][0]["results"][1]["competitor"]
    return json.dumps(data, indent=1), "events[0].results[1].competitor: is required"


def duplicate_event_key(data: dict[str, Any]) -> tuple[str, str]:
    data["events"][5]["key"] = data["events"][2]["key"]
    return json.dumps(data, indent=1), "events[5].key: duplicates events[2]"


def bad_url(data: dict[str, Any]) -> tuple[str, str]:
    data["events"][11]["sources"][1]["url"] = "ftp://example.com/race"
    return json.dumps(data, indent=1), "events[11].sources[1].url: expected an http(s) URL"


def date_outside_season(data: dict[str, Any]) -> tuple[str, str]:
    data["events"][3]["date"] = "1999-02-25"
    return json.dumps(data, indent=1), "events[3].date: is not in season"


def truncated(data: dict[str, Any]) -> tuple[str, str]:
    text = json.dumps(data, indent=1)
    return text[: len(text) // 2], "line "


def misspelt_optional_field(data: dict[str, Any]) -> tuple[str, str]:
    """`caveta` for `margin_caveat` used to be dropped: a disputed margin asked as fact."""
    data["events"][3]["caveta"] = "The official margin is disputed."
    return json.dumps(data, indent=1), (
        "events[3].caveta: unknown field; did you mean margin_caveat or caveat?"
    )


def misspelt_result_field(data: dict[str, Any]) -> tuple[str, str]:
    data["events"][0]["results"][1]["contry"] = "United States"
    return json.dumps(data, indent=1), (
        "events[0].results[1].contry: unknown field; did you mean country?"
    )


def unknown_top_level_field(data: dict[str, Any]) -> tuple[str, str]:
    data["licence"] = "CC-BY"
    return json.dumps(data, indent=1), (
        "licence: unknown field; expected one of: format, name, description, series,"
    )


def huge_margin(data: dict[str, Any]) -> tuple[str, str]:
    """10**400 was an OverflowError traceback."""
    data["events"][0]["margin_s"] = 10**400
    return json.dumps(data, indent=1), (
        "events[0].margin_s: expected a finite number from 0 to 1000000"
    )


def margin_of_5000_digits(data: dict[str, Any]) -> tuple[str, str]:
    """A number over 4,300 digits was a ValueError traceback from the JSON reader."""
    text = json.dumps(data, indent=1).replace('"margin_s": 0.001', '"margin_s": 1' + "0" * 5000, 1)
    return text, "events[0].margin_s: expected a finite number from 0 to 1000000"


def season_of_5000_digits(data: dict[str, Any]) -> tuple[str, str]:
    text = json.dumps(data, indent=1).replace('"season": 2024', '"season": ' + "9" * 5000, 1)
    return text, "events[0].season: expected a whole number from 1800 to 1000000"


def not_an_object(data: dict[str, Any]) -> tuple[str, str]:
    """The message was `photo-finish: : expected an object`."""
    return json.dumps([data]), "expected an object"


def nested_too_deeply(data: dict[str, Any]) -> tuple[str, str]:
    return "[" * 200_000, "nested too deeply"


BAD_PACKS = [
    invalid_json,
    missing_competitor,
    duplicate_event_key,
    bad_url,
    date_outside_season,
    truncated,
    misspelt_optional_field,
    misspelt_result_field,
    unknown_top_level_field,
    huge_margin,
    margin_of_5000_digits,
    season_of_5000_digits,
    not_an_object,
    nested_too_deeply,
]


@pytest.mark.parametrize("make_bad", BAD_PACKS, ids=lambda f: f.__name__)
def test_a_bad_pack_is_rejected_in_one_line_and_changes_nothing(
    cli: Any, loaded_db: Path, tmp_path: Path, make_bad: Any
) -> None:
    # A pack that would also update one event and add another, were it valid.
    data = mini_data()
    data["events"][0]["venue"] = "Somewhere Else"
    extra = copy.deepcopy(data["events"][1])
    extra["key"] = "nascar-cup-2003-03-17-darlington-test"
    extra["date"] = "2003-03-17"
    data["events"].append(extra)
    text, expected = make_bad(data)
    pack = tmp_path / "bad.json"
    pack.write_text(text, encoding="utf-8")
    before = cli("--db", loaded_db, "records", "export").out

    ran = cli("--db", loaded_db, "records", "import", pack)

    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.count("\n") == 1, ran.err
    assert ran.err.startswith(f"photo-finish: {pack}: "), ran.err
    assert expected in ran.err
    assert cli("--db", loaded_db, "records", "export").out == before
    assert len(event_keys(loaded_db)) == 12


def test_a_pack_saved_with_a_byte_order_mark_imports(cli: Any, db: Path, tmp_path: Path) -> None:
    """Some editors on Windows save UTF-8 with a BOM; it was refused, now it is read."""
    pack = tmp_path / "bom.json"
    pack.write_text(MINI_PACK.read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert pack.read_bytes().startswith(b"\xef\xbb\xbf")

    ran = cli("--db", db, "records", "import", pack)

    assert ran.code == 0, ran.err
    assert len(event_keys(db)) == 12


def test_a_bad_pack_leaves_a_fresh_database_empty(cli: Any, db: Path, tmp_path: Path) -> None:
    text, _ = missing_competitor(mini_data())
    pack = tmp_path / "bad.json"
    pack.write_text(text, encoding="utf-8")

    ran = cli("--db", db, "records", "import", pack)

    assert ran.code == 1
    assert event_keys(db) == []


def test_a_duplicated_json_member_is_rejected(cli: Any, db: Path, tmp_path: Path) -> None:
    text = MINI_PACK.read_text(encoding="utf-8").replace(
        '"margin_s": 0.001,', '"margin_s": 0.001,\n   "margin_s": 0.5,', 1
    )
    pack = tmp_path / "dup.json"
    pack.write_text(text, encoding="utf-8")

    ran = cli("--db", db, "records", "import", pack)

    assert ran.code == 1
    assert "margin_s" in ran.err
    assert event_keys(db) == []


@pytest.mark.parametrize("problem", ["missing", "directory", "not-utf8"])
def test_an_unreadable_pack_file_is_reported_in_one_line(tmp_path: Path, problem: str) -> None:
    pack = tmp_path / "pack.json"
    if problem == "directory":
        pack.mkdir()
    elif problem == "not-utf8":
        pack.write_bytes(MINI_PACK.read_text(encoding="utf-8").encode("utf-16"))
    db = tmp_path / "records.sqlite3"

    done = run_subprocess(tmp_path, "--db", db, "records", "import", pack)

    assert_one_line_error(done, str(pack))


# -- records export ----------------------------------------------------------------------------


def test_json_export_round_trips_through_a_fresh_database(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    exported = cli("--db", loaded_db, "records", "export")
    first = tmp_path / "export.json"
    first.write_text(exported.out, encoding="utf-8")
    fresh = tmp_path / "fresh.sqlite3"

    imported = cli("--db", fresh, "records", "import", first)
    again = cli("--db", fresh, "records", "export")

    assert exported.code == 0
    assert imported.out.endswith(": 12 events: 12 added, 0 updated, 0 unchanged\n")
    assert again.out == exported.out


def test_json_export_holds_every_event_with_its_sources(cli: Any, loaded_db: Path) -> None:
    exported = json.loads(cli("--db", loaded_db, "records", "export").out)
    original = mini_data()

    urls = {e["key"]: [s["url"] for s in e["sources"]] for e in exported["events"]}
    assert urls == {e["key"]: [s["url"] for s in e["sources"]] for e in original["events"]}
    assert all(url.startswith("http") for found in urls.values() for url in found)
    assert exported["format"] == 2
    assert exported["name"] == original["name"]
    assert {c["name"]: set(c["aliases"]) for c in exported["competitors"]} == {
        c["name"]: set(c["aliases"]) for c in original["competitors"]
    }


def test_json_export_says_the_same_as_the_imported_pack(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    cli("--db", loaded_db, "records", "export", "--output", out)

    exported, original = read_pack(out), read_pack(MINI_PACK)

    assert (exported.name, exported.description) == (original.name, original.description)
    assert {c.name: set(c.aliases) for c in exported.competitors} == {
        c.name: set(c.aliases) for c in original.competitors
    }
    assert {e.key: e for e in exported.events} == {e.key: e for e in original.events}


def test_export_to_a_file_writes_the_same_text_and_prints_nothing(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "records.json"

    to_file = cli("--db", loaded_db, "records", "export", "--output", out)
    to_stdout = cli("--db", loaded_db, "records", "export")

    assert to_file.code == 0
    assert to_file.out == ""
    assert out.read_text(encoding="utf-8") == to_stdout.out


def test_csv_export_has_a_header_and_one_row_per_event(cli: Any, loaded_db: Path) -> None:
    ran = cli("--db", loaded_db, "records", "export", "--format", "csv")

    reader = csv.DictReader(io.StringIO(ran.out))
    rows = list(reader)
    assert ran.code == 0
    assert ran.out.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(rows) == 12
    by_key = {row["key"]: row for row in rows}
    for event in mini_data()["events"]:
        row = by_key[event["key"]]
        assert row["winner"] == event["results"][0]["competitor"]
        assert row["runner_up"] == event["results"][1]["competitor"]
        assert row["margin_display"] == event["margin_display"]
        assert row["sources"] == " | ".join(s["url"] for s in event["sources"])


def test_csv_export_to_a_file(cli: Any, loaded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.csv"

    ran = cli("--db", loaded_db, "records", "export", "--format", "csv", "--output", out)

    assert ran.code == 0
    assert ran.out == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 13


def test_export_into_a_missing_folder_is_reported_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    assert run_subprocess(tmp_path, "--db", db, "records", "import", MINI_PACK).returncode == 0
    target = tmp_path / "no-such-folder" / "out.json"

    done = run_subprocess(tmp_path, "--db", db, "records", "export", "--output", target)

    assert_one_line_error(done, str(target))


# -- records list ------------------------------------------------------------------------------


def test_list_prints_one_line_per_event_closest_first(cli: Any, loaded_db: Path) -> None:
    ran = cli("--db", loaded_db, "records", "list")

    lines = ran.out.splitlines()
    assert ran.code == 0
    assert lines[-1] == "12 records; * = stated with a caveat"
    records = lines[:-1]
    assert len(records) == 12
    margins = [float(line.split()[0]) for line in records]
    assert margins == sorted(margins)
    for event in mini_data()["events"]:
        winner = event["results"][0]["competitor"]
        second = event["results"][1]["competitor"]
        matching = [
            line
            for line in records
            if event["date"] in line and f"{winner} over {second}, {event['name']}" in line
        ]
        assert len(matching) == 1, (event["key"], records)
    assert records[0].split()[:2] == ["0.001", "s"]
    assert "Kyle Larson over Chris Buescher" in records[0]


def test_list_marks_events_with_a_caveat(cli: Any, db: Path, tmp_path: Path) -> None:
    data = mini_data()
    data["events"][0]["margin_caveat"] = "Unofficial timing."
    pack = write_json(tmp_path / "caveat.json", data)
    cli("--db", db, "records", "import", pack)

    lines = cli("--db", db, "records", "list").out.splitlines()

    flagged = [line for line in lines if line.endswith(" *")]
    assert len(flagged) == 1
    assert "Kyle Larson over Chris Buescher" in flagged[0]


# -- db migrate and backup ---------------------------------------------------------------------


def migration_names() -> list[str]:
    folder = resources.files("db.sqlite") / "migrations"
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))


def last_migration() -> int:
    """The schema version after every migration: the last one's number (numbers can skip,
    as several branches take theirs at once)."""
    return int(migration_names()[-1].split("_", 1)[0])


def test_migrate_a_fresh_file_then_again(cli: Any, db: Path) -> None:
    first = cli("--db", db, "db", "migrate")
    second = cli("--db", db, "db", "migrate")

    assert first.code == 0
    assert first.out == f"{db}: applied {', '.join(migration_names())}\n"
    assert second.code == 0
    assert second.out == f"{db}: applied nothing (up to date)\n"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == last_migration()
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_migrate_after_import_is_up_to_date(cli: Any, loaded_db: Path) -> None:
    assert cli("--db", loaded_db, "db", "migrate").out.endswith("applied nothing (up to date)\n")


def test_backup_is_a_readable_copy_with_the_same_events(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backup.sqlite3"

    ran = cli("--db", loaded_db, "db", "backup", target)

    assert ran.code == 0
    assert ran.out == f"Backed up {loaded_db} to {target}\n"
    with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert event_keys(target) == event_keys(loaded_db)
    assert len(event_keys(target)) == 12
    restored = cli("--db", target, "records", "export")
    assert restored.out == cli("--db", loaded_db, "records", "export").out


def test_backup_refuses_to_overwrite_an_existing_file(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "precious.sqlite3"
    target.write_bytes(b"not yours to overwrite")

    ran = cli("--db", loaded_db, "db", "backup", target)

    assert ran.code == 1
    assert ran.out == ""
    assert ran.err == f"photo-finish: {target}: already exists; choose a new file\n"
    assert target.read_bytes() == b"not yours to overwrite"


def test_backup_into_a_missing_folder_makes_it_as_db_does(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    """`--db` makes a missing folder; `db backup` used to fail there instead."""
    target = tmp_path / "backups" / "2026" / "backup.sqlite3"

    ran = cli("--db", loaded_db, "db", "backup", target)

    assert ran.code == 0, ran.err
    assert ran.out == f"Backed up {loaded_db} to {target}\n"
    assert event_keys(target) == event_keys(loaded_db)


def test_backup_where_no_folder_can_be_made_is_reported_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    assert run_subprocess(tmp_path, "--db", db, "records", "import", MINI_PACK).returncode == 0
    (tmp_path / "plain").write_text("a file, not a folder", encoding="utf-8")
    target = tmp_path / "plain" / "backup.sqlite3"

    done = run_subprocess(tmp_path, "--db", db, "db", "backup", target)

    assert_one_line_error(done, str(target), "cannot make its folder")


# -- play without a terminal -------------------------------------------------------------------


def test_play_reads_commands_from_a_pipe(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    assert run_subprocess(tmp_path, "--db", db, "records", "import", MINI_PACK).returncode == 0

    with subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(db), "play", "--name", "carl", "--seed", "7"],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdin is not None
        child.stdin.write("/trivia leaderboard\n/trivia stats\n")
        child.stdin.flush()
        time.sleep(1.5)  # a pause before the end of input (see the next test for why)
        try:
            out, err = child.communicate(timeout=30)
        finally:
            child.kill()

    assert child.returncode == 0, err
    assert err == ""
    assert "== Leaderboard: all time ==" in out
    assert "(to carl only) You haven't answered any questions here yet." in out
    assert out.rstrip().endswith("Bye.")


def test_play_exits_when_input_ends_right_after_a_command(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    assert run_subprocess(tmp_path, "--db", db, "records", "import", MINI_PACK).returncode == 0

    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--db", str(db), "play", "--seed", "7"],
            cwd=tmp_path,
            env=clean_env(tmp_path),
            input="/trivia stats\n",
            capture_output=True,
            text=True,
            timeout=8,
            check=False,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"`echo '/trivia stats' | photo-finish play` never exited: {hung.stdout!r}")

    assert done.returncode == 0
    assert done.stdout.rstrip().endswith("Bye.")


@pytest.mark.parametrize("window", ["0", "-5", "4", "3601"])
def test_play_rejects_a_window_the_settings_would_refuse(tmp_path: Path, window: str) -> None:
    """The same bounds as `admin settings window` and the config (it allowed 1 to 4 s)."""
    db = tmp_path / "records.sqlite3"
    assert run_subprocess(tmp_path, "--db", db, "records", "import", MINI_PACK).returncode == 0

    done = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), "play", "--window", window],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 2, done.stdout
    assert "--window" in done.stderr
    assert f"must be from {MIN_WINDOW} to {MAX_WINDOW} seconds" in done.stderr


def test_rebuild_recomputes_standings_from_the_answer_log(cli: Any, loaded_db: Path) -> None:
    """A hand-corrected answer (or damaged totals) is reflected after `db rebuild`."""
    with closing(sqlite3.connect(loaded_db)) as conn, conn:
        conn.executescript(
            "INSERT INTO workspaces (id, platform, ref) VALUES (1, 'console', 'local');"
            "INSERT INTO players (id, workspace_id, ref, display_name) VALUES (1, 1, 'ann', 'ann');"
            "INSERT INTO channels (id, workspace_id, ref) VALUES (1, 1, 'console');"
            "INSERT INTO rounds (id, channel_id, total, started_at, seed) VALUES (1, 1, 1, 0, 1);"
            "INSERT INTO questions (id, round_id, seq, body, asked_at, closes_at)"
            " VALUES (1, 1, 1, '{}', 0, 30);"
            "INSERT INTO answers (question_id, player_id, workspace_id, answer, correct, points,"
            " answered_at) VALUES (1, 1, 1, 'a', 1, 15, 1);"
            "UPDATE standings SET points = 999;"
        )
    ran = cli("--db", loaded_db, "db", "rebuild")
    assert ran.code == 0
    assert ran.out == f"{loaded_db}: standings rebuilt from the answer log\n"
    with closing(sqlite3.connect(loaded_db)) as conn:
        points = {row[0] for row in conn.execute("SELECT points FROM standings")}
    assert points == {15}


def test_global_options_work_after_the_subcommand_too(
    cli: Any, loaded_db: Path, tmp_path: Path
) -> None:
    """`records list --db FILE` is what people type; it means the same as `--db FILE records
    list`, and a config named after the subcommand is read."""
    before = cli("--db", loaded_db, "records", "list")
    after = cli("records", "list", "--db", loaded_db)
    assert after == before
    assert "12 records" in after.out
    config = tmp_path / "bot.toml"
    config.write_text(f'[database]\npath = "{loaded_db}"\n', encoding="utf-8")
    assert cli("records", "list", "--config", config) == before
    assert cli("--config", config, "records", "list") == before


def test_version(cli: Any) -> None:
    """--version prints the package version."""
    ran = cli("--version")
    assert ran.code == 0
    assert ran.out.startswith("photo-finish 0.")


def test_two_processes_starting_on_a_fresh_database_migrate_it_once(tmp_path: Path) -> None:
    """Two bots started together on one new file both come up: each migration is applied
    by one of them and found done by the other (20 rounds, each on a fresh file)."""
    for round_ in range(20):
        db = tmp_path / f"race{round_}.sqlite3"
        both = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "db", "migrate", "--db", str(db)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=clean_env(tmp_path),
            )
            for _ in range(2)
        ]
        outcomes = [p.communicate(timeout=60) for p in both]
        assert [p.returncode for p in both] == [0, 0], outcomes
        applied = [out for out, _ in outcomes if "applied 0001" in out]
        assert len(applied) >= 1, outcomes
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == last_migration()


def list_records(db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`photo-finish records list --db DB` in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "records", "list", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_env(tmp_path),
        check=False,
    )


def test_a_file_that_is_not_a_database_is_one_line_not_a_hang(tmp_path: Path) -> None:
    """The command ends at once with the file, the setting and the reason (it used to print
    the reason alone and then hang)."""
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    ran = list_records(bogus, tmp_path)
    assert ran.returncode == 1
    assert ran.stderr == f"photo-finish: {bogus} ([database] path): file is not a database\n"


def test_an_unknown_game_series_stops_the_start_with_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[game] series is checked against the records at start: a typo names the choices and
    the close match, and nothing starts."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "bot.toml"
    db = tmp_path / "bot.sqlite3"
    config.write_text(f'[game]\nseries = "Truk Series"\n[database]\npath = "{db}"\n', "utf-8")
    ran = cli("play", "--config", config)
    assert ran.code == 2
    assert ran.err.startswith(f"photo-finish: {config}: [game] series: 'Truk Series' is not")
    assert ran.err.endswith("Did you mean Truck Series?\n")
    assert ran.err.count("\n") == 1


def test_run_with_no_platform_and_no_terminal_says_which_is_missing(tmp_path: Path) -> None:
    """Under a service (no terminal) with no token, `run` exits 1 with one line naming the
    tokens; it used to fall back to a console that read nothing and exit 0."""
    ran = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "bot.sqlite3")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert ran.returncode == 1
    assert ran.stderr.startswith("photo-finish: run: no chat platform is configured (set ")
    assert "(defaults)" not in ran.stderr  # where a file name should be
    assert "keys in config.toml (none in this folder) or in --config FILE)" in ran.stderr
    assert "DISCORD_TOKEN" in ran.stderr
    assert "SLACK_BOT_TOKEN" in ran.stderr
    assert ran.stderr.count("\n") == 1
    assert ran.stdout == ""


@pytest.mark.parametrize("problem", ["a folder", "inside a file"])
def test_a_database_path_that_cannot_be_a_database_is_one_line_naming_path_and_key(
    tmp_path: Path, problem: str
) -> None:
    """A folder, or a path under a plain file: one line with the path and the config key,
    exit 1, no traceback and no hang."""
    bad = tmp_path / "db-folder"
    bad.mkdir()
    if problem == "inside a file":
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        bad = tmp_path / "plain" / "pf.sqlite3"
    ran = list_records(bad, tmp_path)
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"photo-finish: {bad} ([database] path): "), ran.stderr
    assert ran.stderr.count("\n") == 1, ran.stderr


def test_what_a_user_reads_about_the_bot_is_not_nascar_only(cli: Any) -> None:
    """The bot asks about photo finishes in many sports. The Slack manifest said "Sports
    trivia from NASCAR's closest finishes"; nothing a user reads about it may say that."""
    manifest = cli("slack", "manifest").out
    described = manifest.split("description: ", 1)[1].splitlines()[0].strip('"')
    helped = cli("--help").out
    for text in (described, helped, WELCOME, trivia.description, admin.description):
        assert "NASCAR" not in text, text
        assert "stock car" not in text.casefold(), text
    assert "photo finishes" in described
    assert "athletics" in described
    assert len(described) <= 140  # Slack's limit for the short description
