"""Boundaries: each layer imports only what its allow-list names (and the standard library,
less what its layer must not touch); the engine is pure, db owns SQL."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = {"discord", "yarl", "aiohttp", "slack_bolt", "slack_sdk"}
ALLOWED = {
    "trivia": {"trivia", "rapidfuzz"},
    "db": {"db", "trivia", "aiosqlite", "asyncpg"},
    "adapters": {"adapters", "trivia", "prompt_toolkit"} | PLATFORMS,
    "bot": {"bot", "adapters", "db", "trivia", "apscheduler", "platformdirs", "rich", "PIL"}
    | PLATFORMS,
    "bench": {"bench", "bot", "adapters", "db", "trivia", "tests", "aiosqlite", "asyncpg"}
    | PLATFORMS,
    "tests": {"tests", "bot", "adapters", "db", "trivia", "hypothesis", "pytest", "pexpect", "pyte"}
    | {"asyncpg", "PIL"}
    | PLATFORMS,
}
"""The packages (ours and third-party) each layer may import, besides the standard library."""
DENIED_STDLIB = {
    "trivia": {"asyncio", "sqlite3", "time", "os", "socket", "subprocess", "threading"},
    "adapters": {"sqlite3"},
}
"""Standard-library modules a layer must not import: the engine does no I/O and reads no
clock; adapters hold no storage."""
CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for each absolute import in a file; a relative import
    stays inside its own package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def allowed(layer: str, module: str) -> bool:
    """Whether a layer may import a top-level module."""
    if module in sys.stdlib_module_names:
        return module not in DENIED_STDLIB.get(layer, set())
    return module in ALLOWED[layer]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_is_allowed(layer: str) -> None:
    """No module imports what its layer's allow-list does not name."""
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line, module in imports(path)
        if not allowed(layer, module)
    ]
    assert not bad, "\n".join(bad)


def test_every_package_has_an_allow_list() -> None:
    """A new top-level package needs a row in ALLOWED before its imports go unchecked."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(ALLOWED)


def test_the_check_names_the_file_and_the_import(tmp_path: Path) -> None:
    """What a forbidden import looks like to the check: the line and the module."""
    engine = tmp_path / "engine.py"
    engine.write_text("import re\nfrom db.game import GameStore\nimport asyncio\n")
    bad = [(line, m) for line, m in imports(engine) if not allowed("trivia", m)]
    assert bad == [(2, "db"), (3, "asyncio")]
    assert allowed("bot", "asyncio")
    assert not allowed("adapters", "aiosqlite")


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
