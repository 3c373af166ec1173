"""The bot as its own process (`python -m bot run`), pointed at a loopback Discord fake."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.fakes.discord_api import FakeDiscord

TOKEN = "bench-token"


def bot_command(
    config: Path,
    db: Path,
    fake: FakeDiscord,
    *,
    window_s: float | None = None,
    shard: tuple[int, int] | None = None,
) -> list[str]:
    """Write a config for the database and the fake (and an answer window, and the one
    shard of a count this process runs, if given) at `config`; the command line that runs
    the bot with it."""
    game = "" if window_s is None else f"[game]\nanswer_window_seconds = {window_s:.0f}\n\n"
    shards = "" if shard is None else f"shard_count = {shard[1]}\nshard_ids = [{shard[0]}]\n"
    config.write_text(
        f'[database]\npath = "{db}"\n\n{game}[discord]\ntoken = "{TOKEN}"\n'
        f'api_base_url = "{fake.base_url}"\ngateway_url = "{fake.gateway_url}"\n{shards}',
        encoding="utf-8",
    )
    return [sys.executable, "-m", "bot", "--config", str(config), "run"]
