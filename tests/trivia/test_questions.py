"""Question generation: every kind, one right answer, plausible distractors, every stated
fact cited from its own record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.generating import event, generator, records
from trivia.bank import Bank, Pool, Records, current_pass
from trivia.judging import judge
from trivia.margins import figures_in_text
from trivia.model import Event, Question, QuestionKind, RecordsPack, Result, Series, SeriesName
from trivia.names import normalize
from trivia.questions import NoQuestionError, Request


def only(*kinds: QuestionKind, pool: Pool | None = None) -> Request:
    return Request(pool or Pool(), kinds)


def _event_of(pack: RecordsPack | Records, key: str) -> Event:
    return next(e for e in pack.events if e.key == key)


def multi_sport() -> Records:
    """Made-up finishes of four sports: ties, third places, countries and times."""
    events = [
        event(f"run{i}", season=1990 + 4 * i, date=date(1990 + 4 * i, 8, 1), name="Men's 100 m",
              margin_s=0.01 * (i + 1), margin_display=f"{0.01 * (i + 1):.2f}",
              results=(Result(1, f"Runner {i}", country=f"Country {i}", time=f"9.{80 + i}"),
                       Result(2, f"Chaser {i}", country=f"Country {i + 1}", time=f"9.{81 + i}"),
                       Result(3, f"Third {i}")))
        for i in range(6)
    ]  # fmt: skip
    events += [
        event(f"swim{i}", sport="Swimming", margin_s=0.0, margin_display="0.00",
              results=(Result(1, f"Swimmer {i}"), Result(1, f"Twin {i}"), Result(3, f"Bronze {i}")))
        for i in range(3)
    ]  # fmt: skip
    events += [
        event(f"horse{i}", sport="Horse racing", series="Kentucky Derby", name="Kentucky Derby",
              margin_unit="verbal", margin_s=None, margin_display="nose")
        for i in range(2)
    ]  # fmt: skip
    events += [event("bob", sport="Bobsleigh", series="Winter Olympic Games")]
    return records(events)


@pytest.mark.parametrize("kind", list(QuestionKind), ids=str)
def test_every_kind_is_generated_with_exactly_one_right_answer(
    mini_pack: RecordsPack, kind: QuestionKind
) -> None:
    """Each kind builds from the NASCAR pack or made-up records of other sports; its right
    answer is one choice and judging that choice is correct."""
    sets: list[RecordsPack | Records] = [mini_pack, multi_sport()]
    made = 0
    for recs in sets:
        for seed in range(25):
            try:
                q = generator(recs, seed).generate(only(kind))
            except NoQuestionError:
                continue
            made += 1
            assert q.kind is kind
            assert q.sources, "every question cites a source"
            if kind is QuestionKind.GUESS_MARGIN:
                assert q.answer_index is None
                assert q.answer_value == _event_of(recs, q.event_keys[0]).margin_s
                continue
            assert q.answer_index is not None
            labels = [normalize(c.label) for c in q.choices]
            assert len(set(labels)) == len(labels), "choices are distinct"
            assert len(q.choices) == (2 if kind is QuestionKind.TRUE_FALSE else 4)
            assert judge(q, "ABCD"[q.answer_index]).correct is True
            for i in range(len(q.choices)):
                if i != q.answer_index:
                    assert judge(q, "ABCD"[i]).correct is False
    assert made >= 20


def test_same_seed_same_questions(mini_pack: RecordsPack) -> None:
    """Generation is reproducible from the seed, and different seeds vary."""
    first = [generator(mini_pack, 42).generate() for _ in range(5)]
    again = [generator(mini_pack, 42).generate() for _ in range(5)]
    assert first == again
    assert len({generator(mini_pack, s).generate().prompt for s in range(20)}) > 5


def test_winner_question_is_right_and_distractors_are_not_winners(mini_pack: RecordsPack) -> None:
    """The answer to 'who won' is the winner; no distractor won that race."""
    for seed in range(30):
        q = generator(mini_pack, seed).generate(only(QuestionKind.WINNER))
        e = _event_of(mini_pack, q.event_keys[0])
        assert q.answer_index is not None
        assert q.choices[q.answer_index].label == e.winner.competitor
        assert e.name in q.prompt
        assert str(e.season) in q.prompt
        others = [c.label for i, c in enumerate(q.choices) if i != q.answer_index]
        assert e.winner.competitor not in others


def test_driver_distractors_come_from_the_same_series_and_era(mini_pack: RecordsPack) -> None:
    """Distractors raced in the same series within eight seasons of the race."""
    for seed in range(30):
        q = generator(mini_pack, seed).generate(only(QuestionKind.RUNNER_UP))
        e = _event_of(mini_pack, q.event_keys[0])
        era = {
            r.competitor
            for other in mini_pack.events
            if other.series == e.series and abs(other.season - e.season) <= 8
            for r in other.results
        }
        assert all(c.label in era for c in q.choices)
        assert e.winner.competitor not in [c.label for c in q.choices]


def _stated(pack: RecordsPack | Records, q: Question) -> list[Event]:
    return [_event_of(pack, key) for key in q.event_keys]


def test_every_closest_reveal_cites_the_record_it_states_first(mini_pack: RecordsPack) -> None:
    """The answer's record is the one the question is about; its sources come first, and
    every cited source belongs to a record the reveal states."""
    for seed in range(40):
        q = generator(mini_pack, seed).generate(only(QuestionKind.CLOSEST))
        stated = _stated(mini_pack, q)
        answer = stated[0]
        assert q.answer_index is not None
        label = q.choices[q.answer_index].label
        assert label.startswith(f"{answer.season} ")
        assert answer.name in label
        assert min(e.margin_s or 1 for e in stated) == answer.margin_s
        assert q.sources[0] in answer.sources
        assert all(any(s in e.sources for e in stated) for s in q.sources)
        assert all(e.sources[0] in q.sources for e in stated)


def test_closest_compares_one_sport_at_one_precision_and_keeps_qualifying_labels(
    mini_pack: RecordsPack,
) -> None:
    """Margins printed to hundredths are never ranked against thousandths; a Duel keeps
    its qualifying label in the list of choices and of margins."""
    duel = replace(mini_pack.events[0], key="duel", kind="qualifying", official=False,
                   margin_s=0.0005, margin_display="0.0005")  # fmt: skip
    duel = replace(duel, margin_s=0.001, margin_display="0.001", name="Duel 1")
    others = [e for e in mini_pack.events if e.margin_s and e.margin_s > 0.001]
    coarse = event("coarse", sport=duel.sport, margin_s=0.0, margin_display="0.00")
    recs = records([duel, *others, coarse])
    seen_duel = False
    for seed in range(40):
        q = generator(recs, seed).generate(only(QuestionKind.CLOSEST))
        stated = _stated(recs, q)
        assert len({e.precision for e in stated}) == 1
        if "duel" in q.event_keys:
            seen_duel = True
            assert any("Duel 1 (a qualifying race)" in c.label for c in q.choices)
            assert "Duel 1 (a qualifying race) at" in q.explanation
    assert seen_duel


def test_no_distance_is_stated_without_a_source(mini_pack: RecordsPack) -> None:
    """No distance is computed from a guessed speed; a source's own distance is said."""
    for seed in range(30):
        q = generator(mini_pack, seed).generate()
        assert "mph" not in q.explanation
        assert "inches" not in q.explanation or "about" in q.explanation
    kansas = replace(_event_of(mini_pack, "nascar-cup-2024-05-05-kansas"),
                     margin_distance="about an inch")  # fmt: skip
    q = generator(records([kansas])).generate(only(QuestionKind.GUESS_MARGIN))
    assert "Sources put the gap at the line at about an inch." in q.explanation


def test_season_choices_are_seasons_the_series_ran_and_not_in_the_future() -> None:
    """A yearly series offers years from its first season to today; an Olympic event only
    the years its series was held."""
    truck = Series("NASCAR Truck Series", annual=True, first_season=1995)
    first = event("t1995", sport="Stock car racing", series="NASCAR Truck Series", season=1995,
                  date=date(1995, 6, 1))  # fmt: skip
    recent = event("t2025", sport="Stock car racing", series="NASCAR Truck Series", season=2025,
                   date=date(2025, 6, 1))  # fmt: skip
    games = [event(f"o{y}", season=y, date=date(y, 8, 1), name="Men's 100 m final")
             for y in (1996, 2000, 2004, 2008, 2012)]  # fmt: skip
    recs = records([first, recent, *games], [truck])
    for seed in range(20):
        for e in (first, recent, games[2]):
            q = generator(recs, seed).build(f"season:{e.key}")
            assert q is not None
            years = {int(c.label) for c in q.choices}
            assert all(y <= 2026 for y in years)
            if e.series == truck.name:
                assert all(y >= 1995 for y in years)
            else:
                assert years <= {1996, 2000, 2004, 2008, 2012}


def test_no_margin_choice_is_disputed_or_another_reading_of_the_margin(
    mini_pack: RecordsPack,
) -> None:
    """A margin with a caveat is not asked as a choice; figures a note or correction gives
    for the margin are never offered as wrong answers."""
    pepsi = replace(mini_pack.events[0], key="pepsi", margin_s=0.005, margin_display="0.005",
                    corrections=("A blog reported the margin as 0.004 s.",))  # fmt: skip
    duel = replace(mini_pack.events[1], key="duel", margin_s=0.005, margin_display="0.005",
                   margin_caveat="One timing sheet says 0.006.")  # fmt: skip
    recs = records([pepsi, duel, *mini_pack.events[2:]])
    for seed in range(60):
        q = generator(recs, seed).generate(only(QuestionKind.MARGIN))
        e = _event_of(recs, q.event_keys[0])
        assert not e.margin_caveat
        wrong = {c.number for i, c in enumerate(q.choices) if i != q.answer_index}
        assert not wrong & figures_in_text(e)
        assert all(n is not None and n > 0 for n in wrong)


def test_a_series_filter_holds_for_every_record_a_question_shows(mini_pack: RecordsPack) -> None:
    """With Truck chosen, a closest-finish question lists Truck races only."""
    trucks = [replace(e, key=f"truck-{e.key}", series="NASCAR Truck Series")
              for e in mini_pack.events[:6]]  # fmt: skip
    recs = records([*mini_pack.events, *trucks])
    for seed in range(30):
        q = generator(recs, seed).generate(only(QuestionKind.CLOSEST, pool=Pool("Truck Series")))
        assert all(key.startswith("truck-") for key in q.event_keys)


def test_series_are_named_as_they_were_then_with_todays_name() -> None:
    """A 1996 race was a Busch Series race, now the Xfinity Series."""
    xfinity = Series("NASCAR Xfinity Series", annual=True, first_season=1982,
                     names=(SeriesName(1984, 2002, "Busch Grand National Series"),
                            SeriesName(2015, 2030, "Xfinity Series")))  # fmt: skip
    old = event("x1996", sport="Stock car racing", series="NASCAR Xfinity Series", season=1996,
                date=date(1996, 5, 1), name="Spring 300")  # fmt: skip
    q = generator(records([old], [xfinity])).build("winner:x1996")
    assert q is None or "Busch" in q.prompt
    q = generator(records([old], [xfinity])).build("guess_margin:x1996")
    assert q is not None
    assert "1996 Busch Grand National Series (today's Xfinity Series) Spring 300" in q.prompt


def test_sport_terms_shape_the_question(mini_pack: RecordsPack) -> None:
    """Hundredths for a swim, a nose for a horse race, 'who shared the win' for a tie,
    and no guess-the-margin where the margin is not a number."""
    recs = multi_sport()
    q = generator(recs, 1).build("margin:run0")
    assert q is not None
    assert "in hundredths of a second" in q.prompt
    assert all(c.label.count(".") == 1 and len(c.label.split(".")[1]) == 4 for c in q.choices)
    q = generator(recs, 1).build("margin:horse0")
    assert q is not None
    assert "a nose, a short head" in q.prompt or "a head" in q.prompt
    q = generator(recs, 1).build("shared:swim0")
    assert q is not None
    assert "Which two shared the win?" in q.prompt
    assert q.choices[q.answer_index or 0].label == "Swimmer 0 / Twin 0"
    pool = Bank(recs).pool(Pool())
    assert "guess_margin:horse0" not in pool
    assert "guess_margin:swim0" not in pool, "a tie has no margin to guess"
    assert "winner:swim0" not in pool, "a shared win has no single winner"


def test_disputed_runner_up_is_never_asked(mini_pack: RecordsPack) -> None:
    """A result with a caveat (e.g. a later disqualification) is not made into a question."""
    kansas = _event_of(mini_pack, "nascar-cup-2024-05-05-kansas")
    disputed = replace(
        kansas,
        results=(kansas.results[0], replace(kansas.results[1], caveat="Disqualified later.")),
    )
    for kind in (QuestionKind.RUNNER_UP, QuestionKind.MARGIN, QuestionKind.TRUE_FALSE):
        with pytest.raises(NoQuestionError):
            generator(records([disputed])).generate(only(kind))


def test_caveat_travels_with_the_question(mini_pack: RecordsPack) -> None:
    """A record's caveat is said with every question about it."""
    kansas = _event_of(mini_pack, "nascar-cup-2024-05-05-kansas")
    caveated = replace(kansas, caveat="Run in overtime.")
    q = generator(records([caveated]), 3).generate(only(QuestionKind.GUESS_MARGIN))
    assert q.caveat == "Run in overtime."


def test_true_false_statements_match_the_record(mini_pack: RecordsPack) -> None:
    """'True' statements name the real winner first; 'False' ones swap the pair."""
    seen = set()
    for seed in range(40):
        q = generator(mini_pack, seed).generate(only(QuestionKind.TRUE_FALSE))
        e = _event_of(mini_pack, q.event_keys[0])
        is_true = q.answer_index == 0
        assert (f"{e.winner.competitor} beat {e.runner_up.competitor}" in q.prompt) is is_true
        seen.add(is_true)
    assert seen == {True, False}


def test_unknown_series_is_reported_not_guessed(mini_pack: RecordsPack) -> None:
    """A series filter limits the pool; an unknown series is reported."""
    q = generator(mini_pack, 1).generate(Request(Pool("Cup Series")))
    assert q.event_keys[0].startswith("nascar-cup")
    with pytest.raises(NoQuestionError):
        generator(mini_pack, 1).generate(Request(Pool("Formula 1")))


def test_a_channel_goes_through_every_question_before_one_repeats(
    mini_pack: RecordsPack,
) -> None:
    """Asked one after another, every subject open to the pool comes up once before any
    comes up again."""
    pool = [s for s in Bank(Records(mini_pack.events)).pool(Pool())
            if generator(mini_pack).build(s) is not None]  # fmt: skip
    assert len(pool) > 80
    history: list[str] = []
    for seed in range(len(pool) + 5):
        q = generator(mini_pack, seed).generate(Request(history=tuple(reversed(history))))
        history.append(q.subject)
    assert sorted(history[: len(pool)]) == sorted(pool)
    assert history[len(pool)] in pool


def test_the_pass_ends_before_the_question_that_completes_the_pool() -> None:
    """With every subject seen, the new pass starts from the newest."""
    assert current_pass(["a", "b", "c"], ["b", "a"]) == {"a", "b"}
    assert current_pass(["a", "b", "c"], ["c", "b", "a"]) == {"c", "b"}
    assert current_pass(["a", "b"], ["x", "a", "a"]) == {"a"}


def test_held_back_records_are_never_shown(mini_pack: RecordsPack) -> None:
    """The open daily's record is neither asked about nor shown among a question's choices."""
    held = "nascar-cup-2024-05-05-kansas"
    for seed in range(60):
        q = generator(mini_pack, seed).generate(Request(Pool(exclude=frozenset({held}))))
        assert held not in q.event_keys
