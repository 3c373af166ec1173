"""How a finish is said: who beat whom, for which place, and a list of entrants, right for
every shape a record can take (a win, a lower place decided by the photo, a tie anywhere,
crews whose names hold "and")."""

from __future__ import annotations

from collections.abc import Sequence

from trivia.margins import margin_by
from trivia.model import Event, Result

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def ordinal(place: int) -> str:
    """'second' for 2, '7th' past sixth."""
    return _ORDINALS.get(place, f"{place}th")


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'; crews whose names hold 'and' are kept apart with ';'."""
    if len(names) < 2:
        return "".join(names)
    if any(" and " in n for n in names):
        return "; ".join(names[:-1]) + "; and " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _group(results: Sequence[Result]) -> str:
    """One place's entrants: 'Knauss' or 'Knauss and Cuche (tied for second)'."""
    names = join_names([r.competitor for r in results])
    if len(results) > 1:
        return f"{names} (tied for {ordinal(results[0].position)})"
    return names


def pair_sentence(event: Event, *, margin: bool = True, base: bool = False) -> str:
    """The finish the margin belongs to, as a clause: 'Larson beat Buescher by 0.001 s',
    'van Niekerk edged Richards for second place by 0.001 s', 'Maier shared the win with
    Kjus', 'Simpson tied with Stewart for second place'. `base` gives the verb's base form
    for a question ('Where did Maier share the win with Kjus?'); `margin` False leaves the
    margin out (it is disputed, or the question asks for it)."""
    upper, _ = event.places
    by = f" {margin_by(event)}" if margin else ""
    if event.tied:
        first, *rest = event.ahead
        others = join_names([r.competitor for r in rest])
        if upper == 1:
            return f"{first.competitor} {'share' if base else 'shared'} the win with {others}"
        verb = "tie" if base else "tied"
        return f"{first.competitor} {verb} with {others} for {ordinal(upper)} place"
    return beat_sentence(_group(event.ahead), _group(event.behind), upper, by, base=base)


def beat_sentence(ahead: str, behind: str, place: int, by: str, *, base: bool = False) -> str:
    """'A beat B by M' for the win, 'A edged B for second place by M' for a lower place."""
    if place == 1:
        return f"{ahead} beat {behind}{by}"
    return f"{ahead} {'edge' if base else 'edged'} {behind} for {ordinal(place)} place{by}"


def decided(event: Event) -> str:
    """What the margin decided: 'the win', 'second place', 'a tie for third place'."""
    upper, _ = event.places
    place = "the win" if upper == 1 else f"{ordinal(upper)} place"
    return f"a tie for {place.removeprefix('the ')}" if event.tied else place


def over(event: Event) -> str:
    """The finish in a list: 'Larson over Buescher', 'van Niekerk over Richards for second
    place', 'Maier and Kjus tied for first place'."""
    ahead = join_names([r.competitor for r in event.ahead])
    if event.tied:
        return f"{ahead} tied for {ordinal(event.places[0])} place"
    behind = join_names([r.competitor for r in event.behind])
    place = "" if event.for_win else f" for {ordinal(event.places[0])} place"
    return f"{ahead} over {behind}{place}"
