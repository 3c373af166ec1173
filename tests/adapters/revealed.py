"""A daily question revealed before the bot starts: its reveal waits in the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.connection import open_db
from db.game import GameStore
from trivia.commands import Daily, DailyPost
from trivia.engine import Actor, Engine
from trivia.model import Place
from trivia.settings import Settings


async def revealed_daily(db: Path, place: Place, guessers: dict[str, str]) -> None:
    """Yesterday's daily question posted in `place`, guessed by `guessers` (user id ->
    name; each guesses 0.5 s more than the margin), and revealed a minute ago by today's
    post: the reveal is owed to the channel, the bot posts it when it connects."""
    now = datetime.now(UTC)
    yesterday = (now - timedelta(days=1)).date()
    async with open_db(db) as conn:
        store = GameStore(conn)
        await store.records.seed()  # the shipped records, as the bot seeds them at start
        engine = Engine(store, defaults=Settings(), seed=1)
        host = Actor(place, "scheduler", "Scheduler", now - timedelta(hours=2), admin=True)
        post = DailyPost(day=yesterday, previous_day=None, closes_at=now + timedelta(hours=10))
        await engine.handle(post, host)
        daily = await engine.store.open_daily(place)
        assert daily is not None
        assert daily.question.answer_value is not None
        guess = f"{daily.question.answer_value + 0.5:.3f}"
        for user, name in guessers.items():
            await engine.handle(Daily(guess), Actor(place, user, name, now - timedelta(hours=1)))
        today = DailyPost(
            day=now.date(), previous_day=yesterday, closes_at=now + timedelta(hours=20)
        )
        await engine.handle(today, replace(host, now=now - timedelta(minutes=1)))
