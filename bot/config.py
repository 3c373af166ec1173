"""Configuration: a TOML file plus secrets from the environment."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_data_dir

from trivia.settings import MAX_MATCH, MAX_WINDOW, MIN_WINDOW

DEFAULT_CONFIG = Path("config.toml")
MAX_SHARDS = 10_000
MIN_TAKEOVER_S, MAX_TAKEOVER_S = 1, 3600
"""[schedule] takeover_seconds: under a second a live process's claim could be taken from
it mid-slot; over an hour a stopped one's slots would wait past the grace period."""
ENV_SECRETS = {
    ("discord", "token"): "DISCORD_TOKEN",
    ("slack", "bot_token"): "SLACK_BOT_TOKEN",
    ("slack", "app_token"): "SLACK_APP_TOKEN",
    ("slack", "signing_secret"): "SLACK_SIGNING_SECRET",
}


class ConfigError(Exception):
    """A config problem, phrased as one line naming the file, key and problem."""


def default_db_path() -> Path:
    """The per-user database file."""
    return Path(user_data_dir("photo-finish", appauthor=False)) / "photo-finish.sqlite3"


@dataclass(frozen=True)
class GameConfig:
    """Defaults for every workspace; admins can override some per workspace."""

    answer_window_seconds: float = 20.0
    match_length: int = 5
    series: str | None = None


@dataclass(frozen=True)
class Config:
    """Everything the bot reads at start."""

    source: str | None = None
    """The config file read; None when there was none."""
    env_secrets: frozenset[str] = frozenset()
    """The environment variables (ENV_SECRETS) that gave a secret."""
    db_path: Path = field(default_factory=default_db_path)
    db_url: str | None = None
    """A `postgresql://` URL from [database] url: the database is PostgreSQL, not db_path."""
    lease_seconds: int = 30
    """How long a process holds a lease it stopped renewing (a console seat, a Slack
    workspace's scheduled posts) before another process may take it."""
    game: GameConfig = GameConfig()
    player_name: str = "you"
    schedule_grace_minutes: int = 60
    schedule_takeover_seconds: float = 60.0
    """How long a slot claimed by a stopped process waits before it is taken over (a post
    it had taken: twice this)."""
    discord_token: str | None = None
    discord_dev_guild_id: int | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_shard_count: int | None = None
    """How many shards the bot runs on, over all its processes (None: Discord's advice)."""
    discord_shard_ids: tuple[int, ...] | None = None
    """The shards this process runs (None: all of them)."""
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_mode: str = "socket"
    slack_http_host: str = "127.0.0.1"
    slack_http_port: int = 3000
    slack_api_base_url: str | None = None
    slack_admin_user_ids: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        """The config file to name in a message: the one read, or the one looked for."""
        return self.source or str(DEFAULT_CONFIG)

    def secret_name(self, section: str, key: str) -> str:
        """Where a secret came from, for a message: 'DISCORD_TOKEN' or
        '[discord] token in bot.toml'."""
        env = ENV_SECRETS[(section, key)]
        return env if env in self.env_secrets else f"[{section}] {key} in {self.file}"

    @property
    def database(self) -> Path | str:
        """Where the data lives: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.db_url or self.db_path

    @property
    def platforms(self) -> list[str]:
        """The chat platforms with credentials configured."""
        found = []
        if self.discord_token:
            found.append("discord")
        if self.slack_bot_token:
            found.append("slack")
        return found


class _Section:
    def __init__(self, source: str, name: str, data: object) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: [{name}]: expected a table")
        self.source, self.name, self.data = source, name, data

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: [{self.name}] {key}: {problem}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown setting (known: {', '.join(sorted(allowed))})")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {value!r}")
        return value.strip() or None

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(key) or default
        if value not in allowed:
            raise self.fail(key, f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return tuple(v.strip() for v in value if v.strip())

    def snowflake(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(key, f"expected a Discord id (a number), got {value!r}")
        return value

    def url(self, key: str, schemes: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and not value.startswith(schemes):
            raise self.fail(key, f"expected a URL starting with {' or '.join(schemes)}")
        return value

    def database_url(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        expected = "expected postgresql://USER@HOST:PORT/DBNAME"
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres"):
            # Past the last @: a password in the value is not repeated in the message.
            raise self.fail(key, f"{expected}, got {value.rsplit('@', 1)[-1]!r}")
        try:
            _ = parts.port  # a port that is not a number raises ValueError here
        except ValueError:
            raise self.fail(key, f"{expected}: the port is not a number") from None
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.data.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise self.fail(key, f"expected a number from {low:g} to {high:g}, got {value!r}")
        return float(value)

    def whole(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"expected a whole number from {low} to {high}, got {value!r}")
        return value


_SECTIONS: dict[str, set[str]] = {
    "database": {"path", "url", "lease_seconds"},
    "game": {"answer_window_seconds", "match_length", "series"},
    "console": {"player_name"},
    "schedule": {"grace_minutes", "takeover_seconds"},
    "discord": {"token", "dev_guild_id", "api_base_url", "gateway_url", "shard_count", "shard_ids"},
    "slack": {
        "bot_token",
        "app_token",
        "signing_secret",
        "mode",
        "http_host",
        "http_port",
        "api_base_url",
        "admin_user_ids",
    },
}


def _shards(discord: _Section) -> tuple[int | None, tuple[int, ...] | None]:
    """[discord] shard_count and shard_ids: every id a shard of the count, once."""
    if "shard_count" not in discord.data:
        if "shard_ids" in discord.data:
            raise discord.fail("shard_ids", "needs shard_count too (the bot's shards in all)")
        return None, None
    count = discord.whole("shard_count", 1, 1, MAX_SHARDS)
    if "shard_ids" not in discord.data:
        return count, None
    ids = discord.data["shard_ids"]
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count for i in ids)
        or len(set(ids)) != len(ids)
    ):
        raise discord.fail(
            "shard_ids",
            f"expected a list of different shard numbers from 0 to {count - 1}"
            f" (shard_count = {count}), got {ids!r}",
        )
    return count, tuple(sorted(ids))


def _beside(config_file: Path | None, path: str) -> Path:
    """A path from the config: a relative one is taken from the config file's folder (not
    from wherever the bot happens to be started)."""
    given = Path(path).expanduser()
    if given.is_absolute() or config_file is None:
        return given
    return config_file.parent / given


def load_config(path: Path | None, environ: Mapping[str, str] = os.environ) -> Config:
    """Read the config file (if any) and the environment; raise ConfigError on any problem."""
    data: dict[str, Any] = {}
    chosen = path if path is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    source = str(chosen or DEFAULT_CONFIG)  # for messages: without a file, the one looked for
    if chosen is not None:
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{source}: file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: cannot read: {exc}") from None
    for name in data:
        if name not in _SECTIONS:
            raise ConfigError(
                f"{source}: [{name}]: unknown section (known: {', '.join(_SECTIONS)})"
            )
    sections = {name: _Section(source, name, data.get(name, {})) for name in _SECTIONS}
    for name, keys in _SECTIONS.items():
        sections[name].check_keys(keys)
    shard_count, shard_ids = _shards(sections["discord"])

    secrets: dict[tuple[str, str], str | None] = {}
    from_env = frozenset(env for env in ENV_SECRETS.values() if environ.get(env))
    for (section, key), env in ENV_SECRETS.items():
        secrets[(section, key)] = environ.get(env) or sections[section].text(key)

    game, slack = sections["game"], sections["slack"]
    if secrets[("slack", "bot_token")]:
        needed = "app_token" if slack.data.get("mode", "socket") == "socket" else "signing_secret"
        if not secrets[("slack", needed)]:
            env = ENV_SECRETS[("slack", needed)]
            if "SLACK_BOT_TOKEN" in from_env:
                raise ConfigError(
                    f"SLACK_BOT_TOKEN is set: set {env} too (or [slack] {needed} in {source})"
                )
            raise ConfigError(f"{source}: [slack] {needed}: required (or set {env})")
    database = sections["database"]
    db_path, db_url = database.text("path"), database.database_url("url")
    if db_path and db_url:
        raise ConfigError(f"{source}: [database]: set path (SQLite) or url (PostgreSQL), not both")
    return Config(
        source=None if chosen is None else source,
        env_secrets=from_env,
        db_path=_beside(chosen, db_path) if db_path else default_db_path(),
        db_url=db_url,
        lease_seconds=database.whole("lease_seconds", 30, 5, 3600),
        game=GameConfig(
            answer_window_seconds=game.number("answer_window_seconds", 20, MIN_WINDOW, MAX_WINDOW),
            match_length=game.whole("match_length", 5, 1, MAX_MATCH),
            series=game.text("series"),
        ),
        player_name=sections["console"].text("player_name") or "you",
        schedule_grace_minutes=sections["schedule"].whole("grace_minutes", 60, 0, 24 * 60),
        schedule_takeover_seconds=sections["schedule"].number(
            "takeover_seconds", 60, MIN_TAKEOVER_S, MAX_TAKEOVER_S
        ),
        discord_token=secrets[("discord", "token")],
        discord_dev_guild_id=sections["discord"].snowflake("dev_guild_id"),
        discord_api_base_url=sections["discord"].url("api_base_url", ("http://", "https://")),
        discord_gateway_url=sections["discord"].url("gateway_url", ("ws://", "wss://")),
        discord_shard_count=shard_count,
        discord_shard_ids=shard_ids,
        slack_bot_token=secrets[("slack", "bot_token")],
        slack_app_token=secrets[("slack", "app_token")],
        slack_signing_secret=secrets[("slack", "signing_secret")],
        slack_mode=slack.choice("mode", ("socket", "http"), "socket"),
        slack_http_host=slack.text("http_host") or "127.0.0.1",
        slack_http_port=slack.whole("http_port", 3000, 1, 65535),
        slack_api_base_url=slack.url("api_base_url", ("http://", "https://")),
        slack_admin_user_ids=slack.strings("admin_user_ids"),
    )
