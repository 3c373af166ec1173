"""The real bot (slack-bolt, engine, SQLite) in HTTP and Socket Mode against a fake Slack."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import run_platforms
from bot.config import Config, GameConfig
from tests.adapters.revealed import revealed_daily
from tests.conftest import (
    QUEUED_BEHIND_A_TIMER_ROUND,
    another_writer,
    daily_schedules_missed_minutes_ago,
)
from tests.fakes.slack_api import (
    TEAM_ID,
    FakeSlack,
    app_home_opened_event,
    block_actions_body,
    event_body,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    view_submission_body,
)
from trivia.model import Place

SECRET = "s3cret"
CHANNEL = "C1"
ADMIN = "UADMIN"
USERS = {
    "U1": {"name": "alice", "real_name": "Alice", "is_admin": False, "is_owner": False},
    "U2": {"name": "bob", "real_name": "Bob", "is_admin": False, "is_owner": False},
    ADMIN: {"name": "boss", "real_name": "Boss", "is_admin": True, "is_owner": False},
}
JSON = dict[str, Any]


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bot:
    """The running bot's HTTP endpoint, as Slack would call it."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session

    async def send(self, body: bytes, **header_options: Any) -> int:
        headers = signed_headers(body, signing_secret=SECRET, **header_options)
        async with self.session.post(self.url, data=body, headers=headers) as resp:
            return resp.status

    async def raw(self, body: bytes, headers: dict[str, str]) -> int:
        async with self.session.post(self.url, data=body, headers=headers) as resp:
            return resp.status


@asynccontextmanager
async def running(
    slack: FakeSlack, db: Path, *, mode: str = "http", window: float = 30, lease: int = 30
) -> AsyncIterator[Bot]:
    """`photo-finish run` with Slack configured, pointed at the fake."""
    port = free_port()
    config = Config(
        db_path=db,
        lease_seconds=lease,
        game=GameConfig(answer_window_seconds=window),
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_signing_secret=SECRET,
        slack_mode=mode,
        slack_http_port=port,
        slack_api_base_url=slack.api_url,
    )
    task = asyncio.create_task(run_platforms(config, seed=3))
    url = f"http://127.0.0.1:{port}/slack/events"
    async with aiohttp.ClientSession() as session:
        try:
            if mode == "socket":
                await slack.socket_connected(timeout=10)
            else:
                await wait_listening(session, url, task)
            yield Bot(url, session)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def wait_listening(
    session: aiohttp.ClientSession, url: str, task: asyncio.Task[None]
) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert not task.done(), task
        try:
            async with session.get(url) as resp:
                if resp.status:
                    return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("the bot never listened")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(users=USERS) as server:
        yield server


def command(slack: FakeSlack, text: str, user: str = "U1", name: str | None = None) -> bytes:
    return slash_command_body(
        text,
        user_id=user,
        user_name=name,
        channel_id=CHANNEL,
        response_url=slack.response_url(f"cmd-{text}"),
    )


def answers_in(db: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT p.ref, a.points FROM answers a JOIN players p ON p.id = a.player_id"
            " ORDER BY a.id"
        ).fetchall()


def actions_of(message: JSON) -> list[JSON]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def texts_of(message: JSON) -> str:
    out = []
    for block in message.get("blocks", []):
        if "text" in block:
            out.append(block["text"]["text"])
    return "\n".join(out)


async def posts_beyond(slack: FakeSlack, count: int) -> None:
    """Wait until the channel has more than `count` posts."""
    await slack.wait_for(lambda: len(slack.posted(CHANNEL)) > count)


async def ask_multiple_choice(slack: FakeSlack, bot: Bot) -> JSON:
    """/trivia until the posted question has buttons (guess-the-margin has none)."""
    for _ in range(20):
        seen = len(slack.posted(CHANNEL))
        assert await bot.send(command(slack, "")) == 200
        await posts_beyond(slack, seen)
        question = slack.posted(CHANNEL)[-1]
        if choices_of(question):
            return question
        assert await bot.send(command(slack, "stop")) == 200
        await posts_beyond(slack, seen + 1)
    raise AssertionError("no multiple-choice question in 20 tries")


def choices_of(message: JSON) -> list[JSON]:
    """A question's choice buttons (not its Hint button)."""
    return [b for b in actions_of(message) if b["action_id"].startswith("pf_answer_")]


def click_body(slack: FakeSlack, button: JSON, user: str, name: str | None = None) -> bytes:
    return block_actions_body(
        button["action_id"],
        button["value"],
        user_id=user,
        user_name=name,
        channel_id=CHANNEL,
        message_ts="1700000000.000100",
        response_url=slack.response_url(f"click-{user}"),
    )


async def test_signed_command_posts_a_question_with_buttons(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A signed /trivia is acked and the question goes out through chat.postMessage."""
    async with running(slack, tmp_path / "bot.sqlite3") as bot:
        question = await ask_multiple_choice(slack, bot)
    buttons = choices_of(question)
    assert 2 <= len(buttons) <= 4
    extra = [(b["action_id"], b["text"]["text"]) for b in actions_of(question)[len(buttons) :]]
    assert extra == ([("pf_hint", "Hint")] if len(buttons) > 2 else [])  # none for true/false
    assert question["text"] == "Trivia"
    assert "A) " in texts_of(question)
    # One check of the token at start, one by bolt when it first authorizes a request.
    assert len(slack.calls_to("auth.test")) == 2


async def test_a_click_locks_one_answer_and_retries_score_nothing_twice(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """The first click is confirmed privately; a second click and a retried delivery
    change nothing."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        question = await ask_multiple_choice(slack, bot)
        buttons = actions_of(question)
        clicked = click_body(slack, buttons[1], "U2")
        assert await bot.send(clicked) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U2")) == 1)
        assert await bot.send(click_body(slack, buttons[0], "U2")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U2")) == 2)
        assert await bot.send(clicked, retry_num=1) == 200
        await asyncio.sleep(0.3)
    first, second = slack.ephemeral("U2")
    assert first["text"].startswith("Locked in: B")
    assert "already locked in" in second["text"]
    assert len(slack.ephemeral("U2")) == 2, "the retry was not processed"
    assert [ref for ref, _ in answers_in(db)] == ["U2"]


async def test_fifty_users_clicking_at_once_each_score_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """Fifty users click twice each at the same moment: fifty answers, fifty refusals."""
    db = tmp_path / "bot.sqlite3"
    users = [f"U{100 + i}" for i in range(50)]
    async with running(slack, db) as bot:
        question = await ask_multiple_choice(slack, bot)
        button = actions_of(question)[0]
        statuses = await asyncio.gather(
            *(bot.send(click_body(slack, button, user)) for user in users * 2)
        )
        await slack.wait_for(lambda: len(slack.ephemeral()) == 100, timeout=15)
    assert statuses == [200] * 100
    texts = [m["text"] for m in slack.ephemeral()]
    assert sum(t.startswith("Locked in") for t in texts) == 50
    assert sum("already locked in" in t for t in texts) == 50
    assert sorted(ref for ref, _ in answers_in(db)) == sorted(users)


@pytest.mark.parametrize(
    "tamper",
    ["forged", "stale", "unsigned"],
)
async def test_bad_signatures_are_rejected_and_change_nothing(
    slack: FakeSlack, tmp_path: Path, tamper: str
) -> None:
    """A forged signature, a timestamp over 5 minutes old, or no signature: 401, no effect."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        body = command(slack, "start 3")
        if tamper == "forged":
            headers = signed_headers(body, signing_secret="not-the-secret")
        elif tamper == "stale":
            headers = signed_headers(body, signing_secret=SECRET, timestamp=int(time.time()) - 301)
        else:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        assert await bot.raw(body, headers) == 401
        await asyncio.sleep(0.3)
    assert [c.method for c in slack.calls] == ["auth.test"]  # the token check at start
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM rounds").fetchone()[0] == 0


async def test_admin_commands_are_for_admins_only(slack: FakeSlack, tmp_path: Path) -> None:
    """A member's /trivia admin is refused and changes nothing; a workspace admin's works."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        assert await bot.send(command(slack, "admin settings window 45", user="U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 1)
        assert await bot.send(command(slack, "admin settings window 45", user=ADMIN)) == 200
        await slack.wait_for(lambda: len(slack.ephemeral(ADMIN)) == 1)
    [refused] = slack.ephemeral("U1")
    assert refused["text"] == "Only server admins can do that."
    [done] = slack.ephemeral(ADMIN)
    assert "*Answer window*\n45 s" in texts_of(done)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT name, value FROM workspace_settings").fetchall() == [
            ("answer_window", "45")
        ]


async def test_admins_schedule_the_daily_question_from_slack(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """/trivia admin schedule set from a workspace admin stores the daily question for the
    channel it names and lists it privately; a member's is refused and stores nothing."""
    db = tmp_path / "bot.sqlite3"
    text = "admin schedule set 08:30 America/Chicago days weekdays reveal 20:00 channel <#C2>"
    async with running(slack, db) as bot:
        assert await bot.send(command(slack, text, user="U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 1)
        assert await bot.send(command(slack, text, user=ADMIN)) == 200
        await slack.wait_for(lambda: len(slack.ephemeral(ADMIN)) == 1)
    assert slack.ephemeral("U1")[0]["text"] == "Only server admins can do that."
    assert "08:30 America/Chicago, weekdays, daily question, revealed at 20:00" in texts_of(
        slack.ephemeral(ADMIN)[0]
    )
    with closing(sqlite3.connect(db)) as conn:
        stored = conn.execute(
            "SELECT s.at, s.zone, s.kind, s.reveal_at, c.ref FROM schedules s"
            " JOIN channels c ON c.id = s.channel_id"
        ).fetchall()
    assert stored == [("08:30", "America/Chicago", "daily", "20:00", "C2")]


async def test_user_text_is_escaped_everywhere(slack: FakeSlack, tmp_path: Path) -> None:
    """Names like '<!channel>', '<@U123>' and '&' reach the channel as plain text."""
    db = tmp_path / "bot.sqlite3"
    names = ["<!channel>", "<@U123>", "a&b", "<!here>"]
    async with running(slack, db, window=3) as bot:
        question = await ask_multiple_choice(slack, bot)
        buttons = choices_of(question)
        for i, button in enumerate(buttons):
            assert await bot.send(click_body(slack, button, f"U{200 + i}", names[i])) == 200
        await slack.wait_for(
            lambda: any(m["text"].startswith("Answer:") for m in slack.posted(CHANNEL)),
            timeout=15,
        )
    [reveal] = [m for m in slack.posted(CHANNEL) if m["text"].startswith("Answer:")]
    shown = texts_of(reveal)
    scored = dict(answers_in(db))
    [winner] = [i for i in range(len(buttons)) if scored[f"U{200 + i}"] > 0]
    escaped = names[winner].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"*Right*\n{escaped} (+{scored[f'U{200 + winner}']})" in shown
    every_text = json.dumps([m for m in slack.posted(CHANNEL)])
    for raw in ("<!channel>", "<@U123>", "<!here>"):
        assert raw not in every_text


async def test_app_home_shows_leaderboards_and_stats(slack: FakeSlack, tmp_path: Path) -> None:
    """Opening the App Home publishes the leaderboards and the viewer's stats; a retried
    event publishes nothing more."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        event = event_body(app_home_opened_event("U1"), event_id="Ev1")
        assert await bot.send(event) == 200
        await slack.wait_for(lambda: len(slack.published("U1")) == 1)
        assert await bot.send(event, retry_num=1) == 200
        await asyncio.sleep(0.3)
    [view] = slack.published("U1")
    titles = [b["text"]["text"] for b in view["view"]["blocks"] if b["type"] == "header"]
    assert titles[:3] == [
        "Leaderboard: this week",
        "Leaderboard: this month",
        "Leaderboard: all time",
    ]
    assert len(slack.published("U1")) == 1


async def test_socket_mode_reaches_the_same_handler(slack: FakeSlack, tmp_path: Path) -> None:
    """The same /trivia delivered over a Socket Mode websocket is acked and answered."""
    async with running(slack, tmp_path / "bot.sqlite3", mode="socket"):
        envelope = await slack.send_envelope(
            "slash_commands",
            slash_command_payload(
                "leaderboard week",
                user_id="U1",
                channel_id=CHANNEL,
                response_url=slack.response_url("socket"),
            ),
        )
        await envelope.wait_acked(timeout=5)
        await slack.wait_for(lambda: len(slack.posted(CHANNEL)) == 1)
    assert envelope.ack_latency is not None
    assert envelope.ack_latency < 3
    assert slack.posted(CHANNEL)[0]["text"] == "Leaderboard: this week"


async def test_admin_reset_needs_the_confirm_button_from_an_admin(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """/trivia admin reset asks privately with a button; a member's click is refused, the
    admin's click clears the workspace leaderboard and says so in the channel."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        question = await ask_multiple_choice(slack, bot)
        assert await bot.send(click_body(slack, actions_of(question)[0], "U2")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U2")) == 1)
        assert await bot.send(command(slack, "admin reset", user=ADMIN)) == 200
        await slack.wait_for(lambda: len(slack.ephemeral(ADMIN)) == 1)
        [confirm] = actions_of(slack.ephemeral(ADMIN)[0])
        assert await bot.send(click_body(slack, confirm, "U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 1)
        old = confirm | {"value": "reset-confirm"}  # before buttons carried their time
        assert await bot.send(click_body(slack, old, ADMIN, "boss")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral(ADMIN)) == 2)
        assert answers_in(db) != []
        assert await bot.send(click_body(slack, confirm, ADMIN, "boss")) == 200
        await slack.wait_for(
            lambda: any(m["text"].startswith("The leaderboard was reset") for m in slack.posted())
        )
    assert confirm["action_id"] == "pf_reset"
    assert slack.ephemeral("U1")[0]["text"] == "Only server admins can do that."
    assert slack.ephemeral(ADMIN)[1]["text"] == "That confirmation has expired: run reset again."
    assert answers_in(db) == []


async def test_the_daily_questions_guess_button_opens_a_form_and_locks_one_guess(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A daily question missed five minutes ago is posted on start with a Guess button; the
    button opens a modal; the submitted guess is confirmed privately, and a second
    submission is refused."""
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(db, [Place("slack", TEAM_ID, CHANNEL)])
    async with running(slack, db) as bot:
        await slack.wait_for(lambda: len(slack.posted(CHANNEL)) == 1)
        [question] = slack.posted(CHANNEL)
        [button] = actions_of(question)
        assert await bot.send(click_body(slack, button, "U1")) == 200
        await slack.wait_for(lambda: len(slack.opened()) == 1)
        [form] = slack.opened()
        for guess in ("0.004", "0.009"):
            typed = {"guess": {"margin": guess}}
            assert await bot.send(view_submission_body(form["view"], typed, user_id="U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 2)
    assert question["blocks"][0]["text"]["text"].startswith("Daily #")
    assert button["text"]["text"] == "Guess the margin"
    assert form["view"]["title"]["text"] == "Your guess"
    locked, again = (m["text"] for m in slack.ephemeral("U1"))
    assert locked == "Locked in: 0.004 s"
    assert again == "You already locked in an answer to this question."
    assert answers_in(db) == [("U1", 0)]


async def test_a_database_failure_gets_a_private_apology_and_changes_nothing(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """Another writer holds the database past the busy timeout: whoever ran /trivia is told
    privately that it failed, and no question is opened."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        with another_writer(db):
            assert await bot.send(command(slack, "")) == 200
            await slack.wait_for(
                lambda: slack.responses_to("cmd-"), timeout=QUEUED_BEHIND_A_TIMER_ROUND
            )
        assert await bot.send(command(slack, "", user="U2")) == 200
        await posts_beyond(slack, 0)
    [apology] = slack.responses_to("cmd-")
    assert apology["text"].startswith("Something went wrong on our side.")
    assert apology["response_type"] == "ephemeral"
    assert slack.posted(CHANNEL)[0]["text"] == "Trivia", "no question was left open"


async def test_a_private_channel_without_the_bot_is_explained_and_left_free(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """/trivia in a private channel the bot was not invited to: each command is acknowledged
    and the member is told privately to invite the bot; once it is invited, the channel has
    no question left blocking it."""
    db = tmp_path / "bot.sqlite3"
    slack.hidden.add(CHANNEL)
    async with running(slack, db) as bot:
        for text in ("start 3", "help", "leaderboard"):
            assert await bot.send(command(slack, text)) == 200
            await slack.wait_for(lambda: slack.responses_to(f"cmd-{text}"))  # noqa: B023
        slack.hidden.clear()
        assert await bot.send(command(slack, "")) == 200
        await posts_beyond(slack, 0)
    for text in ("start 3", "help", "leaderboard"):
        [told] = slack.responses_to(f"cmd-{text}")
        assert told["text"].startswith("I can't post in this channel. Invite me to it (/invite")
    assert slack.posted(CHANNEL)[0]["text"] == "Trivia"
    assert slack.ephemeral() == []


def owed(db: Path) -> list[tuple[str, bool]]:
    """The outbox's posts: (key, posted)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT key, posted_at IS NOT NULL FROM outbox ORDER BY id")
        return [(key, bool(done)) for key, done in rows]


def reveals(slack: FakeSlack) -> list[JSON]:
    return [m for m in slack.messages.get(CHANNEL, []) if m["text"].startswith("Answer")]


@pytest.mark.parametrize("history", ["readable", "denied"])
async def test_a_post_taken_over_after_slack_took_it_appears_once(
    slack: FakeSlack, tmp_path: Path, history: str
) -> None:
    """A process posts a reveal (its key in the message metadata) and is killed before
    marking it posted; the next process, taking it over once the lease ran out, finds it
    in the channel's recent history and does not post it again. Where the history cannot
    be read, it says so in one line and posts (at least once rather than never)."""
    db = tmp_path / "bot.sqlite3"
    async with running(slack, db) as bot:
        assert await bot.send(command(slack, "")) == 200
        await slack.wait_for(lambda: slack.posted(CHANNEL))
        assert await bot.send(command(slack, "stop")) == 200
        await slack.wait_for(lambda: reveals(slack) and all(done for _, done in owed(db)))
    [first] = reveals(slack)
    assert first["metadata"]["event_payload"]["key"].startswith("reveal:")
    with closing(sqlite3.connect(db)) as conn, conn:  # killed before the mark; lease run out
        conn.execute("UPDATE outbox SET posted_at = NULL, due_at = 0 WHERE key LIKE 'reveal:%'")
    if history == "denied":
        slack.history_denied.add(CHANNEL)
    async with running(slack, db):
        await slack.wait_for(lambda: all(done for _, done in owed(db)), timeout=10)
    assert len(slack.calls_to("conversations.history")) == 1
    assert len(reveals(slack)) == (1 if history == "readable" else 2)


async def test_the_hint_button_gives_one_private_hint(slack: FakeSlack, tmp_path: Path) -> None:
    """A question of four choices carries a Hint button; a click is answered privately
    with two wrong choices taken away, and a second click repeats the same hint."""
    async with running(slack, tmp_path / "bot.sqlite3") as bot:
        question = await ask_multiple_choice(slack, bot)
        while len(choices_of(question)) < 4:  # a true or false has no hint
            seen = len(slack.posted(CHANNEL))
            assert await bot.send(command(slack, "stop")) == 200
            await posts_beyond(slack, seen)
            question = await ask_multiple_choice(slack, bot)
        [hint] = [b for b in actions_of(question) if b["action_id"] == "pf_hint"]
        for _ in range(2):
            assert await bot.send(click_body(slack, hint, "U7")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U7")) == 2)
    first, again = slack.ephemeral("U7")
    assert first["text"] == "Hint for this question"
    assert texts_of(first).startswith("Hint for this question\nNot ")
    assert "Still in: " in texts_of(first)
    assert texts_of(again) == texts_of(first)


async def test_the_share_button_on_a_daily_reveal_gives_the_result_line(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """A daily's reveal carries a Share result button; a player who guessed gets the
    spoiler-free line privately, and so from /trivia daily result; someone who did not
    guess is told so."""
    db = tmp_path / "bot.sqlite3"
    await revealed_daily(db, Place("slack", TEAM_ID, CHANNEL), {"U1": "ann"})
    async with running(slack, db) as bot:
        await slack.wait_for(lambda: bool(daily_reveals(slack)), timeout=10)
        [reveal] = daily_reveals(slack)
        [share] = actions_of(reveal)
        assert await bot.send(click_body(slack, share, "U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 1)
        assert await bot.send(click_body(slack, share, "U9")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U9")) == 1)
        assert await bot.send(command(slack, "daily result", user="U1")) == 200
        await slack.wait_for(lambda: len(slack.ephemeral("U1")) == 2)
    assert (share["action_id"], share["text"]["text"]) == ("pf_share", "Share result")
    clicked, typed = (m["text"] for m in slack.ephemeral("U1"))
    assert re.fullmatch(
        r"Photo Finish Daily #\d+: 0\.5 s off, 1st closest of 1, 1-day streak", clicked
    )
    assert typed == clicked
    assert slack.ephemeral("U9")[0]["text"].startswith("You did not answer Daily #")


def daily_reveals(slack: FakeSlack) -> list[JSON]:
    """The daily reveals posted in the test channel ('Daily #N. Answer: ...')."""
    return [m for m in slack.posted(CHANNEL) if ". Answer: " in m["text"]]
