"""What the platform adapters need to attach the picture of a finish to a reveal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Painter = Callable[[str], Awaitable[bytes | None]]
"""A record's key -> the PNG of its finish, or None when there is none to show (the reply
then goes out without it)."""
FILENAME = "finish.png"
ALT_TEXT = "The picture of the finish: the two at the line, with the margin."
