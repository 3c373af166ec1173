"""The console adapter on a pipe (end of input, the reset confirmation, the daily's hint), and
how replies wrap in a terminal."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from adapters.console import WELCOME, AsyncLineIterator, Console, wrap
from bot.app import console_poster, open_app
from bot.config import Config
from db.backend import open_store
from tests.conftest import T0
from trivia.commands import Command, Daily, DailyPost
from trivia.engine import Actor
from trivia.incoming import Incoming
from trivia.model import Place
from trivia.replies import Reply

PLACE = Place("console", "local", "console")


async def read_all(text: bytes) -> list[str]:
    """Every line the console reads from a pipe holding `text`, then end of input."""
    read_end, write_end = os.pipe()
    os.write(write_end, text)
    os.close(write_end)
    lines = AsyncLineIterator(read_end)
    try:
        async with asyncio.timeout(5):
            return [line async for line in lines]
    finally:
        lines.close()
        os.close(read_end)


async def test_a_half_typed_line_at_end_of_input_is_read_and_then_input_ends() -> None:
    """Ctrl-D after half a line: that text is the last line, and reading stops (it used
    to wait for ever, leaving the console deaf)."""
    assert await read_all(b"/trivia\nhalf a li") == ["/trivia", "half a li"]


async def run_console(tmp_path: Path, typed: str, *, daily: bool = False) -> str:
    """The console over a pipe on a fresh database (with today's daily question open, if
    `daily`); what it printed."""
    read_end, write_end = os.pipe()
    os.write(write_end, typed.encode())
    os.close(write_end)
    out = io.StringIO()
    config = Config(db_path=tmp_path / "c.sqlite3")
    async with open_store(config.database) as stores, open_app(config, stores, seed=1) as app:

        async def handle(command: Command, player: str, players: int) -> list[Reply]:
            incoming = Incoming(command, PLACE, player, player, admin=True, players=players)
            return await app.handle(incoming)

        if daily:
            post = DailyPost(day=T0.date(), previous_day=None, closes_at=T0.replace(year=2099))
            await app.runtime.engine.handle(post, Actor(PLACE, "s", "S", T0, admin=True))
        console = Console(handle, "ann", out)
        # posts only (the timer is not started), in order as `play` serves them
        app.runtime.serve(PLACE.platform, console_poster(console, app.pictures), in_order=True)
        try:
            await console.run(read_end)
        finally:
            os.close(read_end)
    return out.getvalue()


async def test_the_console_confirms_a_reset_with_confirm(tmp_path: Path) -> None:
    """The console cannot click a button: /confirm does it, once."""
    shown = await run_console(tmp_path, "/trivia admin reset\n/confirm\n/confirm\n")
    assert "Type /confirm to do it (good for five minutes)." in shown
    assert "The leaderboard was reset by ann." in shown
    assert shown.count("Nothing to confirm.") == 1


async def test_stray_text_while_the_daily_is_open_mentions_the_daily(tmp_path: Path) -> None:
    """Text that is no guess, with only the daily open, says how to guess the daily."""
    shown = await run_console(tmp_path, "hello there\n", daily=True)
    assert "That is not a guess for Daily #" in shown
    assert "e.g. /trivia daily 0.005" in shown


async def test_a_pipe_gets_each_line_whole(tmp_path: Path) -> None:
    """Replies on a pipe are not wrapped: a program reading them gets whole lines."""
    shown = await run_console(tmp_path, "/trivia help\n")
    assert f"{WELCOME}\n" in shown
    assert max(len(line) for line in shown.splitlines()) > 100


def test_wrapping_breaks_at_spaces_and_keeps_a_long_link_whole() -> None:
    text = (
        "== Answer: D) 2011 ==\n"
        "  Right: alice (+10), bob (+5), carol (+2)\n"
        "  Source: x.com: https://example.com/a-very-long-path/that-goes-on"
    )
    assert wrap(text, 24).split("\n") == [
        "== Answer: D) 2011 ==",
        "  Right: alice (+10),",
        "    bob (+5), carol (+2)",
        "  Source: x.com:",
        "    https://example.com/a-very-long-path/that-goes-on",
    ]


def test_wrapping_counts_wide_characters_as_two_columns() -> None:
    assert wrap("(to 日本語 only) Locked in: A", 21).split("\n") == [
        "(to 日本語 only)",
        "Locked in: A",
    ]


async def test_help_in_the_console_lists_the_console_commands(tmp_path: Path) -> None:
    """/trivia help lists what only the console has: /as, /quit and /confirm."""
    shown = await run_console(tmp_path, "/trivia help\n")
    helped = shown.split("== Photo Finish trivia ==", 1)[1]
    for command in ("/as NAME: ", "/quit: ", "/confirm: ", "/trivia start N: "):
        assert f"\n{command}" in helped, helped


async def test_a_lone_player_sees_the_reveal_right_after_answering(tmp_path: Path) -> None:
    """Alone at the console, an answer reveals the question at once, after 'Locked in'
    (the console has no timer running here: the reveal can only come from the answer).
    Whichever the question wants, a letter or seconds, one of the two lines is taken."""
    shown = await run_console(tmp_path, "/trivia\nA\n0.002\n")
    locked = shown.index("Locked in: ")
    assert "== Answer: " in shown[locked:], shown
    assert shown.count("Locked in: ") == 1


async def test_a_reveal_prints_the_path_of_its_picture(tmp_path: Path) -> None:
    """The reveal ends with the path of the picture of its finish: a PNG saved beside the
    database, of the record the question was about."""
    shown = await run_console(tmp_path, "/trivia\nA\n0.002\n")
    [line] = [line for line in shown.splitlines() if line.startswith("  Picture: ")]
    picture = Path(line.removeprefix("  Picture: "))
    assert picture.parent == tmp_path / "c.sqlite3.pictures"
    assert (await asyncio.to_thread(picture.read_bytes)).startswith(b"\x89PNG\r\n\x1a\n")
    with closing(sqlite3.connect(tmp_path / "c.sqlite3")) as conn:
        [(subject,)] = conn.execute("SELECT subject FROM questions")
    record = subject.split(":", 1)[1]
    assert picture.name.startswith(f"{record}-")
    assert shown.index("== Answer: ") < shown.index("  Picture: ")


async def test_with_two_players_the_reveal_waits_for_the_second(tmp_path: Path) -> None:
    """After /as bob the console has two players: alice's answer alone reveals nothing."""
    shown = await run_console(tmp_path, "/as bob\n/as ann\n/trivia\n1\n")
    assert "Locked in: " in shown
    assert "== Answer: " not in shown


async def test_the_console_gives_a_hint_when_typed(tmp_path: Path) -> None:
    """A question says what to type for a hint (the console has no buttons); /trivia hint
    answers privately, and asking again repeats it."""
    shown = await run_console(tmp_path, "/trivia\n/trivia hint\n/hint\n")
    assert "Type /trivia hint for a hint (an answer after it scores half)." in shown
    hints = [part for part in shown.split("(to ann only) ")[1:] if part.startswith("== Hint")]
    assert len(hints) == 2
    assert hints[0].startswith("== Hint for this question ==\n")
    assert hints[0].split("\n")[1] == hints[1].split("\n")[1]


async def test_the_console_gives_the_daily_result_when_typed(tmp_path: Path) -> None:
    """Once the daily question is past its reveal, /trivia daily result reveals it (the
    reveal says what to type for the result) and gives the guesser's line privately."""
    out = io.StringIO()
    read_end, write_end = os.pipe()
    os.write(write_end, b"/trivia daily result\n")
    os.close(write_end)
    config = Config(db_path=tmp_path / "c.sqlite3")
    async with open_store(config.database) as stores, open_app(config, stores, seed=1) as app:
        engine = app.runtime.engine
        closes = T0 + timedelta(days=1)  # long past: the next command reveals it
        post = DailyPost(day=T0.date(), previous_day=None, closes_at=closes)
        await engine.handle(post, Actor(PLACE, "s", "S", T0, admin=True))
        daily = await engine.store.open_daily(PLACE)
        assert daily is not None
        assert daily.question.answer_value is not None
        guess = f"{daily.question.answer_value:g}"
        await engine.handle(Daily(guess), Actor(PLACE, "ann", "ann", T0 + timedelta(hours=1)))

        async def handle(command: Command, player: str, players: int) -> list[Reply]:
            return await app.handle(Incoming(command, PLACE, player, player, players=players))

        console = Console(handle, "ann", out)

        async def show(place: Place, reply: Reply, key: str, again: bool) -> None:
            console.show(reply)

        app.runtime.serve(PLACE.platform, show, in_order=True)  # as `play` serves it
        try:
            await console.run(read_end)
        finally:
            os.close(read_end)
    shown = out.getvalue()
    number = daily.daily.number if daily.daily else 0
    assert f"== Daily #{number}. Answer: " in shown
    assert "Type /trivia daily result for your result to share." in shown
    assert f"(to ann only) == Photo Finish Daily #{number}: spot on, 1st closest of 1" in shown
