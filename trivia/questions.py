"""Question generation from records: every question has exactly one right answer, and
every fact in it comes from the records it cites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from random import Random

from trivia.bank import (
    CHOICES,
    NAMED,
    Bank,
    Pool,
    current_pass,
    series_short,
    timed_group,
    undisputed,
)
from trivia.daily import asks_choice, verbal_others
from trivia.margins import (
    VERBAL_MARGINS,
    distance_statement,
    figures_in_text,
    margin_by,
    margin_text,
    precision_phrase,
    precision_unit,
    timed_to,
    verbal_choice,
)
from trivia.model import Choice, Difficulty, Event, Question, QuestionKind, Result, Source
from trivia.names import normalize

SEASON_SPAN = 6
"""Season choices are among the 2 x SEASON_SPAN seasons nearest the answer."""
CLOSEST_SPREAD = 12
"""A closest-finish question picks its other finishes among this many next-closest."""
REJECTIONS = 40
"""Random draws tried before the generator lists every subject left in the pass."""
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


def series_label(bank: Bank, event: Event, year: int) -> str:
    """The series as it was called that season, with today's name where it differs:
    'Busch Series (today's Xfinity Series)'."""
    info = bank.series_info.get(event.series)
    short = series_short(event)
    if info is None:
        return short
    then = info.name_in(event.season) or short
    now = info.name_in(year) or short
    return then if then == now else f"{then} (today's {now})"


def describe(
    bank: Bank, event: Event, year: int, *, with_venue: bool = True, with_season: bool = True
) -> str:
    """The event as a prompt names it: 'the 2024 Cup Series AdventHealth 400 at Kansas'."""
    parts = ["the"]
    if with_season:
        parts.append(str(event.season))
    series = series_label(bank, event, year)
    if normalize(event.series) not in normalize(event.name):
        parts.append(series)
    parts.append(event.name)
    text = " ".join(parts)
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


def _pair(event: Event) -> str:
    """'Kyle Larson beat Chris Buescher by 0.001 s' or 'A and B shared the win'."""
    a, b = event.winner.competitor, event.runner_up.competitor
    if event.tied:
        return f"{a} and {b} shared the win"
    return f"{a} beat {b} {margin_by(event)}"


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
        return f"{_pair(event)} in {self._describe(event)} on {event.date:%-d %B %Y}."

    def _explain(self, event: Event, lead: str | None = None) -> str:
        parts = [lead or self._result_line(event)]
        parts += [s for s in [distance_statement(event)] if s]
        parts += [note.text for note in event.notes[:1]]
        parts += [f"Often misreported: {c}" for c in event.corrections[:1]]
        return " ".join(parts)

    def _caveat(self, event: Event, *, margin: bool = True, positions: int = 2) -> str | None:
        found = [event.caveat] if event.caveat else []
        if margin and event.margin_caveat:
            found.append(event.margin_caveat)
        found += [r.caveat for r in event.results[:positions] if r.caveat]
        return " ".join(found) or None

    def _question(
        self,
        kind: QuestionKind,
        events: Sequence[Event],
        prompt: str,
        choices: Sequence[Choice],
        answer: Choice | None,
        **extra: object,
    ) -> Question:
        """A question about events[0]; the others are stated in its reveal too."""
        shuffled = list(choices)
        self.rng.shuffle(shuffled)
        main = events[0]
        sources: list[Source] = [*main.sources[:2], *(e.sources[0] for e in events[1:])]
        fields: dict[str, object] = {
            "explanation": self._explain(main),
            "caveat": self._caveat(main),
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
        return Choice(name, (name, *self.bank.nicknames.get(name, ())))

    def _others(self, event: Event, exclude: set[str], like: str) -> list[str] | None:
        """Three wrong names like `like`: one from the same race if any, the rest from
        the same discipline or field and era."""
        in_race = [r.competitor for r in event.results if r.competitor not in exclude]
        era = [n for n in self.bank.era_competitors(event, like) if n not in exclude]
        era = [n for n in era if n not in in_race]
        picks = in_race[:1] + self.rng.sample(era, min(len(era), CHOICES - 1))
        picks = list(dict.fromkeys(picks))[: CHOICES - 1]
        return picks if len(picks) == CHOICES - 1 else None

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

    def winner(self, event: Event) -> Question | None:
        """Who won a named race."""
        prompt = f"Who won {self._describe(event)}, {margin_by(event)}?"
        return self._name_question(QuestionKind.WINNER, event, prompt, event.winner)

    def runner_up(self, event: Event) -> Question | None:
        """Who finished second to a named winner."""
        prompt = (
            f"{event.winner.competitor} won {self._describe(event)} {margin_by(event)}. "
            "Who finished second?"
        )
        return self._name_question(QuestionKind.RUNNER_UP, event, prompt, event.runner_up)

    def third(self, event: Event) -> Question | None:
        """Who finished third behind a named photo finish."""
        (third,) = [r for r in event.results if r.position == 3]
        prompt = f"{_pair(event)} in {self._describe(event)}. Who finished third?"
        return self._name_question(QuestionKind.THIRD, event, prompt, third)

    def shared(self, event: Event) -> Question | None:
        """Which two shared a win (a dead heat or an identical time)."""
        a, b = event.winner.competitor, event.runner_up.competitor
        others = self._others(event, {a, b}, a)
        if others is None:
            return None
        answer = Choice(f"{a} / {b}", (f"{a} / {b}", f"{b} / {a}"))
        wrong = [f"{a} / {others[0]}", f"{b} / {others[1]}", f"{others[1]} / {others[2]}"]
        return self._question(
            QuestionKind.SHARED,
            [event],
            f"{self._describe(event)[0].upper()}{self._describe(event)[1:]} ended in a tie "
            f"for first ({margin_text(event)}). Which two shared the win?",
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
            f"By what margin did {event.winner.competitor} beat {event.runner_up.competitor} "
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
            f"By what margin did {event.winner.competitor} beat {event.runner_up.competitor} "
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
        hosts = sorted(self.bank.venues[event.sport, event.series] - {event.venue})
        if len(hosts) < CHOICES - 1:
            return None
        picks = self.rng.sample(hosts, CHOICES - 1)
        answer = Choice(event.venue, _venue_accepts(event.venue))
        return self._question(
            QuestionKind.VENUE,
            [event],
            f"Where did {_pair(event)} in {self._describe(event, with_venue=False)}?",
            [answer, *(Choice(v, _venue_accepts(v)) for v in picks)],
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
            f"In which season did {_pair(event)} in {self._describe(event, with_season=False)}?",
            [answer, *(Choice(str(y), (), float(y)) for y in picks)],
            answer,
        )

    def _seasons(self, event: Event) -> list[int]:
        """Other seasons of the series a fan could believe: yearly series run every year
        from their first season; others only in the seasons they were held."""
        info = self.bank.series_info.get(event.series)
        held = self.bank.seasons[event.series]
        if info is not None and info.annual:
            first = info.first_season or min(held)
            held = set(range(first, self.year + 1))
        others = [y for y in held if y != event.season and y <= self.year]
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

        def label(e: Event) -> str:
            qualifying = " (qualifying)" if e.kind == "qualifying" else ""
            return (
                f"{e.season} {e.name}{qualifying} ({series_label(self.bank, e, self.year)}, "
                f"{e.venue}): {e.winner.competitor} over {e.runner_up.competitor}"
            )

        choices = [Choice(label(e)) for e in finishes]
        margins = "; ".join(
            f"{e.season} {e.name}{' (qualifying)' * (e.kind == 'qualifying')}: {margin_text(e)}"
            for e in finishes
        )
        lead = f"{_pair(event)} in {self._describe(event)}. Margins: {margins}."
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
        winner, second = event.winner.competitor, event.runner_up.competitor
        if not truth:
            winner, second = second, winner
        statement = (
            f"True or false: {winner} beat {second} {margin_by(event)} in {self._describe(event)}."
        )
        yes = Choice("True", ("t", "yes", "y", "true"))
        no = Choice("False", ("f", "no", "n", "false"))
        question = self._question(
            QuestionKind.TRUE_FALSE, [event], statement, [yes, no], yes if truth else no
        )
        # True comes first, as players expect.
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
        others = [s for s in self.bank.sports if s != event.sport]
        return self._one_of(QuestionKind.SPORT, event, prompt, event.sport, others)

    def country(self, event: Event) -> Question | None:
        """Which country a named winner represented."""
        country = event.winner.country
        assert country is not None
        prompt = (
            f"{event.winner.competitor} won {self._describe(event)} {margin_by(event)}. "
            "Which country did they represent?"
        )
        others = sorted(self.bank.countries[event.sport] - {country})
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
            f"Guess the margin: {event.winner.competitor} beat {event.runner_up.competitor} "
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
            f"Pick the margin: {event.winner.competitor} beat {event.runner_up.competitor} "
            f"in {self._describe(event)}. By how much?",
            choices,
            answer,
        )
        return replace(question, choices=tuple(choices), answer_index=choices.index(answer))
