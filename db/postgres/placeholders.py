"""asyncpg numbers its parameters ($1, $2, ...) where SQLite takes `?`: clauses written once
for both backends (db.scoping.in_scope) are numbered here."""

from __future__ import annotations

import itertools
import re

_MARK = re.compile(r"\?")


def numbered(sql: str, first: int) -> str:
    """`sql` with each `?` replaced by $first, $first+1, ... in order."""
    count = itertools.count(first)
    return _MARK.sub(lambda _: f"${next(count)}", sql)
