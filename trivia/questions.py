"""Question generation from records: every question has exactly one right answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from random import Random

from trivia.model import Choice, Competitor, Difficulty, Event, Question, QuestionKind
from trivia.names import normalize

MPH_FOR_DISTANCE = 180
CHOICES = 4
ERA_YEARS = 8
_GENERIC_VENUE_WORDS = {"circuit", "the", "international", "motor", "speedway", "raceway"}
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)")

DIFFICULTY = {
    QuestionKind.WINNER: Difficulty.EASY,
    QuestionKind.VENUE: Difficulty.EASY,
    QuestionKind.TRUE_FALSE: Difficulty.EASY,
    QuestionKind.RUNNER_UP: Difficulty.MEDIUM,
    QuestionKind.SEASON: Difficulty.MEDIUM,
    QuestionKind.CLOSEST: Difficulty.MEDIUM,
    QuestionKind.MARGIN: Difficulty.HARD,
    QuestionKind.GUESS_MARGIN: Difficulty.HARD,
}


class NoQuestionError(LookupError):
    """No question of the requested kind can be made from the records."""


@dataclass(frozen=True)
class Records:
    """The records a generator draws from."""

    events: tuple[Event, ...]
    competitors: tuple[Competitor, ...] = ()

    def nicknames(self, name: str) -> tuple[str, ...]:
        """Extra names people type for a competitor."""
        for competitor in self.competitors:
            if competitor.name == name:
                return competitor.aliases
        return ()


def series_short(event: Event) -> str:
    """'Cup Series' for 'NASCAR Cup Series'."""
    return event.series.removeprefix("NASCAR ").strip()


def describe(event: Event, *, with_venue: bool = True, with_season: bool = True) -> str:
    """The event as a prompt names it, e.g. 'the 2024 Cup Series AdventHealth 400 at Kansas'."""
    parts = ["the"]
    if with_season:
        parts.append(str(event.season))
    parts += [series_short(event), event.name]
    text = " ".join(parts)
    if event.kind == "qualifying":
        text += " (a qualifying race)"
    if with_venue:
        text += f" at {event.venue}"
    return text


def margin_text(event: Event) -> str:
    """The margin as officially printed, with units."""
    return f"{event.margin_display} s"


def distance_fact(seconds: float) -> str:
    """The margin as a distance at racing speed: 0.001 s at 180 mph is about 3.2 inches."""
    inches = seconds * MPH_FOR_DISTANCE * 5280 * 12 / 3600
    if inches < 1:
        size = f"{inches:.1f} inches ({inches * 2.54:.1f} cm)"
    elif inches < 36:
        size = f"about {inches:.0f} inches ({inches * 2.54:.0f} cm)"
    else:
        size = f"about {inches / 12:.0f} feet ({inches * 0.0254:.1f} m)"
    return f"At {MPH_FOR_DISTANCE} mph, {seconds:g} s is {size} of track."


def _venue_accepts(venue: str) -> tuple[str, ...]:
    inside = _PARENTHESIS.findall(venue)
    bare = _PARENTHESIS.sub("", venue).strip()
    first = bare.split()[0].split("-")[0]
    found = [bare, *inside]
    if normalize(first) not in _GENERIC_VENUE_WORDS:
        found.append(first)
    return tuple(dict.fromkeys(found))


_CLUES: dict[str, Callable[[Event], object]] = {
    "season": lambda e: e.season,
    "series": lambda e: e.series,
    "name": lambda e: normalize(e.name),
    "venue": lambda e: e.venue,
    "winner": lambda e: e.winner.competitor,
    "runner_up": lambda e: e.runner_up.competitor,
}


def _same(event: Event, other: Event, fields: Iterable[str]) -> bool:
    return all(_CLUES[f](event) == _CLUES[f](other) for f in fields)


def _identifies(records: Records, event: Event, fields: Iterable[str]) -> bool:
    fields = tuple(fields)
    return sum(_same(event, other, fields) for other in records.events) == 1


class Generator:
    """Builds questions of each kind from records with an injected random source."""

    def __init__(self, records: Records, rng: Random) -> None:
        self.records = records
        self.rng = rng
        self.builders: dict[QuestionKind, Callable[[Event], Question | None]] = {
            QuestionKind.WINNER: self.winner,
            QuestionKind.RUNNER_UP: self.runner_up,
            QuestionKind.MARGIN: self.margin,
            QuestionKind.VENUE: self.venue,
            QuestionKind.SEASON: self.season,
            QuestionKind.CLOSEST: self.closest,
            QuestionKind.TRUE_FALSE: self.true_false,
            QuestionKind.GUESS_MARGIN: self.guess_margin,
        }

    def generate(
        self,
        *,
        kinds: Sequence[QuestionKind] | None = None,
        series: str | None = None,
        avoid: Iterable[str] = (),
    ) -> Question:
        """A question of one of `kinds` (any kind if None), preferring events not in `avoid`."""
        pool = [e for e in self.records.events if series in (None, e.series, series_short(e))]
        if not pool:
            raise NoQuestionError(f"no records for series {series!r}")
        recent = set(avoid)
        events = self.rng.sample(pool, len(pool))
        events.sort(key=lambda e: e.key in recent)
        order = list(kinds or QuestionKind)
        self.rng.shuffle(order)
        for kind in order:
            for event in events:
                question = self.builders[kind](event)
                if question is not None:
                    return question
        raise NoQuestionError("no question could be made from these records")

    # -- pieces shared by the kinds -------------------------------------------------

    def _explain(self, event: Event, lead: str) -> str:
        parts = [lead, distance_fact(event.margin_s)]
        parts += [note.text for note in event.notes[:1]]
        parts += [f"Often misreported: {c}" for c in event.corrections[:1]]
        return " ".join(parts)

    def _caveat(self, event: Event, *, margin: bool = False, positions: int = 0) -> str | None:
        found = [event.caveat] if event.caveat else []
        if margin and event.margin_caveat:
            found.append(event.margin_caveat)
        found += [r.caveat for r in event.results[:positions] if r.caveat]
        return " ".join(found) or None

    def _result_line(self, event: Event) -> str:
        return (
            f"{event.winner.competitor} beat {event.runner_up.competitor} by "
            f"{margin_text(event)} in {describe(event)} on {event.date:%-d %B %Y}."
        )

    def _question(
        self,
        kind: QuestionKind,
        event: Event | Sequence[Event],
        prompt: str,
        choices: Sequence[Choice],
        answer: Choice | None,
        explanation: str,
        caveat: str | None,
        answer_value: float | None = None,
    ) -> Question:
        events = [event] if isinstance(event, Event) else list(event)
        shuffled = list(choices)
        self.rng.shuffle(shuffled)
        return Question(
            kind=kind,
            difficulty=DIFFICULTY[kind],
            prompt=prompt,
            choices=tuple(shuffled),
            answer_index=shuffled.index(answer) if answer is not None else None,
            answer_value=answer_value,
            answer_text=answer.label if answer else margin_text(events[0]),
            explanation=explanation,
            sources=tuple(s for e in events for s in e.sources),
            event_keys=tuple(e.key for e in events),
            caveat=caveat,
        )

    def _driver_choice(self, name: str) -> Choice:
        return Choice(name, (name, *self.records.nicknames(name)))

    def _driver_distractors(self, event: Event, exclude: set[str]) -> list[str] | None:
        """Drivers of the same series and era, those in this race first."""
        in_race = [r.competitor for r in event.results if r.competitor not in exclude]
        era = sorted(
            {
                r.competitor
                for e in self.records.events
                if e.series == event.series and abs(e.season - event.season) <= ERA_YEARS
                for r in e.results
            }
            - exclude
            - set(in_race)
        )
        picks = in_race[:1] + self.rng.sample(era, min(len(era), CHOICES - 1))
        picks = list(dict.fromkeys(picks))[: CHOICES - 1]
        return picks if len(picks) == CHOICES - 1 else None

    # -- the kinds -----------------------------------------------------------------

    def winner(self, event: Event) -> Question | None:
        """Who won a named race."""
        if event.winner.caveat or not _identifies(
            self.records, event, ("season", "series", "name", "venue")
        ):
            return None
        others = self._driver_distractors(event, {event.winner.competitor})
        if others is None:
            return None
        answer = self._driver_choice(event.winner.competitor)
        return self._question(
            QuestionKind.WINNER,
            event,
            f"Who won {describe(event)}, by {margin_text(event)}?",
            [answer, *map(self._driver_choice, others)],
            answer,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )

    def runner_up(self, event: Event) -> Question | None:
        """Who finished second to a named winner."""
        if event.winner.caveat or event.runner_up.caveat:
            return None
        if not _identifies(self.records, event, ("season", "series", "name", "venue", "winner")):
            return None
        exclude = {event.winner.competitor, event.runner_up.competitor}
        others = self._driver_distractors(event, exclude)
        if others is None:
            return None
        answer = self._driver_choice(event.runner_up.competitor)
        return self._question(
            QuestionKind.RUNNER_UP,
            event,
            f"{event.winner.competitor} won {describe(event)} by {margin_text(event)}. "
            "Who finished second?",
            [answer, *map(self._driver_choice, others)],
            answer,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )

    def margin(self, event: Event) -> Question | None:
        """By how much a named race was won; distractors are margins of the same order."""
        if event.runner_up.caveat or not _identifies(
            self.records, event, ("season", "series", "name", "venue")
        ):
            return None
        answer_value = float(event.margin_display)
        nearby = sorted(
            {round(float(e.margin_display), 3) for e in self.records.events} - {answer_value},
            key=lambda m: (abs(m - answer_value), m),
        )
        candidates = [m for m in nearby if m > 0][: CHOICES + 2]
        if len(candidates) < CHOICES - 1:
            return None
        picks = self.rng.sample(candidates, CHOICES - 1)
        answer = Choice(margin_text(event), (event.margin_display,), answer_value)
        choices = [answer, *(Choice(f"{m:.3f} s", (f"{m:.3f}",), m) for m in picks)]
        return self._question(
            QuestionKind.MARGIN,
            event,
            f"By what margin did {event.winner.competitor} beat {event.runner_up.competitor} "
            f"in {describe(event)}?",
            choices,
            answer,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )

    def venue(self, event: Event) -> Question | None:
        """At which track a named pair finished a race; distractors host the same series."""
        venue_words = {normalize(a) for a in _venue_accepts(event.venue)}
        if any(word in normalize(event.name).split() for word in venue_words):
            return None
        if event.runner_up.caveat or not _identifies(
            self.records, event, ("season", "series", "name", "winner", "runner_up")
        ):
            return None
        hosts = sorted(
            {e.venue for e in self.records.events if e.series == event.series} - {event.venue}
        )
        if len(hosts) < CHOICES - 1:
            return None
        picks = self.rng.sample(hosts, CHOICES - 1)
        answer = Choice(event.venue, _venue_accepts(event.venue))
        return self._question(
            QuestionKind.VENUE,
            event,
            f"At which track did {event.winner.competitor} beat {event.runner_up.competitor} "
            f"by {margin_text(event)} in {describe(event, with_venue=False)}?",
            [answer, *(Choice(v, _venue_accepts(v)) for v in picks)],
            answer,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )

    def season(self, event: Event) -> Question | None:
        """In which season a named race finish happened."""
        if event.runner_up.caveat or not _identifies(
            self.records, event, ("series", "name", "venue", "winner", "runner_up")
        ):
            return None
        years = [y for y in range(event.season - 6, event.season + 7) if y != event.season]
        picks = self.rng.sample([y for y in years if y >= 1993], CHOICES - 1)
        answer = Choice(str(event.season), (), float(event.season))
        return self._question(
            QuestionKind.SEASON,
            event,
            f"In which season did {event.winner.competitor} beat "
            f"{event.runner_up.competitor} by {margin_text(event)} in "
            f"{describe(event, with_season=False)}?",
            [answer, *(Choice(str(y), (), float(y)) for y in picks)],
            answer,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )

    def closest(self, event: Event) -> Question | None:
        """Which of four finishes was closest; margins are distinct and undisputed."""
        if event.margin_caveat or event.confidence != "high":
            return None
        clean = [
            e
            for e in self.records.events
            if not e.margin_caveat and e.confidence == "high" and e.key != event.key
        ]
        others = [e for e in clean if float(e.margin_display) != float(event.margin_display)]
        by_margin: dict[float, Event] = {}
        for other in self.rng.sample(others, len(others)):
            by_margin.setdefault(float(other.margin_display), other)
        if len(by_margin) < CHOICES - 1:
            return None
        picked = [by_margin[m] for m in self.rng.sample(sorted(by_margin), CHOICES - 1)]
        finishes = [event, *picked]
        best = min(finishes, key=lambda e: float(e.margin_display))

        def label(e: Event) -> str:
            return (
                f"{e.season} {e.name} ({series_short(e)}, {e.venue}): "
                f"{e.winner.competitor} over {e.runner_up.competitor}"
            )

        choices = {e.key: Choice(label(e)) for e in finishes}
        margins = "; ".join(
            f"{e.season} {e.name}: {margin_text(e)}"
            for e in sorted(finishes, key=lambda e: float(e.margin_display))
        )
        lead = f"{best.winner.competitor} won by {margin_text(best)}. Margins: {margins}."
        return self._question(
            QuestionKind.CLOSEST,
            finishes,
            "Which of these finishes was the closest?",
            list(choices.values()),
            choices[best.key],
            self._explain(best, lead),
            self._caveat(best),
        )

    def true_false(self, event: Event) -> Question | None:
        """A statement about a race that is true, or false in one checked detail."""
        if event.runner_up.caveat or not _identifies(
            self.records, event, ("season", "series", "name", "venue")
        ):
            return None
        truth = self.rng.random() < 0.5
        winner, second = event.winner.competitor, event.runner_up.competitor
        if not truth:
            winner, second = second, winner
        statement = (
            f"True or false: {winner} beat {second} by {margin_text(event)} in {describe(event)}."
        )
        yes = Choice("True", ("t", "yes", "y", "true"))
        no = Choice("False", ("f", "no", "n", "false"))
        question = self._question(
            QuestionKind.TRUE_FALSE,
            event,
            statement,
            [yes, no],
            yes if truth else no,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
        )
        # True comes first, as players expect.
        return replace(question, choices=(yes, no), answer_index=0 if truth else 1)

    def guess_margin(self, event: Event) -> Question | None:
        """Guess the margin in seconds; the closest guesses score."""
        if event.runner_up.caveat or not _identifies(
            self.records, event, ("season", "series", "name", "venue")
        ):
            return None
        return self._question(
            QuestionKind.GUESS_MARGIN,
            event,
            f"Guess the margin: {event.winner.competitor} beat {event.runner_up.competitor} "
            f"in {describe(event)}. By how many seconds? (closest guesses score)",
            [],
            None,
            self._explain(event, self._result_line(event)),
            self._caveat(event, margin=True, positions=2),
            answer_value=event.margin_s,
        )
