"""`photo-finish records check`: what a pack makes players read, before anyone plays it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from db.records import read_pack, shipped_packs
from trivia.bank import Records
from trivia.check import check


def check_packs(paths: Sequence[Path]) -> int:
    """Check the named packs together (the shipped ones when none is named): print each
    violation with its record key and text, then a summary; 1 when any was found."""
    packs = [read_pack(p) for p in paths] if paths else [p for p, _ in shipped_packs()]
    records = Records(
        tuple(e for p in packs for e in p.events),
        tuple(c for p in packs for c in p.competitors),
        tuple(s for p in packs for s in p.series),
    )
    found = check(records, datetime.now(UTC).date())
    for violation in found:
        print(violation)
    rules = Counter(v.rule for v in found)
    summary = ", ".join(f"{n} {rule}" for rule, n in sorted(rules.items())) or "no problems"
    names = ", ".join(str(p) for p in paths) or "the shipped packs"
    print(f"{len(records.events)} records in {names}: {summary}")
    return 1 if found else 0
