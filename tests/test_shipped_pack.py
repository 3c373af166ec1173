"""The records packs that ship: valid, sourced, corrected, and good for every question kind."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from db.records import shipped_packs
from tests.generating import generator
from tests.sources import ARCHIVES, COPY_SITES, REPOSTS, copy_site, on_wikipedia, outlet, repost
from trivia.bank import Bank, Records
from trivia.check import check
from trivia.daily import MIN_DAILY_RECORDS, DailyForm, daily_pool, deal_cycle
from trivia.judging import judge
from trivia.model import Event, QuestionKind, RecordsPack
from trivia.questions import NoQuestionError, Request


@pytest.fixture(scope="module")
def packs() -> list[RecordsPack]:
    return [pack for pack, _ in shipped_packs()]


@pytest.fixture(scope="module")
def pack(packs: list[RecordsPack]) -> RecordsPack:
    """The NASCAR pack."""
    return next(p for p in packs if p.name == "nascar-closest-finishes")


@pytest.fixture(scope="module")
def every(packs: list[RecordsPack]) -> Records:
    """Every shipped record."""
    return Records(
        tuple(e for p in packs for e in p.events),
        tuple(c for p in packs for c in p.competitors),
        tuple(s for p in packs for s in p.series),
    )


def _find(pack: RecordsPack, key: str) -> Event:
    [event] = [e for e in pack.events if e.key == key]
    return event


def test_every_event_is_sourced_and_ordered(pack: RecordsPack) -> None:
    """Every event cites at least one http(s) source and lists first and second."""
    assert len(pack.events) >= 50
    for e in pack.events:
        assert e.sources, e.key
        assert all(s.url.startswith(("http://", "https://")) for s in e.sources)
        assert e.runner_up.gap_s in (None, e.margin_s), e.key


def test_kansas_2024_in_full_detail(pack: RecordsPack) -> None:
    """Larson over Buescher by 0.001 s, top four with gaps, laps, lead changes, cautions."""
    kansas = _find(pack, "nascar-cup-2024-05-05-kansas")
    assert [r.competitor for r in kansas.results[:4]] == [
        "Kyle Larson",
        "Chris Buescher",
        "Chase Elliott",
        "Martin Truex Jr.",
    ]
    assert [r.gap_s for r in kansas.results[:4]] == [0.0, 0.001, 0.059, 0.075]
    assert (kansas.scheduled_laps, kansas.laps) == (267, 268)
    labels = " ".join(n.label + " " + n.text for n in kansas.notes).casefold()
    assert "lead change" in labels
    assert "caution" in labels
    assert any("lap 80" in c or "lap-80" in c for c in kansas.corrections)


def test_seed_errors_are_corrected(pack: RecordsPack) -> None:
    """The seed articles' errors are fixed, and the fix is recorded on the event."""
    reddick = _find(pack, "nascar-xfinity-2018-02-17-daytona")
    assert reddick.runner_up.competitor == "Elliott Sadler"
    assert any("Skinner" in c for c in reddick.corrections)
    assert reddick.margin_display == "0.000"
    assert reddick.margin_caveat
    talladega_2010 = [e for e in pack.events if e.name.startswith("Mountain Dew 250 Fueled")]
    assert [e.series for e in talladega_2010] == ["NASCAR Truck Series"]
    colorado = _find(pack, "nascar-truck-1995-07-15-colorado")
    assert colorado.name == "Total Petroleum 200"
    assert colorado.margin_caveat


def test_duels_are_qualifying_races_not_official_wins(pack: RecordsPack) -> None:
    """Daytona Duels are kept apart: qualifying, not official wins."""
    duels = [e for e in pack.events if "Duel" in e.name or "125" in e.name]
    assert len(duels) >= 5
    assert all(e.kind == "qualifying" and not e.official for e in duels)


def test_every_kind_from_the_shipped_packs_has_one_right_answer(every: Records) -> None:
    """Hundreds of generated questions: the right choice judges correct, the others wrong."""
    for kind in QuestionKind:
        for seed in range(40):
            try:
                q = generator(every, seed).generate(Request(kinds=(kind,)))
            except NoQuestionError:
                continue
            if q.answer_index is None:
                continue
            assert [judge(q, "ABCD"[i]).correct for i in range(len(q.choices))] == [
                i == q.answer_index for i in range(len(q.choices))
            ]
            if any(e.margin_caveat for e in every.events if e.key == q.event_keys[0]):
                assert q.caveat, q.prompt


OFFICIAL = ("Olympedia", "World Athletics", "Olympics.com", "International Olympic Committee")
"""Publishers of official result pages: one of these is enough on its own."""
VIA = re.compile(r"\bvia\b")
FIELD_NAME = re.compile(r"\b(margin_[a-z]+|gap_s|time_precise|car_number)\b")


def test_there_are_hundreds_of_records_from_many_sports(every: Records) -> None:
    """At least 300 records from at least six sports."""
    sports = {e.sport for e in every.events}
    assert len(every.events) >= 300
    assert len(sports) >= 6


def test_every_record_has_two_independent_sources_or_an_official_page(every: Records) -> None:
    """Two outlets, or one official result page: a repost, a wire story printed twice, a
    translation or any copy of Wikipedia is the same outlet."""
    for e in every.events:
        outlets = {outlet(s.publisher) for s in e.sources}
        official = any(s.publisher.startswith(OFFICIAL) for s in e.sources)
        assert len(outlets) >= 2 or official, (e.key, sorted(outlets))


def test_sources_are_original_pages_not_copies(every: Records) -> None:
    """No mirror or proxy; a reprint is labelled with the outlet it reprints ("X (via Y)");
    a source labelled Wikipedia is on Wikipedia itself."""
    for e in every.events:
        for s in e.sources:
            assert not copy_site(s.url), (e.key, s.url)
            assert not repost(s.url) or VIA.search(s.publisher), (e.key, s.publisher, s.url)
            assert (outlet(s.publisher) == "wikipedia") == on_wikipedia(s.url), (e.key, s)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Wikipedia", "Wikipedia (via WikiMili)", True),
        ("Wikipedia", "Wikipedia (German)", True),
        ("Reuters", "The Straits Times (Reuters)", True),
        ("Los Angeles Times (AP)", "Chicago Tribune (AP)", True),
        ("Motorsport.com", "Motorsport.com (via Yahoo Sports)", True),
        ("BBC Sport", "WN (BBC Sport copy)", True),
        ("Motorsport.com (CART release)", "SpeedCenter (CART release)", True),
        ("Olympics.com (IOC)", "olympic.org (IOC)", True),
        ("Los Angeles Times", "Los Angeles Times (AP)", False),
        ("Wikipedia", "Olympedia", False),
    ],
)
def test_what_counts_as_one_outlet(first: str, second: str, same: bool) -> None:
    """A copy, a repost, a translation and a wire story reprinted count once."""
    assert (outlet(first) == outlet(second)) is same


@pytest.mark.parametrize(
    ("url", "copy"),
    [
        ("https://wikimili.com/en/1993_DieHard_500", True),
        ("https://de.wiki.li/Grant_Davies", True),
        ("https://kiwix.example.org/wikipedia_en_all_maxi/A/Luge.html", True),
        ("https://fanyv88.com/https/fr.wikipedia.org/wiki/Tour_d%27Italie_1955", True),
        ("https://proxy.example/?q=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FX", True),
        ("https://en.wikipedia.org/wiki/1993_DieHard_500", False),
        ("https://web.archive.org/web/2018/https://www.sports-reference.com/olympics/", False),
        ("https://www.ipacs.sport/news/huge-shock-as-ledecka-wins-super-g", False),
    ],
)
def test_copy_sites_are_known(url: str, copy: bool) -> None:
    """Mirrors, Kiwix dumps and proxies are refused; Wikipedia and archives are not."""
    assert copy_site(url) is copy


def test_the_verification_doc_lists_every_refused_site() -> None:
    """A pack maintainer reads the same list of sites the test refuses."""
    doc = (Path(__file__).parent.parent / "docs" / "records-verification.md").read_text()
    assert [d for d in (*COPY_SITES, *REPOSTS, *ARCHIVES) if d not in doc] == []


def test_no_text_the_bot_says_names_a_pack_field(every: Records) -> None:
    """Caveats, notes and corrections are sentences for players, not notes for editors."""
    for e in every.events:
        texts = [e.caveat, e.margin_caveat, e.margin_distance, *e.corrections]
        texts += [n.text for n in e.notes] + [r.caveat for r in e.results]
        for text in texts:
            assert not FIELD_NAME.search(text or ""), (e.key, text)


def test_margins_are_in_each_sports_own_terms(every: Records) -> None:
    """Swimming in hundredths, horse racing in words, a tie shares first place."""
    swims = [e for e in every.events if e.sport == "Swimming" and e.season >= 1984]
    assert swims
    assert all(e.precision == 2 for e in swims)
    horses = [e for e in every.events if e.sport == "Horse racing"]
    assert horses
    assert all(e.margin_unit == "verbal" for e in horses)
    assert any(e.tied for e in every.events if e.sport == "Swimming")
    indy = [e for e in every.events if e.sport == "IndyCar racing" and e.season >= 2000]
    assert any(e.precision == 4 for e in indy)


def test_the_all_series_daily_runs_a_year_without_a_repeat(every: Records) -> None:
    """The shipped records give more than 365 undisputed timed margins to guess."""
    pool = daily_pool(Bank.indexed(every), None)
    keys = deal_cycle(pool.events, 1, None, "all")
    assert len(set(keys[:365])) == 365


def test_the_checker_finds_nothing_in_the_shipped_packs(every: Records) -> None:
    """Every question every shipped record makes keeps the invariants `photo-finish records
    check` holds: the pair the margin belongs to, ties, one identity one choice, caveats,
    spoilers of the open daily, sentences that read right, and each record against itself."""
    assert check(every, date(2026, 12, 7), seeds=1) == []


def test_every_pool_a_daily_schedule_can_name_asks_each_of_its_records(every: Records) -> None:
    """Every series and sport either has a week of records for the daily question, each
    of which it can ask, or is refused when a schedule names it; horse racing's daily is
    a choice of margins in words."""
    bank = Bank.indexed(every)
    runs = {}
    for series in [None, *bank.topics]:
        pool = daily_pool(bank, series)
        runs[series] = pool.runs
        if not pool.runs:
            continue
        make = generator(every, 1)
        for e in pool.events:
            made = make.choice_daily(e) if pool.form is DailyForm.CHOICE else make.guess_margin(e)
            assert made is not None, (series, e.key)
        assert len(set(deal_cycle(pool.events, 1, None, pool.name))) == pool.days
    assert daily_pool(bank, "Horse racing").form is DailyForm.CHOICE
    assert runs["Horse racing"]
    assert not runs["European Athletics Championships"]
    assert all(daily_pool(bank, s).days >= MIN_DAILY_RECORDS for s, ok in runs.items() if ok)
