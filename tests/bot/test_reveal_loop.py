"""The runtime's timer keeps running through database faults, for its platforms only."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import open_app
from bot.config import Config, GameConfig
from db.backend import open_store
from db.game import GameStore
from tests.conftest import T0, another_writer
from trivia.commands import Ask, ScheduleSet
from trivia.incoming import Incoming
from trivia.model import Place, Scope
from trivia.replies import Reply

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
    async with (
        open_store(config.database) as stores,
        open_app(config, stores, seed=1, clock=lambda: now[0]) as app,
    ):
        await app.handle(Incoming(Ask(), PLACE, "ann", "Ann"))
        posted: list[tuple[Place, Reply]] = []

        async def post(place: Place, reply: Reply, key: str, again: bool) -> None:
            posted.append((place, reply))

        app.runtime.serve("console", post)
        store = app.runtime.store
        assert isinstance(store, GameStore)
        for conn in (store.conn, store.writer.conn):  # give up waiting for the lock in 0.1 s
            await conn.execute("PRAGMA busy_timeout = 100")
        now[0] = T0 + timedelta(seconds=6)
        with caplog.at_level(logging.WARNING, logger="bot.runtime"), another_writer(db):
            await app.start()
            for _ in range(300):
                failed = [
                    r for r in caplog.records if "round failed (database is locked)" in r.message
                ]
                if failed:
                    break
                await asyncio.sleep(0.1)
            assert app.runtime.timer.running
            assert not posted
        assert failed
        assert all(r.exc_info is None for r in failed)
        for _ in range(100):
            if posted:
                break
            await asyncio.sleep(0.1)
        assert [reply.kind.value for _, reply in posted] == ["reveal"]


async def test_a_console_on_a_bots_database_leaves_the_bots_questions_and_slots_alone(
    tmp_path: Path,
) -> None:
    """`photo-finish play` on the database a Discord/Slack bot uses reveals only console
    questions and posts only console schedules: the Discord question stays open for the
    bot, and the Slack daily slot stays unclaimed."""
    db = tmp_path / "bot.sqlite3"
    now = [T0]
    config = Config(db_path=db, game=GameConfig(answer_window_seconds=5))
    async with (
        open_store(config.database) as stores,
        open_app(
            config, stores, seed=1, clock=lambda: now[0], scope=Scope(channels=frozenset({PLACE}))
        ) as app,
    ):
        discord_place = Place("discord", "1", "2")
        await app.handle(Incoming(Ask(), discord_place, "ann", "Ann"))
        await app.handle(Incoming(Ask(), PLACE, "bob", "Bob"))
        slack_place = Place("slack", "T1", "C1")
        store = app.runtime.store
        now[0] = T0 - timedelta(days=1)  # a Slack admin set the daily yesterday
        at = (T0 + timedelta(minutes=1)).strftime("%H:%M")
        await app.handle(
            Incoming(ScheduleSet(at=at, zone="Etc/UTC"), slack_place, "U1", "Ad", True)
        )
        [schedule] = [s.id for s in await store.schedules.all()]
        now[0] = T0 + timedelta(minutes=5)
        posted: list[Place] = []

        async def post(place: Place, reply: Reply, key: str, again: bool) -> None:
            posted.append(place)

        for platform in ("console", "discord", "slack"):  # even were they up here
            app.runtime.posters[platform] = post
        await app.start()
        for _ in range(50):
            if posted:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert [place.platform for place in posted] == ["console"]
        assert await store.open_question(discord_place) is not None
        assert await store.schedules.claimed_days(schedule) == set()
