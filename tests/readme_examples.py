"""The command examples README.md shows, found as a reader finds them: every code span (and
fenced line) that is a /trivia, /trivia-admin or photo-finish command, with the section it
is in, templates (`[series NAME|all]`) expanded into commands a user would type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
_SPAN = re.compile(r"`([^`]+)`")
_GROUP = re.compile(r"\[([^\]]+)\]")
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")
COMMAND_STARTS = ("/trivia", "photo-finish ", "python -m bot ")
CLAUSE_STARTS = {
    "/trivia admin settings": ("window", "length", "series", "sports"),
    "/trivia admin schedule set": ("days", "reveal", "questions", "channel", "series", "sport"),
}
"""Commands whose clauses the README also shows on their own (`sport Athletics`); such a
clause, in the same paragraph or table row as the command, is tried added to it."""
ACTION_STARTS = {"/trivia admin schedule": ("list", "next", "pause", "resume", "remove")}
"""Commands whose other actions the README shows on their own (`pause N`) beside one."""
FILL = {
    "N": "5",
    "S": "30",
    "SECONDS": "30",
    "K": "7",
    "TEXT": "b",
    "GUESS": "0.004",
    "HH:MM": "09:00",
    "ZONE": "Europe/London",
    "NAME": "Cup Series",
    "#NAME": "#quiz",
    "@user": "@alice",
    "NUMBER": "1",
    "PATH": "README-EXAMPLE-PATH",
    "PACK...": "README-EXAMPLE-PACK",
    "FILE": "README-EXAMPLE-PATH",
}
"""A value for each placeholder, where the word before it does not say otherwise."""
FILL_AFTER = {
    ("sport", "NAME"): "Athletics",
    ("sports", "NAME,"): "Athletics,",
    ("sports", "NAME"): "Swimming",
    ("NAME,", "NAME"): "Swimming",
    ("reveal", "HH:MM"): "21:00",
    ("pause", "N"): "1",
    ("resume", "N"): "1",
    ("remove", "N"): "1",
    ("--name", "N"): "alice",
}


@dataclass(frozen=True)
class Example:
    """One command as the README writes it, where, and the commands it stands for;
    `refused`: its sentence says it is refused (`sport Triathlon` ... is refused)."""

    written: str
    section: str
    commands: tuple[str, ...]
    refused: bool = False


def units(text: str) -> list[tuple[str, str]]:
    """(section heading, text) of every paragraph and table row, lines joined."""
    found: list[tuple[str, str]] = []
    section = ""
    paragraph: list[str] = []
    fenced = False

    def flush() -> None:
        if paragraph:
            found.append((section, " ".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            fenced = not fenced
        elif fenced:
            found.append((section, f"`{line.split('#')[0].strip()}`"))
        elif line.startswith("#"):
            flush()
            section = line.lstrip("#").strip()
        elif not line.strip() or line.startswith("|"):
            flush()
            if line.startswith("|"):
                found.append((section, line.replace("\\|", "|")))
        else:
            paragraph.append(line.strip())
    flush()
    return found


def expand(template: str) -> list[str]:
    """The commands a template stands for: without its optional parts, then with each
    alternative of each optional part on its own; `a|b` outside brackets is each of them.
    A bare alternative takes the keyword of the first ('series NAME|all': 'series all')."""
    pieces = _GROUP.split(template)  # text, group, text, group, ..., text
    texts, groups = pieces[::2], pieces[1::2]

    def joined(chosen: int, option: str) -> str:
        parts = [option if i == chosen else "" for i in range(len(groups))]
        return "".join(t + p for t, p in zip(texts, [*parts, ""], strict=True))

    variants = [joined(-1, "")]
    for i, group in enumerate(groups):
        options = [o.strip() for o in group.split("|")]
        keyword = options[0].split()[0] if len(options[0].split()) > 1 else None
        for option in options:
            variants.append(
                joined(i, option if not keyword or " " in option else f"{keyword} {option}")
            )
    commands: list[str] = []
    for variant in variants:
        words = variant.split()
        choices = [word.split("|") if "|" in word else [word] for word in words]
        for j, options in enumerate(choices):
            if len(options) > 1:
                for option in options:
                    commands.append(fill(" ".join([*words[:j], option, *words[j + 1 :]])))
                break
        else:
            commands.append(fill(variant))
    return list(dict.fromkeys(commands))


def fill(command: str) -> str:
    """The command with each placeholder given a value a user could type."""
    words = command.split()
    filled = []
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        filled.append(FILL_AFTER.get((before, word), FILL.get(word, word)))
    return " ".join(filled)


def _refused(unit: str, span: str) -> bool:
    """True if the sentence that shows `span` says it is refused."""
    return any(f"`{span}`" in s and "refused" in s for s in _SENTENCE_END.split(unit))


def readme_examples(text: str | None = None) -> list[Example]:
    """Every command example of the README, in order."""
    found = []
    for section, unit in units(README.read_text(encoding="utf-8") if text is None else text):
        spans = [s.strip() for s in _SPAN.findall(unit)]
        base: dict[str, str] = {}
        for span in spans:
            if span.startswith(COMMAND_STARTS):
                command = span.removeprefix("python -m bot ")
                found.append(Example(span, section, tuple(expand(command))))
                for start in CLAUSE_STARTS:
                    if span.startswith(start):
                        base[start] = expand(span)[0]
                continue
            first, *rest = span.split(maxsplit=1)
            for start, clauses in CLAUSE_STARTS.items():
                if start in base and first in clauses and rest:
                    command = fill(f"{base[start]} {span}")
                    found.append(Example(span, section, (command,), _refused(unit, span)))
            for start, actions in ACTION_STARTS.items():
                if any(s.startswith(start) for s in spans) and first in actions:
                    found.append(Example(span, section, (fill(f"{start} {span}"),)))
    return found
