"""Countries that overlap in time or in territory: never rival choices for one answer."""

from __future__ import annotations

from functools import cache

from trivia.names import normalize

_SOVIET = ("Soviet Union", "Unified Team")
_NEUTRAL = ("Authorised Neutral Athlete", "Individual Neutral Athletes (Belarus)")
_OVERLAPS: tuple[tuple[str, ...], ...] = (
    ("Germany", "West Germany", "Germany (United Team)"),
    ("Germany", "East Germany", "Germany (United Team)"),
    ("Russia", "ROC", "ROC (Russian Olympic Committee)", "Olympic Athletes from Russia",
     "Authorised Neutral Athlete", *_SOVIET),
    ("Belarus", *_NEUTRAL, *_SOVIET),
    *((republic, *_SOVIET) for republic in (
        "Ukraine", "Kazakhstan", "Latvia", "Lithuania", "Estonia", "Moldova", "Uzbekistan",
        "Azerbaijan", "Georgia", "Armenia")),
    ("Great Britain", "United Kingdom", "England"),
    ("Great Britain", "United Kingdom", "Scotland"),
    ("Great Britain", "United Kingdom", "Wales"),
    ("United Kingdom", "Northern Ireland"),
    ("Czech Republic", "Czechoslovakia"),
    ("Slovakia", "Czechoslovakia"),
    ("Serbia", "Serbia and Montenegro", "Yugoslavia"),
    ("Montenegro", "Serbia and Montenegro", "Yugoslavia"),
    *((republic, "Yugoslavia") for republic in (
        "Croatia", "Slovenia", "Bosnia and Herzegovina", "North Macedonia")),
    ("Chinese Taipei", "Taiwan"),
)  # fmt: skip


@cache
def _groups() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(map(normalize, group)) for group in _OVERLAPS)


def overlap(a: str, b: str) -> bool:
    """True when one country's athletes could fairly be said to have represented the other
    (West Germany and Germany, ROC and Russia, England and Great Britain)."""
    a, b = normalize(a), normalize(b)
    return a == b or any(a in group and b in group for group in _groups())
