"""Keep tests away from the user's config, data directory and chat secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ENV_SECRETS

SECRET_VARS = tuple(ENV_SECRETS.values())


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a bot subprocess: no chat secrets, a throw-away home and data dir."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARS}
    return env | {
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "PYTHONWARNINGS": "error::RuntimeWarning",  # e.g. 'coroutine was never awaited'
    }


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for this process: cwd, HOME and XDG_DATA_HOME in tmp_path, no secrets."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for name in SECRET_VARS:
        monkeypatch.delenv(name, raising=False)
