"""The Discord fake drives the real, unmodified discord.py client over loopback."""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands

from tests.fakes.discord_api import EPHEMERAL, FakeDiscord, FakeGuild, FakeUser

GUILD = FakeGuild(id=5001, name="Racing Club", channels=[6001, 6002], owner_id=9999)
ALICE = FakeUser(7001, "alice", "Alice")
CHANNEL = 6001


def png(name: str) -> discord.File:
    return discord.File(io.BytesIO(b"\x89PNG picture"), name, description="the finish")


class Persistent(discord.ui.View):
    """A persistent view (static custom_id, no timeout) that edits its message."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Reveal", custom_id="pf:reveal")
    async def reveal(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(content="revealed", view=None)


class Answer(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pf:answer:(?P<n>\d+)"):
    """A dynamic button whose state lives in its custom_id."""

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"Answer {n}", custom_id=f"pf:answer:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Answer:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        assert isinstance(client, TinyBot)
        client.seen.append((interaction.user.id, self.n))
        await interaction.response.send_message(f"you chose {self.n}", ephemeral=True)


class TinyBot(discord.Client):
    """A minimal bot with a command tree, a persistent view and a dynamic item."""

    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.tree = app_commands.CommandTree(self)
        self.readied = asyncio.Event()
        self.seen: list[tuple[int, int]] = []
        self.errors: list[Exception] = []
        self.late_delay = 0.0
        self._add_commands()

    async def setup_hook(self) -> None:
        self.add_view(Persistent())
        self.add_dynamic_items(Answer)

    async def on_ready(self) -> None:
        self.readied.set()

    def _add_commands(self) -> None:
        @self.tree.command(name="quiz", description="Ask a question")
        @app_commands.describe(topic="What about")
        async def quiz(interaction: discord.Interaction, topic: str) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(Answer(7))
            await interaction.response.send_message(f"Question on {topic}?", view=view)

        @self.tree.command(name="panel", description="A persistent panel")
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("panel", view=Persistent())

        @self.tree.command(name="slow", description="Defer, then follow up")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("done", ephemeral=True)

        @self.tree.command(name="picture", description="Answer with a picture, then another")
        async def picture(interaction: discord.Interaction) -> None:
            shown = discord.Embed(title="Finish").set_image(url="attachment://finish.png")
            await interaction.response.send_message(embed=shown, file=png("finish.png"))
            missing = discord.Embed(title="Gone").set_image(url="attachment://other.png")
            await interaction.followup.send(embed=missing, file=png("finish.png"))

        @self.tree.command(name="late", description="Answers after a delay")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.late_delay)
            try:
                await interaction.response.send_message("too late?")
            except discord.HTTPException as exc:
                self.errors.append(exc)


@asynccontextmanager
async def running(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, intents: discord.Intents | None = None
) -> AsyncIterator[TinyBot]:
    """Start TinyBot against the fake; close it cleanly afterwards."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    client = TinyBot(intents)
    task = asyncio.create_task(client.start("fake-token"))
    try:
        await fake.connected(timeout=5)
        await asyncio.wait_for(client.readied.wait(), 5)
        # Commands defined without guild= are global; a guild sync sends only guild-scoped
        # ones, so copy them into the guild (instant in real Discord, unlike global sync).
        home = discord.Object(fake.guilds[0].id)
        client.tree.copy_global_to(guild=home)
        await client.tree.sync(guild=home)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[GUILD]) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TinyBot]:
    async with running(fake, monkeypatch) as client:
        yield client


async def test_connects_identifies_and_builds_the_guild(fake: FakeDiscord, bot: TinyBot) -> None:
    assert bot.is_ready()
    assert fake.identifies[0]["intents"] == discord.Intents.default().value
    guild = bot.get_guild(GUILD.id)
    assert guild is not None
    assert guild.name == "Racing Club"
    assert isinstance(guild.get_channel(CHANNEL), discord.TextChannel)
    assert guild.default_role.id == GUILD.id
    assert bot.user is not None
    assert bot.user.id == 1001
    assert bot.application_id == 1001
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": "Bot x"}
        async with session.get(fake.base_url + "/users/@me", headers=headers) as resp:
            assert resp.headers["Content-Type"] == "application/json"
        async with session.get(fake.base_url + "/nope", headers=headers) as resp:
            assert resp.status == 404
            assert await resp.json() == {"code": 0, "message": "404: Not Found"}


async def test_guild_sync_lands_in_commands(fake: FakeDiscord, bot: TinyBot) -> None:
    synced = await bot.tree.sync(guild=discord.Object(GUILD.id))
    names = sorted(c["name"] for c in fake.commands[GUILD.id])
    assert names == ["late", "panel", "picture", "quiz", "slow"]
    assert {c.name: c.id for c in synced} == {
        c["name"]: int(c["id"]) for c in fake.commands[GUILD.id]
    }
    assert all(c.guild_id == GUILD.id for c in synced)


async def test_slash_then_dynamic_button_click(fake: FakeDiscord, bot: TinyBot) -> None:
    ask = await fake.slash(
        "quiz", [{"name": "topic", "value": "sprints"}], user=ALICE, guild=GUILD, channel_id=CHANNEL
    )
    await fake.wait_for(lambda: ask.response() is not None)
    body = ask.response()
    assert body is not None
    assert body["type"] == 4
    assert body["data"]["content"] == "Question on sprints?"
    button = body["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "pf:answer:7"
    assert ask.latency is not None
    assert ask.latency < 1
    posted = fake.messages[CHANNEL][-1]
    assert posted["content"] == "Question on sprints?"

    click = await fake.click("pf:answer:7", message=posted, user=ALICE, guild=GUILD)
    await fake.wait_for(lambda: click.response() is not None)
    reply = click.response()
    assert reply is not None
    assert reply["type"] == 4
    assert reply["data"]["flags"] & EPHEMERAL
    assert bot.seen == [(ALICE.id, 7)]
    assert fake.visible_messages(CHANNEL) == [posted]


async def test_persistent_view_updates_its_message(fake: FakeDiscord, bot: TinyBot) -> None:
    panel = await fake.slash("panel", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    await fake.wait_for(lambda: panel.original is not None)
    assert panel.original is not None
    click = await fake.click("pf:reveal", message=panel.original, user=ALICE, guild=GUILD)
    await fake.wait_for(lambda: click.response() is not None)
    reply = click.response()
    assert reply is not None
    assert reply["type"] == 7
    assert reply["data"]["content"] == "revealed"
    assert reply["data"]["components"] == []
    assert fake.message(panel.original["id"])["content"] == "revealed"
    assert fake.message(panel.original["id"])["edited_timestamp"] is not None


async def test_defer_then_ephemeral_followup(fake: FakeDiscord, bot: TinyBot) -> None:
    slow = await fake.slash("slow", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    await fake.wait_for(lambda: len(fake.followups_for(slow)) == 1)
    assert slow.response() == {"type": 5, "data": {"flags": EPHEMERAL}}
    followup = fake.followups_for(slow)[0]
    assert followup.json["content"] == "done"
    assert followup.json["flags"] & EPHEMERAL


async def test_channel_send_records_allowed_mentions(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = bot.get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("@everyone <@7001> ready?")
    post = next(r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages"))
    assert post.json["allowed_mentions"] == {"parse": []}
    stored = fake.messages[CHANNEL][-1]
    assert stored["id"] == str(sent.id)
    assert stored["mention_everyone"] is False
    assert stored["mentions"] == []
    explicit = await channel.send(
        "<@7001> ready?", allowed_mentions=discord.AllowedMentions(users=[discord.Object(7001)])
    )
    assert [m.id for m in explicit.mentions] == [7001]


async def test_attachments_arrive_and_embeds_show_the_one_they_name(
    fake: FakeDiscord, bot: TinyBot
) -> None:
    """A file sent with an interaction's response, a followup or a channel message arrives
    as multipart; an embed's attachment://NAME image becomes that attachment's URL, and one
    naming no attached file shows no image, as on Discord."""
    asked = await fake.slash("picture", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    await fake.wait_for(lambda: len(fake.followups_for(asked)) == 1)
    answered = asked.original
    assert answered is not None
    [attachment] = answered["attachments"]
    assert (attachment["filename"], attachment["description"]) == ("finish.png", "the finish")
    assert answered["embeds"][0]["image"]["url"] == attachment["url"]
    assert fake.files[attachment["url"]] == b"\x89PNG picture"
    followup = fake.followups_for(asked)[0]
    assert followup.files == {"finish.png": b"\x89PNG picture"}
    assert "image" not in fake.message(followup.response["id"])["embeds"][0]
    channel = bot.get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(
        embed=discord.Embed(title="Post").set_image(url="attachment://finish.png"),
        file=png("finish.png"),
    )
    stored = fake.message(sent.id)
    assert stored["embeds"][0]["image"]["url"] == stored["attachments"][0]["url"]
    assert sent.embeds[0].image.url == stored["attachments"][0]["url"]


async def test_429_is_waited_out_and_posts_once(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = bot.get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    fake.rate_limit_next("POST", "/channels/", retry_after=0.3)
    start = time.monotonic()
    await channel.send("after the limit")
    assert time.monotonic() - start >= 0.3
    posts = [r for r in fake.requests if r.method == "POST" and r.path.startswith("/channels/")]
    assert [r.status for r in posts] == [429, 200]
    assert [m["content"] for m in fake.messages[CHANNEL]] == ["after the limit"]


async def test_an_enforced_nonce_returns_the_message_already_made(
    fake: FakeDiscord, bot: TinyBot
) -> None:
    """As on Discord: the same author sending the same nonce with enforce_nonce within
    minutes gets the first message back, in any channel, and no second one is made; a
    nonce Discord is not told to enforce makes a message each time."""
    first, second = bot.get_channel(CHANNEL), bot.get_channel(6002)
    assert isinstance(first, discord.TextChannel)
    assert isinstance(second, discord.TextChannel)
    sent = await first.send("once", nonce="k1")
    again = await second.send("once more", nonce="k1")
    assert again.id == sent.id
    assert [m["content"] for m in fake.messages[CHANNEL]] == ["once"]
    assert 6002 not in fake.messages
    await first.send("other", nonce="k2")
    assert len(fake.messages[CHANNEL]) == 2


async def test_a_502_after_the_work_was_done_is_retried_by_discord_py(
    fake: FakeDiscord, bot: TinyBot
) -> None:
    """A gateway error answered after Discord made the message: discord.py retries the
    same request, and its nonce makes the retry return that message instead of a second."""
    channel = bot.get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    fake.fail_after_next("POST", f"/channels/{CHANNEL}/messages", status=502)
    await channel.send("made once", nonce="k3")
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in posts] == [502, 200]
    assert [m["content"] for m in fake.messages[CHANNEL]] == ["made once"]


async def test_content_over_2000_is_invalid_form_body(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = bot.get_channel(CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.status == 400
    assert info.value.code == 50035
    assert "content" in info.value.text
    with pytest.raises(discord.HTTPException, match="description"):
        await channel.send(embed=discord.Embed(description="y" * 4097))
    too_many = discord.Embed(title="t")
    for i in range(26):
        too_many.add_field(name=str(i), value="v")
    with pytest.raises(discord.HTTPException, match="fields"):
        await channel.send(embed=too_many)
    assert CHANNEL not in fake.messages


async def test_callback_after_deadline_is_unknown_interaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with (
        FakeDiscord(guilds=[GUILD], ack_deadline=0.2) as fake,
        running(fake, monkeypatch) as bot,
    ):
        bot.late_delay = 0.3
        late = await fake.slash("late", user=ALICE, guild=GUILD, channel_id=CHANNEL)
        await fake.wait_for(lambda: bool(bot.errors))
        assert isinstance(bot.errors[0], discord.NotFound)
        assert bot.errors[0].code == 10062
        assert late.response() is None
        assert fake.callbacks == []


async def test_second_ack_is_rejected(fake: FakeDiscord, bot: TinyBot) -> None:
    panel = await fake.slash("panel", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    await fake.wait_for(lambda: panel.response() is not None)
    url = f"{fake.base_url}/interactions/{panel.id}/{panel.token}/callback"
    body = {"type": 4, "data": {"content": "again"}}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
        assert resp.status == 400
        assert (await resp.json())["code"] == 40060


async def test_limits_on_components_and_custom_ids(fake: FakeDiscord, bot: TinyBot) -> None:
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "a", "custom_id": "x" * 101}]}
    async with aiohttp.ClientSession(headers={"Authorization": "Bot x"}) as session:
        url = f"{fake.base_url}/channels/{CHANNEL}/messages"
        async with session.post(url, json={"content": "hi", "components": [row]}) as resp:
            body = await resp.json()
    assert resp.status == 400
    assert body["errors"]["components"]["0"]["components"]["0"]["custom_id"]["_errors"]


async def test_slash_refuses_unsynced_commands_and_bad_options(
    fake: FakeDiscord, bot: TinyBot
) -> None:
    with pytest.raises(AssertionError, match="never synced"):
        await fake.slash("nope", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    with pytest.raises(AssertionError, match="missing required"):
        await fake.slash("quiz", user=ALICE, guild=GUILD, channel_id=CHANNEL)


async def test_disconnect_then_resume(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.disconnect_clients()
    await fake.connected(timeout=5)
    assert any(frame.get("op") == 6 for frame in fake.gateway_log)
    assert len(fake.identifies) == 1
    panel = await fake.slash("panel", user=ALICE, guild=GUILD, channel_id=CHANNEL)
    await fake.wait_for(lambda: panel.response() is not None)


async def test_members_intent_chunks_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    guild = FakeGuild(id=5002, name="Big", channels=[6101], members=[ALICE])
    intents = discord.Intents.default()
    intents.members = True
    async with FakeDiscord(guilds=[guild]) as fake, running(fake, monkeypatch, intents) as bot:
        found = bot.get_guild(5002)
        assert found is not None
        assert found.chunked
        member = found.get_member(ALICE.id)
        assert member is not None
        assert member.display_name == "Alice"
        assert any(frame.get("op") == 8 for frame in fake.gateway_log)


ON_SHARD_1 = FakeGuild(id=(1 << 22) | 5003, name="Shard One", channels=[6201], owner_id=9999)
"""A server on shard 1 of 2 (GUILD, id 5001, is on shard 0)."""


class ShardedBot(discord.AutoShardedClient):
    """A sharded bot with one command that notes which of its shards it came through."""

    def __init__(self, shard_ids: list[int] | None = None, shard_count: int | None = None) -> None:
        chosen: dict[str, Any] = {"shard_ids": shard_ids} if shard_ids is not None else {}
        super().__init__(intents=discord.Intents.default(), shard_count=shard_count, **chosen)
        self.tree = app_commands.CommandTree(self)
        self.heard: list[int] = []

        @self.tree.command(name="quiz", description="Ask a question")
        async def quiz(interaction: discord.Interaction) -> None:
            assert interaction.guild_id is not None
            self.heard.append(interaction.guild_id)
            await interaction.response.send_message("?")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """The fake has no identify rate limit: no need to wait 5 s between shards."""


@asynccontextmanager
async def sharded(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, *clients: ShardedBot
) -> AsyncIterator[None]:
    """Run sharded clients against the fake until every shard is ready."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    tasks = [asyncio.create_task(c.start("fake-token")) for c in clients]
    try:
        await asyncio.wait_for(asyncio.gather(*(c.wait_until_ready() for c in clients)), 5)
        await clients[0].tree.sync()
        yield
    finally:
        for client in clients:
            await client.close()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)


async def test_each_server_is_on_the_shard_discord_puts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two processes run one shard of two each: each gets its own server (READY,
    GUILD_CREATE) and its interactions, and nothing of the other's."""
    first, second = ShardedBot([0], 2), ShardedBot([1], 2)
    async with (
        FakeDiscord(guilds=[GUILD, ON_SHARD_1]) as fake,
        sharded(fake, monkeypatch, first, second),
    ):
        assert [g.id for g in first.guilds] == [GUILD.id]
        assert [g.id for g in second.guilds] == [ON_SHARD_1.id]
        for guild in (ON_SHARD_1, GUILD, ON_SHARD_1):
            asked = await fake.slash("quiz", user=ALICE, guild=guild, channel_id=guild.channels[0])
            await fake.wait_for(lambda asked=asked: asked.response() is not None)  # type: ignore[misc]
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    assert first.heard == [GUILD.id]
    assert second.heard == [ON_SHARD_1.id, ON_SHARD_1.id]


async def test_gateway_bot_advises_a_shard_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bot that leaves the count to Discord runs as many shards as /gateway/bot says."""
    bot = ShardedBot()
    async with (
        FakeDiscord(guilds=[GUILD, ON_SHARD_1], shards=2) as fake,
        sharded(fake, monkeypatch, bot),
    ):
        assert sorted(g.id for g in bot.guilds) == [GUILD.id, ON_SHARD_1.id]
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]


async def test_a_shard_outside_its_count_is_refused() -> None:
    """IDENTIFY with shard [2, 2] is closed with 4010 (Invalid shard), as on Discord."""
    identify = {"token": "x", "intents": 0, "properties": {}, "shard": [2, 2]}
    async with (
        FakeDiscord(guilds=[GUILD]) as fake,
        aiohttp.ClientSession() as session,
        session.ws_connect(fake.gateway_url) as ws,
    ):
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": identify})
        closed = await ws.receive()
    assert closed.type is aiohttp.WSMsgType.CLOSE
    assert closed.data == 4010
