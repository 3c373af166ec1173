"""Cutting reply text to a platform's length limits without cutting a name in half."""

from __future__ import annotations

SEPARATORS = ("\n", ", ")
"""How reply text lists things: lines (leaderboards, tables) or comma lists (who was right)."""


def _whole_items(text: str, limit: int, sep: str) -> str | None:
    """As many whole items of a `sep`-separated list as fit, then how many were left out;
    None if `text` is not such a list or not even one item fits."""
    items = text.split(sep)
    best, used = 0, -len(sep)
    for kept in range(1, len(items)):
        used += len(sep) + len(items[kept - 1])
        if used + len(_more(sep, len(items) - kept)) > limit:
            break
        best = kept
    return sep.join(items[:best]) + _more(sep, len(items) - best) if best else None


def _more(sep: str, left: int) -> str:
    return f"{sep}… and {left} more"


def fit(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters; otherwise whole list items and "… and N
    more", or (for text that is not a list) whole words and "…"."""
    if len(text) <= limit:
        return text
    for sep in SEPARATORS:
        cut = _whole_items(text, limit, sep)
        if cut is not None:
            return cut
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head) + "…"
