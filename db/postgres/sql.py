"""SQL written once for both backends: SQLite's placeholders in PostgreSQL's spelling."""

from __future__ import annotations

import re
from functools import cache

_PLACEHOLDER = re.compile(r"\?(\d*)")


@cache
def numbered(sql: str) -> str:
    """`sql` with SQLite's `?` (the next parameter) and `?N` (the Nth) as `$N`."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1):
            return f"${match.group(1)}"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)
