"""Every bot/ test runs isolated from the user's config, data and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.isolation import isolate


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./config.toml, real data dir or platform secrets can leak into a test."""
    isolate(tmp_path, monkeypatch)
