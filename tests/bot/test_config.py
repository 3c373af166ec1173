"""Tests for bot.config: the TOML file, environment secrets and one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, GameConfig, load_config
from db.records import read_pack
from tests.isolation import clean_env

REPO = Path(__file__).resolve().parents[2]
PACKS = REPO / "db" / "packs"


def write(tmp_path: Path, text: str, name: str = "bot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, environ or {})
    message = str(info.value)
    assert "\n" not in message, f"config errors are one line: {message!r}"
    return message


# -- defaults -------------------------------------------------------------------------------


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(None, {})

    assert config.source is None
    assert config.game == GameConfig(answer_window_seconds=20.0, match_length=5, series=None)
    assert config.player_name == "you"
    assert config.platforms == []
    assert config.discord_token is None
    assert config.slack_bot_token is None
    # The per-user database lives under the (patched) XDG data dir, never in the real home.
    assert config.db_path.name == "photo-finish.sqlite3"
    assert config.db_path.is_relative_to(tmp_path / "xdg-data")
    assert not config.db_path.exists(), "loading the config must not create the database"


def test_config_toml_in_the_working_directory_is_used_when_no_path_given(tmp_path: Path) -> None:
    write(tmp_path, '[console]\nplayer_name = "Junior"\n', name="config.toml")

    config = load_config(None, {})

    assert config.source == "config.toml"
    assert config.player_name == "Junior"


def test_a_full_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[database]
path = "~/trivia/pf.sqlite3"

[game]
answer_window_seconds = 45
match_length = 7
series = "Cup Series"

[console]
player_name = "  Rowdy  "
""",
    )

    config = load_config(path, {})

    assert config.source == str(path)
    assert config.db_path == tmp_path / "home" / "trivia" / "pf.sqlite3"  # ~ expanded
    assert config.game == GameConfig(
        answer_window_seconds=45.0, match_length=7, series="Cup Series"
    )
    assert config.player_name == "Rowdy"


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")

    config = load_config(path, {})

    assert config.source == str(path)
    assert config.game == Config().game
    assert config.player_name == "you"


# -- file problems ----------------------------------------------------------------------------


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"

    message = error_for(path)

    assert message == f"{path}: file not found"


def test_malformed_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[game]\nanswer_window_seconds = 30\nmatch_length 5\n")

    message = error_for(path)

    assert message.startswith(f"{path}: not valid TOML")
    assert "line 3" in message


def test_a_directory_instead_of_a_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "conf.toml"
    folder.mkdir()

    message = error_for(folder)

    assert message.startswith(f"{folder}: cannot read")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[console]\nplayer_name = "Su\xe1rez"\n'.encode("latin-1"))

    message = error_for(path)

    assert message.startswith(f"{path}: cannot read")


# -- values ------------------------------------------------------------------------------------


def test_a_wrong_type_names_file_section_key_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path, '[game]\nanswer_window_seconds = "fast"\n')

    message = error_for(path)

    assert message == (
        f"{path}: [game] answer_window_seconds: expected a number from 5 to 3600, got 'fast'"
    )


@pytest.mark.parametrize(
    ("line", "key", "problem"),
    [
        ("answer_window_seconds = 4", "answer_window_seconds", "from 5 to 3600, got 4"),
        ("answer_window_seconds = 3601", "answer_window_seconds", "from 5 to 3600, got 3601"),
        ("answer_window_seconds = true", "answer_window_seconds", "got True"),
        ("match_length = 0", "match_length", "from 1 to 20, got 0"),
        ("match_length = 21", "match_length", "from 1 to 20, got 21"),
        ("series = 3", "series", "expected a string, got 3"),
    ],
)
def test_out_of_range_and_mistyped_game_settings(
    tmp_path: Path, line: str, key: str, problem: str
) -> None:
    path = write(tmp_path, f"[game]\n{line}\n")

    message = error_for(path)

    assert message.startswith(f"{path}: [game] {key}: ")
    assert message.endswith(problem)


def test_range_limits_themselves_are_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "[game]\nanswer_window_seconds = 5\nmatch_length = 20\n")

    assert load_config(path, {}).game.answer_window_seconds == 5.0
    assert load_config(path, {}).game.match_length == 20


def test_the_takeover_time_is_read_and_kept_in_range(tmp_path: Path) -> None:
    """[schedule] takeover_seconds: a whole or fractional number of seconds from 1 to 3600;
    anything else is one line naming the key and the range."""
    assert (
        load_config(
            write(tmp_path, "[schedule]\ntakeover_seconds = 2.5\n"), {}
        ).schedule_takeover_seconds
        == 2.5
    )
    for bad in ("0.5", "3601", '"60"', "true"):
        path = write(tmp_path, f"[schedule]\ntakeover_seconds = {bad}\n")
        message = error_for(path)
        assert message.startswith(f"{path}: [schedule] takeover_seconds: ")
        assert "expected a number from 1 to 3600" in message


def test_a_fractional_match_length_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "[game]\nmatch_length = 2.5\n")

    message = error_for(path)

    assert message.startswith(f"{path}: [game] match_length: ")


def test_a_string_setting_with_the_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "[console]\nplayer_name = 42\n")

    assert error_for(path) == f"{path}: [console] player_name: expected a string, got 42"


def test_an_unknown_key_names_the_section_and_the_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "[game]\nanswer_window = 30\n")

    message = error_for(path)

    assert message.startswith(f"{path}: [game] answer_window: unknown setting")
    assert "answer_window_seconds" in message
    assert "match_length" in message


def test_discord_shards_are_read(tmp_path: Path) -> None:
    """`shard_count` alone runs every shard; with `shard_ids`, only those (in order)."""
    every = load_config(write(tmp_path, "[discord]\nshard_count = 4\n"), {})
    some = load_config(write(tmp_path, "[discord]\nshard_count = 4\nshard_ids = [3, 1]\n"), {})

    assert (every.discord_shard_count, every.discord_shard_ids) == (4, None)
    assert (some.discord_shard_count, some.discord_shard_ids) == (4, (1, 3))


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ("shard_count = 0", "shard_count: expected a whole number from 1 to 10000, got 0"),
        ('shard_count = "2"', "shard_count: expected a whole number from 1 to 10000, got '2'"),
        ("shard_ids = [0]", "shard_ids: needs shard_count too (the bot's shards in all)"),
        *(
            (
                f"shard_count = 2\nshard_ids = {ids}",
                "shard_ids: expected a list of different shard numbers from 0 to 1"
                f" (shard_count = 2), got {shown}",
            )
            for ids, shown in [
                ("[2]", "[2]"),
                ("[-1]", "[-1]"),
                ("[]", "[]"),
                ("[1, 1]", "[1, 1]"),
                ("[true]", "[True]"),
                ('["0"]', "['0']"),
                ("0", "0"),
            ]
        ),
    ],
)
def test_bad_discord_shards_are_refused_in_one_line(
    tmp_path: Path, lines: str, problem: str
) -> None:
    path = write(tmp_path, f"[discord]\n{lines}\n")

    assert error_for(path) == f"{path}: [discord] {problem}"


def test_an_unknown_section_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[telegram]\ntoken = 'x'\n")

    message = error_for(path)

    assert message.startswith(f"{path}: [telegram]: unknown section")
    assert "discord" in message
    assert "slack" in message


def test_a_top_level_key_is_an_unknown_section(tmp_path: Path) -> None:
    path = write(tmp_path, "answer_window_seconds = 30\n")

    assert error_for(path).startswith(f"{path}: [answer_window_seconds]: unknown section")


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "game = 5\n")

    assert error_for(path) == f"{path}: [game]: expected a table"


# -- secrets -----------------------------------------------------------------------------------


def test_environment_secrets_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[discord]\ntoken = "from-file"\n')

    from_file = load_config(path, {})
    from_env = load_config(path, {"DISCORD_TOKEN": "from-env"})

    assert from_file.discord_token == "from-file"
    assert from_env.discord_token == "from-env"
    assert from_env.platforms == ["discord"]


def test_environment_secrets_are_added_without_a_file() -> None:
    config = load_config(
        None,
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_SIGNING_SECRET": "shh",
        },
    )

    assert config.slack_bot_token == "xoxb-1"
    assert config.slack_app_token == "xapp-1"
    assert config.slack_signing_secret == "shh"
    assert config.platforms == ["slack"]


def test_an_empty_environment_variable_does_not_hide_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[discord]\ntoken = "from-file"\n')

    assert load_config(path, {"DISCORD_TOKEN": ""}).discord_token == "from-file"


def test_the_environ_argument_is_used_not_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "from-os-environ")

    assert load_config(None, {}).discord_token is None
    assert load_config(None, {"DISCORD_TOKEN": "given"}).discord_token == "given"


def test_both_platforms_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, '[slack]\nbot_token = "xoxb"\napp_token = "xapp"\n')

    config = load_config(path, {"DISCORD_TOKEN": "d"})

    assert config.platforms == ["discord", "slack"]


# -- through the command line --------------------------------------------------------------------


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[game]\nanswer_window_seconds = "fast"\n', "[game] answer_window_seconds: expected"),
        ("[game\n", "not valid TOML"),
        ("[weather]\nsunny = true\n", "[weather]: unknown section"),
    ],
    ids=["wrong-type", "malformed", "unknown-section"],
)
def test_cli_reports_a_bad_config_in_one_line(tmp_path: Path, text: str, expected: str) -> None:
    bad = write(tmp_path, text, name="bad.toml")
    db = tmp_path / "game.sqlite3"

    done = run_cli(tmp_path, "--config", str(bad), "--db", str(db), "records", "list")

    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"photo-finish: {bad}: ")
    assert expected in lines[0]
    assert "Traceback" not in done.stderr
    assert not db.exists(), "a bad config must stop the command before it opens the database"


def test_cli_reports_a_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"

    done = run_cli(tmp_path, "--config", str(missing), "records", "list")

    assert done.returncode == 2
    assert done.stderr == f"photo-finish: {missing}: file not found\n"


@pytest.mark.parametrize(
    ("mode", "missing", "env"),
    [
        ("socket", "app_token", "SLACK_APP_TOKEN"),
        ("http", "signing_secret", "SLACK_SIGNING_SECRET"),
    ],
)
def test_slack_needs_the_token_its_mode_uses(
    tmp_path: Path, mode: str, missing: str, env: str
) -> None:
    path = write(tmp_path, f'[slack]\nbot_token = "xoxb"\nmode = "{mode}"\n')

    with pytest.raises(ConfigError) as caught:
        load_config(path, {})

    assert str(caught.value) == f"{path}: [slack] {missing}: required (or set {env})"
    assert load_config(path, {env: "x"}).platforms == ["slack"]


@pytest.mark.parametrize("in_file", [False, True])
def test_a_slack_token_from_the_environment_is_named_as_such(tmp_path: Path, in_file: bool) -> None:
    """SLACK_BOT_TOKEN set without SLACK_APP_TOKEN: the line names the variables (it used to
    say `(defaults): [slack] app_token: required`, blaming a file there is none of)."""
    path = write(tmp_path, "[console]\n") if in_file else None

    message = error_for(path, {"SLACK_BOT_TOKEN": "xoxb"})

    where = path if in_file else "config.toml"
    wanted = f"SLACK_BOT_TOKEN is set: set SLACK_APP_TOKEN too (or [slack] app_token in {where})"
    assert message == wanted


def test_the_example_config_loads_and_states_the_defaults() -> None:
    """config.example.toml parses, and every value it shows is the real default."""
    example = load_config(REPO / "config.example.toml", {})
    defaults = load_config(None, {})
    assert replace(example, source="") == replace(defaults, source="")


def test_a_relative_database_path_is_taken_from_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`path = "data/pf.sqlite3"` means beside the config file, wherever the bot is
    started from (a service starts it in /)."""
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(folder, '[database]\npath = "data/pf.sqlite3"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(path, {}).db_path == folder / "data" / "pf.sqlite3"


def test_the_example_configs_series_are_of_the_shipped_records_in_several_sports() -> None:
    """The series named as examples in config.example.toml are ones the shipped records
    have, from more than one sport (they were NASCAR's three only)."""
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    comment = next(line for line in text.splitlines() if line.startswith("# Only ask about"))
    named = re.findall(r'"([^"]+)"', comment)
    events = [e for path in PACKS.glob("*.json") for e in read_pack(path).events]
    sports = {e.series.removeprefix("NASCAR "): e.sport for e in events} | {
        e.sport: e.sport for e in events
    }
    assert len(named) >= 3
    assert all(name in sports for name in named), named
    assert len({sports[name] for name in named}) >= 3


# -- [database] url --------------------------------------------------------------------------


def test_a_database_url_selects_postgresql(tmp_path: Path) -> None:
    url = "postgresql://bot:secret@db.example:5433/trivia"
    config = load_config(write(tmp_path, f'[database]\nurl = "{url}"\n'), {})
    assert config.db_url == url
    assert config.database == url
    assert load_config(None, {}).database == load_config(None, {}).db_path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'path = "pf.sqlite3"\nurl = "postgresql://bot@localhost/pf"',
            "[database]: set path (SQLite) or url (PostgreSQL), not both",
        ),
        (
            'url = "mysql://bot:secret@localhost/pf"',
            "[database] url: expected postgresql://USER@HOST:PORT/DBNAME, got 'localhost/pf'",
        ),
        (
            'url = "postgresql://bot:secret@localhost:five/pf"',
            "[database] url: expected postgresql://USER@HOST:PORT/DBNAME: the port is not a number",
        ),
    ],
    ids=["both", "scheme", "port"],
)
def test_a_bad_database_setting_is_one_line(tmp_path: Path, text: str, problem: str) -> None:
    """Both path and url, or a url that is not PostgreSQL's, stop the start in one line
    that never repeats the password."""
    path = write(tmp_path, f"[database]\n{text}\n")
    message = error_for(path)
    assert message == f"{path}: {problem}"
    assert "secret" not in message


def test_the_lease_length_is_read_and_checked(tmp_path: Path) -> None:
    """`[database] lease_seconds` sets how long a stopped process keeps its leases; a value
    out of range is refused in one line."""
    assert load_config(write(tmp_path, "[database]\nlease_seconds = 60\n"), {}).lease_seconds == 60
    path = write(tmp_path, "[database]\nlease_seconds = 2\n")
    assert error_for(path) == (
        f"{path}: [database] lease_seconds: expected a whole number from 5 to 3600, got 2"
    )
