"""Boundaries: the engine is pure, db owns SQL, adapters hold no storage."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "trivia": {"aiosqlite", "sqlite3", "db", "bot", "adapters", "discord", "slack_bolt",
               "slack_sdk", "aiohttp", "asyncio", "time"},
    "db": {"bot", "adapters", "discord", "slack_bolt", "slack_sdk", "aiohttp"},
    "adapters": {"db", "bot", "aiosqlite", "sqlite3"},
}  # fmt: skip
CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_inside_their_layer(package: str) -> None:
    """No module imports what its layer must not know about."""
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_engine_never_reads_the_clock() -> None:
    """trivia/ takes the time as an argument."""
    for path in sorted((ROOT / "trivia").rglob("*.py")):
        assert not CLOCK.search(path.read_text(encoding="utf-8")), path.name


def test_sql_lives_in_db_only() -> None:
    """No SQL statements outside db/."""
    sql = re.compile(r"\b(SELECT .* FROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")
    for package in ("trivia", "adapters", "bot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            assert not sql.search(path.read_text(encoding="utf-8")), path.name
