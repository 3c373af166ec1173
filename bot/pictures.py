"""The picture of a finish as a PNG (Pillow): what trivia/finish_scene.py says to draw,
mapped to pixels, drawn on a thread and kept as a file named for the record and what is
drawn, so each picture is rendered once and a changed record gets a new one."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import math
import os
import re
import textwrap
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from trivia.finish_scene import FinishScene, Layout, Shape, finish_scene
from trivia.model import Event

log = logging.getLogger(__name__)

DRAWING = "1"
"""The drawing's version: part of every picture's file name, so a change to how pictures
are drawn makes new files rather than serving old ones."""
WIDTH, HEIGHT = 1200, 675

PAPER = (247, 245, 239)
INK = (33, 37, 41)
FAINT = (134, 142, 150)
LINE = (200, 30, 30)
AHEAD = (31, 111, 235)
BEHIND = (230, 119, 0)
"""The two competitors' colours (the names are written in INK beside them)."""
DARK = (52, 58, 64)

LEFT, RIGHT = 40, WIDTH - 40
LANES = ((100, 300), (310, 510))
"""Top and bottom of the two lanes, in pixels; names sit at each lane's top."""
SHAPE_TOP = 36
"""Pixels at the top of a lane kept for the names."""
ASPECTS = {
    Shape.CAR: 0.4,
    Shape.MOTORBIKE: 0.6,
    Shape.TORSO: 0.7,
    Shape.HAND: 0.45,
    Shape.WHEEL: 1.0,
    Shape.HORSE: 0.75,
    Shape.BOW: 0.2,
    Shape.SKATE: 0.5,
    Shape.SLED: 0.35,
    Shape.SKI: 0.3,
}
"""Each shape's height for its length; one drawn to scale that would be taller than its
lane is drawn as tall as the lane."""
AXIS_Y = 530
ICON = 300
"""The most pixels a shape is long on a timeline, where it stands for a competitor, not a
length (as tall as its lane allows)."""

Point = tuple[float, float]
Colour = tuple[int, int, int]
Lookup = Callable[[str], Awaitable[Event | None]]


@cache
def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Source Sans Pro, shipped in the font-source-sans-pro package, laid out glyph by glyph
    (any text a record holds draws; raqm's shaping refuses some)."""
    path = files("font_source_sans_pro") / "files" / f"SourceSansPro-{weight}.ttf"
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def render(scene: FinishScene) -> bytes:
    """The scene as a PNG: the two lanes with the finish line (or the timeline), the names,
    the margin as printed and what it means."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    heading = font("Semibold", 30)
    draw.text((LEFT, 22), _fit(draw, scene.title, heading), font=heading, fill=INK)
    x_of = _x_scale(scene)
    if scene.layout is Layout.TIME:
        _timeline(image, scene, x_of)
    else:
        _line_and_scale(draw, scene, x_of)
        for lane, front, colour in _lanes(scene, x_of):
            width = scene.length * (x_of(1.0) - x_of(0.0))
            _shape(image, scene.shape, lane, front, width, colour)
    for (top, _), names, colour in zip(
        LANES, (scene.ahead.names, scene.behind.names), (AHEAD, BEHIND), strict=True
    ):
        draw.rectangle((LEFT, top + 6, LEFT + 18, top + 24), fill=colour)
        label = _fit(draw, names, font("Semibold", 26), RIGHT - LEFT - 28)
        draw.text((LEFT + 28, top), label, font=font("Semibold", 26), fill=INK)
    big = font("Bold", 46)
    margin = _fit(draw, scene.margin, big, (RIGHT - LEFT) // 3)
    draw.text((LEFT, 580), margin, font=big, fill=INK)
    margin_width = draw.textlength(margin, font=big)
    per_line = int((RIGHT - LEFT - margin_width - 40) / 11.5)  # characters of 24 px text
    meaning = "\n".join(textwrap.wrap(scene.meaning, per_line, max_lines=3, placeholder=" …"))
    draw.multiline_text(
        (LEFT + margin_width + 30, 584), meaning, font=font("Regular", 24), fill=DARK, spacing=6
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _fit(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int = RIGHT - LEFT
) -> str:
    """The text on one line, cut short with an ellipsis where it would run off the picture."""
    text = " ".join(text.split())
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _x_scale(scene: FinishScene) -> Callable[[float], float]:
    """Scene units (metres or seconds) to pixels across the picture."""
    low, high = scene.span
    per = (RIGHT - LEFT) / (high - low)
    return lambda at: LEFT + (at - low) * per


def _lanes(
    scene: FinishScene, x_of: Callable[[float], float]
) -> list[tuple[tuple[int, int], float, Colour]]:
    return [
        (LANES[0], x_of(scene.ahead.at), AHEAD),
        (LANES[1], x_of(scene.behind.at), BEHIND),
    ]


def _line_and_scale(
    draw: ImageDraw.ImageDraw, scene: FinishScene, x_of: Callable[[float], float]
) -> None:
    """The finish line through both lanes, and the scale: a bar where it is drawn to
    scale, a note where it is not."""
    line = round(x_of(0.0))
    top, bottom = LANES[0][0] - 8, LANES[1][1] + 8
    draw.rectangle((line - 1, top, line + 1, bottom), fill=LINE)
    draw.text((line + 8, top - 4), "finish line", font=font("Regular", 20), fill=LINE)
    small = font("Regular", 20)
    if scene.layout is Layout.UNMEASURED:
        draw.text((RIGHT, AXIS_Y), "not to scale", font=small, fill=FAINT, anchor="ra")
    for tick in scene.ticks:
        length = x_of(tick.at) - x_of(0.0)
        y = AXIS_Y + 8
        draw.line((RIGHT - length, y, RIGHT, y), fill=INK, width=3)
        draw.line((RIGHT - length, y - 6, RIGHT - length, y + 6), fill=INK, width=2)
        draw.line((RIGHT, y - 6, RIGHT, y + 6), fill=INK, width=2)
        draw.text((RIGHT - length - 10, y), tick.label, font=small, fill=INK, anchor="rm")


def _timeline(image: Image.Image, scene: FinishScene, x_of: Callable[[float], float]) -> None:
    """Each competitor reaching the line at its instant on a line of time; the margin is
    marked between the two instants. The shapes are icons here, not lengths."""
    draw = ImageDraw.Draw(image)
    small = font("Regular", 20)
    draw.line((LEFT, AXIS_Y, RIGHT, AXIS_Y), fill=INK, width=2)
    draw.text((RIGHT, AXIS_Y - 8), "time at the line →", font=small, fill=FAINT, anchor="rd")
    if scene.gap == 0 and len(scene.ticks) > 1:  # the same time: within one step
        band = (x_of(0.0), LANES[0][0], x_of(scene.ticks[1].at), AXIS_Y)
        draw.rectangle(band, fill=(233, 229, 218))
        within = f"both reached the line within this {scene.ticks[1].label.lstrip('+')}"
        draw.text((band[0] + 12, band[1] + 8), within, font=small, fill=DARK)
    for tick in scene.ticks:
        x = x_of(tick.at)
        _dashed(draw, x, LANES[0][0] - 8, AXIS_Y)
        draw.line((x, AXIS_Y - 6, x, AXIS_Y + 6), fill=INK, width=2)
        draw.text((x, AXIS_Y + 10), tick.label, font=small, fill=INK, anchor="ma")
    icon = min(ICON, (LANES[0][1] - LANES[0][0] - SHAPE_TOP) / ASPECTS[scene.shape])
    for lane, front, colour in _lanes(scene, x_of):
        _shape(image, scene.shape, lane, front, icon, colour)


def _dashed(draw: ImageDraw.ImageDraw, x: float, top: int, bottom: int) -> None:
    for y in range(top, bottom, 14):
        draw.line((x, y, x, min(y + 8, bottom)), fill=FAINT, width=2)


def _shape(
    image: Image.Image,
    shape: Shape,
    lane: tuple[int, int],
    front: float,
    width: float,
    colour: Colour,
) -> None:
    """One competitor's shape in its lane, its front at x = `front`, `width` pixels long,
    cut off at the picture's edge."""
    bottom = lane[1]
    top = bottom - round(min(bottom - lane[0] - SHAPE_TOP, width * ASPECTS[shape]))
    layer = Image.new("RGBA", (RIGHT - LEFT, bottom - top), (0, 0, 0, 0))
    DRAWERS[shape](Pen(ImageDraw.Draw(layer), front - LEFT, width, bottom - top, colour))
    image.paste(layer, (LEFT, top), layer)


@dataclass(frozen=True)
class Pen:
    """Draws a shape in a lane's layer: u runs along the shape (1 is its front, at x =
    `front`), v down the lane (0 to 1)."""

    draw: ImageDraw.ImageDraw
    front: float
    width: float
    height: int
    colour: Colour

    def at(self, u: float, v: float) -> Point:
        """(u, v) in the layer's pixels."""
        return self.front - (1 - u) * self.width, v * self.height

    def polygon(self, points: Sequence[Point], fill: Colour | None = None) -> None:
        """A filled polygon through (u, v) points, in the competitor's colour by default."""
        self.draw.polygon([self.at(u, v) for u, v in points], fill=fill or self.colour)

    def circle(self, centre: Point, radius: float, fill: Colour) -> None:
        """A disc of `radius` pixels at a point in pixels."""
        x, y = centre
        self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)

    def wheel(self, centre: Point, radius: float, *, spokes: bool) -> None:
        """A wheel in pixels: its tyre's front at centre + radius."""
        x, y = centre
        thick = max(4, round(radius * 0.08))
        box = (x - radius, y - radius, x + radius, y + radius)
        self.draw.ellipse(box, outline=self.colour, width=thick)
        if spokes:
            for i in range(16):
                angle = math.pi * i / 8
                inner = radius - thick
                end = (x + inner * math.cos(angle), y + inner * math.sin(angle))
                self.draw.line(((x, y), end), fill=DARK, width=1)
        self.circle(centre, max(3.0, radius * 0.08), DARK)


def _car(pen: Pen) -> None:
    body = [(0, 0.12), (0.3, 0.12), (0.5, 0.45), (0.9, 0.55), (1, 0.72), (1, 0.86), (0, 0.86)]
    pen.polygon(body)
    pen.polygon([(0.33, 0.2), (0.45, 0.44), (0.33, 0.44)], PAPER)
    pen.circle(pen.at(0.72, 0.84), 0.16 * pen.height, DARK)


def _motorbike(pen: Pen) -> None:
    # Two wheels, the front one's tyre at the front; the body and the rider tucked in.
    radius = 0.2 * pen.width
    for u in (0.2, 0.8):
        x, _ = pen.at(u, 0)
        pen.wheel((x, pen.height - radius), radius, spokes=False)
    pen.polygon([(0.15, 0.55), (0.35, 0.3), (0.55, 0.25), (0.78, 0.12), (0.9, 0.35), (0.3, 0.62)])
    pen.circle(pen.at(0.58, 0.12), 0.1 * pen.height, pen.colour)


def _torso(pen: Pen) -> None:
    # A runner dipping at the line: the chest (the torso's front) is what finishes.
    body = [(0, 0.8), (0.5, 0.32), (0.72, 0.24), (0.9, 0.3), (1, 0.48), (0.9, 0.66)]
    pen.polygon([*body, (0.4, 1), (0.05, 1)])
    pen.polygon([(0.6, 0.36), (0.28, 0.5), (0.26, 0.6), (0.64, 0.46)], DARK)
    pen.circle(pen.at(0.78, 0.12), 0.12 * pen.height, pen.colour)


def _hand(pen: Pen) -> None:
    # An arm reaching to the wall, the palm flat, the fingertips touching it.
    pen.polygon([(0, 0.5), (0.45, 0.44), (0.45, 0.84), (0, 0.9)])
    pen.polygon([(0.4, 0.36), (0.72, 0.3), (0.76, 0.9), (0.4, 0.9)])
    for v in (0.3, 0.46, 0.62):
        pen.polygon([(0.7, v), (0.97, v + 0.02), (1, v + 0.07), (0.97, v + 0.12), (0.7, v + 0.14)])
    pen.polygon([(0.7, 0.76), (0.9, 0.8), (0.92, 0.86), (0.7, 0.92)])


def _wheel(pen: Pen) -> None:
    # The front of the tyre (level with the hub) is in the lane; the rest may be cut off.
    pen.wheel(pen.at(0.5, 0.6), pen.width / 2, spokes=True)


def _horse(pen: Pen) -> None:
    # u 0-0.6 is the neck, 0.6-1 the head, 0.9-1 its muzzle: a neck, a head and a nose
    # long at the scale of finish_scene.HORSE_MARGINS.
    pen.polygon([(0, 1), (0, 0.72), (0.42, 0.18), (0.62, 0.08), (0.7, 0.42), (0.35, 1)])
    head = [(0.58, 0.1), (0.66, 0.02), (0.9, 0.38), (1, 0.56), (0.97, 0.72), (0.86, 0.74)]
    pen.polygon([*head, (0.66, 0.5)])
    pen.polygon([(0.6, 0.1), (0.62, -0.1), (0.67, 0.05)])
    pen.circle(pen.at(0.7, 0.26), 0.04 * pen.height, PAPER)


def _bow(pen: Pen) -> None:
    pen.polygon([(0, 0.5), (0.8, 0.52), (0.99, 0.62), (0.8, 0.74), (0, 0.78)])
    pen.circle(pen.at(0.985, 0.62), 0.06 * pen.height, pen.colour)


def _skate(pen: Pen) -> None:
    pen.polygon([(0, 0.86), (0.96, 0.86), (1, 0.8), (1, 0.92), (0, 0.94)])
    pen.polygon([(0.15, 0.2), (0.45, 0.2), (0.5, 0.55), (0.75, 0.62), (0.75, 0.84), (0.15, 0.84)])


def _sled(pen: Pen) -> None:
    pen.polygon([(0, 0.3), (0.6, 0.3), (0.9, 0.45), (1, 0.65), (0.92, 0.82), (0, 0.82)])
    pen.draw.line([pen.at(0.05, 0.94), pen.at(0.9, 0.94), pen.at(0.98, 0.86)], fill=DARK, width=4)


def _ski(pen: Pen) -> None:
    tip = [(0.85, 0.88), (0.97, 0.78), (1, 0.72), (0.97, 0.86), (0.87, 0.95)]
    pen.polygon([(0, 0.88), *tip, (0, 0.95)])
    pen.polygon([(0.2, 0.3), (0.42, 0.3), (0.45, 0.6), (0.58, 0.66), (0.58, 0.87), (0.2, 0.87)])


DRAWERS: dict[Shape, Callable[[Pen], None]] = {
    Shape.CAR: _car,
    Shape.MOTORBIKE: _motorbike,
    Shape.TORSO: _torso,
    Shape.HAND: _hand,
    Shape.WHEEL: _wheel,
    Shape.HORSE: _horse,
    Shape.BOW: _bow,
    Shape.SKATE: _skate,
    Shape.SLED: _sled,
    Shape.SKI: _ski,
}


class Pictures:
    """Pictures of the records' finishes, as files in `folder`, each named for its record
    and a digest of what it shows: rendered once (on a thread, so the bot goes on), shared
    by every process on the database, and new when the record changes. Each reveal waits
    only for its own record's picture."""

    def __init__(self, folder: Path, lookup: Lookup) -> None:
        self.folder = folder
        self.lookup = lookup
        self._rendering: dict[str, asyncio.Future[Path]] = {}

    async def path(self, key: str) -> Path | None:
        """The record's picture as a file (rendered now if need be); None, logged in one
        line, when there is no such record or it cannot be drawn."""
        try:
            event = await self.lookup(key)
            if event is None:
                log.warning("no picture for %s: no such record", key)
                return None
            scene = finish_scene(event)
            digest = hashlib.sha256(f"{DRAWING}{scene!r}".encode()).hexdigest()[:16]
            file = self.folder / f"{re.sub(r'[^A-Za-z0-9-]', '_', key)}-{digest}.png"
            if file.exists():
                return file
            if (running := self._rendering.get(file.name)) is None:
                running = asyncio.ensure_future(asyncio.to_thread(_write, scene, file))
                self._rendering[file.name] = running
                running.add_done_callback(lambda _: self._rendering.pop(file.name, None))
            return await asyncio.shield(running)
        except Exception as exc:
            log.warning("no picture for %s (%s: %s)", key, type(exc).__name__, exc)
            return None

    async def png(self, key: str) -> bytes | None:
        """The record's picture as PNG bytes, or None (see `path`)."""
        file = await self.path(key)
        return None if file is None else await asyncio.to_thread(file.read_bytes)


def _write(scene: FinishScene, file: Path) -> Path:
    """Render to a temporary file and move it into place, so no process reads half a file."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(render(scene))
    temporary.replace(file)
    return file
