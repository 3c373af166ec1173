"""The picture of the finish reaches each platform with the reveal, through the real
discord.py and slack_sdk against the loopback fakes; a refused upload loses no reveal."""

from __future__ import annotations

import io
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image

from tests.adapters import test_discord as on_discord
from tests.adapters import test_slack as on_slack
from tests.fakes.discord_api import ATTACH_FILES, FakeDiscord
from tests.fakes.slack_api import FakeSlack

pytestmark = pytest.mark.usefixtures("restore_discord_urls")


def record_asked(db: Path) -> str:
    """The key of the record the one question asked was about."""
    with closing(sqlite3.connect(db)) as conn:
        [(subject,)] = conn.execute("SELECT subject FROM questions")
    return str(subject).split(":", 1)[1]


def a_finish_picture(png: bytes) -> None:
    """A PNG of the size the platforms take."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert 600 <= image.width <= 2000
    assert 200 <= image.height <= 2000
    assert len(png) < 1_000_000


def saved_picture(db: Path, key: str) -> bytes:
    [file] = Path(f"{db}.pictures").glob(f"{key}-*.png")
    return file.read_bytes()


async def test_discord_attaches_the_picture_and_the_embed_shows_it(tmp_path: Path) -> None:
    """The reveal's message carries finish.png, the picture of the record asked about, and
    its embed's image is that attachment."""
    db = tmp_path / "bot.sqlite3"
    async with FakeDiscord(guilds=[on_discord.GUILD]) as fake, on_discord.running(fake, db):
        await play_and_stop_on_discord(fake)
    [reveal] = on_discord.reveals(fake)
    [attachment] = reveal["attachments"]
    assert attachment["filename"] == "finish.png"
    assert attachment["description"]
    assert on_discord.embed(reveal)["image"]["url"] == attachment["url"]
    png = fake.files[attachment["url"]]
    a_finish_picture(png)
    assert png == saved_picture(db, record_asked(db))
    [post] = [
        r
        for r in fake.requests
        if r.method == "POST" and r.path == f"/channels/{on_discord.CHANNEL}/messages" and r.files
    ]
    assert post.headers["Content-Type"].startswith("multipart/form-data")
    assert post.json["embeds"][0]["image"]["url"] == "attachment://finish.png"


async def play_and_stop_on_discord(fake: FakeDiscord) -> None:
    guild, channel, alice = on_discord.GUILD, on_discord.CHANNEL, on_discord.ALICE
    for command in ("play", "stop"):
        asked = await fake.slash(
            "trivia", on_discord.sub(command), user=alice, guild=guild, channel_id=channel
        )
        await on_discord.settled(fake, asked)
    await fake.wait_for(lambda: bool(on_discord.reveals(fake)), timeout=10)


async def test_where_the_bot_may_not_attach_files_the_reveal_goes_without_its_picture(
    tmp_path: Path,
) -> None:
    """A channel setting takes Attach Files from the bot: the reveal is posted once, as
    text, instead of being refused (Discord answers 50013 to a file there) and lost."""
    db = tmp_path / "bot.sqlite3"
    async with FakeDiscord(guilds=[on_discord.GUILD]) as fake:
        fake.bot_denied[on_discord.CHANNEL] = ATTACH_FILES
        async with on_discord.running(fake, db):
            await play_and_stop_on_discord(fake)
            await fake.wait_for(lambda: all(done for _, done in on_slack.owed(db)))
    [reveal] = on_discord.reveals(fake)
    assert reveal["attachments"] == []
    assert "image" not in on_discord.embed(reveal)
    assert all(r.status == 200 for r in fake.requests if r.path.endswith("/messages"))


async def test_slack_uploads_the_picture_into_the_reveals_channel(tmp_path: Path) -> None:
    """After the reveal, the picture goes up with files_upload_v2: an upload URL, the bytes,
    then completed into the reveal's channel."""
    db = tmp_path / "bot.sqlite3"
    async with FakeSlack(users=on_slack.USERS) as slack, on_slack.running(slack, db) as bot:
        assert await bot.send(on_slack.command(slack, "")) == 200
        await slack.wait_for(lambda: slack.posted(on_slack.CHANNEL))
        assert await bot.send(on_slack.command(slack, "stop")) == 200
        await slack.wait_for(lambda: slack.shared_files(on_slack.CHANNEL), timeout=10)
    [reveal] = on_slack.reveals(slack)
    [upload] = slack.shared_files(on_slack.CHANNEL)
    assert upload["filename"] == "finish.png"
    a_finish_picture(upload["data"])
    assert upload["data"] == saved_picture(db, record_asked(db))
    messages = slack.messages[on_slack.CHANNEL]
    assert messages.index(reveal) < len(messages) - 1, "the picture follows the reveal"
    assert [c.method for c in slack.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_a_refused_upload_leaves_exactly_one_text_reveal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An install without files:write: the upload is refused, one line says so, and the
    reveal is posted once, marked posted, never tried again for its picture."""
    db = tmp_path / "bot.sqlite3"
    async with FakeSlack(users=on_slack.USERS) as slack, on_slack.running(slack, db) as bot:
        slack.missing_scopes.add("files:write")
        assert await bot.send(on_slack.command(slack, "")) == 200
        await slack.wait_for(lambda: slack.posted(on_slack.CHANNEL))
        with caplog.at_level(logging.WARNING):
            assert await bot.send(on_slack.command(slack, "stop")) == 200
            await slack.wait_for(
                lambda: on_slack.reveals(slack) and all(d for _, d in on_slack.owed(db)),
                timeout=10,
            )
    assert len(on_slack.reveals(slack)) == 1
    assert slack.shared_files(on_slack.CHANNEL) == []
    refused = [r.getMessage() for r in caplog.records if "could not upload" in r.getMessage()]
    assert refused == [
        f"could not upload the picture to {on_slack.CHANNEL} (missing_scope); posted without it"
    ]
