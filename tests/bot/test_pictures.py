"""The picture of a finish as a person sees it: within the size limits, labelled, and with
the gap in pixels following the scale where there is one."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.pictures import AHEAD, BEHIND, INK, LANES, LINE, Pictures, render
from tests.generating import event
from trivia.finish_scene import HORSE_MARGINS, SHAPES, finish_scene
from trivia.model import Event, Result

MAX_BYTES = 1_000_000


def image_of(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def within_bounds(png: bytes) -> None:
    """What Discord and Slack are sent: 600x200 to 2000x2000 pixels, under 1 MB."""
    width, height = image_of(png).size
    assert 600 <= width <= 2000
    assert 200 <= height <= 2000
    assert len(png) < MAX_BYTES


def front(image: Image.Image, lane: int, colour: tuple[int, int, int]) -> int:
    """The rightmost pixel of a competitor's colour in its lane (below the names)."""
    top, bottom = LANES[lane]
    xs = [
        x
        for y in range(top + 40, bottom)
        for x in range(image.width)
        if image.getpixel((x, y)) == colour
    ]
    assert xs, f"no {colour} in lane {lane}"
    return max(xs)


def gap_in_pixels(record: Event) -> int:
    image = image_of(render(finish_scene(record)))
    return front(image, 0, AHEAD) - front(image, 1, BEHIND)


def sprint(mm: float) -> Event:
    return event(
        f"sprint-{mm:g}",
        sport="Cycling",
        margin_unit="mm",
        margin_value=mm,
        margin_display=f"{mm:g}",
        results=(Result(1, "Marcel Kittel"), Result(2, "Edvald Boasson Hagen")),
    )


def pixels(image: Image.Image) -> list[object]:
    return list(image.get_flattened_data())


def ink(png: bytes) -> int:
    """How many pixels are in the text's colour."""
    image = image_of(png)
    return sum(1 for pixel in pixels(image) if pixel == INK)


def test_the_gap_in_pixels_follows_the_scale() -> None:
    """A 20 mm sprint is drawn with twice the gap of a 10 mm one; 6 mm is visible."""
    ten, twenty = gap_in_pixels(sprint(10)), gap_in_pixels(sprint(20))
    assert ten >= 8
    assert abs(twenty - 2 * ten) <= 1
    assert gap_in_pixels(sprint(6)) >= 4


def test_a_dead_heat_has_no_gap() -> None:
    """Both swimmers' hands touch the line at the same pixel."""
    heat = event(
        "heat",
        sport="Swimming",
        margin_s=0.0,
        margin_display="0.00",
        results=(Result(1, "Simone Manuel"), Result(1, "Penny Oleksiak")),
    )
    assert gap_in_pixels(heat) == 0


def test_a_horse_wins_by_a_nose_a_quarter_of_a_head() -> None:
    def horse(said: str) -> int:
        return gap_in_pixels(
            event(
                "h", sport="Horse racing", margin_unit="verbal", margin_display=said, margin_s=None
            )
        )

    nose, head = horse("nose"), horse("head")
    assert nose >= 10
    assert abs(head - 4 * nose) <= 2


def test_a_time_margin_is_drawn_on_a_timeline_without_a_finish_line() -> None:
    """0.001 s and 0.002 s are drawn as instants on a line of time, with no finish line and
    no scale of length: the picture says nothing about how far apart they were."""
    one = event("one", sport="Stock car racing", margin_s=0.001, margin_display="0.001")
    image = image_of(render(finish_scene(one)))
    assert LINE not in pixels(image), "a finish line would imply a distance"
    distance = image_of(render(finish_scene(sprint(10))))
    assert LINE in pixels(distance)


def test_labels_are_drawn() -> None:
    """The race, the names, the margin and what it means are drawn: without them most of
    the ink goes, and another name changes the pixels where the name is."""
    scene = finish_scene(sprint(6))
    labelled = render(scene)
    blank = replace(
        scene,
        ahead=replace(scene.ahead, names=""),
        behind=replace(scene.behind, names=""),
        margin="",
        meaning="",
        title="",
    )
    assert ink(render(blank)) < ink(labelled) / 4
    renamed = image_of(render(replace(scene, ahead=replace(scene.ahead, names="Mark Cavendish"))))
    top, _ = LANES[0]
    box = (60, top, 400, top + 34)
    assert pixels(renamed.crop(box)) != pixels(image_of(labelled).crop(box))


def test_the_four_finishes_are_within_bounds() -> None:
    for scene in (
        finish_scene(sprint(6)),
        finish_scene(event("k", sport="Stock car racing", margin_s=0.001, margin_display="0.001")),
    ):
        within_bounds(render(scene))


_SPORTS = st.sampled_from([*SHAPES, "Curling"])
_NAMES = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")


@st.composite
def records(draw: st.DrawFn) -> Event:
    """Any record the packs can hold: each unit, ties, long and odd names, any sport."""
    sport = draw(_SPORTS)
    tied = draw(st.booleans())
    names = draw(st.lists(_NAMES, min_size=3, max_size=3))
    places = (1, 1, 3) if tied else (1, 2, 3)
    results = tuple(Result(p, n) for p, n in zip(places, names, strict=True))
    unit = draw(st.sampled_from(["s", "mm", "cm", "verbal"]))
    fields: dict[str, object] = {"sport": sport, "results": results, "margin_unit": unit}
    if unit == "s":
        margin = 0.0 if tied else draw(st.floats(0, 700, allow_nan=False))
        decimals = draw(st.integers(0, 4))
        fields |= {"margin_s": round(margin, decimals), "margin_display": f"{margin:.{decimals}f}"}
    elif unit == "verbal":
        said = draw(st.sampled_from([*HORSE_MARGINS, "dead heat", "photo finish"]))
        fields |= {"margin_s": None, "margin_display": said}
    else:
        value = draw(st.floats(0.5, 5000, allow_nan=False))
        fields |= {"margin_value": value, "margin_display": f"{value:g}"}
    fields["margin_distance"] = draw(
        st.none() | st.sampled_from(["27 cm", "about 10 yards", "a yard", "a few centimetres"])
    )
    fields["name"] = draw(st.text(max_size=120))
    return event("any", **fields)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_every_record_renders_within_bounds(record: Event) -> None:
    """Whatever the record, the picture renders, 600x200 to 2000x2000 and under 1 MB."""
    within_bounds(render(finish_scene(record)))


async def test_a_picture_is_rendered_once_and_anew_when_its_record_changes(
    tmp_path: Path,
) -> None:
    """Asked together, one render serves both; asked again, the file is reused; a
    corrected record gets a new file; a key with no record gets no picture."""
    held = {"sprint": sprint(6)}

    async def lookup(key: str) -> Event | None:
        return held.get(key)

    pictures = Pictures(tmp_path / "pictures", lookup)
    first, second = await asyncio.gather(pictures.path("sprint"), pictures.path("sprint"))
    assert first is not None
    assert first == second
    made = first.stat().st_mtime_ns
    assert await pictures.path("sprint") == first
    assert first.stat().st_mtime_ns == made
    png = await pictures.png("sprint")
    assert png == first.read_bytes()
    within_bounds(png)
    held["sprint"] = sprint(5)
    corrected = await pictures.path("sprint")
    assert corrected is not None
    assert corrected != first
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(
        [first.name, corrected.name]
    )
    assert await pictures.path("missing") is None


@pytest.mark.parametrize("shape_sport", sorted(SHAPES))
def test_each_sports_shape_reaches_its_front(shape_sport: str) -> None:
    """Every sport's shape is drawn up to the line: the winner's front on it."""
    record = event(
        "s",
        sport=shape_sport,
        margin_s=0.0,
        margin_display="0.00",
        results=(Result(1, "A"), Result(1, "B")),
    )
    image = image_of(render(finish_scene(record)))
    between = (LANES[0][1] + LANES[1][0]) // 2
    line = [x for x in range(image.width) if image.getpixel((x, between)) == LINE]
    assert line
    assert front(image, 0, AHEAD) == pytest.approx(max(line), abs=3)
