"""Name normalization shared by judging, generation and the records importer."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
