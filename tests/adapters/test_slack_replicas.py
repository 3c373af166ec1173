"""Slack in HTTP mode as two replicas behind a load balancer: two real bots (slack-bolt,
runtime, engine) on one database against the fake Slack. A delivery that reaches both (a
retry landing on the other replica) is handled once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, closing
from pathlib import Path

import pytest

from tests.adapters.test_slack import (
    CHANNEL,
    USERS,
    actions_of,
    answers_in,
    ask_multiple_choice,
    click_body,
    command,
    running,
)
from tests.conftest import daily_schedules_missed_minutes_ago
from tests.fakes.slack_api import TEAM_ID, FakeSlack, app_home_opened_event, event_body
from trivia.model import Place


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(users=USERS) as server:
        yield server


def holders(db: Path) -> list[str]:
    """Who holds the workspace's lease (its scheduled posts)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT holder FROM leases WHERE name = ?", (f"slack:{TEAM_ID}",))
        return [str(row[0]) for row in rows]


def dailies(slack: FakeSlack) -> int:
    return sum(m["text"].startswith("Daily #") for m in slack.posted(CHANNEL))


def deliveries_in(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])


async def test_a_delivery_sent_to_both_replicas_is_answered_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A click, a slash command and an event each reach both replicas at the same moment
    (the event's second copy as Slack's retry, with X-Slack-Retry-Num; the others as a load
    balancer re-sends a request, as they were): one "Locked in" and one stored answer, one
    reply to the command, one App Home; each copy is acknowledged."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as one, running(slack, db) as two:
        question = await ask_multiple_choice(slack, one)
        stored = deliveries_in(db)
        click = click_body(slack, actions_of(question)[0], "U2")
        assert list(await asyncio.gather(one.send(click), two.send(click))) == [200, 200]
        await slack.wait_for(lambda: len(slack.ephemeral("U2")) == 1)
        board = command(slack, "leaderboard week", user="U1")
        seen = len(slack.posted(CHANNEL))
        assert list(await asyncio.gather(two.send(board), one.send(board))) == [200, 200]
        await slack.wait_for(lambda: len(slack.posted(CHANNEL)) == seen + 1)
        home = event_body(app_home_opened_event("U1"), event_id="Ev7")
        assert list(await asyncio.gather(one.send(home), two.send(home, retry_num=1))) == [200, 200]
        await slack.wait_for(lambda: len(slack.published("U1")) == 1)
        await asyncio.sleep(0.3)  # room for a second reply, were one coming
        assert deliveries_in(db) == stored + 3
    [locked] = slack.ephemeral("U2")
    assert locked["text"].startswith("Locked in: A")
    assert [ref for ref, _ in answers_in(db)] == ["U2"]
    assert [m["text"] for m in slack.posted(CHANNEL)[seen:]] == ["Leaderboard: this week"]
    assert len(slack.published("U1")) == 1


async def test_a_retry_of_a_delivery_no_replica_took_is_handled(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A retry (X-Slack-Retry-Num) whose first attempt never reached a replica is handled:
    the header alone does not drop it."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as one, running(slack, db):
        home = event_body(app_home_opened_event("U1"), event_id="Ev8")
        assert await one.send(home, retry_num=2) == 200
        await slack.wait_for(lambda: len(slack.published("U1")) == 1)


async def test_the_workspace_is_owned_by_one_replica_and_handed_over_when_it_stops(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A daily question missed minutes ago is posted once by the first replica, which owns
    the workspace; a second replica started beside it posts nothing. When the owner stops,
    its lease is given back and the other replica owns the workspace at its next renewal
    (a third of the 12 s lease), without posting the slot again."""
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(db, [Place("slack", TEAM_ID, CHANNEL)])
    async with AsyncExitStack() as first:
        await first.enter_async_context(running(slack, db, lease=12))
        await slack.wait_for(lambda: dailies(slack) == 1)
        [owner] = holders(db)
        async with running(slack, db, lease=12):
            await first.aclose()  # the owner stops cleanly
            # Within a renewal (4 s); a lease left to run out would take 8 s at least.
            await slack.wait_for(lambda: holders(db) not in ([], [owner]), timeout=7)
            [other] = holders(db)
    assert other != owner
    assert dailies(slack) == 1
