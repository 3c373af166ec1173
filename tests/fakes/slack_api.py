"""A loopback fake of the Slack Web API, response_url and Socket Mode, for the real slack-bolt.

Point the bot at it with ``AsyncWebClient(token="xoxb-...", base_url=fake.api_url)``; bolt copies
``base_url`` into every per-request client and the Socket Mode handler calls
``apps.connections.open`` through that client, which returns the fake's loopback ``ws://`` URL.
``respond()`` ignores ``base_url`` and posts to the payload's ``response_url``, so put
``fake.response_url(tag)`` into the payloads you send.

The fake records every call, validates tokens and the documented Block Kit limits, can answer
429s, and pushes Socket Mode envelopes while recording the acks. The module also holds pure
builders for the exact bodies (and v0 signatures) Slack sends to an HTTP-mode app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

JSON = dict[str, Any]

TEAM_ID = "T1"
TEAM_NAME = "Racing Club"
TEAM_DOMAIN = "racing-club"
APP_ID = "A1"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"

# Block Kit limits (platform-notes section 3).
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_MODAL_TITLE = 24
MAX_TEXT_OBJECT = 3000
MAX_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_SECTION_FIELDS = 10
MAX_MESSAGE_TEXT = 40_000
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60

_JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")
_SCOPES = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
"""Scopes the fake checks (see FakeSlack.missing_scopes); others are taken as granted."""


@dataclass
class Call:
    """One Web API request the fake received, and what it answered."""

    method: str  # Slack method name, e.g. "chat.postMessage"
    params: JSON  # query string + form fields + JSON body merged; JSON-in-form fields decoded
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    http_method: str = "POST"
    token: str | None = None  # from "Authorization: Bearer ..." or a ``token`` field
    status: int = 0
    response: JSON | None = None

    @property
    def ok(self) -> bool:
        """True if the fake answered 200 with ``"ok": true``."""
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class ResponseUrlPost:
    """One POST to a ``response_url`` (the body is what ``respond()`` sent)."""

    tag: str
    body: JSON  # text, blocks, response_type, replace_original, delete_original, ...
    headers: dict[str, str]
    time: float
    status: int = 200


@dataclass(eq=False)
class Envelope:
    """A Socket Mode envelope the fake pushed, and the ack the client sent back."""

    envelope_id: str
    type: str  # "slash_commands" | "interactive" | "events_api"
    payload: JSON
    accepts_response_payload: bool
    sent_at: float
    acked_at: float | None = None
    ack: JSON | None = None  # the whole ack frame ({"envelope_id", "payload"?})
    _event: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def acked(self) -> bool:
        return self.acked_at is not None

    @property
    def ack_payload(self) -> JSON | None:
        """The ack's ``payload`` (None for a bare ``ack()``)."""
        return None if self.ack is None else self.ack.get("payload")

    @property
    def ack_latency(self) -> float | None:
        """Seconds from the push to the ack, or None if never acked."""
        return None if self.acked_at is None else self.acked_at - self.sent_at

    async def wait_acked(self, timeout: float = 5) -> None:  # noqa: ASYNC109 (a test helper)
        """Wait for the ack; raise AssertionError on timeout."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"envelope {self.envelope_id} not acked in {timeout}s") from None


class SlackError(Exception):
    """An error answer: HTTP ``status`` with ``{"ok": false, "error": error, ...}``."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.status, self.extra = error, status, extra

    def body(self) -> JSON:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class _RateRule:
    method: str
    retry_after: int
    count: int


@dataclass
class _SocketConn:
    ws: web.WebSocketResponse
    connected_at: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


Handler = Callable[[Call], JSON]


# -- Block Kit validation --------------------------------------------------------------------


def validate_blocks(blocks: Any, *, max_blocks: int) -> list[str]:
    """Problems with ``blocks`` under the documented Block Kit limits (empty list if fine)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"must contain at most {max_blocks} blocks (got {len(blocks)})")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[{i}] a block must be an object with a type")
            continue
        _check_node(block, f"[{i}]", problems)
        if block["type"] == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
                problems.append(f"[{i}].elements must hold 1-{MAX_ACTIONS_ELEMENTS} elements")
        if block["type"] == "section" and len(block.get("fields") or []) > MAX_SECTION_FIELDS:
            problems.append(f"[{i}].fields must hold at most {MAX_SECTION_FIELDS} items")
    return problems


def _check_node(node: Any, at: str, problems: list[str]) -> None:
    """Walk a block tree checking text objects, ids and button limits."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_node(item, f"{at}[{i}]", problems)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("plain_text", "mrkdwn") and "text" in node:
        text = node["text"]
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_OBJECT:
            size = len(text) if isinstance(text, str) else "?"
            problems.append(f"{at}.text must be 1-{MAX_TEXT_OBJECT} characters (got {size})")
    for key in ("action_id", "block_id"):
        value = node.get(key)
        if value is not None and not (isinstance(value, str) and 1 <= len(value) <= MAX_ID):
            problems.append(f"{at}.{key} must be 1-{MAX_ID} characters")
    if kind == "button":
        label = (node.get("text") or {}).get("text") or ""
        if len(label) > MAX_BUTTON_TEXT:
            problems.append(f"{at}.text must be at most {MAX_BUTTON_TEXT} characters")
        if len(str(node.get("value") or "")) > MAX_BUTTON_VALUE:
            problems.append(f"{at}.value must be at most {MAX_BUTTON_VALUE} characters")
        if len(str(node.get("url") or "")) > MAX_URL:
            problems.append(f"{at}.url must be at most {MAX_URL} characters")
    for key, value in node.items():
        if isinstance(value, dict | list):
            _check_node(value, f"{at}.{key}", problems)


def _invalid_blocks(problems: list[str]) -> SlackError:
    return SlackError(
        "invalid_blocks",
        errors=problems,
        response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
    )


# -- the fake --------------------------------------------------------------------------------


def _without_metadata(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if k != "metadata"}


class FakeSlack:
    """An aiohttp Slack Web API + response_url + Socket Mode fake on 127.0.0.1 (random port)."""

    def __init__(
        self,
        *,
        users: Mapping[str, Mapping[str, Any]] | None = None,
        valid_tokens: set[str] | None = None,
        team_id: str = TEAM_ID,
        team_name: str = TEAM_NAME,
        app_id: str = APP_ID,
    ) -> None:
        """``users`` maps user id to fields merged into the ``users.info`` user object.

        ``valid_tokens``: if given, any other token is ``invalid_auth``; otherwise any non-blank
        token is accepted.
        """
        self.team_id, self.team_name, self.app_id = team_id, team_name, app_id
        self.users: dict[str, JSON] = {
            BOT_USER_ID: {"name": "photo_finish", "real_name": "Photo Finish", "is_bot": True}
        }
        self.users.update({uid: dict(fields) for uid, fields in (users or {}).items()})
        self.valid_tokens = valid_tokens
        self.calls: list[Call] = []
        self.responses: list[ResponseUrlPost] = []
        self.envelopes: list[Envelope] = []
        self.socket_frames: list[JSON] = []  # every text frame a Socket Mode client sent
        self.socket_connections = 0  # how many websockets were ever accepted
        self.messages: dict[str, list[JSON]] = {}  # channel -> live messages (updates applied)
        self.history_denied: set[str] = set()
        """Channels whose history the app may not read (a scope not granted)."""
        self.hidden: set[str] = set()
        """Private channels and DMs the bot is not in: chat.* calls there are channel_not_found
        (public ones are open to it through the chat:write.public scope)."""
        self.missing_scopes: set[str] = set()
        """Scopes the app was not granted: a method needing one answers missing_scope (an
        install made before the manifest asked for it)."""
        self.uploads: dict[str, JSON] = {}
        """File uploads by file id: filename, declared length, the bytes sent to the upload
        URL (None until sent) and, once completed, the channel they were shared in."""
        self.api_url = ""
        self.base_url = ""
        self.socket_url = ""
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._conns: list[_SocketConn] = []
        self._rate_rules: list[_RateRule] = []
        self._ts_counter = 0
        self._view_counter = 0
        self._response_url_uses: dict[str, list[float]] = {}
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "conversations.history": self._history,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "users.info": self._users_info,
            "apps.connections.open": self._connections_open,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port and fill in ``api_url``/``socket_url``."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{tag}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self._port}"
        self.api_url = f"{self.base_url}/api/"
        self.socket_url = f"ws://127.0.0.1:{self._port}/socket"

    async def stop(self) -> None:
        """Close Socket Mode sockets and the server (close bolt's handler first)."""
        await self.disconnect_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- test-side API -----------------------------------------------------------------------

    def response_url(self, tag: str) -> str:
        """A loopback response_url; POSTs to it land in ``responses`` with this ``tag``."""
        return f"{self.base_url}/response/{tag}"

    def rate_limit_next(self, method: str, *, retry_after: int = 1, count: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` (or ``"*"``) with 429 ``ratelimited``."""
        self._rate_rules.append(_RateRule(method, retry_after, count))

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of ``method`` (failed ones included)."""
        return [c for c in self.calls if c.method == method]

    def _accepted(self, method: str, key: str, value: str | None) -> list[JSON]:
        """Params of accepted ``method`` calls whose ``key`` param is ``value`` (if given)."""
        return [
            c.params
            for c in self.calls_to(method)
            if c.ok and (value is None or c.params.get(key) == value)
        ]

    def posted(self, channel: str | None = None) -> list[JSON]:
        """Params of accepted ``chat.postMessage`` calls (to ``channel`` if given)."""
        return self._accepted("chat.postMessage", "channel", channel)

    def shared_files(self, channel: str) -> list[JSON]:
        """The files completed into a channel, oldest first, each with its bytes."""
        return [u for u in self.uploads.values() if u.get("channel") == channel]

    def ephemeral(self, user: str | None = None) -> list[JSON]:
        """Params of accepted ``chat.postEphemeral`` calls (to ``user`` if given)."""
        return self._accepted("chat.postEphemeral", "user", user)

    def updates(self, channel: str | None = None) -> list[JSON]:
        """Params of accepted ``chat.update`` calls (in ``channel`` if given)."""
        return self._accepted("chat.update", "channel", channel)

    def published(self, user_id: str | None = None) -> list[JSON]:
        """Params of accepted ``views.publish`` calls (``{"user_id", "view": {...}}``)."""
        return self._accepted("views.publish", "user_id", user_id)

    def opened(self) -> list[JSON]:
        """Params of accepted ``views.open`` calls (``{"trigger_id", "view": {...}}``)."""
        return self._accepted("views.open", "trigger_id", None)

    def responses_to(self, tag: str) -> list[JSON]:
        """Bodies POSTed to ``response_url(tag)``."""
        return [r.body for r in self.responses if r.tag == tag and r.status == 200]

    def message(self, channel: str, ts: str) -> JSON:
        """The live message (``chat.update`` applied) posted at ``ts`` in ``channel``."""
        for msg in self.messages.get(channel, []):
            if msg["ts"] == ts:
                return msg
        raise KeyError(f"no message {ts} in {channel}")

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5) -> None:  # noqa: ASYNC109
        """Poll ``predicate`` until truthy; on timeout raise AssertionError with a state dump."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s\n{self.dump()}")
            await asyncio.sleep(0.01)

    def dump(self) -> str:
        """A readable summary of what the fake saw, for failure messages."""
        lines = [f"socket mode: {len(self._conns)} open socket(s)"]
        lines.append("last calls:")
        for call in self.calls[-15:]:
            params = json.dumps(call.params, default=str)[:200]
            error = "" if call.response is None else call.response.get("error", "")
            lines.append(f"  {call.status} {call.method} {error} {params}")
        for resp in self.responses[-5:]:
            lines.append(f"response_url {resp.tag}: {json.dumps(resp.body)[:200]}")
        for env in self.envelopes[-5:]:
            lines.append(f"envelope {env.type} {env.envelope_id}: acked={env.acked} {env.ack}")
        return "\n".join(lines)

    @property
    def open_sockets(self) -> int:
        """How many Socket Mode websockets are open now."""
        return len(self._conns)

    async def socket_connected(self, timeout: float = 5) -> None:  # noqa: ASYNC109
        """Wait until a Socket Mode client is connected (and has been sent ``hello``)."""
        await self.wait_for(lambda: bool(self._conns), timeout)

    async def send_envelope(
        self,
        type: str,  # Slack's field name
        payload: JSON,
        *,
        accepts_response_payload: bool = True,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> Envelope:
        """Push an envelope on the newest socket; the returned Envelope records the ack."""
        if not self._conns:
            raise AssertionError(f"no Socket Mode client connected\n{self.dump()}")
        env = Envelope(
            envelope_id=str(uuid.uuid4()),
            type=type,
            payload=payload,
            accepts_response_payload=accepts_response_payload,
            sent_at=time.monotonic(),
        )
        frame: JSON = {
            "envelope_id": env.envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            frame["retry_attempt"] = retry_attempt
            frame["retry_reason"] = retry_reason
        self.envelopes.append(env)
        await self._send(self._conns[-1], frame)
        return env

    async def request_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``{"type": "disconnect"}`` the way Slack does before rotating a socket."""
        for conn in list(self._conns):
            await self._send(conn, {"type": "disconnect", "reason": reason, "debug_info": {}})

    async def disconnect_sockets(self, code: int = 1001) -> None:
        """Close every Socket Mode websocket from the server side."""
        conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=b"fake shutdown")

    # -- Web API -----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, token = await self._read_params(request)
        except ValueError:
            params, token = {"_raw": (await request.read()).decode(errors="replace")}, None
            call = Call(method, params, dict(request.headers), time.monotonic(), request.method)
            call.status, call.response = 200, {"ok": False, "error": "invalid_json"}
            self.calls.append(call)
            return web.json_response(call.response)
        call = Call(
            method=method,
            params=params,
            headers=dict(request.headers),
            time=time.monotonic(),
            http_method=request.method,
            token=token,
        )
        self.calls.append(call)
        headers: dict[str, str] = {}
        try:
            rule = self._take_rate_rule(method)
            if rule is not None:
                headers["Retry-After"] = str(rule.retry_after)
                raise SlackError("ratelimited", status=429)
            self._check_token(method, token)
            if (needed := _SCOPES.get(method)) in self.missing_scopes:
                raise SlackError("missing_scope", needed=needed)
            handler = self._methods.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            body = {"ok": True, **handler(call)}
            status = 200
        except SlackError as e:
            status, body = e.status, e.body()
        call.status, call.response = status, body
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[JSON, str | None]:
        params: JSON = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == JSON_TYPE:
                data = json.loads(raw)
                if isinstance(data, dict):
                    params.update(data)
            else:
                params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in _JSON_FIELDS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if "token" in params:
            token = str(params.pop("token")).strip() or token
        return params, token

    def _take_rate_rule(self, method: str) -> _RateRule | None:
        for rule in self._rate_rules:
            if rule.count > 0 and rule.method in (method, "*"):
                rule.count -= 1
                if rule.count == 0:
                    self._rate_rules.remove(rule)
                return rule
        return None

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("invalid_auth")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            raise SlackError("invalid_auth")
        is_app_token = token.startswith("xapp-")
        if method == "apps.connections.open" and not is_app_token:
            raise SlackError("not_allowed_token_type")
        if method != "apps.connections.open" and is_app_token:
            raise SlackError("not_allowed_token_type")

    def _next_ts(self) -> str:
        self._ts_counter += 100
        return f"{1_700_000_000 + self._ts_counter // 1_000_000}.{self._ts_counter % 1_000_000:06d}"

    @staticmethod
    def _check_message(params: JSON, *, max_blocks: int = MAX_BLOCKS_MESSAGE) -> None:
        text, blocks = params.get("text"), params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None:
            problems = validate_blocks(blocks, max_blocks=max_blocks)
            if problems:
                raise _invalid_blocks(problems)

    def _channel(self, params: JSON) -> str:
        channel = params.get("channel")
        if not channel or not isinstance(channel, str) or channel in self.hidden:
            raise SlackError("channel_not_found")
        return channel

    def _auth_test(self, call: Call) -> JSON:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": self.team_name,
            "user": self.users[BOT_USER_ID]["name"],
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, call: Call) -> JSON:
        params = call.params
        channel = self._channel(params)
        self._check_message(params)
        ts = self._next_ts()
        message: JSON = {
            "type": "message",
            "text": params.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        if params.get("blocks") is not None:
            message["blocks"] = params["blocks"]
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        metadata = params.get("metadata")
        if metadata is not None:
            if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
                raise SlackError("invalid_metadata_format")
            message["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": ts, "message": dict(message)}

    def _history(self, call: Call) -> JSON:
        """Newest first, up to ``limit`` (100 by default, 999 at most); metadata only with
        include_all_metadata, as on Slack."""
        params = call.params
        channel = self._channel(params)
        if channel in self.history_denied:
            raise SlackError("missing_scope", needed="channels:history")
        limit = min(int(params.get("limit") or 100), 999)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        newest = list(reversed(self.messages.get(channel, [])))
        shown = [m if with_metadata else _without_metadata(m) for m in newest[:limit]]
        return {"messages": [dict(m) for m in shown], "has_more": len(newest) > limit}

    def _post_ephemeral(self, call: Call) -> JSON:
        params = call.params
        self._channel(params)
        if not params.get("user"):
            raise SlackError("user_not_found")
        self._check_message(params)
        return {"message_ts": self._next_ts()}

    def _update(self, call: Call) -> JSON:
        params = call.params
        channel = self._channel(params)
        ts = params.get("ts")
        msg = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
        if msg is None:
            raise SlackError("message_not_found")
        self._check_message(params)
        if "text" in params:
            msg["text"] = params["text"] or ""
        if "blocks" in params:
            msg["blocks"] = params["blocks"]
        msg["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {"channel": channel, "ts": ts, "text": msg["text"], "message": dict(msg)}

    def _views_publish(self, call: Call) -> JSON:
        params = call.params
        user_id = params.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments")
        view = params.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments")
        problems = validate_blocks(view.get("blocks", []), max_blocks=MAX_BLOCKS_VIEW)
        if len(str(view.get("private_metadata") or "")) > MAX_TEXT_OBJECT:
            problems.append("private_metadata must be at most 3000 characters")
        if problems:
            raise _invalid_blocks(problems)
        self._view_counter += 1
        return {
            "view": {
                "id": f"V{self._view_counter:08d}",
                "team_id": self.team_id,
                "type": "home",
                "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "hash": f"{int(time.time())}.{self._view_counter:08d}",
                "app_id": self.app_id,
                "bot_id": BOT_ID,
            }
        }

    def _views_open(self, call: Call) -> JSON:
        """A modal, as Slack checks it: a trigger, a title of at most 24 characters, at
        most 100 blocks, and a submit button when it has input blocks."""
        params = call.params
        view = params.get("view")
        if not params.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise SlackError("invalid_arguments")
        problems = validate_blocks(view.get("blocks", []), max_blocks=MAX_BLOCKS_VIEW)
        if not 1 <= len((view.get("title") or {}).get("text") or "") <= MAX_MODAL_TITLE:
            problems.append(f"title must be 1-{MAX_MODAL_TITLE} characters")
        has_input = any(b.get("type") == "input" for b in view.get("blocks", []))
        if has_input and not view.get("submit"):
            problems.append("a modal with input blocks needs a submit button")
        if len(str(view.get("private_metadata") or "")) > MAX_TEXT_OBJECT:
            problems.append("private_metadata must be at most 3000 characters")
        if problems:
            raise _invalid_blocks(problems)
        self._view_counter += 1
        return {"view": {**view, "id": f"V{self._view_counter:08d}", "team_id": self.team_id}}

    def _users_info(self, call: Call) -> JSON:
        user_id = call.params.get("user")
        fields = self.users.get(str(user_id))
        if fields is None:
            raise SlackError("user_not_found")
        name = str(fields.get("name", str(user_id).lower()))
        real_name = str(fields.get("real_name", name))
        profile = {"display_name": name, "real_name": real_name, **fields.get("profile", {})}
        user: JSON = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": False,
            "is_app_user": False,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            **{k: v for k, v in fields.items() if k != "profile"},
            "profile": profile,
        }
        return {"user": user}

    def _connections_open(self, call: Call) -> JSON:
        return {"url": self.socket_url}

    def _upload_url(self, call: Call) -> JSON:
        """Step 1 of an upload: a file id and the URL to send its bytes to."""
        params = call.params
        if not params.get("filename"):
            raise SlackError("invalid_arguments")
        length = int(params.get("length") or 0)
        if length <= 0:
            raise SlackError("invalid_length")
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = {
            "id": file_id,
            "filename": params["filename"],
            "length": length,
            "alt_txt": params.get("alt_txt"),
            "data": None,
        }
        return {"file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2: the file's bytes, which must be as long as step 1 said."""
        upload = self.uploads.get(request.match_info["file_id"])
        data = await request.read()
        if upload is None or upload["data"] is not None:
            return web.Response(status=404, text="unknown upload")
        if len(data) != upload["length"]:
            return web.Response(status=400, text="length mismatch")
        upload["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, call: Call) -> JSON:
        """Step 3: share uploaded files in a channel, as one message carrying them."""
        params = call.params
        listed = params.get("files")
        if not isinstance(listed, list) or not listed:
            raise SlackError("invalid_arguments")
        uploads = [self.uploads.get(str(f.get("id"))) for f in listed]
        if any(u is None or u["data"] is None for u in uploads):
            raise SlackError("file_not_found")
        channel = self._channel({"channel": params.get("channel_id")})
        shared = []
        for upload, given in zip(uploads, listed, strict=True):
            assert upload is not None
            upload.update(channel=channel, title=given.get("title") or upload["filename"])
            shared.append(
                {"id": upload["id"], "title": upload["title"], "name": upload["filename"]}
            )
        message: JSON = {"type": "message", "text": "", "user": BOT_USER_ID, "ts": self._next_ts()}
        message["files"] = shared
        self.messages.setdefault(channel, []).append(message)
        return {"files": shared}

    # -- response_url ------------------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        tag = request.match_info["tag"]
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = dict(parse_qsl(raw.decode()))
        post = ResponseUrlPost(tag, body, dict(request.headers), time.monotonic())
        self.responses.append(post)
        now = time.monotonic()
        uses = self._response_url_uses.setdefault(tag, [])
        error = None
        if uses and now - uses[0] > RESPONSE_URL_TTL:
            error = "expired_url"
        elif len(uses) >= RESPONSE_URL_USES:
            error = "used_url"
        elif not isinstance(body, dict):
            error = "invalid_payload"
        elif body.get("blocks") is not None:
            problems = validate_blocks(body["blocks"], max_blocks=MAX_BLOCKS_MESSAGE)
            if problems:
                error = "invalid_blocks"
        elif not (body.get("text") or body.get("delete_original")):
            error = "no_text"
        if error is not None:
            post.status = 404 if error in ("expired_url", "used_url") else 400
            return web.json_response({"ok": False, "error": error}, status=post.status)
        uses.append(now)
        return web.json_response({"ok": True})

    # -- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # autoping answers the SDK's "sdk-ping-pong:<t>" pings
        await ws.prepare(request)
        conn = _SocketConn(ws, time.monotonic())
        self.socket_connections += 1
        try:
            await self._send(
                conn,
                {
                    "type": "hello",
                    "num_connections": len(self._conns) + 1,
                    "debug_info": {
                        "host": "applink-fake",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                },
            )
            self._conns.append(conn)
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(msg.data)
        finally:
            if conn in self._conns:
                self._conns.remove(conn)
        return ws

    @staticmethod
    async def _send(conn: _SocketConn, frame: JSON) -> None:
        async with conn.lock:
            await conn.ws.send_str(json.dumps(frame))

    def _on_frame(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            frame = {"unparsed": data}
        self.socket_frames.append(frame)
        envelope_id = frame.get("envelope_id") if isinstance(frame, dict) else None
        for env in self.envelopes:
            if env.envelope_id == envelope_id and not env.acked:
                env.ack, env.acked_at = frame, time.monotonic()
                env._event.set()
                return


# -- request builders (what Slack sends to an HTTP-mode app) ---------------------------------


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's."""
    return f"{uuid.uuid4().int % 10**13}.1.{uuid.uuid4().hex}"


def _payload_user(user_id: str, username: str, team_id: str) -> JSON:
    """The ``user`` object of an interaction payload."""
    return {"id": user_id, "username": username, "name": username, "team_id": team_id}


def slash_command_payload(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    team_id: str = TEAM_ID,
    command: str = "/trivia",
    user_name: str | None = None,
    channel_name: str = "general",
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The slash command fields (the form body over HTTP, the envelope payload in Socket Mode)."""
    return {
        "token": "verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name if user_name is not None else user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command_body(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    team_id: str = TEAM_ID,
    command: str = "/trivia",
    user_name: str | None = None,
    channel_name: str = "general",
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    trigger_id: str | None = None,
) -> bytes:
    """An ``application/x-www-form-urlencoded`` slash command body, as Slack POSTs it."""
    payload = slash_command_payload(
        text,
        user_id=user_id,
        channel_id=channel_id,
        response_url=response_url,
        team_id=team_id,
        command=command,
        user_name=user_name,
        channel_name=channel_name,
        team_domain=team_domain,
        api_app_id=api_app_id,
        trigger_id=trigger_id,
    )
    return urlencode(payload).encode()


def block_actions_payload(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    team_id: str = TEAM_ID,
    block_id: str = "actions",
    user_name: str | None = None,
    message: JSON | None = None,
    is_ephemeral: bool = False,
    button_text: str = "Button",
    api_app_id: str = APP_ID,
) -> JSON:
    """A ``block_actions`` payload for a button click (``message`` defaults to a stub).

    For a button on an ephemeral message Slack sends no ``message`` field.
    """
    username = user_name if user_name is not None else user_id.lower()
    payload: JSON = {
        "type": "block_actions",
        "user": _payload_user(user_id, username, team_id),
        "api_app_id": api_app_id,
        "token": "verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        },
        "trigger_id": new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text, "emoji": True},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if not is_ephemeral:
        payload["message"] = message or {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": api_app_id,
            "team": team_id,
            "text": "",
            "ts": message_ts,
            "blocks": [],
        }
    return payload


def block_actions_body(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    team_id: str = TEAM_ID,
    block_id: str = "actions",
    user_name: str | None = None,
    message: JSON | None = None,
    is_ephemeral: bool = False,
    button_text: str = "Button",
) -> bytes:
    """A form body ``payload=<json>`` for a button click, as Slack POSTs it."""
    payload = block_actions_payload(
        action_id,
        value,
        user_id=user_id,
        channel_id=channel_id,
        message_ts=message_ts,
        response_url=response_url,
        team_id=team_id,
        block_id=block_id,
        user_name=user_name,
        message=message,
        is_ephemeral=is_ephemeral,
        button_text=button_text,
    )
    return urlencode({"payload": json.dumps(payload)}).encode()


def view_submission_body(
    view: JSON, typed: dict[str, dict[str, str]], *, user_id: str, team_id: str = TEAM_ID
) -> bytes:
    """A form body for a submitted modal: ``view`` as opened (``views.open`` params'
    view), ``typed`` as {block_id: {action_id: text}}."""
    username = user_id.lower()
    state = {
        block: {
            action: {"type": "plain_text_input", "value": text} for action, text in inputs.items()
        }
        for block, inputs in typed.items()
    }
    payload: JSON = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _payload_user(user_id, username, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": new_trigger_id(),
        "view": {**view, "id": "V00000001", "team_id": team_id, "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def app_home_opened_event(user: str, *, channel: str = "D1", tab: str = "home") -> JSON:
    """The inner ``event`` of an ``app_home_opened`` event."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def event_payload(
    event: JSON,
    *,
    event_id: str,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_time: int | None = None,
) -> JSON:
    """An ``event_callback`` (the JSON body over HTTP, the payload of an events_api envelope)."""
    return {
        "token": "verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def event_body(
    event: JSON,
    *,
    event_id: str,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_time: int | None = None,
) -> bytes:
    """A JSON ``event_callback`` body, as Slack POSTs it."""
    payload = event_payload(
        event, event_id=event_id, team_id=team_id, api_app_id=api_app_id, event_time=event_time
    )
    return json.dumps(payload).encode()


def url_verification_body(challenge: str) -> bytes:
    """The JSON ``url_verification`` handshake Slack sends when the Request URL is saved."""
    return json.dumps(
        {"token": "verification-token", "challenge": challenge, "type": "url_verification"}
    ).encode()


def signed_headers(
    body: bytes,
    *,
    signing_secret: str,
    timestamp: int | None = None,
    content_type: str | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Headers Slack sends with ``body``: v0 signature, timestamp and content type.

    ``content_type`` defaults to JSON for a body starting with ``{``, else form encoding.
    ``retry_num`` adds ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` (Events API retries).
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    if content_type is None:
        content_type = JSON_TYPE if body.lstrip()[:1] == b"{" else FORM
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers
