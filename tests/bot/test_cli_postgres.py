"""The command line with `[database] url`: records and migrations on PostgreSQL, as a user
runs them, printing what they print on SQLite; the game plays there too."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from db.postgres.connection import migrations
from tests.bot import test_cli
from tests.bot.test_cli import MINI_PACK, Ran
from tests.isolation import clean_env

cli = test_cli.cli
"""`photo-finish ARGS` run in this process, as in test_cli."""


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def one_line_error(ran: Ran) -> str:
    assert ran.code == 1, ran
    assert "Traceback" not in ran.err
    [line] = ran.err.splitlines()
    assert line.startswith("photo-finish: ")
    return line


def test_records_import_list_and_export_print_the_same_on_both_backends(
    cli: Any, tmp_path: Path, pg_url: str
) -> None:
    """The same commands on a SQLite file and on a PostgreSQL URL: the same import summary,
    the same list, the same JSON and CSV exports."""
    postgres: list[str | Path] = ["--config", config_for(tmp_path, pg_url)]
    sqlite: list[str | Path] = ["--db", tmp_path / "records.sqlite3"]
    printed = []
    for where in (sqlite, postgres):
        steps: list[list[str | Path]] = [
            ["records", "import", MINI_PACK],
            ["records", "import", MINI_PACK],
            ["records", "list"],
            ["records", "export"],
            ["records", "export", "--format", "csv"],
        ]
        runs = [cli(*where, *step) for step in steps]
        assert all(ran.code == 0 and ran.err == "" for ran in runs), runs
        printed.append([ran.out for ran in runs])
    assert printed[1] == printed[0]
    first_import, second_import, listed, exported, _ = printed[1]
    assert first_import.endswith("12 events: 12 added, 0 updated, 0 unchanged\n")
    assert second_import.endswith("12 events: 0 added, 0 updated, 12 unchanged\n")
    assert listed.endswith("12 records; * = stated with a caveat\n")
    assert len(json.loads(exported)["events"]) == 12


def test_db_migrate_on_postgresql_then_again(cli: Any, tmp_path: Path, pg_url: str) -> None:
    config = config_for(tmp_path, pg_url)
    first = cli("--config", config, "db", "migrate")
    second = cli("--config", config, "db", "migrate")

    names = ", ".join(name for _, name, _ in migrations())
    assert (first.code, first.out) == (0, f"{pg_url}: applied {names}\n")
    assert (second.code, second.out) == (0, f"{pg_url}: applied nothing (up to date)\n")


def test_an_unreachable_server_is_one_line_without_the_password(cli: Any, tmp_path: Path) -> None:
    url = f"postgresql://bot:hunter2@127.0.0.1:{closed_port()}/trivia"
    config = config_for(tmp_path, url)

    line = one_line_error(cli("--config", config, "records", "list"))

    assert "hunter2" not in line
    assert line.startswith(f"photo-finish: postgresql://bot:***@127.0.0.1:{url.split(':')[3]}")
    assert "cannot connect: connection refused" in line
    assert line.endswith(f"([database] url in {config})")


def test_backup_on_postgresql_points_to_pg_dump(cli: Any, tmp_path: Path) -> None:
    """`db backup` with a url says how to back PostgreSQL up, in one line, instead of
    copying a SQLite file the admin did not choose."""
    url = f"postgresql://bot@127.0.0.1:{closed_port()}/trivia"
    argv = ["db", "backup", "copy.sqlite3"]
    line = one_line_error(cli("--config", config_for(tmp_path, url), *argv))
    assert line.startswith("photo-finish: db backup: use pg_dump for PostgreSQL")
    assert not list(tmp_path.glob("*.sqlite3*"))


def play(tmp_path: Path, config: Path, moves: str) -> str:
    """`photo-finish play` with these lines piped in; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "play", "--name", "carl",
         "--seed", "7"],
        cwd=tmp_path, env=clean_env(tmp_path), input=moves, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, ""), done
    return done.stdout


def test_play_and_db_rebuild_run_on_postgresql(cli: Any, tmp_path: Path, pg_url: str) -> None:
    """A game played in the console on PostgreSQL is stored there: a second console run
    shows it on the leaderboard, before and after `db rebuild`."""
    config = config_for(tmp_path, pg_url)
    answered = play(tmp_path, config, "/trivia\na\n")
    assert "Locked in" in answered, answered
    board = "/trivia leaderboard\n"
    before = play(tmp_path, config, board)
    assert "carl" in before.split("== Leaderboard: all time ==")[1]
    rebuilt = cli("--config", config, "db", "rebuild")
    assert rebuilt == Ran(0, f"{pg_url}: standings rebuilt from the answer log\n", "")
    assert play(tmp_path, config, board) == before
    assert not list(tmp_path.glob("*.sqlite3"))


def test_db_option_overrides_a_configured_url(cli: Any, tmp_path: Path) -> None:
    """`--db FILE` picks that SQLite file even when the config names a PostgreSQL URL."""
    url = f"postgresql://bot@127.0.0.1:{closed_port()}/trivia"
    db = tmp_path / "chosen.sqlite3"
    ran = cli("--config", config_for(tmp_path, url), "--db", db, "db", "migrate")
    assert ran.code == 0, ran
    assert ran.out.startswith(f"{db}: applied 0001_records.sql")
