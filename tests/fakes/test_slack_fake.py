"""The Slack fake drives the real, unmodified slack-bolt AsyncApp over loopback (no mocks)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import (
    FakeSlack,
    app_home_opened_event,
    block_actions_body,
    block_actions_payload,
    event_body,
    event_payload,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    url_verification_body,
)

SECRET = "s3cret"
CHANNEL = "C1"
ALICE = "U1"
USERS = {
    ALICE: {"is_admin": False, "is_owner": False, "name": "alice", "real_name": "Alice"},
    "U2": {"is_admin": True, "is_owner": True, "name": "bob", "real_name": "Bob"},
}


def question_blocks(prompt: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": prompt}},
        {
            "type": "actions",
            "block_id": "answers",
            "elements": [
                {
                    "type": "button",
                    "action_id": "answer",
                    "text": {"type": "plain_text", "text": "Secretariat"},
                    "value": "42",
                }
            ],
        },
    ]


@dataclass
class Bot:
    """A tiny bolt app plus what its listeners saw."""

    app: AsyncApp
    seen: list[str] = field(default_factory=list)


def make_bot(slack: FakeSlack, **client_kwargs: Any) -> Bot:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url, **client_kwargs)
    app = AsyncApp(signing_secret=SECRET, client=client)
    bot = Bot(app)

    @app.command("/trivia")
    async def trivia(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        bot.seen.append(f"command:{command['text']}")
        await client.chat_postMessage(
            channel=command["channel_id"],
            text=f"Question: {command['text']}",
            blocks=question_blocks(f"Who won? <{command['text']}>"),
        )

    @app.action("answer")
    async def answer(ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        await ack()
        value = body["actions"][0]["value"]
        bot.seen.append(f"action:{value}")
        await client.chat_postEphemeral(
            channel=body["channel"]["id"], user=body["user"]["id"], text=f"You chose {value}"
        )
        await respond(text="Locked in", replace_original=False)

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        bot.seen.append(f"home:{event['user']}")
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Scores*"}}],
            },
        )

    return bot


@asynccontextmanager
async def serve(app: AsyncApp) -> AsyncIterator[str]:
    """Serve the bolt app over HTTP on loopback; yields the /slack/events URL."""
    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as r,
    ):
        return r.status, await r.text()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(users=USERS) as fake:
        yield fake


# -- HTTP mode ---------------------------------------------------------------------------------


async def test_slash_command_reaches_handler_and_posts(slack: FakeSlack) -> None:
    bot = make_bot(slack)
    async with serve(bot.app) as url:
        body = slash_command_body(
            "1973 Belmont",
            user_id=ALICE,
            channel_id=CHANNEL,
            response_url=slack.response_url("cmd"),
        )
        status, text = await post(url, body, signed_headers(body, signing_secret=SECRET))
        assert (status, text) == (200, "")
        await slack.wait_for(lambda: slack.posted(CHANNEL))

    assert bot.seen == ["command:1973 Belmont"]
    [msg] = slack.posted(CHANNEL)
    assert msg["text"] == "Question: 1973 Belmont"
    assert msg["blocks"][1]["elements"][0]["action_id"] == "answer"
    assert len(slack.calls_to("auth.test")) == 1
    call = slack.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-test"
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.response is not None
    ts = call.response["ts"]
    assert call.response["message"]["ts"] == ts
    assert slack.message(CHANNEL, ts)["user"] == "UBOT"


async def test_block_actions_click_reaches_action_handler(slack: FakeSlack) -> None:
    bot = make_bot(slack)
    async with serve(bot.app) as url:
        body = block_actions_body(
            "answer",
            "42",
            user_id=ALICE,
            channel_id=CHANNEL,
            message_ts="1700000000.000100",
            response_url=slack.response_url("click"),
            block_id="answers",
        )
        status, _ = await post(url, body, signed_headers(body, signing_secret=SECRET))
        assert status == 200
        await slack.wait_for(lambda: slack.ephemeral(ALICE) and slack.responses_to("click"))

    assert bot.seen == ["action:42"]
    assert slack.ephemeral(ALICE)[0]["text"] == "You chose 42"
    assert slack.ephemeral(ALICE)[0]["channel"] == CHANNEL
    assert slack.responses_to("click") == [{"text": "Locked in", "replace_original": False}]


async def test_app_home_opened_publishes_view(slack: FakeSlack) -> None:
    bot = make_bot(slack)
    async with serve(bot.app) as url:
        body = event_body(app_home_opened_event(ALICE), event_id="Ev1")
        headers = signed_headers(body, signing_secret=SECRET)
        assert headers["Content-Type"] == "application/json"
        status, _ = await post(url, body, headers)
        assert status == 200
        await slack.wait_for(lambda: slack.published(ALICE))

        body = url_verification_body("chal-1")
        status, text = await post(url, body, signed_headers(body, signing_secret=SECRET))
        assert status == 200
        assert "chal-1" in text

    assert bot.seen == [f"home:{ALICE}"]
    [view] = slack.published()
    assert view["view"]["type"] == "home"
    assert view["view"]["blocks"][0]["text"]["text"] == "*Scores*"


@pytest.mark.parametrize("problem", ["bad_signature", "stale_timestamp"])
async def test_unverified_requests_get_401_and_reach_no_handler(
    slack: FakeSlack, problem: str
) -> None:
    bot = make_bot(slack)
    body = slash_command_body(
        "x", user_id=ALICE, channel_id=CHANNEL, response_url=slack.response_url("bad")
    )
    if problem == "bad_signature":
        headers = signed_headers(body, signing_secret="wrong")
    else:
        headers = signed_headers(body, signing_secret=SECRET, timestamp=int(time.time()) - 301)
    async with serve(bot.app) as url:
        status, text = await post(url, body, headers)
    assert status == 401
    assert "invalid request" in text
    assert bot.seen == []
    assert slack.calls == []


# -- Socket Mode -------------------------------------------------------------------------------


async def test_socket_mode_envelopes_reach_handlers_and_are_acked(slack: FakeSlack) -> None:
    bot = make_bot(slack)
    handler = AsyncSocketModeHandler(bot.app, app_token="xapp-test")
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        await slack.socket_connected()
        [open_call] = slack.calls_to("apps.connections.open")
        assert open_call.token == "xapp-test"
        assert open_call.response == {"ok": True, "url": slack.socket_url}
        # The SDK pings right after connecting; aiohttp's autoping answers with the same data.
        await slack.wait_for(lambda: handler.client.last_ping_pong_time is not None)

        payload = slash_command_payload(
            "Derby", user_id=ALICE, channel_id=CHANNEL, response_url=slack.response_url("sm")
        )
        env = await slack.send_envelope("slash_commands", payload)
        await env.wait_acked()
        assert env.ack == {"envelope_id": env.envelope_id}
        assert env.ack_payload is None
        assert env.ack_latency is not None
        assert env.ack_latency < 3
        await slack.wait_for(lambda: slack.posted(CHANNEL))
        assert slack.posted(CHANNEL)[0]["text"] == "Question: Derby"

        click = block_actions_payload(
            "answer",
            "7",
            user_id=ALICE,
            channel_id=CHANNEL,
            message_ts="1700000000.000100",
            response_url=slack.response_url("sm-click"),
        )
        env2 = await slack.send_envelope("interactive", click)
        event = event_payload(app_home_opened_event(ALICE), event_id="Ev2")
        env3 = await slack.send_envelope("events_api", event, accepts_response_payload=False)
        await env2.wait_acked()
        await env3.wait_acked()
        await slack.wait_for(lambda: slack.ephemeral(ALICE) and slack.published(ALICE))

        # Slack's "disconnect" frame makes the SDK fetch a new URL and swap sockets.
        await slack.request_reconnect()
        await slack.wait_for(lambda: slack.socket_connections == 2 and slack.open_sockets == 1)
        assert len(slack.calls_to("apps.connections.open")) == 2
        env4 = await slack.send_envelope("slash_commands", payload)
        await env4.wait_acked()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]

    assert bot.seen == ["command:Derby", "action:7", f"home:{ALICE}", "command:Derby"]
    assert len(slack.calls_to("auth.test")) == 1
    await slack.wait_for(lambda: slack.open_sockets == 0)


# -- Web API behaviour -------------------------------------------------------------------------


async def test_rate_limited_post_is_retried_by_retry_handler(slack: FakeSlack) -> None:
    retry = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    bot = make_bot(slack, retry_handlers=[retry])
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    async with serve(bot.app) as url:
        body = slash_command_body(
            "Oaks", user_id=ALICE, channel_id=CHANNEL, response_url=slack.response_url("rl")
        )
        status, _ = await post(url, body, signed_headers(body, signing_secret=SECRET))
        assert status == 200
        await slack.wait_for(lambda: slack.posted(CHANNEL), timeout=2.8)

    first, second = slack.calls_to("chat.postMessage")
    assert first.status == 429
    assert first.response == {"ok": False, "error": "ratelimited"}
    assert second.ok
    assert second.time - first.time >= 1


async def test_web_api_errors_and_validation(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)

    slack.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"

    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postMessage(channel=CHANNEL, text="x", blocks=too_many)
    long_label = question_blocks("q")
    long_label[1]["elements"][0]["text"]["text"] = "x" * 76
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postMessage(channel=CHANNEL, text="x", blocks=long_label)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postEphemeral(
            channel=CHANNEL,
            user=ALICE,
            text="x",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}],
        )
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.views_publish(
            user_id=ALICE, view={"type": "home", "blocks": [{"type": "divider"}] * 101}
        )
    ok = await client.views_publish(
        user_id=ALICE, view={"type": "home", "blocks": [{"type": "divider"}] * 100}
    )
    assert ok["view"]["type"] == "home"

    with pytest.raises(SlackApiError, match="invalid_auth"):
        await AsyncWebClient(token="", base_url=slack.api_url).auth_test()
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await AsyncWebClient(base_url=slack.api_url).auth_test()
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("trivia.fake")
    assert slack.calls_to("trivia.fake")[0].response == {"ok": False, "error": "unknown_method"}

    info = await client.users_info(user=ALICE)
    user = info["user"]
    assert (user["id"], user["name"], user["real_name"]) == (ALICE, "alice", "Alice")
    assert user["profile"]["display_name"] == "alice"
    assert (user["is_admin"], user["is_owner"]) == (False, False)
    assert "tz" in user
    bob = (await client.users_info(user="U2"))["user"]
    assert (bob["is_admin"], bob["is_owner"]) == (True, True)
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U404")

    first = await client.chat_postMessage(channel=CHANNEL, text="one")
    second = await client.chat_postMessage(channel=CHANNEL, text="two")
    assert float(second["ts"]) > float(first["ts"])
    updated = await client.chat_update(channel=CHANNEL, ts=first["ts"], text="one!")
    assert updated["text"] == "one!"
    assert slack.message(CHANNEL, first["ts"])["text"] == "one!"
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel=CHANNEL, ts="1.2", text="nope")
    assert [p["text"] for p in slack.posted(CHANNEL)] == ["one", "two"]

    slack.hidden.add("G9")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="G9", text="private")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postEphemeral(channel="G9", user=ALICE, text="private")
    assert slack.posted("G9") == []

    with pytest.raises(AssertionError, match="condition not met"):
        await slack.wait_for(lambda: False, timeout=0.05)


async def test_response_url_use_limit(slack: FakeSlack) -> None:
    url = slack.response_url("limit")
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"text": f"r{i}"}) as r:
                statuses.append(r.status)
    assert statuses == [200] * 5 + [404]
    assert [b["text"] for b in slack.responses_to("limit")] == [f"r{i}" for i in range(5)]


async def test_files_upload_v2_goes_through_the_three_steps(slack: FakeSlack) -> None:
    """slack_sdk's files_upload_v2 gets an upload URL, sends the bytes there and completes
    the upload into the channel; the fake keeps the bytes and the channel gets a message
    carrying the file. Without files:write each step is missing_scope; completing a file
    whose bytes never came is file_not_found; a hidden channel is channel_not_found."""
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    done = await client.files_upload_v2(
        channel=CHANNEL, file=b"\x89PNG picture", filename="finish.png", title="The finish"
    )
    [shared] = slack.shared_files(CHANNEL)
    assert done["file"]["id"] == shared["id"]
    assert (shared["data"], shared["title"]) == (b"\x89PNG picture", "The finish")
    assert slack.messages[CHANNEL][-1]["files"][0]["id"] == shared["id"]

    step = await client.files_getUploadURLExternal(filename="early.png", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(
            files=[{"id": step["file_id"]}], channel_id=CHANNEL
        )
    slack.hidden.add("G1")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.files_upload_v2(channel="G1", file=b"abc", filename="finish.png")
    slack.missing_scopes.add("files:write")
    with pytest.raises(SlackApiError, match="missing_scope"):
        await client.files_upload_v2(channel=CHANNEL, file=b"abc", filename="finish.png")
    assert len(slack.shared_files(CHANNEL)) == 1
