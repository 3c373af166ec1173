"""The pack checker: every question every record can produce, held against the records.

A record is held to itself (its times against its margin, one competitor in one place, a
tie said the same way in the places and the margin), and every question made from it to
the invariants a player relies on: one defensible answer, every stated fact true for the
pair the margin belongs to, caveats shown, nothing about the open daily record shown, and
sentences that read right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from random import Random

from trivia.bank import Bank, Pool, Records, discipline
from trivia.countries import overlap
from trivia.daily import asks_choice, daily_pool
from trivia.margins import states_margin
from trivia.model import Event, Question, QuestionKind
from trivia.names import normalize
from trivia.questions import Generator

SEEDS = 3
"""Each subject is built with this many random seeds (choices and true/false vary)."""

_DOUBLED = re.compile(r"\b([A-Za-z]{3,})\s+\1\b", re.IGNORECASE)
_BAD_DID = re.compile(r"\bdid\b[^?.]*\b(shared|edged|tied) (the|with|for)\b")
_CREWS = re.compile(r" and [^,;.?]* and [^,;.?]* and [^;.?]*\b(shared|tied)\b")
_PARENS = re.compile(r"\s*\([^()]*\)")
_FINE_DOUBLES = {"her", "that", "had"}
"""Words English doubles on purpose ('cost her her feet')."""
_FIGURES = re.compile(r"\d*\.?\d+")
_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which rule, which record, and the text at fault."""

    rule: str
    key: str
    text: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.key}: {self.text}"


def check(records: Records, today: date, seeds: int = SEEDS) -> list[Violation]:
    """Every violation in these records and the questions they make, sorted, each once."""
    bank = Bank(records)
    found = [v for e in records.events for v in check_record(bank, e)]
    for seed in range(seeds):
        generator = Generator(bank, Random(seed), today=today)
        for kind, event in bank.subjects:
            found += _check_subject(generator, kind, event)
            if kind is QuestionKind.MARGIN and asks_choice(event):
                daily = generator.choice_daily(event)
                found += [] if daily is None else list(check_question(bank, daily))
        found += _check_spoilers(generator)
    return sorted(set(found), key=lambda v: (v.rule, v.key, v.text))


def _check_subject(generator: Generator, kind: QuestionKind, event: Event) -> list[Violation]:
    generator.pool = Pool()
    question = generator.build(f"{kind}:{event.key}")
    return [] if question is None else list(check_question(generator.bank, question))


def _seconds(time: str | None) -> float | None:
    """'1:14.53' -> 74.53; None for a time that is not a clock reading."""
    match = _CLOCK.match(time or "")
    if match is None:
        return None
    parts = [float(p) for p in match.groups() if p is not None]
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


def check_record(bank: Bank, event: Event) -> Iterator[Violation]:
    """A record against itself: its times, its places and its tie."""
    key = event.key
    seen: dict[str, int] = {}
    for r in event.results:
        who = bank.people.of(r.competitor)
        if who in seen and seen[who] != r.position:
            yield Violation("record-one-place", key, f"{r.competitor} at {seen[who]}, {r.position}")
        seen[who] = r.position
    zero = event.margin_display in ("dead heat", "dh") or (event.timed and not event.margin_s)
    if event.tied and not zero:
        yield Violation("record-tie", key, f"tied places but a margin of {event.margin_display}")
    if event.timed and not event.tied and event.margin_s is not None:
        yield from _check_times(event)


def _check_times(event: Event) -> Iterator[Violation]:
    """The margin against the pair's own times, at the finer reading both have."""
    assert event.margin_s is not None
    a, b = event.ahead[0], event.behind[0]
    for field in ("time_precise", "time"):
        ta, tb = _seconds(getattr(a, field)), _seconds(getattr(b, field))
        if ta is None or tb is None:
            continue
        shown = getattr(a, field) or ""
        digits = len(shown.rpartition(".")[2]) if "." in shown else 0
        step = 10.0**-digits
        if abs((tb - ta) - event.margin_s) > step + 1e-9:
            yield Violation(
                "record-times",
                event.key,
                f"{a.competitor} {getattr(a, field)}, {b.competitor} {getattr(b, field)}: "
                f"not {event.margin_display} apart",
            )
        return
    if event.places[0] == 1 and b.gap_s is not None and abs(b.gap_s - event.margin_s) > 1e-9:
        yield Violation("record-times", event.key, f"gap {b.gap_s} is not {event.margin_s}")


def _texts(q: Question) -> list[str]:
    return [q.prompt, q.explanation, q.caveat or "", *(c.label for c in q.choices)]


def check_question(bank: Bank, q: Question) -> Iterator[Violation]:
    """One generated question against the records it states."""
    events = [bank.by_key[k] for k in q.event_keys]
    main = events[0]
    yield from _check_pairs(q, events)
    yield from _check_caveats(q, events)
    yield from _check_choices(bank, q, main)
    yield from _check_reading(q, events)


def _check_pairs(q: Question, events: list[Event]) -> Iterator[Violation]:
    """'A beat B' only where the margin lies between A and B; a tie never as one answer."""
    statement = q.prompt if q.kind is not QuestionKind.TRUE_FALSE else ""
    main = events[0]
    for a, b in combinations(main.results, 2):
        if main.tied or (a in main.ahead and b in main.behind):
            continue
        said = f"{a.competitor} beat {b.competitor} by"
        for text in (statement, q.explanation.partition(" Margins, ")[0]):
            if said in text:
                yield Violation("pair", main.key, text)
    for e in events[1:]:
        wrong = [f"{a.competitor} over {b.competitor}" for a, b in combinations(e.results, 2)
                 if a not in e.ahead or b not in e.behind]  # fmt: skip
        mine = [c.label for c in q.choices if c.label.startswith(f"{e.season} ")]
        for label in (x for x in mine if e.venue in x):
            if any(label.endswith(w) for w in wrong):
                yield Violation("pair", e.key, label)
    if q.answer_index is not None and q.kind in _PLACES:
        place = _PLACES[q.kind]
        if len(main.at(place)) != 1:
            yield Violation("tie-one-answer", main.key, q.prompt)


_PLACES = {QuestionKind.WINNER: 1, QuestionKind.RUNNER_UP: 2, QuestionKind.THIRD: 3}


def _check_caveats(q: Question, events: list[Event]) -> Iterator[Violation]:
    shown = q.caveat or ""
    for e in events:
        for caveat in (e.caveat, e.margin_caveat):
            if caveat and caveat not in shown:
                yield Violation("caveat", e.key, f"{q.prompt} (missing: {caveat})")
        if e.margin_caveat and f"{e.margin_display} {e.margin_unit}" in q.prompt:
            yield Violation("caveat-in-prompt", e.key, q.prompt)


def _check_choices(bank: Bank, q: Question, main: Event) -> Iterator[Violation]:
    labels = [c.label for c in q.choices]
    key = main.key
    if len({normalize(x) for x in labels}) != len(labels):
        yield Violation("duplicate-choice", key, " | ".join(labels))
    answer = labels[q.answer_index] if q.answer_index is not None else None
    wrong = [x for i, x in enumerate(labels) if i != q.answer_index]
    if q.kind in (QuestionKind.WINNER, QuestionKind.RUNNER_UP, QuestionKind.THIRD):
        people = {bank.people.of(x) for x in labels}
        if len(people) != len(labels):
            yield Violation("one-person-two-choices", key, " | ".join(labels))
        kinds = {bank.entrant(x) for x in labels}
        if len(kinds) > 1:
            yield Violation("entrant-kinds", key, " | ".join(labels))
    if q.kind is QuestionKind.VENUE and any(
        bank.same_place(a, b) for a, b in combinations(labels, 2)
    ):
        yield Violation("one-venue-two-choices", key, " | ".join(labels))
    if answer is None:
        return
    if q.kind is QuestionKind.COUNTRY and any(overlap(answer, w) for w in wrong):
        yield Violation("overlapping-choices", key, " | ".join(labels))
    if q.kind is QuestionKind.SPORT:
        nested = [w for w in wrong if normalize(w) in normalize(answer) or normalize(answer)
                  in normalize(w)]  # fmt: skip
        if nested:
            yield Violation("overlapping-choices", key, " | ".join(labels))
    if q.kind is QuestionKind.SEASON:
        yield from _check_seasons(bank, main, [int(w) for w in wrong], labels)


def _check_seasons(
    bank: Bank, main: Event, wrong: list[int], labels: list[str]
) -> Iterator[Violation]:
    same = bank.disciplines[discipline(main)]
    winners = {bank.people.of(r.competitor) for r in main.at(1)}
    info = bank.series_info.get(main.series)
    annual = info is not None and info.annual
    for e in same:
        if e.season in wrong and winners & {bank.people.of(r.competitor) for r in e.at(1)}:
            yield Violation("season-also-won", main.key, " | ".join(labels))
    first = min(e.season for e in same)
    if not annual and any(y < first for y in wrong):
        yield Violation("season-before-event", main.key, " | ".join(labels))


def _check_reading(q: Question, events: list[Event]) -> Iterator[Violation]:
    main = events[0]
    names = [r.competitor for e in events for r in e.results]
    for text in _texts(q):
        plain = _PARENS.sub("", text)
        for name in sorted(names, key=len, reverse=True):
            plain = plain.replace(_PARENS.sub("", name), "<name>")
        doubled = [m for m in _DOUBLED.findall(plain) if m.casefold() not in _FINE_DOUBLES]
        if doubled:
            yield Violation("doubled-word", main.key, text)
        if _BAD_DID.search(plain) or _CREWS.search(plain) or _nests(text):
            yield Violation("grammar", main.key, text)
    if q.kind is QuestionKind.CLOSEST:
        titles = [c.label.rpartition(": ")[0] for c in q.choices]
        if len(set(titles)) != len(titles):
            yield Violation("same-label", main.key, " | ".join(titles))


def _nests(text: str) -> bool:
    """True for a parenthesis inside another: '(IndyCar Series (today's ...), Texas)'."""
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > 1:
            return True
    return False


def _check_spoilers(generator: Generator) -> Iterator[Violation]:
    """While a record is the open daily, nothing else shown states its margin. Each record
    whose notes, corrections or caveats quote a daily record's margin is asked with every
    such daily held back at once."""
    bank = generator.bank
    by_figure: dict[str, list[Event]] = {}
    for daily in daily_pool(bank, None).events:
        by_figure.setdefault(daily.margin_display, []).append(daily)
    kinds: dict[str, list[QuestionKind]] = {}
    for kind, subject in bank.subjects:
        kinds.setdefault(subject.key, []).append(kind)
    for event in bank.records.events:
        texts = [n.text for n in event.notes] + list(event.corrections)
        texts += [t for t in (event.caveat, event.margin_caveat) if t]
        quoted = {
            (text, daily.key)
            for text in texts
            for figure in _FIGURES.findall(text)
            for daily in by_figure.get(figure, [])
            if daily.key != event.key and states_margin(text, daily)
        }
        if not quoted:
            continue
        generator.pool = Pool(exclude=frozenset(key for _, key in quoted))
        for kind in kinds.get(event.key, []):
            question = generator.build(f"{kind}:{event.key}")
            if question is None:
                continue
            shown = " ".join([question.explanation, question.caveat or ""])
            for text, key in sorted(quoted):
                if text in shown:
                    yield Violation("spoiler", event.key, f"while {key} is open: {text}")
