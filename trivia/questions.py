"""Question generation from records: every question has exactly one right answer, and
every fact in it comes from the records it cites."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import permutations
from random import Random

from trivia.bank import (
    CHOICES,
    NAMED,
    Bank,
    Pool,
    current_pass,
    discipline,
    series_short,
    timed_group,
    undisputed,
)
from trivia.countries import overlap
from trivia.daily import asks_choice, verbal_others
from trivia.margins import (
    VERBAL_MARGINS,
    distance_statement,
    figures_in_text,
    margin_by,
    margin_text,
    precision_phrase,
    precision_unit,
    states_margin,
    timed_to,
    verbal_choice,
)
from trivia.model import Choice, Difficulty, Event, Question, QuestionKind, Result, Source
from trivia.names import normalize
from trivia.sentences import beat_sentence, join_names, ordinal, over, pair_sentence

SEASON_SPAN = 6
"""Season choices are among the 2 x SEASON_SPAN seasons nearest the answer."""
CLOSEST_SPREAD = 12
"""A closest-finish question picks its other finishes among this many next-closest."""
REJECTIONS = 40
"""Random draws tried before the generator lists every subject left in the pass."""
_ASIDE = re.compile(r"(.*) \(([^()]*)\)$")
_GENERIC_VENUE_WORDS = {"circuit", "the", "international", "motor", "speedway", "raceway"}

DIFFICULTY = {
    QuestionKind.WINNER: Difficulty.EASY,
    QuestionKind.VENUE: Difficulty.EASY,
    QuestionKind.TRUE_FALSE: Difficulty.EASY,
    QuestionKind.SPORT: Difficulty.EASY,
    QuestionKind.RUNNER_UP: Difficulty.MEDIUM,
    QuestionKind.SEASON: Difficulty.MEDIUM,
    QuestionKind.CLOSEST: Difficulty.MEDIUM,
    QuestionKind.COUNTRY: Difficulty.MEDIUM,
    QuestionKind.SHARED: Difficulty.MEDIUM,
    QuestionKind.THIRD: Difficulty.HARD,
    QuestionKind.MARGIN: Difficulty.HARD,
    QuestionKind.GUESS_MARGIN: Difficulty.HARD,
    QuestionKind.WINNING_TIME: Difficulty.HARD,
}


class NoQuestionError(LookupError):
    """No question of the requested kind can be made from the records."""


def series_label(bank: Bank, event: Event, year: int, *, today: bool = True) -> str:
    """The series as it was called that season, with today's name where it differs:
    'Busch Series (today's Xfinity Series)' (`today` False leaves today's name out)."""
    info = bank.series_info.get(event.series)
    short = series_short(event)
    if info is None:
        return short
    then, now = info.name_in(event.season) or short, _today(bank, event, year)
    return then if then == now or not today else f"{then} (today's {now})"


def _today(bank: Bank, event: Event, year: int) -> str:
    """The series as it is called in `year`."""
    info = bank.series_info.get(event.series)
    return (info.name_in(year) if info else None) or series_short(event)


def describe(
    bank: Bank,
    event: Event,
    year: int,
    *,
    with_venue: bool = True,
    with_season: bool = True,
    today: bool = True,
) -> str:
    """The event as a prompt names it: 'the 2024 Cup Series AdventHealth 400 at Kansas'.
    Without the season the series goes by today's name (its name then would give the
    season away); `today` False names it only as it was then."""
    parts = ["the"]
    if with_season:
        parts.append(str(event.season))
        series = series_label(bank, event, year, today=today)
    else:
        series = _today(bank, event, year)
    name = event.name
    aside = _ASIDE.match(name)
    if aside and normalize(aside[2]) in normalize(series):
        name = aside[1]  # 'Freedom 100 (Indy Lights)' in the Indy Lights
    if normalize(name) in normalize(event.series):
        name = ""  # 'Derby' of the Epsom Derby
    elif normalize(event.series) not in normalize(name):
        parts.append(series)
        if normalize(series).split()[-1] == normalize(name).split()[0]:
            name = name.partition(" ")[2]  # 'Epsom Derby' + 'Derby Stakes'
    parts.append(name)
    text = " ".join(p for p in parts if p)
    if event.kind == "qualifying":
        text += " (a qualifying race)"
    if with_venue and normalize(event.venue) not in normalize(event.name):
        text += f" at {event.venue}"
    return text


def _venue_accepts(venue: str) -> tuple[str, ...]:
    bare, _, inside = venue.partition(" (")
    first = bare.split()[0].split("-")[0].rstrip(",")
    found = [bare.strip(), inside.rstrip(")").strip(), *bare.split(", ")[:1]]
    if normalize(first) not in _GENERIC_VENUE_WORDS:
        found.append(first)
    return tuple(dict.fromkeys(f for f in found if f))


def stated(event: Event) -> bool:
    """Whether a prompt may state the margin: not when it is disputed (the caveat that must
    go with it comes only with the reveal)."""
    return not event.margin_caveat


def _pair(event: Event, *, base: bool = False) -> str:
    """The record's finish as a question states it: 'Larson beat Buescher by 0.001 s'."""
    return pair_sentence(event, margin=stated(event), base=base)


def _winners(event: Event) -> str:
    """'Guliyev won' or 'A and B shared the win'."""
    first = [r.competitor for r in event.at(1)]
    return f"{join_names(first)} {'won' if len(first) == 1 else 'shared the win in'}"


@dataclass(frozen=True)
class Request:
    """What one question may be about: the pool open to the channel, the kinds wanted,
    and the subjects the channel has seen in its current pass (newest first)."""

    pool: Pool = field(default_factory=Pool)
    kinds: tuple[QuestionKind, ...] | None = None
    history: tuple[str, ...] = ()


class Generator:
    """Builds questions from a bank with an injected random source and today's date."""

    def __init__(self, bank: Bank, rng: Random, *, today: date) -> None:
        self.bank = bank
        self.rng = rng
        self.year = today.year
        self.pool = Pool()

    def generate(self, ask: Request | None = None) -> Question:
        """A question about a subject the channel has not had in its current pass."""
        ask = ask or Request()
        self.pool = ask.pool
        subjects = self.bank.pool(ask.pool)
        if ask.kinds is not None:
            wanted = {str(k) for k in ask.kinds}
            subjects = [s for s in subjects if s.partition(":")[0] in wanted]
        if not subjects:
            raise NoQuestionError(f"no records for series {ask.pool.series!r}")
        seen = current_pass(subjects, ask.history)
        tried: set[str] = set()
        for _ in range(REJECTIONS):
            subject = self.rng.choice(subjects)
            if subject in seen or subject in tried:
                continue
            tried.add(subject)
            if (question := self.build(subject)) is not None:
                return question
        for fresh in (seen, set()):
            left = [s for s in subjects if s not in fresh and s not in tried]
            self.rng.shuffle(left)
            for subject in left:
                if (question := self.build(subject)) is not None:
                    return question
            # Whatever is left of this pass cannot be asked in this pool: start the next.
        raise NoQuestionError("no question could be made from these records")

    def build(self, subject: str) -> Question | None:
        """The question about one subject ('kind:key'), if the pool allows one."""
        kind, _, key = subject.partition(":")
        event = self.bank.by_key[key]
        builder = getattr(self, str(kind))
        question: Question | None = builder(event)
        return question

    # -- pieces shared by the kinds -------------------------------------------------

    def _describe(self, event: Event, **how: bool) -> str:
        return describe(self.bank, event, self.year, **how)

    def _result_line(self, event: Event) -> str:
        when = f"{self._describe(event)} on {event.date:%-d %B %Y}"
        if event.for_win:
            return f"{pair_sentence(event)} in {when}."
        return f"{_winners(event)} {when}, and {pair_sentence(event)}."

    def _tells(self, text: str) -> bool:
        """True if a text states the margin of a record held back (the channel's open
        daily): nothing shown meanwhile may, notes about other records included."""
        held = (self.bank.by_key.get(key) for key in self.pool.exclude)
        return any(states_margin(text, e) for e in held if e is not None)

    def _explain(self, event: Event, lead: str | None = None) -> str:
        parts = [lead or self._result_line(event)]
        parts += [s for s in [distance_statement(event)] if s]
        notes = [n.text for n in event.notes if not self._tells(n.text)]
        fixes = [c for c in event.corrections if not self._tells(c)]
        parts += notes[:1]
        parts += [f"Often misreported: {c}" for c in fixes[:1]]
        return " ".join(parts)

    def _caveat(self, events: Sequence[Event]) -> str | None:
        """Every caveat of the records a question states: the event's, the margin's, and
        those of the results it names."""
        found: list[str] = []
        for event in events:
            found += [event.caveat] if event.caveat else []
            found += [event.margin_caveat] if event.margin_caveat else []
            named = (event.winner, *event.ahead, *event.behind)
            found += [r.caveat for r in dict.fromkeys(named) if r.caveat]
        return " ".join(dict.fromkeys(found)) or None

    def _question(
        self,
        kind: QuestionKind,
        events: Sequence[Event],
        prompt: str,
        choices: Sequence[Choice],
        answer: Choice | None,
        **extra: object,
    ) -> Question | None:
        """A question about events[0]; the others are stated in its reveal too. None when
        a caveat that must be shown would state a held-back record's margin."""
        shuffled = list(choices)
        self.rng.shuffle(shuffled)
        main = events[0]
        sources: list[Source] = [*main.sources[:2], *(e.sources[0] for e in events[1:])]
        caveat = self._caveat(events)
        if caveat and self._tells(caveat):
            return None
        fields: dict[str, object] = {
            "explanation": self._explain(main),
            "caveat": caveat,
            "answer_value": None,
            **extra,
        }
        return Question(
            kind=kind,
            difficulty=DIFFICULTY[kind],
            prompt=prompt,
            choices=tuple(shuffled),
            answer_index=shuffled.index(answer) if answer is not None else None,
            answer_text=answer.label if answer else margin_text(main),
            sources=tuple(sources),
            event_keys=tuple(e.key for e in events),
            **fields,  # type: ignore[arg-type]
        )

    def _person(self, name: str) -> Choice:
        """A competitor as a choice: shown by this name, selected by every name of theirs."""
        names = self.bank.people.all_names(name)
        nicknames = [n for known in names for n in self.bank.nicknames.get(known, ())]
        return Choice(name, tuple(dict.fromkeys([*names, *nicknames])))

    def _others(self, event: Event, exclude: set[str], like: str) -> list[str] | None:
        """Three wrong names like `like` (the same kind of entrant, each a different
        competitor): one from the same race if any, the rest from the same discipline or
        field and era."""
        people, kind = self.bank.people, self.bank.entrant(like)
        taken = {people.of(n) for n in exclude}

        def fits(name: str) -> bool:
            return people.of(name) not in taken and self.bank.entrant(name) == kind

        in_race = [r.competitor for r in event.results if fits(r.competitor)]
        era = [n for n in self.bank.era_competitors(event, like) if fits(n)]
        era = [n for n in era if n not in in_race]
        picks: dict[str, str] = {}
        for name in in_race[:1] + self.rng.sample(era, len(era)):
            picks.setdefault(people.of(name), name)
        found = list(picks.values())[: CHOICES - 1]
        return found if len(found) == CHOICES - 1 else None

    def _name_question(
        self, kind: QuestionKind, event: Event, prompt: str, answer: Result
    ) -> Question | None:
        exclude = {r.competitor for r in event.results if r.position <= answer.position}
        others = self._others(event, exclude | {answer.competitor}, answer.competitor)
        if others is None:
            return None
        choice = self._person(answer.competitor)
        return self._question(kind, [event], prompt, [choice, *map(self._person, others)], choice)

    # -- the kinds (each named for its QuestionKind value) ---------------------------

    def _by(self, event: Event) -> str:
        """' by 0.001 s' where a prompt may state the margin of the win, else ''."""
        return f" {margin_by(event)}" if event.for_win and stated(event) else ""

    def _around(self, event: Event) -> str:
        """The record's photo finish when it decided a lower place: ', and A edged B for
        second place by M' (nothing when it decided the win)."""
        return "" if event.for_win else f", and {_pair(event)}"

    def winner(self, event: Event) -> Question | None:
        """Who won a named race."""
        if event.for_win:
            by = self._by(event)
            prompt = f"Who won {self._describe(event)}{',' if by else ''}{by}?"
        else:
            prompt = f"In {self._describe(event)}, {_pair(event)}. Who won?"
        return self._name_question(QuestionKind.WINNER, event, prompt, event.winner)

    def runner_up(self, event: Event) -> Question | None:
        """Who finished second to a named winner."""
        prompt = (
            f"{event.winner.competitor} won {self._describe(event)}{self._by(event)}"
            f"{self._around(event)}. Who finished second?"
        )
        (second,) = event.at(2)
        return self._name_question(QuestionKind.RUNNER_UP, event, prompt, second)

    def third(self, event: Event) -> Question | None:
        """Who finished third behind a named photo finish."""
        (third,) = event.at(3)
        if event.for_win:
            prompt = f"{_pair(event)} in {self._describe(event)}. Who finished third?"
        else:
            prompt = (
                f"{event.winner.competitor} won {self._describe(event)}{self._around(event)}."
                " Who finished third?"
            )
        return self._name_question(QuestionKind.THIRD, event, prompt, third)

    def shared(self, event: Event) -> Question | None:
        """Who shared a place (a dead heat or an identical time), asked as a shared place."""
        tied = [r.competitor for r in event.ahead]
        others = self._others(event, set(tied), tied[0])
        if others is None:
            return None
        place = event.places[0]
        answer = Choice(" / ".join(tied), tuple(" / ".join(p) for p in permutations(tied)))
        wrong = []
        for k, other in enumerate(others):
            swapped = list(tied)
            swapped[k % len(tied)] = other
            wrong.append(" / ".join(swapped))
        count = {2: "two", 3: "three", 4: "four"}.get(len(tied), str(len(tied)))
        where = self._describe(event)
        if place == 1:
            lead, what = f"{where[0].upper()}{where[1:]} ended in a tie for first", "the win"
        else:
            what = f"{ordinal(place)} place"
            lead = f"{event.winner.competitor} won {where}, and it ended in a tie for {what}"
        shown = f" ({margin_text(event)})" if stated(event) else ""
        return self._question(
            QuestionKind.SHARED,
            [event],
            f"{lead}{shown}. Which {count} shared {what}?",
            [answer, *(Choice(w, (w,)) for w in wrong)],
            answer,
        )

    def margin(self, event: Event) -> Question | None:
        """By how much a named race was won, in the sport's own terms."""
        if event.margin_unit == "verbal":
            return self._verbal_margin(event)
        if not event.timed:
            return None
        assert event.margin_s is not None
        step = precision_unit(event)
        truth = round(event.margin_s, event.precision)
        known = {
            round(e.margin_s or 0.0, event.precision)
            for e in self.bank.margins[timed_group(event)]
            if self.pool.admits(e)
        }
        made = {round(truth + k * step, event.precision) for k in range(-4, 5)}
        disputed = {round(v, event.precision) for v in figures_in_text(event)}
        values = sorted(
            {v for v in known | made if v > 0 and v != truth and v not in disputed},
            key=lambda v: (abs(v - truth), v),
        )[: CHOICES + 2]
        picks = self.rng.sample(values, CHOICES - 1)
        answer = Choice(margin_text(event), (event.margin_display,), truth)
        shown = [f"{v:.{event.precision}f}" for v in picks]
        return self._question(
            QuestionKind.MARGIN,
            [event],
            f"By what margin did {pair_sentence(event, margin=False, base=True)} "
            f"in {self._describe(event)} ({precision_phrase(event)})?",
            [answer, *(Choice(f"{t} s", (t,), float(t)) for t in shown)],
            answer,
        )

    def _verbal_margin(self, event: Event) -> Question | None:
        said = verbal_choice(event.margin_display)
        if said not in VERBAL_MARGINS:
            return None
        others = self.rng.sample([m for m in VERBAL_MARGINS if m != said], CHOICES - 1)
        choices = [Choice(m, (m, m.removeprefix("a "))) for m in [said, *others]]
        return self._question(
            QuestionKind.MARGIN,
            [event],
            f"By what margin did {pair_sentence(event, margin=False, base=True)} "
            f"in {self._describe(event)}: {', '.join(sorted(c.label for c in choices))}?",
            choices,
            choices[0],
        )

    def venue(self, event: Event) -> Question | None:
        """Where a named pair finished a race; the other venues host the same series."""
        venue_words = {normalize(a) for a in _venue_accepts(event.venue)}
        if any(word in normalize(event.name).split() for word in venue_words):
            return None
        if not self.bank.identifies(event, ("season", "series", "name", "winner", "runner_up")):
            return None
        places, same = self.bank.places, self.bank.same_place
        hosts = sorted(self.bank.venues[event.sport, event.series])
        picks: list[str] = []
        for host in self.rng.sample(hosts, len(hosts)):
            if not any(same(host, v) for v in [event.venue, *picks]):
                picks.append(host)
        if len(picks) < CHOICES - 1:
            return None
        picks = picks[: CHOICES - 1]

        def choice(venue: str) -> Choice:
            names = places.all_names(venue)
            return Choice(venue, tuple(dict.fromkeys(a for n in names for a in _venue_accepts(n))))

        answer = choice(event.venue)
        return self._question(
            QuestionKind.VENUE,
            [event],
            f"Where did {_pair(event, base=True)} in {self._describe(event, with_venue=False)}?",
            [answer, *map(choice, picks)],
            answer,
        )

    def season(self, event: Event) -> Question | None:
        """In which season a named finish happened; every choice is a season the series ran."""
        if not self.bank.identifies(event, ("series", "name", "venue", "winner", "runner_up")):
            return None
        years = self._seasons(event)
        if len(years) < CHOICES - 1:
            return None
        picks = self.rng.sample(years, CHOICES - 1)
        answer = Choice(str(event.season), (), float(event.season))
        return self._question(
            QuestionKind.SEASON,
            [event],
            f"In which season did {_pair(event, base=True)} in "
            f"{self._describe(event, with_season=False)}?",
            [answer, *(Choice(str(y), (), float(y)) for y in picks)],
            answer,
        )

    def _seasons(self, event: Event) -> list[int]:
        """Other seasons of the series a fan could believe: yearly series run every year
        from their first season; others only in the seasons they held this sport, from
        the first the records show this event. Never a season in which this event went
        to the same winner."""
        info = self.bank.series_info.get(event.series)
        same = self.bank.disciplines[discipline(event)]
        if info is not None and info.annual:
            first = info.first_season or min(self.bank.seasons[event.series])
            held = set(range(first, self.year + 1))
        else:
            first = min(e.season for e in same)
            held = {y for y in self.bank.sport_seasons[event.series, event.sport] if y >= first}
        people = self.bank.people
        won = {
            e.season
            for e in same
            if {people.of(r.competitor) for r in e.at(1)}
            & {people.of(r.competitor) for r in event.at(1)}
        }
        others = [y for y in held - won if y <= self.year]
        return sorted(others, key=lambda y: (abs(y - event.season), y))[: SEASON_SPAN * 2]

    def closest(self, event: Event) -> Question | None:
        """Which of four finishes was the closest: same sport, same timing precision,
        distinct and undisputed margins; this record is the answer."""
        group = [
            e
            for e in self.bank.margins[timed_group(event)]
            if self.pool.admits(e) and e.margin_s is not None
        ]
        assert event.margin_s is not None
        wider: dict[float, Event] = {}
        for other in group:
            if other.margin_s is not None and other.margin_s > event.margin_s:
                wider.setdefault(round(other.margin_s, event.precision), other)
        if len(wider) < CHOICES - 1:
            return None
        nearest = sorted(wider)[:CLOSEST_SPREAD]
        picked = [wider[m] for m in self.rng.sample(nearest, CHOICES - 1)]
        finishes = [event, *picked]

        def title(e: Event) -> str:
            return describe(self.bank, e, self.year, today=False).removeprefix("the ")

        choices = [Choice(f"{title(e)}: {over(e)}") for e in finishes]
        by_margin = sorted(finishes, key=lambda e: e.margin_s or 0.0)
        margins = "; ".join(f"{title(e)}: {margin_text(e)}" for e in by_margin)
        lead = f"{self._result_line(event)} Margins, closest first: {margins}."
        return self._question(
            QuestionKind.CLOSEST,
            finishes,
            "Which of these finishes was the closest?",
            choices,
            choices[0],
            explanation=self._explain(event, lead),
        )

    def true_false(self, event: Event) -> Question | None:
        """A statement about a race that is true, or false in one checked detail."""
        truth = self.rng.random() < 0.5
        ahead, behind = event.ahead[0].competitor, event.behind[0].competitor
        if not truth:
            ahead, behind = behind, ahead
        by = f" {margin_by(event)}" if stated(event) else ""
        said = beat_sentence(ahead, behind, event.places[0], by)
        statement = f"True or false: {said} in {self._describe(event)}."
        yes = Choice("True", ("t", "yes", "y", "true"))
        no = Choice("False", ("f", "no", "n", "false"))
        question = self._question(
            QuestionKind.TRUE_FALSE, [event], statement, [yes, no], yes if truth else no
        )
        # True comes first, as players expect.
        if question is None:
            return None
        return replace(question, choices=(yes, no), answer_index=0 if truth else 1)

    def _one_of(
        self, kind: QuestionKind, event: Event, prompt: str, right: str, wrong: Sequence[str]
    ) -> Question | None:
        """A question answered by `right`, with three of `wrong` as the other choices."""
        if len(wrong) < CHOICES - 1:
            return None
        answer = Choice(right, (right,))
        picks = self.rng.sample(list(wrong), CHOICES - 1)
        choices = [answer, *(Choice(w, (w,)) for w in picks)]
        return self._question(kind, [event], prompt, choices, answer)

    def sport(self, event: Event) -> Question | None:
        """In which sport a named pair's photo finish happened."""
        prompt = f"{_pair(event)} in {event.season}. In which sport?"
        others = [s for s in self.bank.sports if not _nested(s, event.sport)]
        return self._one_of(QuestionKind.SPORT, event, prompt, event.sport, others)

    def country(self, event: Event) -> Question | None:
        """Which country a named winner represented."""
        country = event.winner.country
        assert country is not None
        prompt = (
            f"{event.winner.competitor} won {self._describe(event)}{self._by(event)}. "
            "Which country did they represent?"
        )
        others = sorted(c for c in self.bank.countries[event.sport] if not overlap(c, country))
        return self._one_of(QuestionKind.COUNTRY, event, prompt, country, others)

    def winning_time(self, event: Event) -> Question | None:
        """The winning time; the other choices are times from the same event in other years."""
        time = event.winner.time
        assert time is not None
        mine = {r.time for r in event.results if r.time}
        others = sorted(self.bank.times[event.sport, event.name.casefold()] - mine)
        prompt = f"What was the winning time in {self._describe(event)}?"
        return self._one_of(QuestionKind.WINNING_TIME, event, prompt, time, others)

    def guess_margin(self, event: Event) -> Question | None:
        """Guess the margin in seconds; the closest guesses score."""
        if not undisputed(event) or not self.bank.identifies(event, NAMED):
            return None
        return self._question(
            QuestionKind.GUESS_MARGIN,
            [event],
            f"Guess the margin: {pair_sentence(event, margin=False)} "
            f"in {self._describe(event)}. By how many seconds? ({timed_to(event)}; "
            "closest guesses score)",
            [],
            None,
            answer_value=event.margin_s,
            answer_step=precision_unit(event),
        )

    def choice_daily(self, event: Event) -> Question | None:
        """The daily question where margins are words: which of four it was, listed
        shortest first (trivia.daily says which records and wrong margins may be used)."""
        if not asks_choice(event):
            return None
        said = verbal_choice(event.margin_display)
        picks = {said, *self.rng.sample(verbal_others(event), CHOICES - 1)}
        choices = [Choice(m, (m, m.removeprefix("a "))) for m in VERBAL_MARGINS if m in picks]
        [answer] = [c for c in choices if c.label == said]
        question = self._question(
            QuestionKind.MARGIN,
            [event],
            f"Pick the margin: {pair_sentence(event, margin=False)} "
            f"in {self._describe(event)}. By how much?",
            choices,
            answer,
        )
        if question is None:
            return None
        return replace(question, choices=tuple(choices), answer_index=choices.index(answer))


def _nested(a: str, b: str) -> bool:
    """Sports where one holds the other ('Speed skating' and 'Short-track speed skating')."""
    x, y = f" {normalize(a)} ", f" {normalize(b)} "
    return x in y or y in x
