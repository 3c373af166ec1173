"""Every sentence right for every shape a record can take: a margin that decided a lower
place, ties anywhere, crews, people and venues with several names, nested sports and
overlapping countries, seasons an event did not run, notes that would spoil the daily."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.generating import TODAY, event, generator, records
from trivia.bank import Bank, Pool, Records
from trivia.check import check, check_record
from trivia.judging import judge
from trivia.model import (
    Competitor,
    Event,
    Note,
    Question,
    QuestionKind,
    Result,
    Series,
    SeriesName,
)
from trivia.questions import Request


def _every(recs: Records, key: str, seeds: int = 12) -> list[Question]:
    """Every question each kind makes about one record, over several seeds."""
    found = []
    for seed in range(seeds):
        gen = generator(recs, seed)
        for kind in [k for k, e in gen.bank.subjects if e.key == key]:
            if (q := gen.build(f"{kind}:{key}")) is not None:
                found.append(q)
    return found


def _texts(q: Question) -> str:
    return " ".join([q.prompt, q.explanation, q.caveat or "", *(c.label for c in q.choices)])


def _field(n: int, **fields: object) -> list[Event]:
    """Six made-up finals of one event in different seasons, with the fields given."""
    return [
        event(
            f"e{i}",
            season=1996 + 4 * i,
            date=date(1996 + 4 * i, 8, 1),
            name="Men's 200 m final",
            venue=f"Stadium {i}, City {i}",
            **fields,
        )
        for i in range(n)
    ]


SILVER = event(
    "silver",
    margin_s=0.001,
    margin_display="0.001",
    margin_places=(2, 3),
    results=(
        Result(1, "Ramil Guliyev", time="20.09"),
        Result(2, "Wayde van Niekerk", time="20.11", time_precise="20.106"),
        Result(3, "Jereem Richards", time="20.11", time_precise="20.107"),
        Result(4, "Nethaneel Mitchell-Blake", time="20.24"),
    ),
    name="Men's 200 m final",
)


def test_a_margin_for_silver_is_never_said_to_have_won() -> None:
    """The thousandth that split silver and bronze is said as such, never as the win."""
    recs = records([SILVER, *_field(6)])
    made = _every(recs, "silver")
    assert made
    for q in made:
        text = _texts(q)
        assert "Guliyev beat" not in text
        assert "Guliyev won the 2000" not in text or "for second place" in text
    reveal = next(q for q in made if q.kind is QuestionKind.WINNER).explanation
    assert "Wayde van Niekerk edged Jereem Richards for second place by 0.001 s" in reveal
    margin = next(q for q in made if q.kind is QuestionKind.MARGIN)
    assert "did Wayde van Niekerk edge Jereem Richards for second place" in margin.prompt


def test_a_tie_for_second_is_asked_as_a_shared_place_or_not_at_all() -> None:
    """Peaty and Fink tied for silver: no 'Who finished second?', and the shared place is
    asked with both names as one answer."""
    tie = event(
        "tie",
        margin_s=0.02,
        margin_display="0.02",
        name="Men's 100 m breaststroke final",
        results=(
            Result(1, "Nicolò Martinenghi"),
            Result(2, "Adam Peaty"),
            Result(2, "Nic Fink"),
            Result(4, "Nicolò Martinenghi II"),
        ),
    )
    recs = records([tie, *_field(6)])
    made = _every(recs, "tie")
    assert not [q for q in made if q.kind is QuestionKind.RUNNER_UP]
    assert all(
        "Martinenghi beat Adam Peaty and Nic Fink (tied for second)" in q.explanation
        for q in made
        if q.kind is not QuestionKind.CLOSEST
    )
    low = replace(tie, key="low", margin_s=0.0, margin_display="0.00", margin_places=(2, 2))
    shared = [q for q in _every(records([low, *_field(6)]), "low") if q.kind is QuestionKind.SHARED]
    assert shared
    assert "Which two shared second place?" in shared[0].prompt
    right = shared[0].choices[shared[0].answer_index or 0]
    assert judge(shared[0], "Nic Fink / Adam Peaty").correct
    assert {"Adam Peaty", "Nic Fink"} == set(right.label.split(" / "))


def test_one_person_is_one_choice_and_every_name_of_theirs_is_right() -> None:
    """Dawn Harper raced later as Dawn Harper-Nelson: never both as choices; either name,
    or the same name without accents, selects her."""
    harper = [
        event(
            f"h{i}",
            season=2008 + 4 * i,
            date=date(2008 + 4 * i, 8, 1),
            name="Women's 100 m hurdles final",
            results=(Result(1, name), Result(2, f"Runner-up {i}"), Result(3, f"Third {i}")),
        )
        for i, name in enumerate(
            ["Dawn Harper", "Dawn Harper-Nelson", "Vitor Meira", "Vítor Meira"]
        )
    ]
    recs = Records(tuple(harper), (Competitor("Dawn Harper", ("Dawn Harper-Nelson",)),), ())
    for seed in range(40):
        q = generator(recs, seed).build("winner:h0")
        assert q is not None
        labels = [c.label for c in q.choices]
        assert not {"Dawn Harper", "Dawn Harper-Nelson"} <= set(labels)
        assert not {"Vitor Meira", "Vítor Meira"} <= set(labels)
        assert judge(q, "Dawn Harper-Nelson").correct


def test_one_venue_is_one_choice() -> None:
    """The Duna Arena and the Danube Arena, or a town and a course in it, are one place."""
    venues = [
        "Duna Arena, Budapest",
        "Danube Arena, Budapest",
        "Méribel",
        "Roc de Fer, Méribel",
        "Losail International Circuit",
        "Lusail International Circuit",
        "Åre",
        "Kvitfjell",
    ]
    evs = [
        event(
            f"v{i}",
            venue=v,
            season=1990 + 2 * i,
            date=date(1990 + 2 * i, 8, 1),
            venue_names=("Lusail International Circuit",) if v.startswith("Losail") else (),
        )
        for i, v in enumerate(venues)
    ]
    recs = records(evs)
    for seed in range(40):
        for key in ("v0", "v4"):
            q = generator(recs, seed).build(f"venue:{key}")
            assert q is not None
            labels = " | ".join(c.label for c in q.choices)
            assert labels.count("Budapest") <= 1, labels
            assert labels.count("Méribel") <= 1, labels
            assert labels.count("ail International") <= 1, labels


def test_nested_sports_and_overlapping_countries_are_never_rival_choices() -> None:
    """Speed skating is no wrong answer for short-track speed skating; West Germany none for
    Germany."""
    sports = [
        "Short-track speed skating",
        "Speed skating",
        "Luge",
        "Biathlon",
        "Rowing",
        "Cycling",
        "Track cycling",
    ]
    evs = [
        event(f"s{i}", sport=s, results=(Result(1, f"A{i}", country=c), Result(2, f"B{i}")))
        for i, (s, c) in enumerate(
            zip(
                sports,
                ["Germany", "West Germany", "East Germany", "Russia", "ROC", "France", "Italy"],
                strict=True,
            )
        )
    ]
    evs += [
        event(
            f"x{i}",
            sport="Short-track speed skating",
            results=(Result(1, f"X{i}", country=c), Result(2, f"Y{i}")),
        )
        for i, c in enumerate(["West Germany", "Spain", "Norway", "Japan"])
    ]
    recs = records(evs)
    for seed in range(40):
        gen = generator(recs, seed)
        sport = gen.build("sport:s0")
        assert sport is not None
        assert "Speed skating" not in [c.label for c in sport.choices]
        cycling = gen.build("sport:s5")
        assert cycling is not None
        assert "Track cycling" not in [c.label for c in cycling.choices]
        country = gen.build("country:s0")
        assert country is not None
        assert "West Germany" not in [c.label for c in country.choices]


def test_no_season_before_the_event_existed_or_that_the_winner_also_won() -> None:
    """Women's monobob began in 2022: no 1980s; a season the same winner also took this
    event is no wrong answer."""
    olympics = [
        event(
            f"o{y}",
            sport="Bobsleigh",
            series="Winter Olympic Games",
            season=y,
            date=date(y, 2, 1),
            name="Four-man bobsleigh",
        )
        for y in range(1980, 2027, 4)
    ]
    monobob = [
        event(
            f"m{y}",
            sport="Bobsleigh",
            series="Winter Olympic Games",
            season=y,
            date=date(y, 2, 1),
            name="Women's monobob",
            results=(
                Result(1, "Kaillie Humphries" if y == 2022 else f"Champ {y}"),
                Result(2, f"Second {y}"),
            ),
        )
        for y in (2010, 2014, 2022, 2026)
    ]
    again = replace(
        monobob[1],
        key="again",
        season=2018,
        date=date(2018, 2, 1),
        results=(Result(1, "Kaillie Humphries"), Result(2, "Other")),
    )
    recs = records([*olympics, *monobob, again])
    for seed in range(30):
        q = generator(recs, seed).build("season:m2022")
        assert q is not None
        years = {int(c.label) for c in q.choices}
        assert min(years) >= 2010
        assert 2018 not in years


def test_sentences_read_right_for_shared_wins_crews_and_series_named_like_the_race() -> None:
    """'Where did A share the win with B', crews kept apart, no 'Epsom Derby Derby'."""
    shared = event(
        "shared",
        margin_s=0.0,
        margin_display="0.00",
        results=(Result(1, "Hermann Maier"), Result(1, "Lasse Kjus"), Result(3, "Hans Knauss")),
    )
    crews = event(
        "crews",
        margin_s=0.0,
        margin_display="0.00",
        results=(
            Result(1, "Anna A and Bea B"),
            Result(1, "Cleo C and Dana D"),
            Result(3, "Eve E and Fay F"),
        ),
    )
    derby = event(
        "derby",
        sport="Horse racing",
        series="Epsom Derby",
        name="Derby",
        margin_unit="verbal",
        margin_s=None,
        margin_display="short head",
    )
    others = _field(6)
    recs = records([shared, crews, derby, *others])
    texts = [_texts(q) for key in ("shared", "crews", "derby") for q in _every(recs, key, 4)]
    assert any("did Hermann Maier share the win with Lasse Kjus" in t for t in texts)
    assert not any("shared the win in" in t and "did" in t for t in texts)
    assert not any("Bea B and Cleo C" in t for t in texts)
    assert not any("Derby Derby" in t for t in texts)


def test_a_country_is_never_a_choice_in_a_persons_race() -> None:
    """Rowing lists crews by country and scullers by name: choices are one kind."""
    crews = [
        event(
            f"c{i}",
            sport="Rowing",
            name="Men's eight final",
            results=(Result(1, c, country=c), Result(2, f"Crew {i}", country=f"Land {i}")),
        )
        for i, c in enumerate(["Australia", "Germany", "Italy", "France"])
    ]
    sculls = [
        event(
            f"s{i}",
            sport="Rowing",
            name="Men's single sculls final",
            results=(Result(1, f"Sculler {i}"), Result(2, f"Rival {i}")),
        )
        for i in range(4)
    ]
    recs = records([*crews, *sculls])
    bank = Bank(recs)
    for seed in range(30):
        q = generator(recs, seed).build("winner:s0")
        if q is not None:
            assert {bank.entrant(c.label) for c in q.choices} == {"person"}


def test_every_caveat_of_a_listed_finish_is_shown_and_no_prompt_states_a_disputed_margin() -> None:
    """A closest-finish list shows each finish's caveat; a disputed margin stays out of the
    question text (its caveat comes with the reveal)."""
    evs = [
        event(
            f"c{i}",
            margin_s=0.01 * (i + 1),
            margin_display=f"{0.01 * (i + 1):.2f}",
            caveat=f"Exhibition race {i}." if i else None,
        )
        for i in range(5)
    ]
    disputed = event(
        "d",
        margin_s=0.0,
        margin_display="0.00",
        margin_caveat="Not official.",
        results=(Result(1, "Tyler Reddick"), Result(2, "Elliott Sadler")),
    )
    recs = records([*evs, disputed])
    for seed in range(20):
        q = generator(recs, seed).build("closest:c0")
        assert q is not None
        for key in q.event_keys[1:]:
            assert f"Exhibition race {key[1:]}." in (q.caveat or "")
    for q in _every(recs, "d"):
        assert "0.00 s" not in q.prompt
        assert "Not official." in (q.caveat or "")


def test_nothing_shown_while_the_daily_is_open_states_its_margin() -> None:
    """A note about another record that quotes the open daily's margin is held back."""
    daily = event("daily", margin_s=0.0026, margin_display="0.0026")
    other = event(
        "other",
        margin_s=0.0024,
        margin_display="0.0024",
        notes=(Note("record", "The 0.0024 s margin beat the 0.0026 s of 2013."),),
    )
    recs = records([daily, other, *_field(6)])
    pool = Pool(exclude=frozenset({"daily"}))
    for seed in range(20):
        gen = generator(recs, seed)
        q = gen.generate(Request(pool, (QuestionKind.WINNER,)))
        assert "0.0026" not in _texts(q)
    assert any("0.0026" in q.explanation for q in _every(recs, "other", 2))


def test_a_record_is_held_to_its_own_times_places_and_tie() -> None:
    """A margin the pair's times contradict, one competitor in two places, a tie with a
    margin: each is reported with the record's key."""
    bank = Bank(records([SILVER]))
    assert not list(check_record(bank, SILVER))
    wrong_pair = replace(SILVER, margin_places=None)
    twice = replace(SILVER, results=(*SILVER.results[:3], Result(4, "Ramil Guliyev")))
    tie = replace(
        SILVER, margin_places=(2, 2), results=(Result(1, "A"), Result(2, "B"), Result(2, "C"))
    )
    found = {v.rule for e in (wrong_pair, twice, tie) for v in check_record(bank, e)}
    assert found == {"record-times", "record-one-place", "record-tie"}


NAMES = st.sampled_from(
    [
        "Ana Silva",
        "Bo Li",
        "Cy Doe",
        "Di Roe",
        "Ed Poe",
        "Flo Sá",
        "Gus Ray and Hal Kay",
        "Ivy Lee and Joy Ng",
    ]
)
RENAMED = {"Ana Silva": "Ana Silva-Costa", "Flo Sá": "Flo Sa"}
"""Names the same people raced under in other seasons."""


@st.composite
def shaped(draw: st.DrawFn, i: int) -> Event:
    """A made-up finish of any shape: a tie anywhere, a margin for a lower place."""
    names = draw(st.lists(NAMES, min_size=4, max_size=4, unique=True))
    names = [RENAMED.get(n, n) if draw(st.booleans()) else n for n in names]
    shape = draw(st.sampled_from(["win", "shared", "tie2", "silver", "tie3"]))
    positions = {
        "win": (1, 2, 3, 4),
        "shared": (1, 1, 3, 4),
        "tie2": (1, 2, 2, 4),
        "silver": (1, 2, 3, 4),
        "tie3": (1, 2, 3, 3),
    }[shape]
    places = {"silver": (2, 3), "tie2": (2, 2), "tie3": (3, 3)}.get(shape)
    zero = shape in ("shared", "tie2", "tie3")
    season = 1990 + 2 * i
    return event(
        f"r{i}",
        season=season,
        date=date(season, 8, 1),
        name=f"Race {i % 3}",
        venue=draw(st.sampled_from(["Duna Arena, Budapest", "Danube Arena, Budapest", "Oval"])),
        margin_s=0.0 if zero else 0.01 * (i + 1),
        margin_display="0.00" if zero else f"{0.01 * (i + 1):.2f}",
        margin_places=places,
        results=tuple(
            Result(p, n, country=draw(st.sampled_from(["Germany", "West Germany", "Italy"])))
            for p, n in zip(positions, names, strict=True)
        ),
    )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.tuples(*(shaped(i) for i in range(8))))
def test_the_checker_finds_nothing_in_questions_about_any_shape(events: tuple[Event, ...]) -> None:
    """Ties, crews, renamed people and venues, margins for lower places: every question the
    generator makes from them keeps every invariant the pack checker holds."""
    people = (Competitor("Ana Silva", ("Ana Silva-Costa",)),)
    recs = Records(events, people, ())
    assert check(recs, TODAY, seeds=1) == []


def test_a_renamed_series_is_named_once_and_lists_nest_no_brackets() -> None:
    """'Freedom 100 (Indy Lights)' in the Indy Lights season is not '... Indy Lights (today's
    Indy NXT) Freedom 100 (Indy Lights)'; a closest-finish list never nests brackets; a
    season question names the series as it is today, so the old name gives nothing away."""
    lights = Series("Indy NXT", names=(SeriesName(2008, 2013, "Firestone Indy Lights"),))
    evs = [
        event(f"n{i}", sport="IndyCar racing", series="Indy NXT", season=2008 + i,
              date=date(2008 + i, 5, 1), name="Freedom 100 (Indy Lights)",
              venue=f"Speedway {i}, Town {i}", margin_s=0.001 * (i + 1),
              margin_display=f"{0.001 * (i + 1):.3f}")
        for i in range(6)
    ]  # fmt: skip
    recs = records(evs, [lights])
    for seed in range(10):
        gen = generator(recs, seed)
        closest = gen.build("closest:n0")
        assert closest is not None
        assert "Firestone Indy Lights Freedom 100 at Speedway 0" in closest.choices[0].label or any(
            "Firestone Indy Lights Freedom 100 at" in c.label for c in closest.choices
        )
        for text in (closest.explanation, *(c.label for c in closest.choices)):
            assert "(Indy Lights)" not in text
            assert "((" not in text.replace(" ", "")
            assert "(today's Indy NXT)," not in text
        season = gen.build("season:n0")
        assert season is not None
        assert "Firestone" not in season.prompt
        assert "Indy NXT Freedom 100" in season.prompt
