"""The reveal timer keeps running through database faults."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import open_app
from bot.config import Config, GameConfig
from tests.conftest import T0, another_writer
from trivia.commands import Ask
from trivia.engine import Posted
from trivia.model import Place
from trivia.schedule import Timing

PLACE = Place("console", "local", "console")


async def test_a_locked_database_during_a_reveal_is_survived(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the write lock past the busy timeout while a question is
    overdue (a backup of a big database, say): the timer logs one line, backs off, and
    reveals the question once the lock is gone."""
    db = tmp_path / "bot.sqlite3"
    now = [T0]
    config = Config(db_path=db, game=GameConfig(answer_window_seconds=5))
    async with open_app(config, seed=1, clock=lambda: now[0]) as app:
        await app.handle(Ask(), PLACE, "ann", "Ann")
        posted: list[Posted] = []

        async def post(item: Posted) -> None:
            posted.append(item)

        timer = asyncio.create_task(app.reveal_loop(post))
        now[0] = T0 + timedelta(seconds=6)
        with caplog.at_level(logging.WARNING, logger="bot.app"), another_writer(db):
            app.wake.set()
            await asyncio.sleep(6.5)  # past the 5 s busy timeout
            assert not timer.done()
            assert not posted
        assert any("reveals failed (database is locked)" in r.message for r in caplog.records)
        for _ in range(100):
            if posted:
                break
            await asyncio.sleep(0.1)
        timer.cancel()
        assert [p.reply.kind.value for p in posted] == ["reveal"]


async def test_a_console_on_a_bots_database_leaves_the_bots_questions_and_slots_alone(
    tmp_path: Path,
) -> None:
    """`photo-finish play` on the database a Discord/Slack bot uses reveals only console
    questions and posts only console schedules: the Discord question stays open for the
    bot, and the Slack daily slot stays unclaimed."""
    db = tmp_path / "bot.sqlite3"
    now = [T0]
    config = Config(db_path=db, game=GameConfig(answer_window_seconds=5))
    console = frozenset({"console"})
    async with open_app(config, seed=1, clock=lambda: now[0], platforms=console) as app:
        discord_place = Place("discord", "1", "2")
        await app.handle(Ask(), discord_place, "ann", "Ann")
        await app.handle(Ask(), PLACE, "bob", "Bob")
        slack_place = Place("slack", "T1", "C1")
        schedule = await app.store.schedules.add(
            await app.store.channel_id(slack_place),
            Timing((T0 + timedelta(minutes=1)).time(), "Etc/UTC"),
            series=None,
            questions=None,
            reveal_at=None,
            now=T0 - timedelta(days=1),
        )
        now[0] = T0 + timedelta(minutes=5)
        posted: list[Posted] = []

        async def post(item: Posted) -> None:
            posted.append(item)

        timer = asyncio.create_task(app.reveal_loop(post))
        await app.start_scheduler(post)
        for _ in range(50):
            if posted:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        app.stop_scheduler()
        timer.cancel()
        assert [p.place.platform for p in posted] == ["console"]
        assert await app.store.open_question(discord_place) is not None
        assert await app.store.schedules.claimed_days(schedule) == set()
