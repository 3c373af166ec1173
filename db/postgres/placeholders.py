"""asyncpg numbers its parameters ($1, $2, ...) where SQLite takes `?` and `?N`: SQL
written once for both backends (db.scoping.in_scope, the standings' and dailies' queries)
is numbered here."""

from __future__ import annotations

import re
from functools import cache

_MARK = re.compile(r"\?(\d*)")


@cache
def numbered(sql: str, first: int = 1) -> str:
    """`sql` with each `?` replaced by $first, $first+1, ... in order, and each `?N` (the
    Nth parameter) by $(first+N-1)."""
    count = first

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1):
            return f"${first + int(match.group(1)) - 1}"
        count += 1
        return f"${count - 1}"

    return _MARK.sub(number, sql)
