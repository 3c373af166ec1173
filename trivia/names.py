"""Name normalization shared by judging, generation and the records importer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Fold case, accents, punctuation and spacing so typed text compares equal (cached:
    question generation compares the same record names thousands of times)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _NON_WORD.sub(" ", plain.replace("'", "").replace("\u2019", ""))
    return _SPACES.sub(" ", plain).strip()


def surname(name: str) -> str:
    """The family name of a full name: the last word that is not a suffix such as Jr."""
    words = name.split()
    while len(words) > 1 and normalize(words[-1]) in _SUFFIXES:
        words.pop()
    return words[-1].rstrip(",") if words else name


CLOSE_MATCH = 80.0
"""Fuzzy score at or above which a mistyped name is offered as "did you mean"."""


def close_match(text: str, names: Iterable[str]) -> str | None:
    """The known name a mistyped one most likely meant ('america/new_york' ->
    'America/New_York', 'atheltics' -> 'Athletics'), if any is close enough."""
    by_key = {normalize(n): n for n in names}
    if normalize(text) in by_key:
        return by_key[normalize(text)]
    found = process.extractOne(normalize(text), list(by_key), scorer=fuzz.ratio)
    return by_key[found[0]] if found and found[1] >= CLOSE_MATCH else None


def did_you_mean(text: str, names: Iterable[str]) -> str:
    """' Did you mean X?' for a close match, else ''."""
    match = close_match(text, names)
    return f" Did you mean {match}?" if match else ""


def slips(text: str, names: Iterable[str]) -> list[str]:
    """The names `text` is a slip of the keys away from, in their order: a letter wrong,
    missing, extra, or two swapped (two slips where either word has six letters or more),
    from the whole name or one of its words ('caveta': margin_caveat, by its 'caveat')."""
    typed = text.casefold()
    return [
        name
        for name in names
        if any(
            OSA.distance(typed, part) <= 1 + max(len(typed), len(part)) // 6
            for part in (name.casefold(), *re.split(r"[_\s]+", name.casefold()))
        )
    ]
