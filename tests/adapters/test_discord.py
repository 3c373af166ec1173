"""The real bot (discord.py, engine, SQLite) against a loopback fake of Discord."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import run_platforms
from bot.config import Config, GameConfig
from bot.runtime import Clock, utc_now
from tests.adapters.revealed import revealed_daily
from tests.conftest import (
    QUEUED_BEHIND_A_TIMER_ROUND,
    another_writer,
    daily_schedules_missed_minutes_ago,
)
from tests.fakes.discord_api import (
    EPHEMERAL,
    LOADING,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    SEND_MESSAGES,
    FakeDiscord,
    FakeGuild,
    FakeRole,
    FakeUser,
    Interaction,
)
from trivia.model import Place
from trivia.posts import reply_to_json
from trivia.replies import notice

CHANNEL = 6001
QUIZ_ROOM = 6002
FANS = FakeRole(5100, "Fans")
GUILD = FakeGuild(
    id=5001, name="Racing Club", channels=[CHANNEL, QUIZ_ROOM], roles=[FANS], owner_id=9999
)
ALICE = FakeUser(7001, "alice", "Alice")
BOB = FakeUser(7002, "bob", "Bob")
MEMBERS = [FakeUser(7100 + i, f"member{i}", f"Member {i}") for i in range(50)]

JSON = dict[str, Any]
pytestmark = pytest.mark.usefixtures("restore_discord_urls")


def sub(name: str, **options: Any) -> list[JSON]:
    """A subcommand option list, e.g. sub("start", questions=3)."""
    return [
        {"type": 1, "name": name, "options": [{"name": k, "value": v} for k, v in options.items()]}
    ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[GUILD]) as server:
        yield server


@dataclass
class HeldClock:
    """The game's clock, standing still until the test moves it: an answer window closes
    when the test says, however long a loaded machine takes over the clicks before."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def running(
    fake: FakeDiscord,
    db: Path,
    *,
    window: float = 30,
    dev_guild: int | None = None,
    clock: Clock = utc_now,
) -> AsyncIterator[None]:
    """`photo-finish run` with a Discord token, pointed at the fake, until the block ends."""
    config = Config(
        db_path=db,
        game=GameConfig(answer_window_seconds=window),
        discord_token="fake-token",
        discord_dev_guild_id=dev_guild,
        discord_api_base_url=fake.base_url,
        discord_gateway_url=fake.gateway_url,
    )
    task = asyncio.create_task(run_platforms(config, seed=3, clock=clock))
    try:
        await fake.connected(timeout=10)
        await fake.wait_for(lambda: bool(fake.commands.get(dev_guild)) or task.done(), timeout=10)
        assert not task.done(), task
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await fake.disconnect_clients()


def embed(message: JSON) -> JSON:
    [only] = message["embeds"]
    assert isinstance(only, dict)
    return only


def fields(message: JSON) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed(message).get("fields", [])}


def buttons(message: JSON) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


DEFERRED = 5
"""The callback type of a deferral: 'thinking...', filled in by a followup."""


def reply_of(interaction: Interaction) -> JSON:
    """The reply as the user sees it: the callback's message, or after a deferral the
    message that filled in "thinking..." (shaped as the callback would have been)."""
    body = interaction.response()
    assert body is not None, "the bot never acknowledged"
    assert interaction.latency is not None
    assert interaction.latency < 3, "Discord's 3-second deadline"
    if body["type"] == DEFERRED and interaction.original is not None:
        return {"type": 4, "data": interaction.original}
    return body


def answers_in(db: Path) -> list[tuple[str, int, int]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT p.ref, a.question_id, a.points FROM answers a"
            " JOIN players p ON p.id = a.player_id ORDER BY a.id"
        ).fetchall()


def reveals(fake: FakeDiscord) -> list[JSON]:
    """The reveals posted in the test channel."""
    return [m for m in fake.visible_messages(CHANNEL) if embed(m)["title"].startswith("Answer")]


async def settled(fake: FakeDiscord, pushed: Interaction) -> Interaction:
    """Wait until the bot has answered an interaction: acknowledged it, and filled in the
    "thinking..." message if it deferred (as it does when the engine takes over a second,
    e.g. on a loaded machine), or deleted it (the reply then went to the channel)."""

    def answered() -> bool:
        if pushed.response() is None:
            return False
        original = pushed.original
        if original is None or not original["flags"] & LOADING:
            return True
        return original not in fake.messages.get(pushed.channel_id, [])

    await fake.wait_for(answered)
    return pushed


async def ask_multiple_choice(fake: FakeDiscord) -> JSON:
    """/trivia play until the question has buttons (guess-the-margin has none)."""
    for _ in range(20):
        asked = await fake.slash("trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
        message = (await settled(fake, asked)).original
        assert message is not None
        if choices(message):
            return message
        await settled(
            fake,
            await fake.slash("trivia", sub("stop"), user=ALICE, guild=GUILD, channel_id=CHANNEL),
        )
    raise AssertionError("no multiple-choice question in 20 tries")


def choices(message: JSON) -> list[str]:
    """The custom ids of a question's choice buttons (not its Hint button)."""
    return [i for i in buttons(message) if i.startswith("pf:answer:")]


async def click(fake: FakeDiscord, message: JSON, custom_id: str, user: FakeUser) -> JSON:
    pushed = await fake.click(custom_id, message=message, user=user, guild=GUILD)
    return reply_of(await settled(fake, pushed))


async def test_slash_command_posts_a_question_with_buttons(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """/trivia play answers in time with a public embed and one button per choice."""
    async with running(fake, tmp_path / "bot.sqlite3"):
        message = await ask_multiple_choice(fake)
    assert not message["flags"] & EPHEMERAL
    assert embed(message)["title"] == "Trivia"
    ids = choices(message)
    assert 2 <= len(ids) <= 4
    question = ids[0].split(":")[2]
    assert ids == [f"pf:answer:{question}:{c}" for c in "ABCD"[: len(ids)]]
    hints = [f"pf:hint:{question}"] if len(ids) > 2 else []  # none for true or false
    assert buttons(message) == ids + hints
    assert "A) " in embed(message)["description"]
    synced = {c["name"]: c for c in fake.commands[None]}
    assert set(synced) == {"trivia", "trivia-admin"}
    assert str(synced["trivia-admin"]["default_member_permissions"]) == str(MANAGE_GUILD)


async def test_a_click_locks_one_answer_and_a_second_is_refused(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """The first click is acknowledged privately; the second changes nothing."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        message = await ask_multiple_choice(fake)
        first = await click(fake, message, buttons(message)[1], BOB)
        second = await click(fake, message, buttons(message)[0], BOB)
    assert first["data"]["flags"] & EPHEMERAL
    assert first["data"]["embeds"][0]["title"].startswith("Locked in: B")
    assert second["data"]["flags"] & EPHEMERAL
    assert "already locked in" in second["data"]["embeds"][0]["title"]
    assert [ref for ref, _, _ in answers_in(db)] == [str(BOB.id)]


async def test_fifty_members_clicking_at_once_each_score_once(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Fifty members double-click at the same moment: fifty answers, fifty refusals."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        message = await ask_multiple_choice(fake)
        target = buttons(message)[0]
        pushed = await asyncio.gather(
            *(
                fake.click(target, message=message, user=member, guild=GUILD)
                for member in MEMBERS * 2
            )
        )
        await fake.wait_for(lambda: all(p.response() is not None for p in pushed), timeout=15)
    titles = [reply_of(p)["data"]["embeds"][0]["title"] for p in pushed]
    assert sum(t.startswith("Locked in") for t in titles) == 50
    assert sum("already locked in" in t for t in titles) == 50
    refs = [ref for ref, _, _ in answers_in(db)]
    assert sorted(refs) == sorted(str(m.id) for m in MEMBERS)


async def test_reveal_names_who_was_right_with_points_and_pings_nobody(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """When the window closes the channel gets the answer, the right members and points,
    with mentions disabled even for a member named '@everyone <@&role>'."""
    db = tmp_path / "bot.sqlite3"
    sneaky = FakeUser(7003, "sneaky", f"@everyone <@&{FANS.id}>")
    clock = HeldClock()
    async with running(fake, db, window=3, clock=clock):
        message = await ask_multiple_choice(fake)
        ids = choices(message)
        players = [sneaky, BOB, ALICE, MEMBERS[0]][: len(ids)]
        for player, custom_id in zip(players, ids, strict=True):
            locked = await click(fake, message, custom_id, player)
            assert embed(locked["data"])["title"].startswith("Locked in"), locked
        fake.rate_limit_next("POST", f"/channels/{CHANNEL}/messages", retry_after=0.5)
        clock.now += timedelta(seconds=3)  # the window closes (the timer looks every 3 s)
        await fake.wait_for(
            lambda: any(
                embed(m)["title"].startswith("Answer:") for m in fake.visible_messages(CHANNEL)
            ),
            timeout=15,
        )
        await asyncio.sleep(0.5)
    [reveal] = reveals(fake)
    scored = {ref: points for ref, _, points in answers_in(db)}
    [winner] = [p for p in players if scored[str(p.id)] > 0]
    assert fields(reveal)["Right"] == f"{winner.global_name} (+{scored[str(winner.id)]})"
    letter = "ABCD"[players.index(winner)]
    assert embed(reveal)["title"].startswith(f"Answer: {letter})")
    assert fields(reveal)["Answers"].startswith("A: 1  B: 1")
    assert reveal["mention_everyone"] is False
    assert reveal["mention_roles"] == []
    posts = [
        r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{CHANNEL}/messages"
    ]
    assert [r.status for r in posts] == [429, 200], "the 429 was waited out, then posted once"
    assert posts[-1].json["allowed_mentions"] == {"parse": []}
    assert "Source" in fields(reveal)


async def test_a_reveal_with_fifty_long_names_lists_whole_names_and_links_none(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Fifty members with 32-character names answer right: the reveal shows whole names and
    how many more, within Discord's limits; a name written as a masked link stays text."""
    db = tmp_path / "bot.sqlite3"
    phisher = FakeUser(7004, "phisher", "[Free Nitro](https://evil.test)")
    crowd = [phisher] + [
        FakeUser(7200 + i, f"fan{i}", f"Speedway Fan Number {i:02d} of Fifty") for i in range(49)
    ]
    async with running(fake, db):
        message = await ask_multiple_choice(fake)
        with closing(sqlite3.connect(db)) as conn:
            [(body,)] = conn.execute("SELECT body FROM questions WHERE revealed_at IS NULL")
        right = choices(message)[json.loads(body)["answer_index"]]
        for member in crowd:
            await click(fake, message, right, member)
        stop = await fake.slash("trivia", sub("stop"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, stop)
        await fake.wait_for(lambda: bool(reveals(fake)))
    [reveal] = reveals(fake)  # posted to the channel on its own, not in the stop's reply
    names = fields(reveal)["Right"].split(", ")
    *shown, more = names
    assert shown[0].startswith("\\[Free Nitro](https://evil.test) (+")
    assert all(n.startswith("Speedway Fan Number ") and n.endswith(")") for n in shown[1:])
    assert more == f"… and {len(crowd) - len(shown)} more"
    assert len(shown) > 20
    with closing(sqlite3.connect(db)) as conn:  # stored as typed, escaped when shown
        stored = conn.execute("SELECT display_name FROM players WHERE ref = '7004'").fetchone()
    assert stored == ("[Free Nitro](https://evil.test)",)


async def test_admin_commands_are_refused_for_members_and_change_nothing(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Without Manage Server, /trivia-admin is refused by the bot itself."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        refused = await fake.slash(
            "trivia-admin",
            sub("settings", answer_window=99),
            user=BOB,
            guild=GUILD,
            channel_id=CHANNEL,
            permissions=MEMBER_PERMISSIONS,
            check_permissions=False,
        )
        allowed = await fake.slash(
            "trivia-admin",
            sub("settings", answer_window=45),
            user=ALICE,
            guild=GUILD,
            channel_id=CHANNEL,
            permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
        )
        await settled(fake, allowed)
    no = reply_of(refused)["data"]
    assert no["flags"] & EPHEMERAL
    assert no["embeds"][0]["title"] == "Only server admins can do that."
    yes = reply_of(allowed)["data"]
    assert {f["name"]: f["value"] for f in yes["embeds"][0]["fields"]}["Answer window"] == "45 s"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT name, value FROM workspace_settings").fetchall() == [
            ("answer_window", "45")
        ]


async def test_buttons_still_work_after_a_restart(fake: FakeDiscord, tmp_path: Path) -> None:
    """A click on a question posted before a restart locks the answer in the new process;
    once that question has closed, its buttons say so."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db, window=60):
        message = await ask_multiple_choice(fake)
    async with running(fake, db, window=60):
        locked = await click(fake, message, buttons(message)[0], BOB)
        await settled(
            fake,
            await fake.slash("trivia", sub("stop"), user=ALICE, guild=GUILD, channel_id=CHANNEL),
        )
        late = await click(fake, message, buttons(message)[1], ALICE)
    assert locked["data"]["embeds"][0]["title"].startswith("Locked in: A")
    assert late["data"]["embeds"][0]["title"] == "That question has closed."
    assert [ref for ref, _, _ in answers_in(db)] == [str(BOB.id)]


async def test_errors_a_user_causes_get_a_short_private_reply(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Answering with nothing open, or stats for nobody, is private and changes nothing."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        nothing = await fake.slash(
            "trivia", sub("answer", text="larson"), user=BOB, guild=GUILD, channel_id=CHANNEL
        )
        board = await fake.slash(
            "trivia", sub("leaderboard", period="week"), user=BOB, guild=GUILD, channel_id=CHANNEL
        )
        await settled(fake, board)
    data = reply_of(nothing)["data"]
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"] == "No question is open here. Start one with /trivia play."
    assert reply_of(board)["data"]["embeds"][0]["title"] == "Leaderboard: this week"
    assert answers_in(db) == []


async def test_help_names_only_commands_and_options_discord_has(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Every command /trivia help lists is one the server was given, with its options."""
    async with running(fake, tmp_path / "bot.sqlite3"):
        shown = await fake.slash("trivia", sub("help"), user=BOB, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, shown)
    synced = {c["name"]: c for c in fake.commands[None]}
    listed = [
        line.split(": ")[0] for line in embed(reply_of(shown)["data"])["description"].split("\n")
    ]
    spelled = [line.split() for line in listed if line.startswith("/")]
    assert len(spelled) >= 8
    for name, *rest in spelled:
        command = synced[name.removeprefix("/")]
        if rest == ["..."]:
            continue
        [subcommand] = [o for o in command["options"] if o["name"] == rest[0]]
        options = {o["name"] for o in subcommand.get("options", [])}
        assert {word.strip("[]") for word in rest[1:]} <= options, (name, rest)


async def test_no_match_starts_where_the_bot_cannot_post_the_reveal(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """In a channel where the bot may not send messages, /trivia start is refused privately
    and opens nothing (its reveal and next questions could never be posted)."""
    db = tmp_path / "bot.sqlite3"
    fake.bot_denied[QUIZ_ROOM] = SEND_MESSAGES
    async with running(fake, db):
        refused = await fake.slash(
            "trivia", sub("start", questions=3), user=ALICE, guild=GUILD, channel_id=QUIZ_ROOM
        )
        await settled(fake, refused)
        elsewhere = await fake.slash(
            "trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL
        )
        await settled(fake, elsewhere)
    data = reply_of(refused)["data"]
    assert data["flags"] & EPHEMERAL
    assert embed(data)["title"].startswith("I can't post in this channel")
    # The reply, or after a deferral (a loaded machine) the channel post that replaced it.
    assert [embed(m)["title"] for m in fake.visible_messages(CHANNEL)] == ["Trivia"]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM questions").fetchone() == (1,)


async def test_stats_for_someone_who_left_the_server(fake: FakeDiscord, tmp_path: Path) -> None:
    """Discord sends only the user (no member) for someone no longer in the server; their
    stats are still shown."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        await ask_multiple_choice(fake)
        await settled(
            fake,
            await fake.slash(
                "trivia", sub("answer", text="A"), user=BOB, guild=GUILD, channel_id=CHANNEL
            ),
        )
        looked_up = await fake.slash(
            "trivia",
            sub("stats", member=str(BOB.id)),
            user=ALICE,
            guild=GUILD,
            channel_id=CHANNEL,
            resolved={"users": {str(BOB.id): BOB.payload()}},
        )
        await settled(fake, looked_up)
    shown = embed(reply_of(looked_up)["data"])
    assert shown["title"] == "Stats: Bob"


async def test_a_command_the_bot_cannot_run_gets_a_private_reply(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """A member still offered a subcommand this version no longer has is told so privately,
    not left with "The application did not respond"."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        [trivia] = [c for c in fake.commands[None] if c["name"] == "trivia"]
        trivia["options"].append({"type": 1, "name": "quiz", "description": "Older version"})
        stale = await fake.slash("trivia", sub("quiz"), user=BOB, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, stale)
    data = reply_of(stale)["data"]
    assert data["flags"] & EPHEMERAL
    assert embed(data)["title"].startswith("Something went wrong on our side.")


async def test_a_database_failure_gets_a_private_apology_and_changes_nothing(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Another writer holds the database past the busy timeout: the member who ran /trivia
    play sees the "thinking..." note turn into an apology, and no question is opened."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        with another_writer(db):
            asked = await fake.slash(
                "trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL
            )
            await fake.wait_for(
                lambda: asked.original is not None and bool(asked.original["embeds"]),
                timeout=QUEUED_BEHIND_A_TIMER_ROUND,
            )
        again = await fake.slash("trivia", sub("play"), user=BOB, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, again)
    assert (asked.response() or {}).get("type") == DEFERRED
    assert asked.original is not None
    assert asked.original["flags"] & EPHEMERAL
    assert embed(asked.original)["title"].startswith("Something went wrong on our side.")
    assert embed(reply_of(again)["data"])["title"] == "Trivia", "no question was left open"


async def test_slow_work_is_deferred_within_the_deadline(fake: FakeDiscord, tmp_path: Path) -> None:
    """With the database busy for 2.5 s (another writer holds it), the bot defers in time and
    posts the question when the database frees up."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        with another_writer(db):
            asked = await fake.slash(
                "trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL
            )
            await fake.wait_for(lambda: asked.response() is not None)
            await asyncio.sleep(2.5 - (asked.latency or 0))
        await fake.wait_for(
            lambda: any(embed(m)["title"] == "Trivia" for m in fake.visible_messages(CHANNEL)),
            timeout=10,
        )
    deferred = asked.response() or {}
    assert deferred["type"] == DEFERRED
    assert deferred["data"]["flags"] & EPHEMERAL
    assert any(
        r.method == "DELETE" and r.path.endswith(f"/{asked.token}/messages/@original")
        for r in fake.requests
    ), "the private 'thinking...' placeholder is removed once the question is posted"


async def test_commands_are_synced_only_when_they_change(fake: FakeDiscord, tmp_path: Path) -> None:
    """A restart with the same commands does not sync again; a dev guild gets its own sync."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        pass
    async with running(fake, db):
        pass
    puts = [r.path for r in fake.requests if r.method == "PUT"]
    assert puts == ["/applications/1001/commands"]
    async with running(fake, db, dev_guild=GUILD.id):
        pass
    puts = [r.path for r in fake.requests if r.method == "PUT"]
    assert puts[1:] == [f"/applications/1001/guilds/{GUILD.id}/commands"]
    guild_commands = {c["name"] for c in fake.commands[GUILD.id]}
    assert guild_commands == {"trivia", "trivia-admin"}


async def test_admin_reset_asks_for_confirmation_then_clears_the_board(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """/trivia-admin reset shows a private confirm button; the click clears the answers,
    and the bot checks Manage Server again on the click."""
    db = tmp_path / "bot.sqlite3"
    admin_perms = MEMBER_PERMISSIONS | MANAGE_GUILD
    async with running(fake, db):
        message = await ask_multiple_choice(fake)
        await click(fake, message, buttons(message)[0], BOB)
        asked = await settled(
            fake,
            await fake.slash(
                "trivia-admin",
                sub("reset"),
                user=ALICE,
                guild=GUILD,
                channel_id=CHANNEL,
                permissions=admin_perms,
            ),
        )
        confirm = asked.original
        assert confirm is not None
        assert confirm["flags"] & EPHEMERAL
        [confirm_id] = buttons(confirm)
        assert re.fullmatch(r"pf:reset-confirm:\d+", confirm_id), "it carries when it was asked"
        assert answers_in(db) != []
        sneaky = await settled(
            fake, await fake.click(confirm_id, message=confirm, user=BOB, guild=GUILD)
        )
        assert answers_in(db) != []
        old_button = {"type": 2, "style": 4, "label": "Reset", "custom_id": "pf:reset-confirm"}
        old = confirm | {"id": "1", "components": [{"type": 1, "components": [old_button]}]}
        expired = await settled(
            fake,
            await fake.click(
                "pf:reset-confirm", message=old, user=ALICE, guild=GUILD, permissions=admin_perms
            ),
        )
        assert answers_in(db) != []
        done = await settled(
            fake,
            await fake.click(
                confirm_id,
                message=confirm,
                user=ALICE,
                guild=GUILD,
                permissions=admin_perms,
            ),
        )
    assert reply_of(sneaky)["data"]["embeds"][0]["title"] == "Only server admins can do that."
    expiry = "That confirmation has expired: run reset again."
    assert reply_of(expired)["data"]["embeds"][0]["title"] == expiry, "a button from before times"
    notice = reply_of(done)["data"]
    assert not notice.get("flags", 0) & EPHEMERAL
    assert notice["embeds"][0]["title"] == "The leaderboard was reset by Alice."
    assert answers_in(db) == []
    assert fake.identifies[-1]["intents"] == discord.Intents.default().value


def schedule_set(**options: str) -> list[JSON]:
    """/trivia-admin schedule set's option list, e.g. schedule_set(time="09:00")."""
    chosen = [{"name": k, "value": v} for k, v in options.items()]
    return [{"type": 2, "name": "schedule", "options": [sub("set")[0] | {"options": chosen}]}]


def stored_schedules(db: Path) -> list[tuple[str, str, str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT s.at, s.zone, s.days, c.ref FROM schedules s"
            " JOIN channels c ON c.id = s.channel_id"
        ).fetchall()


async def as_admin(fake: FakeDiscord, options: list[JSON], channel_id: int = CHANNEL) -> JSON:
    """Run /trivia-admin as a member with Manage Server; the bot's reply."""
    pushed = await fake.slash(
        "trivia-admin",
        options,
        user=ALICE,
        guild=GUILD,
        channel_id=channel_id,
        permissions=MEMBER_PERMISSIONS | MANAGE_GUILD,
    )
    return reply_of(await settled(fake, pushed))


async def test_admins_schedule_quizzes_from_discord(fake: FakeDiscord, tmp_path: Path) -> None:
    """/trivia-admin schedule set with a channel option stores the schedule for that
    channel and lists its next time."""
    db = tmp_path / "bot.sqlite3"
    options = schedule_set(
        time="09:00", zone="Europe/London", days="weekdays", channel=str(QUIZ_ROOM)
    )
    async with running(fake, db):
        data = (await as_admin(fake, options))["data"]
    assert data["flags"] & EPHEMERAL
    [field] = data["embeds"][0]["fields"]
    assert field["name"] == "#1"
    assert field["value"].startswith(
        f"09:00 Europe/London, weekdays, daily question, revealed at the next post"
        f" in channel {QUIZ_ROOM}"
    )
    assert stored_schedules(db) == [("09:00", "Europe/London", "0,1,2,3,4", str(QUIZ_ROOM))]


async def test_no_schedule_is_set_where_the_bot_cannot_post(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """A schedule for a channel where the bot may not send messages, named with the channel
    option or typed there, is refused privately and not stored; this channel still works."""
    db = tmp_path / "bot.sqlite3"
    fake.bot_denied[QUIZ_ROOM] = SEND_MESSAGES
    async with running(fake, db):
        named = await as_admin(fake, schedule_set(time="09:00", zone="UTC", channel=str(QUIZ_ROOM)))
        typed = await as_admin(fake, schedule_set(time="10:00", zone="UTC"), channel_id=QUIZ_ROOM)
        here = await as_admin(fake, schedule_set(time="11:00", zone="UTC"))
    assert named["data"]["flags"] & EPHEMERAL
    assert embed(named["data"])["title"].startswith("I can't post in that channel")
    assert embed(typed["data"])["title"].startswith("I can't post in this channel")
    assert embed(here["data"])["fields"][0]["name"] == "#1"
    assert stored_schedules(db) == [("11:00", "UTC", "0,1,2,3,4,5,6", str(CHANNEL))]


async def test_a_slot_missed_while_down_is_posted_once_after_connecting(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """A daily-question schedule whose time passed five minutes ago (within the grace
    period) posts through Discord once the bot is connected, a restart does not post it
    again, and members lock in one private guess each with /trivia daily or with the
    Guess button's form (clicked after a restart)."""
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(db, [Place("discord", str(GUILD.id), str(CHANNEL))])
    async with running(fake, db):
        await fake.wait_for(lambda: len(fake.visible_messages(CHANNEL)) == 1, timeout=10)
    async with running(fake, db):
        await asyncio.sleep(0.5)
        guesses = [
            await settled(
                fake,
                await fake.slash(
                    "trivia", sub("daily", guess=g), user=ALICE, guild=GUILD, channel_id=CHANNEL
                ),
            )
            for g in ("0.004", "0.5")
        ]
        [question] = fake.visible_messages(CHANNEL)
        [button] = question["components"][0]["components"]
        shown = await settled(
            fake, await fake.click(button["custom_id"], message=question, user=BOB, guild=GUILD)
        )
        form = reply_of(shown)["data"]
        [text_input] = [c for row in form["components"] for c in row.get("components") or []]
        typed = {text_input["custom_id"]: "0.007"}
        sent = await settled(fake, await fake.submit(shown, typed, user=BOB, guild=GUILD))
    [posted] = fake.visible_messages(CHANNEL)
    assert embed(posted)["title"].startswith("Daily #")
    assert "Guess in seconds" in embed(posted)["description"]
    locked, again = (reply_of(g)["data"] for g in guesses)
    assert locked["flags"] & EPHEMERAL
    assert again["flags"] & EPHEMERAL
    assert locked["embeds"][0]["title"] == "Locked in: 0.004 s"
    assert again["embeds"][0]["title"] == "You already locked in an answer to this question."
    assert button["label"] == "Guess the margin"
    assert form["title"] == "Your guess"
    assert text_input["label"] == "Margin in seconds"
    assert reply_of(sent)["data"]["flags"] & EPHEMERAL
    assert reply_of(sent)["data"]["embeds"][0]["title"] == "Locked in: 0.007 s"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*), max(error) FROM schedule_slots").fetchone() == (
            1,
            None,
        )


async def test_guess_forms_opened_together_or_before_a_restart_all_lock_in(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Members who open the daily question's guess form at the same time each lock in their
    own guess, and so does one who opened it before the bot restarted."""
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(db, [Place("discord", str(GUILD.id), str(CHANNEL))])
    first, second, late = MEMBERS[:3]

    async def open_form(user: FakeUser) -> Interaction:
        [question] = fake.visible_messages(CHANNEL)
        [button] = question["components"][0]["components"]
        pushed = await fake.click(button["custom_id"], message=question, user=user, guild=GUILD)
        return await settled(fake, pushed)

    async def send(form: Interaction, user: FakeUser, guess: str) -> JSON:
        [text_input] = [
            c for row in reply_of(form)["data"]["components"] for c in row["components"]
        ]
        pushed = await fake.submit(form, {text_input["custom_id"]: guess}, user=user, guild=GUILD)
        data = reply_of(await settled(fake, pushed))["data"]
        assert isinstance(data, dict)
        return data

    async with running(fake, db):
        await fake.wait_for(lambda: len(fake.visible_messages(CHANNEL)) == 1, timeout=10)
        forms = [await open_form(user) for user in (first, second, late)]
        sent = [await send(forms[0], first, "0.004"), await send(forms[1], second, "0.02")]
    async with running(fake, db):
        sent.append(await send(forms[2], late, "0.3"))
    assert [s["embeds"][0]["title"] for s in sent] == [
        "Locked in: 0.004 s",
        "Locked in: 0.02 s",
        "Locked in: 0.3 s",
    ]
    assert all(s["flags"] & EPHEMERAL for s in sent)
    assert sorted(ref for ref, _, _ in answers_in(db)) == sorted(
        str(u.id) for u in (first, second, late)
    )


async def test_schedules_due_together_post_inside_discords_global_rate_limit(
    tmp_path: Path,
) -> None:
    """120 daily-question schedules due at the same minute (missed five minutes ago, within
    the grace period) post through a fake that enforces Discord's 50 requests a second:
    every channel gets its question once, no request is refused with a 429, and a deleted
    channel's failure is recorded on its schedule while the others post."""
    channels = [8000 + i for i in range(120)]
    deleted = 8999
    guild = FakeGuild(id=5002, name="Big Club", channels=channels)
    db = tmp_path / "bot.sqlite3"
    await daily_schedules_missed_minutes_ago(
        db, [Place("discord", str(guild.id), str(c)) for c in [*channels, deleted]]
    )

    def finished() -> int:
        """Posts the platform took, or refused."""
        with closing(sqlite3.connect(db)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM outbox WHERE posted_at NOT NULL OR last_error NOT NULL"
            )
            return int(row.fetchone()[0])

    async with FakeDiscord(guilds=[guild], global_limit=50) as fake, running(fake, db):
        await fake.wait_for(lambda: finished() == len(channels) + 1, timeout=30)
        posts = [
            r.time for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")
        ]
    assert fake.global_429s == 0
    assert [len(fake.visible_messages(c)) for c in channels] == [1] * len(channels)
    assert max(posts) - min(posts) >= 2.6  # 121 attempts, one every 22 ms
    with closing(sqlite3.connect(db)) as conn:
        errors = conn.execute(
            "SELECT c.ref, s.last_error FROM schedules s JOIN channels c ON c.id = s.channel_id"
            " WHERE s.last_error NOT NULL"
        ).fetchall()
    assert errors == [
        (str(deleted), "NotFound: 404 Not Found (error code: 10003): Unknown Channel")
    ]


async def test_admins_choose_sports_with_the_settings_option(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """/trivia-admin settings sports: a comma-separated list is stored; an unknown sport is
    refused privately with the list of sports and changes nothing."""
    db = tmp_path / "bot.sqlite3"
    admin = MEMBER_PERMISSIONS | MANAGE_GUILD
    async with running(fake, db):
        chosen = await fake.slash(
            "trivia-admin", sub("settings", sports="Athletics, swimming"), user=ALICE,
            guild=GUILD, channel_id=CHANNEL, permissions=admin,
        )  # fmt: skip
        await settled(fake, chosen)
        wrong = await fake.slash(
            "trivia-admin", sub("settings", sports="Curling"), user=ALICE,
            guild=GUILD, channel_id=CHANNEL, permissions=admin,
        )  # fmt: skip
        await settled(fake, wrong)
    shown = reply_of(chosen)["data"]["embeds"][0]
    assert {f["name"]: f["value"] for f in shown["fields"]}["Sports"] == "Athletics, Swimming"
    refused = reply_of(wrong)["data"]
    assert refused["flags"] & EPHEMERAL
    assert refused["embeds"][0]["title"].startswith("Sports are: all, Alpine skiing")
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT name, value FROM workspace_settings").fetchall() == [
            ("sports", "Athletics,Swimming")
        ]


async def test_a_reply_discord_refuses_is_one_log_line_and_still_reaches_the_channel(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """When Discord answers 10062 (the interaction expired, e.g. after a slow call), the bot
    logs one line naming the interaction and the reason, with no traceback, and posts the
    question to the channel itself, so the open question is not invisible."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        fake.ack_deadline = -1.0  # every answer arrives too late
        with caplog.at_level(logging.WARNING, logger="adapters.discord_bot"):
            await fake.slash("trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
            await fake.wait_for(lambda: bool(fake.visible_messages(CHANNEL)))
    [question] = fake.visible_messages(CHANNEL)
    assert question["embeds"][0]["title"] == "Trivia"
    refusals = [r for r in caplog.records if "could not answer interaction" in r.message]
    assert len(refusals) == 1
    assert "(10062): Unknown interaction" in refusals[0].message
    assert refusals[0].exc_info is None


def owed(db: Path) -> list[tuple[str, bool]]:
    """The outbox's posts: (key, posted)."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT key, posted_at IS NOT NULL FROM outbox ORDER BY id")
        return [(key, bool(done)) for key, done in rows]


async def test_a_post_taken_over_after_discord_took_it_appears_once(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """A process posts a reveal and is killed before marking it posted; once the lease
    runs out, the next process posts it again with the same nonce, and Discord returns
    the message it already has: the channel shows the reveal once."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, db):
        await fake.slash("trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
        await fake.wait_for(lambda: any(m["embeds"] for m in fake.visible_messages(CHANNEL)))
        stop = await fake.slash("trivia", sub("stop"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, stop)
        await fake.wait_for(
            lambda: bool(reveals(fake)) and all(done for _, done in owed(db)), timeout=15
        )
    shown = fake.visible_messages(CHANNEL)
    with closing(sqlite3.connect(db)) as conn, conn:  # killed before the mark; lease run out
        conn.execute("UPDATE outbox SET posted_at = NULL, due_at = 0 WHERE key LIKE 'reveal:%'")
    async with running(fake, db):
        await fake.wait_for(lambda: all(done for _, done in owed(db)), timeout=10)
    posts = [
        r
        for r in fake.requests
        if r.method == "POST"
        and r.path == f"/channels/{CHANNEL}/messages"
        and r.json["embeds"][0]["title"].startswith("Answer")
    ]
    assert len(posts) == 2, "posted again by the takeover"
    assert posts[0].json["nonce"] == posts[1].json["nonce"]
    assert posts[1].json["enforce_nonce"] is True
    assert fake.visible_messages(CHANNEL) == shown
    assert len(reveals(fake)) == 1


async def test_a_reply_answered_502_after_it_went_through_is_not_posted_again(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Discord carries out /trivia play's reply but answers 502 (discord.py's retry then
    meets 40060, already acknowledged): the question is not posted to the channel a
    second time, since the interaction already shows it. (On a loaded machine the bot
    defers first and the 502 meets the deferral: the question then goes to the channel,
    once, and the "thinking..." note is removed.)"""
    db = tmp_path / "bot.sqlite3"

    def questions() -> list[JSON]:
        return [m for m in fake.visible_messages(CHANNEL) if m["embeds"]]

    async with running(fake, db):
        fake.fail_after_next("POST", "/interactions/", status=502)
        asked = await fake.slash("trivia", sub("play"), user=ALICE, guild=GUILD, channel_id=CHANNEL)
        await settled(fake, asked)
        await fake.wait_for(
            lambda: any(r.method == "GET" and "@original" in r.path for r in fake.requests),
            timeout=15,
        )
        await fake.wait_for(lambda: bool(questions()), timeout=10)
        await asyncio.sleep(0.3)
    [question] = questions()
    assert embed(question)["title"] == "Trivia"
    assert [r.status for r in fake.callbacks] == [502]


async def test_a_post_to_a_channel_that_takes_no_messages_stays_owed(tmp_path: Path) -> None:
    """A post owed to a channel that cannot take messages (it became a category) is not
    marked posted: it stays owed, to be retried, with the reason on the outbox."""
    db = tmp_path / "bot.sqlite3"
    category = 6102
    guild = FakeGuild(id=5002, name="Forum Club", channels=[6101, category], owner_id=9999)
    async with FakeDiscord(guilds=[guild]) as fake:
        fake.channel_types[category] = 4
        async with running(fake, db):
            pass
        place = Place("discord", str(guild.id), str(category))
        with closing(sqlite3.connect(db)) as conn, conn:
            conn.execute(
                "INSERT INTO outbox (key, platform, workspace, channel, reply, created_at,"
                " due_at) VALUES ('reveal:99', ?, ?, ?, ?, 0, 0)",
                (place.platform, place.workspace, place.channel, reply_to_json(notice("Hi"))),
            )
        async with running(fake, db):
            await fake.wait_for(lambda: last_error(db) is not None, timeout=10)
        assert owed(db) == [("reveal:99", False)]
        assert "cannot take messages" in (last_error(db) or "")
        assert fake.messages.get(category) is None


def last_error(db: Path) -> str | None:
    with closing(sqlite3.connect(db)) as conn:
        [(error,)] = conn.execute("SELECT last_error FROM outbox").fetchall()
    return None if error is None else str(error)


async def test_the_hint_button_gives_one_private_hint(fake: FakeDiscord, tmp_path: Path) -> None:
    """A question of four choices carries a Hint button; a click is answered privately
    with two wrong choices taken away, and a second click repeats the same hint."""
    async with running(fake, tmp_path / "bot.sqlite3"):
        message = await ask_multiple_choice(fake)
        while len(choices(message)) < 4:  # a true or false has no hint
            await settled(
                fake,
                await fake.slash(
                    "trivia", sub("stop"), user=ALICE, guild=GUILD, channel_id=CHANNEL
                ),
            )
            message = await ask_multiple_choice(fake)
        [hint] = [i for i in buttons(message) if i.startswith("pf:hint:")]
        first = reply_of(
            await settled(fake, await fake.click(hint, message=message, user=BOB, guild=GUILD))
        )
        again = reply_of(
            await settled(fake, await fake.click(hint, message=message, user=BOB, guild=GUILD))
        )
    assert first["data"]["flags"] & EPHEMERAL
    shown = embed(first["data"])
    assert shown["title"] == "Hint for this question"
    assert shown["description"].startswith("Not ")
    assert "Still in: " in shown["description"]
    assert embed(again["data"]) == shown


def daily_reveals(fake: FakeDiscord) -> list[JSON]:
    """The daily reveals posted in the test channel ('Daily #N. Answer: ...')."""
    return [m for m in fake.visible_messages(CHANNEL) if ". Answer: " in embed(m)["title"]]


async def test_the_share_button_on_a_daily_reveal_gives_the_result_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """A daily's reveal carries a Share result button; a player who guessed gets the
    spoiler-free line privately, and /trivia daily guess:result says the same; a member
    who did not guess is told so."""
    db = tmp_path / "bot.sqlite3"
    place = Place("discord", str(GUILD.id), str(CHANNEL))
    await revealed_daily(db, place, {str(ALICE.id): "alice"})
    async with running(fake, db):
        await fake.wait_for(lambda: bool(daily_reveals(fake)), timeout=10)
        [reveal] = daily_reveals(fake)
        [share] = buttons(reveal)
        clicked = reply_of(
            await settled(fake, await fake.click(share, message=reveal, user=ALICE, guild=GUILD))
        )
        typed = reply_of(
            await settled(
                fake,
                await fake.slash(
                    "trivia",
                    sub("daily", guess="result"),
                    user=ALICE,
                    guild=GUILD,
                    channel_id=CHANNEL,
                ),
            )
        )
        missed = reply_of(
            await settled(fake, await fake.click(share, message=reveal, user=BOB, guild=GUILD))
        )
    assert share.startswith("pf:share:")
    assert reveal["components"][0]["components"][0]["label"] == "Share result"
    assert clicked["data"]["flags"] & EPHEMERAL
    line = embed(clicked["data"])["title"]
    assert re.fullmatch(
        r"Photo Finish Daily #\d+: 0\.5 s off, 1st closest of 1, 1-day streak", line
    )
    assert embed(typed["data"])["title"] == line
    assert embed(missed["data"])["title"].startswith("You did not answer Daily #")
