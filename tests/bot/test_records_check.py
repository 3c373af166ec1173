"""`photo-finish records check`: a pack maintainer learns what a pack makes players read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import MINI_PACK


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def test_a_pack_whose_margin_belongs_to_another_pair_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A margin that the pair's own times contradict, and the sentences it would make,
    are listed with the record key; exit 1."""
    data: dict[str, Any] = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    bad = data["events"][0]
    bad["results"][0]["time_precise"] = "1.000"
    bad["results"][1]["time_precise"] = "1.050"
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out = _run(capsys, "records", "check", path)
    assert code == 1
    assert f"record-times: {bad['key']}:" in out
    assert out.splitlines()[-1].startswith(f"{len(data['events'])} records in {path}: ")


def test_the_mini_pack_and_the_shipped_packs_check_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What ships makes no question that breaks an invariant."""
    code, out = _run(capsys, "records", "check", MINI_PACK)
    assert (code, out.splitlines()[-1].endswith(": no problems")) == (0, True), out
