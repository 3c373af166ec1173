"""The photo-finish command line."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import aiohttp
import discord
from slack_sdk.errors import SlackApiError

from adapters.discord_bot import invite_url
from adapters.slack_manifest import slack_manifest
from bot.app import TokenRefusedError, play_console, run_platforms
from bot.config import Config, ConfigError, load_config
from bot.pack_check import check_packs
from db.backend import (
    DATABASE_ERRORS,
    BackupTargetError,
    ConnectError,
    backup_sqlite,
    describe,
    open_store,
)
from db.records import read_pack
from trivia.margins import margin_text
from trivia.pack import PackError, pack_to_dict
from trivia.sentences import over
from trivia.settings import MAX_WINDOW, MIN_WINDOW

CSV_COLUMNS = (
    "key", "sport", "series", "season", "date", "name", "venue", "kind", "official", "winner",
    "runner_up", "margin_unit", "margin_s", "margin_display", "caveat", "sources",
)  # fmt: skip
AUTHENTICATION_FAILED = 4004
"""Discord's gateway close code for a token that is no longer valid (e.g. reset)."""


def _window(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not MIN_WINDOW <= seconds <= MAX_WINDOW:
        raise argparse.ArgumentTypeError(f"must be from {MIN_WINDOW} to {MAX_WINDOW} seconds")
    return seconds


def _global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """--config and --db, accepted before or after the subcommand (`run --config FILE`).

    After the subcommand they default to SUPPRESS, so they never undo a value given before."""
    common = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    common.add_argument(
        "--config", type=Path, default=default, help="config file (default: ./config.toml if any)"
    )
    common.add_argument(
        "--db", type=Path, default=default, help="database file (overrides the config)"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="photo-finish",
        description="Photo Finish: sports trivia from the closest finishes in sport.",
        parents=[_global_options(suppress=False)],
    )
    parser.add_argument(
        "--version", action="version", version=f"photo-finish {version('photo-finish')}"
    )
    common = [_global_options(suppress=True)]
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "run", parents=common, help="start the configured platforms (console if none)"
    )
    play = commands.add_parser("play", parents=common, help="play in this terminal")
    play.add_argument("--name", help="your player name")
    play.add_argument(
        "--window", type=_window, help=f"answer window in seconds ({MIN_WINDOW}-{MAX_WINDOW})"
    )
    play.add_argument("--seed", type=int, help="random seed, for reproducible games")

    discord = commands.add_parser("discord", help="Discord set-up").add_subparsers(
        dest="discord_command", required=True, metavar="ACTION"
    )
    discord.add_parser(
        "invite-url", parents=common, help="print the link that adds the bot to a server"
    )
    slack = commands.add_parser("slack", help="Slack set-up").add_subparsers(
        dest="slack_command", required=True, metavar="ACTION"
    )
    slack.add_parser(
        "manifest", parents=common, help="print the app manifest (YAML) to paste into Slack"
    )

    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("migrate", parents=common, help="apply pending migrations")
    db.add_parser("rebuild", parents=common, help="recompute every leaderboard from the answer log")
    backup = db.add_parser("backup", parents=common, help="copy the database to a new file")
    backup.add_argument("path", type=Path)

    records = commands.add_parser("records", help="the records database").add_subparsers(
        dest="records_command", required=True, metavar="ACTION"
    )
    imp = records.add_parser(
        "import", parents=common, help="import a records pack (JSON), all or nothing"
    )
    imp.add_argument("path", type=Path)
    exp = records.add_parser("export", parents=common, help="write every record, with sources")
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    exp.add_argument("--output", type=Path, help="file to write (default: standard output)")
    records.add_parser("list", parents=common, help="one line per record, by sport and margin")
    chk = records.add_parser(
        "check", parents=common, help="every question the packs make, held against the records"
    )
    chk.add_argument("packs", nargs="*", type=Path, help="packs to check (default: shipped)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"photo-finish: {exc}", file=sys.stderr)
        return 2
    if args.db:
        config = replace(config, db_path=args.db, db_url=None)
    try:
        return asyncio.run(_dispatch(args, config))
    except KeyboardInterrupt:
        print("\nBye.")
        return 0
    except BrokenPipeError:  # e.g. `photo-finish records list | head`
        sys.stderr.close()
        return 0
    except (PackError, CommandError) as exc:
        print(f"photo-finish: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"photo-finish: {exc}", file=sys.stderr)
        return 2
    except ConnectError as exc:
        print(f"photo-finish: {exc} ([database] url in {config.file})", file=sys.stderr)
        return 1
    except DATABASE_ERRORS as exc:
        key = "url" if config.db_url else "path"
        print(
            f"photo-finish: {describe(config.database)} ([database] {key}): {exc}", file=sys.stderr
        )
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        print(f"photo-finish: {_describe(exc)}", file=sys.stderr)
        return 1


def _gateway_closed(exc: BaseException, token: str) -> str:
    """One line for Discord's gateway ending the session (4004: the token was reset);
    `token` says where the token came from."""
    code = exc.code if isinstance(exc, discord.ConnectionClosed) else None
    hint = f"; check {token}" if code == AUTHENTICATION_FAILED else ""
    return f"discord: the gateway closed the connection (code {code}){hint}"


def _unreachable(exc: BaseException) -> str:
    """What failed when connecting to a platform, in words: 'cannot reach discord.com (DNS
    lookup failed)', 'cannot reach 127.0.0.1:9 (connection refused)'."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        host = exc.host if exc.port in (80, 443, None) else f"{exc.host}:{exc.port}"
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            why = "DNS lookup failed"
        elif isinstance(exc, aiohttp.ClientConnectorCertificateError):
            why = "its TLS certificate was not accepted"
        elif isinstance(exc, aiohttp.ClientSSLError):
            why = "the TLS handshake failed"
        else:
            why = os.strerror(exc.errno).lower() if exc.errno else "no connection"
        return f"cannot reach {host} ({why})"
    if isinstance(exc, TimeoutError):
        return "the connection timed out"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"the gateway refused the connection ({exc.status} {exc.message})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"the server answered {exc.status} {exc.message}"
    if isinstance(exc, OSError) and exc.errno:
        return f"cannot connect ({os.strerror(exc.errno).lower()})"
    return f"cannot connect ({exc or type(exc).__name__})"


def _describe(exc: Exception) -> str:
    """One line for a file or database error."""
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text ({exc.reason})"
    return str(exc)


class CommandError(Exception):
    """A failure to report in one line."""


NO_PLATFORM = (
    "run: no chat platform is configured (set DISCORD_TOKEN, or SLACK_BOT_TOKEN with"
    " SLACK_APP_TOKEN, or their [discord]/[slack] keys in {file}); and with no terminal"
    " there is no console to play in: use `photo-finish play` for that"
)


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    if args.command == "run" and not config.platforms and not sys.stdin.isatty():
        # Under a service a missing token must not pass for a console that reads no input.
        file = config.source or f"{config.file} (none in this folder) or in --config FILE"
        raise CommandError(NO_PLATFORM.format(file=file))
    if args.command == "play" or (args.command == "run" and not config.platforms):
        if getattr(args, "name", None):
            config = replace(config, player_name=args.name)
        if getattr(args, "window", None) is not None:
            config = replace(config, game=replace(config.game, answer_window_seconds=args.window))
        await play_console(config, seed=getattr(args, "seed", None))
        return 0
    if args.command == "run":
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # Not a line per scheduled post: the scheduler logs what goes wrong itself.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        token = config.secret_name("discord", "token")
        try:
            await run_platforms(config)
        except* TokenRefusedError as group:
            raise CommandError(str(group.exceptions[0])) from None
        except* discord.LoginFailure:
            raise CommandError(f"discord: the token was refused; check {token}") from None
        except* discord.ConnectionClosed as group:
            raise CommandError(_gateway_closed(group.exceptions[0], token)) from None
        except* SlackApiError as group:
            first = group.exceptions[0]
            error = first.response.get("error") if isinstance(first, SlackApiError) else "error"
            raise CommandError(f"slack: the Web API said {error}; check the tokens") from None
        except* (aiohttp.ClientError, OSError) as group:
            reason = _unreachable(group.exceptions[0])
            raise CommandError(f"{', '.join(config.platforms)}: {reason}") from None
        return 0
    if args.command == "slack":
        print(slack_manifest(), end="")
        return 0
    if args.command == "discord":
        if not config.discord_token:
            raise CommandError("no Discord token: set DISCORD_TOKEN or [discord] token")
        try:
            print(invite_url(config.discord_token))
        except ValueError as exc:
            raise CommandError(f"{config.secret_name('discord', 'token')}: {exc}") from None
        return 0
    if args.command == "db":
        return await _db(args, config)
    return await _records(args, config)


async def _db(args: argparse.Namespace, config: Config) -> int:
    if args.db_command == "migrate":
        async with open_store(config.database) as stores:
            done = ", ".join(stores.applied) or "nothing (up to date)"
            print(f"{describe(config.database)}: applied {done}")
            return 0
    if args.db_command == "rebuild":
        async with open_store(config.database) as stores:
            await stores.game.rebuild_standings()
        print(f"{describe(config.database)}: standings rebuilt from the answer log")
        return 0
    if config.db_url:
        raise CommandError(
            f"db backup: use pg_dump for PostgreSQL (pg_dump --format=custom"
            f" --file=FILE {describe(config.db_url)})"
        )
    target: Path = args.path
    if await asyncio.to_thread(target.exists):
        raise CommandError(f"{target}: already exists; choose a new file")
    try:
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"{target}: cannot make its folder: {exc.strerror}") from None
    try:
        await backup_sqlite(config.db_path, target)
    except BackupTargetError as exc:
        raise CommandError(f"{target}: {exc}") from None
    print(f"Backed up {config.db_path} to {target}")
    return 0


async def _records(args: argparse.Namespace, config: Config) -> int:
    if args.records_command == "check":
        return check_packs(args.packs)
    async with open_store(config.database) as stores:
        store = stores.records
        if args.records_command != "import":
            await store.seed()
        if args.records_command == "import":
            pack = read_pack(args.path)
            summary = await store.import_pack(pack)
            print(
                f"{args.path}: {len(pack.events)} events: {summary.added} added, "
                f"{summary.updated} updated, {summary.unchanged} unchanged"
            )
            return 0
        events = await store.load_events()
        if args.records_command == "list":
            order = sorted(events, key=lambda e: (e.sport, e.margin_unit, e.margin_s or 0, e.date))
            for e in order:
                flag = " *" if e.margin_caveat or e.caveat else ""
                print(
                    f"{margin_text(e):>9}  {e.date}  {e.series.removeprefix('NASCAR '):14} "
                    f"{over(e)}, {e.name} ({e.venue}){flag}"
                )
            print(f"{len(events)} records; * = stated with a caveat")
            return 0
        pack = await store.export_pack()
        if args.format == "json":
            text = json.dumps(pack_to_dict(pack), indent=2, ensure_ascii=False) + "\n"
        else:
            text = _csv(pack_to_dict(pack)["events"])
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0


def _csv(events: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in events:
        results = e["results"]
        sources = e["sources"]
        assert isinstance(results, list)
        assert isinstance(sources, list)
        row = {k: e.get(k, "") for k in CSV_COLUMNS}
        row["winner"] = results[0]["competitor"]
        row["runner_up"] = results[1]["competitor"]
        row["caveat"] = " ".join(str(e.get(k) or "") for k in ("caveat", "margin_caveat")).strip()
        row["sources"] = " | ".join(s["url"] for s in sources)
        writer.writerow(row)
    return out.getvalue()
