"""Every reveal names the record its picture shows (quick play, a match, the daily
question), and the name survives the outbox; other posts carry none."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from tests.conftest import T0
from tests.trivia.conftest import EngineStore
from tests.trivia.test_engine import actor, announced, engine, open_question
from trivia.commands import DailyPost, Start
from trivia.posts import reply_from_json, reply_to_json
from trivia.replies import Reply, ReplyKind


async def test_a_match_reveals_each_question_with_its_records_picture(store: EngineStore) -> None:
    """Two questions of a match, revealed on the timer: each reveal names the record the
    question was about; the next question and the final table name none."""
    eng = engine(store, window=10)
    await eng.handle(Start(2), actor("alice", T0))
    posts = []
    for _ in range(2):
        asked = await open_question(store)
        posts += announced(await eng.close_due(asked.closes_at))
        reveal = next(p.reply for p in posts if p.key == f"reveal:{asked.id}")
        assert reveal.picture == asked.question.event_keys[0]
    assert {p.reply.kind for p in posts if p.reply.picture is None} == {
        ReplyKind.QUESTION,
        ReplyKind.MATCH_END,
    }


async def test_the_daily_reveal_names_its_record(store: EngineStore) -> None:
    """The daily question revealed at the next day's post carries its record's picture."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    first = DailyPost(day=T0.date(), previous_day=None, closes_at=T0 + timedelta(days=1))
    await eng.handle(first, admin)
    daily = await store.open_daily(admin.place)
    assert daily is not None
    next_day = replace(admin, now=T0 + timedelta(days=1))
    second = DailyPost(
        day=(T0 + timedelta(days=1)).date(),
        previous_day=T0.date(),
        closes_at=T0 + timedelta(days=2),
    )
    posted = (await eng.handle(second, next_day)).announced()
    [reveal] = [p.reply for p in posted if p.key == f"reveal:{daily.id}"]
    assert reveal.title.startswith("Daily #")
    assert reveal.picture == daily.question.event_keys[0]


def test_the_outbox_keeps_the_picture_and_older_posts_have_none() -> None:
    """A stored reveal carries its record's key through a restart; a post stored before
    pictures existed reads back without one."""
    reply = Reply(
        ReplyKind.REVEAL, "Answer: C) Kyle Larson", picture="nascar-cup-2024-05-05-kansas"
    )
    stored = reply_to_json(reply)
    assert reply_from_json(stored) == reply
    older = json.dumps({k: v for k, v in json.loads(stored).items() if k != "picture"})
    assert reply_from_json(older) == replace(reply, picture=None)
