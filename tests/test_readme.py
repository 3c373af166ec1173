"""The README's command examples, as written, work: every /trivia line through the text
grammar (and the engine, for the settings and schedules it checks), every Discord line
against the slash-command tree, every photo-finish line through the CLI."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands

from adapters.discord_bot.slash import admin, trivia
from bot.cli import build_parser, main
from db.records import shipped_packs
from tests.conftest import MINI_PACK, T0
from tests.isolation import isolate
from tests.memory_store import MemoryStore
from tests.readme_examples import FILL, Example, readme_examples
from trivia.commands import Configure, Help, Invalid, ScheduleSet, parse
from trivia.engine import Actor, Engine
from trivia.model import Place, RecordsPack
from trivia.replies import ReplyKind
from trivia.settings import Settings

EXAMPLES = readme_examples()
CONSOLE = Place("console", "local", "console")
SLACK = Place("slack", "T1", "C1")
_TYPED_CHANNEL = re.compile(r"(?<=channel )#([\w-]+)")


def parsed_only(args: list[str]) -> bool:
    """CLI commands parsed but not run here: they start a game or need a platform token,
    `records check` of every shipped pack takes seconds, and `db copy` needs a database
    with data and a PostgreSQL server (their own tests run them)."""
    return (
        args[:1] in (["run"], ["play"], ["discord"])
        or args == ["records", "check"]
        or args[:2] == ["db", "copy"]
    )


def platform(example: Example) -> str:
    """Where the example is typed: 'discord' (slash commands), 'cli' or 'text'."""
    if example.written.startswith("/trivia-admin") or (
        example.written.startswith("/trivia") and example.section == "Running on Discord"
    ):
        return "discord"
    return "cli" if example.written.startswith(("photo-finish", "python")) else "text"


def cases(kind: str) -> list[tuple[str, str]]:
    return [(e.written, c) for e in EXAMPLES if platform(e) == kind for c in e.commands]


REFUSED = {c for e in EXAMPLES if e.refused for c in e.commands}
"""Examples whose sentence says they are refused: the engine must refuse them."""


@cache
def shipped() -> tuple[RecordsPack, ...]:
    return tuple(pack for pack, _ in shipped_packs())


def test_the_readme_examples_are_found() -> None:
    """The extraction sees the README's examples of every kind, the issue's among them."""
    written = {e.written for e in EXAMPLES}
    assert {
        "/trivia admin schedule set 09:00 America/New_York weekdays",
        "sport Athletics questions 2",
        "channel #quiz",
        "channel console-2",
        "sport Triathlon",
        "/trivia-admin schedule set",
        "photo-finish records import PATH",
    } <= written
    assert all(len(cases(kind)) >= 10 for kind in ("text", "discord", "cli"))


@pytest.mark.parametrize(("written", "command"), cases("text"), ids=repr)
async def test_text_examples_work_in_the_console_and_slack(written: str, command: str) -> None:
    """Each /trivia example parses to the command it shows; settings and schedules are
    also accepted by the engine with the shipped records, or refused where the README says
    so. A channel typed `#quiz` is Slack's (it sends a link for a channel picked from its
    list); `...` stands for the rest of a command shown elsewhere."""
    text = command.removeprefix("/trivia")
    if text.endswith("..."):
        prefix = command.removesuffix("...").strip()
        assert any(c.startswith(prefix + " ") for _, c in cases("text")), command
        return
    place = CONSOLE
    if _TYPED_CHANNEL.search(text):
        text, place = _TYPED_CHANNEL.sub(r"<#C0\1|\1>", text), SLACK
    parsed = parse(text)
    assert not isinstance(parsed, Invalid), (command, parsed)
    assert not isinstance(parsed, Help) or parsed.problem is None, (command, parsed)
    if isinstance(parsed, Configure | ScheduleSet):
        engine = Engine(MemoryStore(*shipped()), defaults=Settings(), seed=1)
        actor = Actor(place, "U1", "Ann", T0, admin=True)
        outcome = await engine.handle(parsed, actor)
        errors = [r.title for r in outcome.replies if r.kind is ReplyKind.ERROR]
        assert bool(errors) == (command in REFUSED), (command, errors)


def _slash(path: list[str]) -> tuple[app_commands.Command[Any, ..., Any], list[str]]:
    """The slash command a README line names, and the words after it."""
    node: app_commands.Group | app_commands.Command[Any, ..., Any]
    node = {"/trivia": trivia, "/trivia-admin": admin}[path[0]]
    words = path[1:]
    while isinstance(node, app_commands.Group):
        assert words, f"{node.qualified_name} needs a subcommand"
        found = node.get_command(words[0])
        assert found is not None, f"{node.qualified_name} has no {words[0]!r}"
        node, words = found, words[1:]
    return node, words


@pytest.mark.parametrize(("written", "command"), cases("discord"), ids=repr)
def test_discord_examples_name_real_slash_commands(written: str, command: str) -> None:
    """Each Discord example names a slash command that exists, and each word after it is
    one of its options (`[series]`) or a choice of one (`week`)."""
    slash, words = _slash(command.split())
    options = {p.name for p in slash.parameters}
    choices = {str(c.value) for p in slash.parameters for c in p.choices}
    assert set(words) <= options | choices, (command, options, choices)


def _cli_args(command: str, tmp_path: Path) -> list[str]:
    """The arguments of a photo-finish line without shell redirections, a pack it reads
    (`my_pack.json`) being the test pack and a file it writes one in tmp_path."""
    words = shlex.split(command.split("|")[0].split("<")[0])[1:]
    reads = words[:2] in (["records", "import"], ["records", "check"])
    output = str(tmp_path / "example-output")
    return [
        str(MINI_PACK) if (reads and w in (FILL["PATH"], FILL["PACK..."])) or w.endswith(".json")
        else output if w == FILL["PATH"] else w
        for w in words
    ]  # fmt: skip


@pytest.mark.parametrize(("written", "command"), cases("cli"), ids=repr)
def test_cli_examples_run(
    written: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each photo-finish example is accepted by the CLI; those that neither start a game
    nor need a platform token run to success on a fresh database."""
    isolate(tmp_path, monkeypatch)
    args = _cli_args(command, tmp_path)
    try:
        parsed = build_parser().parse_args(args)
    except SystemExit as exc:  # --version prints and exits 0; a usage error exits 2
        parsed, code = None, exc.code
    if parsed is None:
        assert code == 0, (command, capsys.readouterr().err)
        return
    if parsed_only(args):
        return
    assert main(["--db", str(tmp_path / "example.sqlite3"), *args]) == 0, (
        command,
        capsys.readouterr().err,
    )
