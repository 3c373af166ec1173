"""The question bank: records indexed once per records version, and which questions a
channel has not seen in its current pass through them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from trivia.model import Competitor, Event, QuestionKind, Series
from trivia.names import normalize

_NUMBERED = re.compile(r" (i{1,3}|iv|v)$")
"""A country's second sled or boat: 'Germany II'."""
_ASIDE = re.compile(r"\s*\([^()]*\)")
ERA_YEARS = 8
CHOICES = 4
POOLS_KEPT = 64

Clue = Callable[[Event], object]
CLUES: dict[str, Clue] = {
    "season": lambda e: e.season,
    "series": lambda e: e.series,
    "name": lambda e: e.name.casefold(),
    "venue": lambda e: e.venue,
    "winner": lambda e: tuple(r.competitor for r in e.ahead),
    "runner_up": lambda e: tuple(r.competitor for r in e.behind),
}
NAMED = ("season", "series", "name", "venue")
"""The clues a prompt names an event by ('the 2024 Cup Series AdventHealth 400 at Kansas')."""


@dataclass(frozen=True)
class Records:
    """The records a bank indexes: events, nicknames and what is known of each series."""

    events: tuple[Event, ...]
    competitors: tuple[Competitor, ...] = ()
    series: tuple[Series, ...] = ()


def series_short(event: Event) -> str:
    """'Cup Series' for 'NASCAR Cup Series'."""
    return event.series.removeprefix("NASCAR ").strip()


@dataclass(frozen=True)
class Pool:
    """Which records a channel plays: a series (or one sport, named the same way), a set of
    sports, and records held back (the channel's open daily question)."""

    series: str | None = None
    sports: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()

    def admits(self, event: Event) -> bool:
        """True if questions may be asked about, or show, this record."""
        if event.key in self.exclude:
            return False
        if self.sports is not None and event.sport not in self.sports:
            return False
        return self.series in (None, event.series, series_short(event), event.sport)


def timed_group(event: Event) -> tuple[str, int]:
    """Margins that can be compared with each other: one sport, one printed precision."""
    return event.sport, event.precision


def undisputed(event: Event) -> bool:
    """A timed, settled margin between two separate places: usable to compare or guess."""
    return (
        event.timed
        and not event.tied
        and not event.margin_caveat
        and event.confidence == "high"
        and pair_clean(event)
    )


def pair_clean(event: Event) -> bool:
    """No caveat on the winner or on either side of the margin (a disqualification, say)."""
    return not any(r.caveat for r in (event.winner, *event.ahead, *event.behind))


def single(event: Event, position: int) -> bool:
    """Exactly one result at this place: a name question about it has one answer."""
    return len(event.at(position)) == 1 and not event.at(position)[0].caveat


class Identities:
    """Names that belong to one competitor or one venue (a married name, a rename, a
    translation, the same name with or without accents): one identity is one choice, and
    judging accepts every name."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._root: dict[str, str] = {}
        self._names: dict[str, list[str]] = defaultdict(list)
        spelled: dict[str, str] = {}
        for group in groups:
            names = list(group)
            for name in names:
                spelled.setdefault(name, name)
                self._union(names[0], name)
        for name in spelled:
            self._names[self.of(name)].append(name)

    def _find(self, key: str) -> str:
        root = self._root.setdefault(key, key)
        while root != self._root[root]:
            root = self._root[root]
        self._root[key] = root
        return root

    def _union(self, a: str, b: str) -> None:
        self._root[self._find(normalize(b))] = self._find(normalize(a))

    def of(self, name: str) -> str:
        """The identity a name belongs to: its normalized form when it has no other."""
        key = normalize(name)
        return self._find(key) if key in self._root else key

    def all_names(self, name: str) -> tuple[str, ...]:
        """Every name of this identity, this one first."""
        return tuple(dict.fromkeys([name, *self._names.get(self.of(name), ())]))


class Bank:
    """Records indexed for question generation; built once per records version."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.by_key = {e.key: e for e in records.events}
        self.nicknames = {c.name: c.aliases for c in records.competitors}
        self.people = Identities([c.name, *c.aliases] for c in records.competitors)
        self.places = Identities([e.venue, *e.venue_names] for e in records.events)
        self.series_info = {s.name: s for s in records.series}
        self._counts: dict[tuple[str, ...], Counter[tuple[object, ...]]] = {}
        self.competitors: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
        self.venues: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.seasons: dict[str, set[int]] = defaultdict(set)
        self.sport_seasons: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.countries: dict[str, set[str]] = defaultdict(set)
        self.disciplines: dict[tuple[str, ...], list[Event]] = defaultdict(list)
        self.times: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.margins: dict[tuple[str, int], list[Event]] = defaultdict(list)
        for e in records.events:
            for r in e.results:
                self.competitors[field_of(e)].append((e.season, r.competitor))
                self.competitors[discipline(e)].append((e.season, r.competitor))
            self.venues[e.sport, e.series].add(e.venue)
            self.seasons[e.series].add(e.season)
            self.sport_seasons[e.series, e.sport].add(e.season)
            self.disciplines[discipline(e)].append(e)
            self.countries[e.sport] |= {r.country for r in e.results if r.country}
            self.times[e.sport, e.name.casefold()] |= {r.time for r in e.results if r.time}
            if undisputed(e):
                self.margins[timed_group(e)].append(e)
        for group in self.margins.values():
            group.sort(key=lambda e: (e.margin_s or 0.0, e.key))
        self.distinct_margins = {
            key: sorted({e.margin_s or 0.0 for e in group}) for key, group in self.margins.items()
        }
        self.nations = {normalize(c) for cs in self.countries.values() for c in cs}
        self.sports = sorted({e.sport for e in records.events})
        self.topics = sorted({series_short(e) for e in records.events} | set(self.sports))
        """What a series filter may name: a series ('Cup Series') or a sport."""
        self._pools: dict[Pool, list[str]] = {}
        self._entrants: dict[str, str] = {}

    @classmethod
    def indexed(cls, records: Records) -> Bank:
        """A bank with its subjects worked out up front."""
        bank = cls(records)
        assert bank.subjects is not None
        return bank

    def identifies(self, event: Event, fields: Sequence[str]) -> bool:
        """True if these clues name exactly one record."""
        key = tuple(fields)
        if key not in self._counts:
            self._counts[key] = Counter(
                tuple(CLUES[f](e) for f in key) for e in self.records.events
            )
        return self._counts[key][tuple(CLUES[f](event) for f in key)] == 1

    @cached_property
    def subjects(self) -> list[tuple[QuestionKind, Event]]:
        """Every (kind, record) a question can be made about, checked cheaply up front."""
        return [
            (kind, e) for e in self.records.events for kind in QuestionKind if self._can(kind, e)
        ]

    def _can(self, kind: QuestionKind, e: Event) -> bool:
        named = self.identifies(e, NAMED)
        clean = pair_clean(e)
        upper, lower = e.places
        match kind:
            case QuestionKind.WINNER:
                return named and clean and single(e, 1)
            case QuestionKind.RUNNER_UP:
                return (
                    named and clean and single(e, 1) and single(e, 2)
                    and (e.places == (1, 2) or 2 not in e.places)
                )  # fmt: skip
            case QuestionKind.TRUE_FALSE:
                return named and clean and not e.tied and len(e.ahead) == len(e.behind) == 1
            case QuestionKind.MARGIN:
                return named and clean and not e.tied and not e.margin_caveat
            case QuestionKind.GUESS_MARGIN:
                return named and undisputed(e)
            case QuestionKind.CLOSEST:
                if not undisputed(e):
                    return False
                distinct = self.distinct_margins[timed_group(e)]
                wider = len(distinct) - bisect_right(distinct, e.margin_s or 0.0)
                return wider >= CHOICES - 1
            case QuestionKind.VENUE:
                return (
                    clean
                    and len(self.venues[e.sport, e.series]) >= CHOICES
                    and self.identifies(e, ("season", "series", "name", "winner", "runner_up"))
                )
            case QuestionKind.SEASON:
                info = self.series_info.get(e.series)
                return (
                    clean
                    and (len(self.seasons[e.series]) >= CHOICES or bool(info and info.annual))
                    and self.identifies(e, ("series", "name", "venue", "winner", "runner_up"))
                )
            case QuestionKind.SPORT:
                return clean and len(self.sports) >= CHOICES
            case QuestionKind.COUNTRY:
                country = e.winner.country
                return (
                    named
                    and single(e, 1)
                    and self.entrant(e.winner.competitor) == "person"
                    and country is not None
                    and country.casefold() not in e.winner.competitor.casefold()
                    and len(self.countries[e.sport] - {country}) >= CHOICES - 1
                )
            case QuestionKind.THIRD:
                return named and clean and single(e, 3) and 3 not in e.places
            case QuestionKind.SHARED:
                return named and e.tied and clean and upper == lower
            case QuestionKind.WINNING_TIME:
                mine = {r.time for r in e.results}
                others = self.times[e.sport, e.name.casefold()] - mine
                return named and e.winner.time is not None and len(others) >= CHOICES - 1

    def pool(self, pool: Pool) -> list[str]:
        """The subjects ('kind:key') of every question open to a pool (kept for the last
        POOLS_KEPT pools asked for)."""
        if pool not in self._pools:
            if len(self._pools) >= POOLS_KEPT:
                del self._pools[next(iter(self._pools))]
            self._pools[pool] = [f"{k}:{e.key}" for k, e in self.subjects if pool.admits(e)]
        return self._pools[pool]

    def era_competitors(self, event: Event, like: str) -> list[str]:
        """Competitors a fan could mistake for `like`: from the same discipline (the same
        event in other years) within ERA_YEARS first, else of the same sport, series,
        men's or women's field and kind of entrant (one person, a pair, a team), sorted."""
        found: set[str] = set()
        for key in (discipline(event), field_of(event)):
            found |= {
                name
                for season, name in self.competitors[key]
                if abs(season - event.season) <= ERA_YEARS
                and self.entrant(name) == self.entrant(like)
            }
            if len(found) >= CHOICES * 2:
                break
        return sorted(found)

    def same_place(self, a: str, b: str) -> bool:
        """Venues a player could not tell apart as answers: one identity (a rename), one
        town ('Méribel' and 'Roc de Fer, Méribel'), or one name inside the other."""
        if self.places.of(a) == self.places.of(b) or _town(a) == _town(b):
            return True
        x, y = f" {normalize(_ASIDE.sub('', a))} ", f" {normalize(_ASIDE.sub('', b))} "
        return x in y or y in x

    def entrant(self, name: str) -> str:
        """The kind of entrant a name is: 'crew' ('A and B'), 'team' ('Norway (...)', or a
        country's name alone, as rowing crews are listed), or 'person'."""
        if name not in self._entrants:
            base = _NUMBERED.sub("", normalize(name.partition(" (")[0]))
            crew = " and " in name or " / " in name
            team = "(" in name or base in self.nations
            self._entrants[name] = "crew" if crew else "team" if team else "person"
        return self._entrants[name]


def gender(event: Event) -> str:
    """'women', 'men' or '' from the event name ("Women's 100 m final")."""
    name = event.name.casefold()
    return "women" if "women" in name else "men" if "men's" in name else ""


def _town(venue: str) -> str:
    """The town a venue names last, without asides: 'Méribel' for 'Roc de Fer, Méribel'."""
    return normalize(_ASIDE.sub("", venue).rpartition(",")[2])


def discipline(event: Event) -> tuple[str, ...]:
    """The same event across years: sport and event name."""
    return ("discipline", event.sport, event.name.casefold())


def field_of(event: Event) -> tuple[str, ...]:
    """The wider field: sport, series and men's or women's."""
    return ("field", event.sport, event.series, gender(event))


def current_pass(pool: Iterable[str], history: Iterable[str]) -> set[str]:
    """The subjects a channel has been asked since it last went through the whole pool.

    `history` is newest first. Walking back, the pass ends just before the question that
    would complete the pool, so what is left is never empty."""
    open_to = set(pool)
    seen: set[str] = set()
    for subject in history:
        if subject in open_to and subject not in seen:
            if len(seen) + 1 == len(open_to):
                break
            seen.add(subject)
    return seen
