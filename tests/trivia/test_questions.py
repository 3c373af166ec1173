"""Question generation: every kind, one right answer, plausible distractors, seeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from random import Random

import pytest

from trivia.judging import VerdictStatus, judge
from trivia.model import Event, QuestionKind, RecordsPack, Result, Source
from trivia.names import normalize
from trivia.questions import Generator, NoQuestionError, Records, distance_fact


@pytest.fixture
def records(mini_pack: RecordsPack) -> Records:
    return Records(mini_pack.events, mini_pack.competitors)


def _event_of(records: Records, key: str) -> Event:
    return next(e for e in records.events if e.key == key)


@pytest.mark.parametrize("kind", list(QuestionKind), ids=str)
def test_every_kind_is_generated_with_exactly_one_right_answer(
    records: Records, kind: QuestionKind
) -> None:
    """Each kind builds; its right answer is one choice and judging that choice is correct."""
    for seed in range(25):
        q = Generator(records, Random(seed)).generate(kinds=[kind])
        assert q.kind is kind
        assert q.sources, "every question cites a source"
        if kind is QuestionKind.GUESS_MARGIN:
            assert q.answer_index is None
            assert q.answer_value == _event_of(records, q.event_keys[0]).margin_s
            continue
        assert q.answer_index is not None
        labels = [normalize(c.label) for c in q.choices]
        assert len(set(labels)) == len(labels), "choices are distinct"
        expected = 2 if kind is QuestionKind.TRUE_FALSE else 4
        assert len(q.choices) == expected
        verdict = judge(q, "ABCD"[q.answer_index])
        assert verdict.correct is True
        for i in range(len(q.choices)):
            if i != q.answer_index:
                assert judge(q, "ABCD"[i]).correct is False


def test_same_seed_same_questions(records: Records) -> None:
    """Generation is reproducible from the seed, and different seeds vary."""
    first = [Generator(records, Random(42)).generate() for _ in range(5)]
    again = [Generator(records, Random(42)).generate() for _ in range(5)]
    assert first == again
    others = {Generator(records, Random(s)).generate().prompt for s in range(20)}
    assert len(others) > 5


def test_winner_question_is_right_and_distractors_are_not_winners(records: Records) -> None:
    """The answer to 'who won' is the winner; no distractor won that race."""
    for seed in range(30):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.WINNER])
        event = _event_of(records, q.event_keys[0])
        assert q.answer_index is not None
        assert q.choices[q.answer_index].label == event.winner.competitor
        assert event.name in q.prompt
        assert str(event.season) in q.prompt
        others = [c.label for i, c in enumerate(q.choices) if i != q.answer_index]
        assert event.winner.competitor not in others


def test_driver_distractors_come_from_the_same_series_and_era(records: Records) -> None:
    """Distractors drove in the same series within eight seasons of the race."""
    for seed in range(30):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.RUNNER_UP])
        event = _event_of(records, q.event_keys[0])
        era = {
            r.competitor
            for e in records.events
            if e.series == event.series and abs(e.season - event.season) <= 8
            for r in e.results
        }
        assert all(c.label in era for c in q.choices)
        assert event.winner.competitor not in [c.label for c in q.choices]


def test_margin_distractors_are_of_the_same_order_and_never_the_answer(records: Records) -> None:
    """Margin choices are distinct numbers near the real margin."""
    for seed in range(30):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.MARGIN])
        numbers = [c.number for c in q.choices]
        assert None not in numbers
        assert len(set(numbers)) == 4
        answer = q.choices[q.answer_index or 0].number
        assert answer is not None
        assert all(n is not None and n <= max(answer * 10, 0.02) for n in numbers)


def test_venue_distractors_host_the_series_and_race_names_do_not_give_it_away(
    records: Records,
) -> None:
    """Venue choices are tracks of the same series; a 'Daytona 500' is never asked this way."""
    hosts = {e.venue for e in records.events}
    for seed in range(30):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.VENUE])
        assert {c.label for c in q.choices} <= hosts
        assert "Daytona 500" not in q.prompt


def test_closest_question_has_a_unique_minimum(records: Records) -> None:
    """The four finishes have distinct margins and the answer is the smallest."""
    by_label = {
        f"{e.season} {e.name}": e.margin_s for e in records.events
    }  # labels start with season and name
    for seed in range(30):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.CLOSEST])
        margins = []
        for c in q.choices:
            key = next(k for k in by_label if c.label.startswith(k + " ("))
            margins.append(by_label[key])
        assert len(set(margins)) == 4
        assert margins.index(min(margins)) == q.answer_index


def test_season_question_skips_a_pairing_that_happened_twice() -> None:
    """When the same winner beat the same driver in the same race twice, 'which season' is
    ambiguous, so the generator must not ask it about those races."""
    src = (Source("t", "p", "https://example.org/a"),)

    def ev(key: str, season: int) -> Event:
        return Event(
            key=key,
            sport="Stock car racing",
            series="NASCAR Cup Series",
            season=season,
            date=date(season, 4, 1),
            name="Spring 500",
            venue="Talladega Superspeedway",
            kind="race",
            official=True,
            margin_s=0.007,
            margin_display="0.007",
            results=(Result(1, "Ryan Blaney"), Result(2, "Ryan Newman", gap_s=0.007)),
            sources=src,
        )

    records = Records((ev("a-2019", 2019), ev("a-2020", 2020)))
    with pytest.raises(NoQuestionError):
        Generator(records, Random(1)).generate(kinds=[QuestionKind.SEASON])


def test_disputed_runner_up_is_never_asked(records: Records) -> None:
    """A result with a caveat (e.g. a later disqualification) is not made into a question."""
    kansas = _event_of(records, "nascar-cup-2024-05-05-kansas")
    disputed = replace(
        kansas,
        results=(kansas.results[0], replace(kansas.results[1], caveat="Disqualified later.")),
    )
    only = Records((disputed,))
    for kind in (QuestionKind.RUNNER_UP, QuestionKind.MARGIN, QuestionKind.TRUE_FALSE):
        with pytest.raises(NoQuestionError):
            Generator(only, Random(1)).generate(kinds=[kind])


def test_caveat_travels_with_the_question(records: Records) -> None:
    """A margin stated with a caveat carries that caveat into the question for the reveal."""
    kansas = _event_of(records, "nascar-cup-2024-05-05-kansas")
    caveated = replace(kansas, margin_caveat="Officially 0.000; later lists say 0.0004.")
    q = Generator(Records((caveated,)), Random(3)).generate(kinds=[QuestionKind.GUESS_MARGIN])
    assert q.caveat == "Officially 0.000; later lists say 0.0004."


def test_true_false_statements_match_the_record(records: Records) -> None:
    """'True' statements name the real winner first; 'False' ones swap the pair."""
    seen = set()
    for seed in range(40):
        q = Generator(records, Random(seed)).generate(kinds=[QuestionKind.TRUE_FALSE])
        event = _event_of(records, q.event_keys[0])
        true_text = f"{event.winner.competitor} beat {event.runner_up.competitor}"
        is_true = q.answer_index == 0
        assert (true_text in q.prompt) is is_true
        seen.add(is_true)
    assert seen == {True, False}


def test_reveal_explains_the_margin_as_a_distance(records: Records) -> None:
    """0.001 s at 180 mph is about 3 inches; the explanation says so."""
    assert "about 3 inches" in distance_fact(0.001)
    q = Generator(records, Random(5)).generate(kinds=[QuestionKind.WINNER])
    assert "At 180 mph" in q.explanation


def test_series_filter_and_unknown_series(records: Records) -> None:
    """A series filter limits the pool; an unknown series is reported, not guessed."""
    q = Generator(records, Random(1)).generate(series="Cup Series")
    assert q.event_keys[0].startswith("nascar-cup")
    with pytest.raises(NoQuestionError):
        Generator(records, Random(1)).generate(series="Formula 1")


def test_avoid_prefers_unused_events(records: Records) -> None:
    """Recently used events are picked last."""
    keys = [e.key for e in records.events]
    for seed in range(10):
        q = Generator(records, Random(seed)).generate(
            kinds=[QuestionKind.GUESS_MARGIN], avoid=keys[:-1]
        )
        assert q.event_keys == (keys[-1],)
        assert judge(q, "0.003").status is VerdictStatus.ACCEPTED
