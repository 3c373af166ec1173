"""What the picture of a finish shows: the margin's pair, the sport's shape, and a scale only
where the record makes one honest."""

from __future__ import annotations

import pytest

from tests.generating import event
from trivia.finish_scene import (
    HORSE_LENGTH,
    Layout,
    Shape,
    finish_scene,
    length_text,
    sourced_metres,
)
from trivia.model import Result


def millimetres(value: float) -> float:
    """The to-scale gap, in metres, of a cycling sprint won by `value` mm."""
    sprint = event(
        "sprint", sport="Cycling", margin_unit="mm", margin_value=value, margin_display=f"{value:g}"
    )
    scene = finish_scene(sprint)
    assert scene.layout is Layout.DISTANCE
    assert scene.shape is Shape.WHEEL
    return scene.gap


def test_millimetres_are_drawn_to_one_scale() -> None:
    """10 mm is 0.01 m behind the line and 20 mm twice that, on the same stretch shown."""
    assert millimetres(10) == pytest.approx(0.01)
    assert millimetres(20) == pytest.approx(2 * millimetres(10))
    spans = {
        finish_scene(
            event("s", sport="Cycling", margin_unit="mm", margin_value=v, margin_display=str(v))
        ).span
        for v in (1, 10, 20, 60)
    }
    assert len(spans) == 1, "one scale for every gap that fits"


def test_a_time_margin_is_a_timeline_in_seconds_never_a_distance() -> None:
    """Larson over Buescher by 0.001 s: the two crossing instants 0.001 s apart, the ticks
    in seconds; no speed turns it into metres."""
    kansas = event(
        "kansas",
        sport="Stock car racing",
        margin_s=0.001,
        margin_display="0.001",
        results=(Result(1, "Kyle Larson"), Result(2, "Chris Buescher")),
    )
    scene = finish_scene(kansas)
    assert scene.layout is Layout.TIME
    assert scene.shape is Shape.CAR
    assert (scene.ahead.names, scene.behind.names) == ("Kyle Larson", "Chris Buescher")
    assert scene.gap == pytest.approx(0.001)
    assert [t.label for t in scene.ticks] == ["0", "+0.001 s"]
    assert scene.margin == "0.001 s"
    assert "0.001 s after Kyle Larson" in scene.meaning
    assert not any(unit in scene.meaning for unit in (" mm", " cm", " metre"))


def test_a_sourced_distance_is_drawn_to_scale() -> None:
    """A time with a distance a source gives (five centimetres) is drawn as that distance."""
    sourced = event("s", margin_s=0.005, margin_display="0.005", margin_distance="five centimetres")
    scene = finish_scene(sourced)
    assert scene.layout is Layout.DISTANCE
    assert scene.gap == pytest.approx(0.05)
    assert "five centimetres" in scene.meaning


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("27 cm", 0.27),
        ("about 8 millimetres (photo-finish projection)", 0.008),
        ("12 1/8 inches", 12.125 * 0.0254),
        ("about one and a half centimetres (AFP)", 0.015),
        ("a foot (Washington Post)", 0.3048),
        ("nine inches (23 cm)", 9 * 0.0254),
        ("less than a metre (The Independent)", None),
        ("almost half a metre", None),
        ("a few centimetres (Cyclingnews)", None),
        ("half a skate blade", None),
        ("just under a car length", None),
    ],
)
def test_only_a_figure_with_a_unit_is_a_distance(text: str, metres: float | None) -> None:
    """A bound, a thing or vague words are no figure to draw to scale."""
    assert sourced_metres(text) == (None if metres is None else pytest.approx(metres))


def test_a_horses_verbal_margin_is_the_part_of_the_horse_it_names() -> None:
    """A nose, a head and a neck on the horse's own scale: a head is four noses."""

    def gap(said: str) -> float:
        scene = finish_scene(
            event("h", sport="Horse racing", margin_unit="verbal", margin_display=said)
        )
        assert scene.layout is Layout.DISTANCE
        assert scene.shape is Shape.HORSE
        return scene.gap

    assert gap("nose") == pytest.approx(0.05 * HORSE_LENGTH)
    assert gap("head") == pytest.approx(4 * gap("nose"))
    assert gap("nose") < gap("short head") < gap("head") < gap("neck")
    nose = finish_scene(
        event("h", sport="Horse racing", margin_unit="verbal", margin_display="nose")
    )
    assert nose.margin == "a nose"
    assert "tip of a horse's nose" in nose.meaning


@pytest.mark.parametrize(
    ("sport", "unit", "display", "margin_s"),
    [("Swimming", "s", "0.00", 0.0), ("Horse racing", "verbal", "dead heat", None)],
)
def test_ties_and_dead_heats_are_level_on_the_line(
    sport: str, unit: str, display: str, margin_s: float | None
) -> None:
    """Manuel and Oleksiak, 52.70 each: both fronts on the line, sharing first."""
    tie = event(
        "tie",
        sport=sport,
        margin_unit=unit,
        margin_display=display,
        margin_s=margin_s,
        results=(Result(1, "Simone Manuel"), Result(1, "Penny Oleksiak"), Result(3, "Sjöström")),
    )
    scene = finish_scene(tie)
    assert scene.layout is Layout.LEVEL
    assert scene.gap == 0
    assert (scene.ahead.names, scene.behind.names) == ("Simone Manuel", "Penny Oleksiak")
    assert "share 1st place" in scene.meaning


def test_the_pair_is_the_places_the_margin_separates() -> None:
    """A photo finish for silver shows second and third, not the winner."""
    silver = event(
        "silver",
        margin_s=0.001,
        margin_display="0.001",
        margin_places=(2, 3),
        results=(Result(1, "Guliyev"), Result(2, "van Niekerk"), Result(3, "Richards")),
    )
    scene = finish_scene(silver)
    assert (scene.ahead.names, scene.behind.names) == ("van Niekerk", "Richards")


def test_the_same_time_split_by_the_photo_is_one_step_of_timing() -> None:
    """Printed 0.000 but placed apart: both at 0 on the timeline, within one thousandth."""
    split = event("split", margin_s=0.0, margin_display="0.000")
    scene = finish_scene(split)
    assert scene.layout is Layout.TIME
    assert scene.gap == 0
    assert [t.label for t in scene.ticks] == ["0", "+0.001 s"]
    assert scene.meaning.startswith("The same time, timed to the thousandth of a second;")
    assert "the photo put Winner split ahead" in scene.meaning


def test_a_photo_finish_nobody_measured_says_it_is_not_to_scale() -> None:
    """A cycling photo finish with only words for the gap is drawn apart, and says so."""
    words = event(
        "words",
        sport="Cycling",
        margin_unit="verbal",
        margin_display="photo finish",
        margin_s=None,
        margin_distance="a few centimetres (Cyclingnews)",
    )
    scene = finish_scene(words)
    assert scene.layout is Layout.UNMEASURED
    assert scene.meaning.startswith("Winner words ahead of Second words;")
    assert scene.meaning.endswith("no source measured the gap, so not to scale.")


def test_lengths_read_as_people_write_them() -> None:
    assert [length_text(m) for m in (0.005, 0.02, 0.5, 2.0)] == ["5 mm", "2 cm", "50 cm", "2 m"]
