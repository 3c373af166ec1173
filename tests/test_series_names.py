"""Questions name each shipped series as it was called in the record's season."""

from __future__ import annotations

import itertools

import pytest

from db.records import shipped_packs
from trivia.bank import Bank, Records
from trivia.questions import describe

TODAY = 2026


@pytest.fixture(scope="module")
def bank() -> Bank:
    """A bank of every shipped record, as the bot builds it."""
    packs = [pack for pack, _ in shipped_packs()]
    return Bank.indexed(
        Records(
            tuple(e for p in packs for e in p.events),
            tuple(c for p in packs for c in p.competitors),
            tuple(s for p in packs for s in p.series),
        )
    )


@pytest.mark.parametrize(
    ("key", "label"),
    [
        (
            "indycar-2001-texas-chevy-500",
            "the 2001 Indy Racing Northern Light Series (today's IndyCar Series) Chevy 500",
        ),
        (
            "indycar-2002-texas-boomtown-500",
            "the 2002 Indy Racing League (today's IndyCar Series) Boomtown 500",
        ),
        ("indycar-2023-indianapolis-500", "the 2023 IndyCar Series Indianapolis 500"),
        (
            "indycar-nxt-2003-chicagoland-100",
            "the 2003 Infiniti Pro Series (today's Indy NXT) Chicagoland 100",
        ),
        (
            "indycar-nxt-2013-freedom-100",
            "the 2013 Firestone Indy Lights (today's Indy NXT) Freedom 100",
        ),
        (
            "f1-1967-italian-gp",
            "the 1967 World Championship of Drivers (today's Formula One World Championship)"
            " Italian Grand Prix",
        ),
        ("f1-1981-spanish-gp", "the 1981 Formula One World Championship Spanish Grand Prix"),
        (
            "motogp-500cc-1996-czech-gp",
            "the 1996 500cc World Championship (today's MotoGP World Championship)"
            " Czech Republic Grand Prix",
        ),
        ("motogp-2003-czech-gp", "the 2003 MotoGP World Championship Czech Republic Grand Prix"),
        (
            "athletics-worlds-2017-men-200m",
            "the 2017 IAAF World Championships in Athletics (today's World Athletics"
            " Championships) Men's 200 m final",
        ),
        (
            "athletics-worlds-2019-men-110m-hurdles",
            "the 2019 IAAF World Athletics Championships (today's World Athletics"
            " Championships) Men's 110 m hurdles final",
        ),
        (
            "athletics-worlds-2022-men-100m",
            "the 2022 World Athletics Championships Men's 100 m final",
        ),
        (
            "swimming-worlds-2019-women-50m-freestyle",
            "the 2019 FINA World Championships (today's World Aquatics Championships)"
            " Women's 50 m freestyle final",
        ),
        (
            "swimming-worlds-2023-men-200m-freestyle",
            "the 2023 World Aquatics Championships Men's 200 m freestyle final",
        ),
        (
            "triathlon-wtcs-2009-tongyeong-men",
            "the 2009 ITU World Championship Series (today's World Triathlon Championship"
            " Series) Tongyeong men's race",
        ),
        (
            "triathlon-wtcs-2014-yokohama-men",
            "the 2014 ITU World Triathlon Series (today's World Triathlon Championship"
            " Series) Yokohama men's race",
        ),
    ],
)
def test_a_record_names_its_series_as_it_was_called_that_season(
    bank: Bank, key: str, label: str
) -> None:
    """'the 2001 Indy Racing Northern Light Series', never 'the 2001 IndyCar Series'."""
    assert describe(bank, bank.by_key[key], TODAY, with_venue=False).startswith(label)


def test_every_renamed_series_cites_two_publishers(bank: Bank) -> None:
    """Each name history rests on at least two publishers, and its eras do not overlap."""
    renamed = [s for s in bank.records.series if s.names]
    assert len(renamed) >= 10
    for series in renamed:
        assert len({s.publisher for s in series.sources}) >= 2, series.name
        eras = sorted((n.first, n.last) for n in series.names)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(eras)), series.name
