"""Console seats: each console playing on one database gets a channel of its own."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from trivia.model import Place


@contextmanager
def console_seat(db_path: Path) -> Iterator[Place]:
    """The first free console channel of this database (console, console-2, ...), held
    until the block ends by an OS lock on a file beside the database, which is released
    however the process ends: a question left open by a console that stopped is revealed
    by the next console in that seat, and two live consoles never share a channel.
    The database's folder is made first (the bot's first start on a machine)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for number in count(1):
        channel = "console" if number == 1 else f"console-{number}"
        lock = db_path.with_name(f"{db_path.name}.{channel}.lock")
        with lock.open("a", encoding="utf-8") as held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            yield Place("console", "local", channel)
            return
