"""What long database work reports as it goes (rows copied, events imported); bot/ shows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Progress(Protocol):
    """Told the whole job first, then each piece of it as it is done."""

    def begin(self, parts: Sequence[tuple[str, int]]) -> None:
        """The job: (name, rows) for each part, in the order they will be done."""

    def advance(self, part: str, rows: int) -> None:
        """`rows` more of `part` are done."""
