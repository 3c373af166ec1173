"""A loopback fake of the Discord REST API (v10) and gateway, for driving the real discord.py.

Point discord.py at it with ``discord.http.Route.BASE = fake.base_url`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``.
The fake records every request, keeps the channel state the bot produced, pushes
INTERACTION_CREATE events, and enforces Discord's documented limits and ack rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import WSMsgType, web

JSON = dict[str, Any]

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
HEARTBEAT_INTERVAL_MS = 41_250
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
ATTACH_FILES = 1 << 15
MEMBER_PERMISSIONS = (
    (1 << 6)  # ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 18)  # USE_EXTERNAL_EMOJIS
    | (1 << 31)  # USE_APPLICATION_COMMANDS
)
"""What an ordinary member has in a fresh server (the @everyone role)."""

INVALID_SHARD = 4010
"""The gateway's close code for an IDENTIFY with a shard that is not one of its count."""

EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

_WEBHOOK_ROUTES = ("/interactions/", "/webhooks/")
NONCE_WINDOW_S = 300.0
"""How long Discord remembers a nonce sent with enforce_nonce ("the past few minutes")."""
_SNOWFLAKE_OPTION_TYPES = {6, 7, 8, 9, 11}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class FakeUser:
    """A Discord user who can run commands and click buttons."""

    id: int
    username: str
    global_name: str | None = None

    def payload(self, *, bot: bool = False) -> JSON:
        """The user object as Discord sends it."""
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }


@dataclass(frozen=True)
class FakeRole:
    """A guild role (the @everyone role, id = guild id, is added automatically)."""

    id: int
    name: str
    permissions: int = 0


@dataclass
class FakeGuild:
    """A guild the bot is in; ``channels`` are text channel ids."""

    id: int
    name: str
    channels: list[int] = field(default_factory=list)
    roles: list[FakeRole] = field(default_factory=list)
    owner_id: int = 1
    members: list[FakeUser] = field(default_factory=list)


@dataclass
class Recorded:
    """One request the fake received, and what it answered."""

    method: str
    path: str  # relative to /api/v10, without the query string
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    status: int = 0
    response: Any = None
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(eq=False)
class Interaction:
    """An INTERACTION_CREATE the fake pushed, and what the bot did with it."""

    id: int
    token: str
    type: int
    channel_id: int
    payload: JSON
    pushed_at: float
    callback: Recorded | None = None
    responded_at: float | None = None
    original: JSON | None = None  # the message @original refers to (live, edits applied)

    def response(self) -> JSON | None:
        """The callback body (``{"type": 4, "data": {...}}``) the bot acknowledged with."""
        return None if self.callback is None else self.callback.json

    @property
    def latency(self) -> float | None:
        """Seconds from the push to the accepted acknowledgement, or None if never acked."""
        return None if self.responded_at is None else self.responded_at - self.pushed_at


class ApiError(Exception):
    """An error response from the fake, shaped like Discord's."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> JSON:
        """The JSON error body."""
        body: JSON = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


class _FormErrors:
    """Discord's nested ``errors`` tree: ``{"embeds": {"0": {"title": {"_errors": [..]}}}}``."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: Sequence[str | int], value: Any, limit: int) -> None:
        if isinstance(value, str | list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)


def _validate_message(body: JSON, errs: _FormErrors, prefix: tuple[str | int, ...] = ()) -> None:
    """Content, embed and component limits from the Discord docs."""
    errs.max_len((*prefix, "content"), body.get("content"), 2000)
    embeds = body.get("embeds") or []
    errs.max_len((*prefix, "embeds"), embeds, 10)
    total = 0
    for i, embed in enumerate(embeds):
        at = (*prefix, "embeds", i)
        for key, limit in (("title", 256), ("description", 4096)):
            errs.max_len((*at, key), embed.get(key), limit)
            total += len(embed.get(key) or "")
        for key, limit in (("footer", 2048), ("author", 256)):
            sub = embed.get(key) or {}
            text = sub.get("text" if key == "footer" else "name") or ""
            errs.max_len((*at, key, "text" if key == "footer" else "name"), text, limit)
            total += len(text)
        fields = embed.get("fields") or []
        errs.max_len((*at, "fields"), fields, 25)
        for j, fld in enumerate(fields):
            errs.max_len((*at, "fields", j, "name"), fld.get("name"), 256)
            errs.max_len((*at, "fields", j, "value"), fld.get("value"), 1024)
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
    if total > 6000:
        errs.add(
            (*prefix, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        )
    components = body.get("components") or []
    if int(body.get("flags") or 0) & IS_COMPONENTS_V2:
        count = _check_components_v2(components, errs, (*prefix, "components"))
        if count > 40:
            errs.add(
                (*prefix, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length."
            )
        return
    errs.max_len((*prefix, "components"), components, 5)
    for i, row in enumerate(components):
        at = (*prefix, "components", i)
        if row.get("type") != 1:
            errs.add(
                (*at, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top level must be action rows."
            )
            continue
        children = row.get("components") or []
        errs.max_len((*at, "components"), children, 5)
        if not children:
            errs.add(
                (*at, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
            )
        if len(children) > 1 and any(c.get("type") != 2 for c in children):
            errs.add(
                (*at, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select must be alone."
            )
        for j, child in enumerate(children):
            _check_interactive(child, errs, (*at, "components", j))


def _check_interactive(comp: JSON, errs: _FormErrors, at: tuple[str | int, ...]) -> None:
    """custom_id 1..100 (required unless a link/premium button) and label <= 80."""
    needs_id = not (comp.get("type") == 2 and comp.get("style") in (5, 6))
    custom_id = comp.get("custom_id")
    if needs_id and custom_id is None:
        errs.add((*at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif custom_id is not None and not 1 <= len(str(custom_id)) <= 100:
        errs.add((*at, "custom_id"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    errs.max_len((*at, "label"), comp.get("label"), 80)


def _check_components_v2(comps: list[JSON], errs: _FormErrors, at: tuple[str | int, ...]) -> int:
    count = 0
    for i, comp in enumerate(comps):
        count += 1
        if comp.get("type") in (2, 3, 4, 5, 6, 7, 8):
            _check_interactive(comp, errs, (*at, i))
        for key in ("components", "items"):
            if isinstance(comp.get(key), list):
                count += _check_components_v2(comp[key], errs, (*at, i, key))
        if isinstance(comp.get("accessory"), dict):
            count += _check_components_v2([comp["accessory"]], errs, (*at, i, "accessory"))
    return count


def _validate_commands(commands: list[JSON]) -> None:
    errs = _FormErrors()
    errs.max_len((), commands, 100)
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        name, ctype = str(cmd.get("name", "")), int(cmd.get("type", 1))
        if (ctype == 1 and not re.fullmatch(r"[-_\w]{1,32}", name)) or name != name.lower():
            errs.add((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if ctype == 1 and not 1 <= len(cmd.get("description", "")) <= 100:
            errs.add(
                (i, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        if (name, ctype) in seen:
            errs.add((i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate name")
        seen.add((name, ctype))
        _validate_options(cmd.get("options") or [], errs, (i, "options"))
    errs.raise_if_any()


def _validate_options(options: list[JSON], errs: _FormErrors, at: tuple[str | int, ...]) -> None:
    errs.max_len(at, options, 25)
    for j, opt in enumerate(options):
        errs.max_len((*at, j, "choices"), opt.get("choices") or [], 25)
        if not 1 <= len(opt.get("description", "")) <= 100:
            errs.add((*at, j, "description"), "BASE_TYPE_BAD_LENGTH", "Must be 1-100 in length.")
        _validate_options(opt.get("options") or [], errs, (*at, j, "options"))


def _find_component(components: list[JSON], custom_id: str) -> JSON | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        for key in ("components", "items"):
            found = _find_component(comp.get(key) or [], custom_id)
            if found is not None:
                return found
        if isinstance(comp.get("accessory"), dict):
            found = _find_component([comp["accessory"]], custom_id)
            if found is not None:
                return found
    return None


def _shown_attachments(embeds: list[JSON], attachments: list[JSON]) -> list[JSON]:
    """Embeds as Discord stores them: an image at attachment://NAME becomes that
    attachment's URL, and one naming no attached file is dropped (Discord shows none)."""
    urls = {a["filename"]: a["url"] for a in attachments}
    shown = []
    for embed in embeds:
        image = (embed.get("image") or {}).get("url", "")
        if image.startswith("attachment://"):
            name = image.removeprefix("attachment://")
            embed = {k: v for k, v in embed.items() if k != "image"}
            if name in urls:
                embed["image"] = {"url": urls[name], "proxy_url": urls[name]}
        shown.append(embed)
    return shown


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly ``Content-Type: application/json`` (no charset: discord.py compares with ==)."""
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)


@dataclass
class _RateRule:
    method: str
    prefix: str
    retry_after: float
    count: int


@dataclass
class _Fault:
    """Carry out the next ``count`` matching requests, then answer them with ``status``."""

    method: str
    prefix: str
    status: int
    count: int


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    seq: int = 0
    session_id: str | None = None
    identify: JSON | None = None
    ready: bool = False
    ready_at: float = 0.0
    shard: tuple[int, int] = (0, 1)
    """[shard id, shard count] from IDENTIFY; a connection without one gets every server."""

    def serves(self, guild_id: int) -> bool:
        """Whether this connection's shard gets the server's events."""
        shard_id, count = self.shard
        return shard_of(guild_id, count) == shard_id


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a server's events go to (Discord's formula)."""
    return (guild_id >> 22) % shard_count


Handler = Callable[[Recorded, "re.Match[str]"], Awaitable[tuple[int, Any]]]


class FakeDiscord:
    """An aiohttp Discord REST + gateway fake on 127.0.0.1 (random port)."""

    def __init__(
        self,
        *,
        app_id: int = 1001,
        bot_user_id: int = 1001,
        guilds: list[FakeGuild] | None = None,
        ack_deadline: float = 3.0,
        bot_name: str = "Photo Finish",
        global_limit: int | None = None,
        shards: int = 1,
    ) -> None:
        """``global_limit``: bot requests allowed in any one second (Discord's is 50),
        interaction and webhook routes excepted, as on Discord; None: unlimited.
        ``shards``: the shard count /gateway/bot advises."""
        self.app_id = app_id
        self.bot_user = FakeUser(bot_user_id, bot_name)
        self.guilds: list[FakeGuild] = list(guilds or [])
        self.ack_deadline = ack_deadline
        self.requests: list[Recorded] = []
        self.messages: dict[int, list[JSON]] = {}
        self.files: dict[str, bytes] = {}
        """Every uploaded attachment's bytes, by its URL."""
        self.callbacks: list[Recorded] = []
        self.followups: list[Recorded] = []
        self.edits: list[Recorded] = []
        self.commands: dict[int | None, list[JSON]] = {}
        self.interactions: list[Interaction] = []
        self.identifies: list[JSON] = []  # IDENTIFY payloads (token, intents, properties...)
        self.gateway_log: list[JSON] = []  # every gateway frame the clients sent
        self.base_url = ""
        self.gateway_url = ""
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._conns: list[_Conn] = []
        self._sessions: dict[str, int] = {}
        self._by_id: dict[int, JSON] = {}
        self._by_token: dict[str, Interaction] = {}
        self._followup_owner: dict[int, str] = {}  # followup message id -> interaction token
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._rate_rules: list[_RateRule] = []
        self._faults: list[_Fault] = []
        self._nonces: dict[tuple[str, str], tuple[float, JSON]] = {}  # (author, nonce)
        self.global_limit = global_limit
        self.shards = shards
        self._session_shards: dict[str, tuple[int, int]] = {}
        self.global_429s = 0
        # channel id -> permission bits the bot lacks (set before the bot connects)
        self.bot_denied: dict[int, int] = {}
        # channel id -> channel type, when not a text channel (0), e.g. 4 for a category
        self.channel_types: dict[int, int] = {}
        self._global_window: deque[float] = deque()
        self._last_snowflake = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._add_routes()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port and fill in ``base_url``/``gateway_url``."""
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self._port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{self._port}/"

    async def stop(self) -> None:
        """Close gateway sockets and the server (close discord.py clients first)."""
        await self.disconnect_clients(code=1001)
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

    def rate_limit_next(
        self, method: str, path_prefix: str, *, retry_after: float = 0.3, count: int = 1
    ) -> None:
        """Answer the next ``count`` matching requests with a 429 (``method`` may be ``*``).

        ``path_prefix`` is relative to /api/v10, e.g. ``"/channels/"``.
        """
        self._rate_rules.append(_RateRule(method.upper(), path_prefix, retry_after, count))

    def fail_after_next(
        self, method: str, path_prefix: str, *, status: int = 502, count: int = 1
    ) -> None:
        """Carry out the next ``count`` matching requests, then answer each with ``status``
        (a gateway error after Discord did the work: the client cannot tell it happened)."""
        self._faults.append(_Fault(method.upper(), path_prefix, status, count))

    async def connected(self, timeout: float = 10) -> None:  # noqa: ASYNC109 (a test helper)
        """Wait until a client has IDENTIFYed (or RESUMEd) and got READY + GUILD_CREATE."""
        await self.wait_for(lambda: any(c.ready for c in self._conns), timeout)

    async def disconnect_clients(self, code: int = 4000) -> None:
        """Close every gateway socket (4000 lets discord.py reconnect and RESUME)."""
        conns, self._conns = self._conns, []
        for conn in conns:
            conn.ready = False
            await conn.ws.close(code=code, message=b"fake disconnect")

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5) -> None:  # noqa: ASYNC109
        """Poll ``predicate`` until true; on timeout raise AssertionError with a state dump."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s\n{self.dump()}")
            await asyncio.sleep(0.01)

    async def shard_connected(self, shard: int, timeout: float = 10) -> None:  # noqa: ASYNC109 (a test helper)
        """Wait until a client has IDENTIFYed (or RESUMEd) on shard `shard` and got READY."""
        await self.wait_for(
            lambda: any(c.ready and c.shard[0] == shard for c in self._conns), timeout
        )

    def dump(self) -> str:
        """A readable summary of what the fake saw, for failure messages."""
        lines = [
            f"gateway: {len(self._conns)} socket(s),"
            f" ready={[(c.shard, c.ready) for c in self._conns]}"
        ]
        lines.append(f"commands: { {k: [c['name'] for c in v] for k, v in self.commands.items()} }")
        lines.append("last requests:")
        for rec in self.requests[-15:]:
            body = json.dumps(rec.json)[:160] if rec.json is not None else ""
            lines.append(f"  {rec.status} {rec.method} {rec.path} {body}")
        for inter in self.interactions[-5:]:
            lines.append(f"interaction {inter.id} type {inter.type}: response={inter.response()}")
        for cid, msgs in self.messages.items():
            lines.append(f"channel {cid}: {[m['content'][:60] for m in msgs[-5:]]}")
        return "\n".join(lines)

    def followups_for(self, interaction: Interaction) -> list[Recorded]:
        """Accepted followup POSTs for this interaction's token."""
        return [r for r in self.followups if f"/{interaction.token}" in r.path]

    def visible_messages(self, channel_id: int) -> list[JSON]:
        """Messages in the channel that everyone sees (not ephemeral)."""
        return [m for m in self.messages.get(channel_id, []) if not m["flags"] & EPHEMERAL]

    def message(self, message_id: int | str) -> JSON:
        """The current state of a message the bot created."""
        return self._by_id[int(message_id)]

    async def slash(
        self,
        name: str,
        options: list[JSON] | None = None,
        *,
        user: FakeUser,
        guild: FakeGuild,
        channel_id: int,
        permissions: int = MEMBER_PERMISSIONS,
        roles: Sequence[int] = (),
        resolved: JSON | None = None,
        locale: str = "en-US",
        check_permissions: bool = True,
    ) -> Interaction:
        """Push a CHAT_INPUT INTERACTION_CREATE for a synced command.

        ``options`` is Discord's raw option list; a missing ``type`` is filled in from the
        synced schema. Like the Discord client, this refuses (AssertionError) unknown commands
        or options, and (PermissionError) commands hidden by ``default_member_permissions``.
        """
        cmd, scope = self._find_command(name, guild)
        if check_permissions:
            self._check_command_permission(cmd, user, guild, permissions)
        opts = self._check_options(cmd.get("options") or [], options or [], f"/{name}")
        data: JSON = {"id": cmd["id"], "name": name, "type": 1}
        if opts:
            data["options"] = opts
        if scope is not None:
            data["guild_id"] = str(scope)
        picked = self._picked_channels(guild, opts, permissions)
        if picked and not (resolved or {}).get("channels"):
            resolved = {**(resolved or {}), "channels": picked}
        if resolved:
            data["resolved"] = resolved
        return await self._push(2, data, user, guild, channel_id, permissions, roles, locale)

    def _picked_channels(self, guild: FakeGuild, opts: list[JSON], permissions: int) -> JSON:
        """Resolved partial channels for channel options, as Discord fills them in; the
        Discord client only offers the guild's own channels."""
        picked: JSON = {}
        for opt in opts:
            if opt["type"] in (1, 2):
                picked |= self._picked_channels(guild, opt.get("options") or [], permissions)
            elif opt["type"] == 7:
                if int(opt["value"]) not in guild.channels:
                    raise AssertionError(f"channel {opt['value']} is not in guild {guild.id}")
                full = self._channel_payload(guild, int(opt["value"]))
                picked[str(opt["value"])] = {
                    k: full[k] for k in ("id", "name", "type", "guild_id", "parent_id")
                } | {"permissions": str(permissions)}
        return picked

    async def click(
        self,
        custom_id: str,
        *,
        message: JSON,
        user: FakeUser,
        guild: FakeGuild,
        channel_id: int | None = None,
        permissions: int = MEMBER_PERMISSIONS,
        roles: Sequence[int] = (),
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        """Push a component INTERACTION_CREATE (type 3) for ``custom_id`` on ``message``.

        A message the bot made is looked up by id so the click sees its current state; the
        component must exist and not be disabled. ``values`` is for select menus.
        """
        current = self._by_id.get(int(message["id"]), message)
        comp = _find_component(current.get("components") or [], custom_id)
        if comp is None:
            raise AssertionError(f"no component {custom_id!r} on message {current['id']}")
        if comp.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if values is not None or comp.get("type") != 2:
            data["values"] = list(values or [])
        cid = int(current["channel_id"]) if channel_id is None else channel_id
        return await self._push(
            3,
            data,
            user,
            guild,
            cid,
            permissions,
            roles,
            locale,
            message=json.loads(json.dumps(current)),
        )

    async def submit(
        self,
        shown: Interaction,
        values: dict[str, str],
        *,
        user: FakeUser,
        guild: FakeGuild,
        permissions: int = MEMBER_PERMISSIONS,
    ) -> Interaction:
        """Push a MODAL_SUBMIT (type 5) for the form the bot showed (callback type 9) in
        reply to ``shown``; ``values`` maps text inputs' custom_ids to what was typed.

        Like the Discord client, this refuses a missing required input or one too long."""
        body = shown.response() or {}
        if body.get("type") != 9:
            raise AssertionError(f"the bot did not answer with a form: {body}")
        form = body["data"]
        rows: list[JSON] = []
        for row in form.get("components") or []:
            wrapped = row["components"] if row.get("type") == 1 else [row["component"]]
            filled = []
            for comp in wrapped:
                value = values.get(comp["custom_id"], comp.get("value") or "")
                if comp.get("required", True) and not value:
                    raise AssertionError(f"input {comp['custom_id']!r} is required")
                if len(value) > int(comp.get("max_length") or 4000):
                    raise AssertionError(f"input {comp['custom_id']!r} is too long")
                filled.append(
                    {"type": comp["type"], "custom_id": comp["custom_id"], "value": value}
                )
            if row.get("type") == 1:
                rows.append({"type": 1, "components": filled})
            else:
                rows.append({"type": row["type"], "component": filled[0]})
        data: JSON = {"custom_id": form["custom_id"], "components": rows}
        return await self._push(5, data, user, guild, shown.channel_id, permissions, (), "en-US")

    # -- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._conns.append(conn)
        try:
            await self._send(conn, {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
        finally:
            conn.ready = False
            if conn in self._conns:
                self._conns.remove(conn)
        return ws

    async def _send(self, conn: _Conn, frame: JSON) -> None:
        async with conn.lock:
            frame.setdefault("s", None)
            frame.setdefault("t", None)
            await conn.ws.send_str(json.dumps(frame))

    async def _dispatch(self, conn: _Conn, event: str, data: JSON) -> None:
        async with conn.lock:
            conn.seq += 1
            if conn.session_id:
                self._sessions[conn.session_id] = conn.seq
            frame = {"op": 0, "t": event, "s": conn.seq, "d": data}
            await conn.ws.send_str(json.dumps(frame))

    async def _on_frame(self, conn: _Conn, frame: JSON) -> None:
        self.gateway_log.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await self._send(conn, {"op": 11})
        elif op == 2:
            conn.identify = data if isinstance(data, dict) else {}
            self.identifies.append(conn.identify)
            shard = conn.identify.get("shard") or [0, 1]
            if not 0 <= shard[0] < shard[1]:
                await conn.ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
                return
            conn.shard = (shard[0], shard[1])
            guilds = [g for g in self.guilds if conn.serves(g.id)]
            conn.session_id = secrets.token_hex(16)
            self._session_shards[conn.session_id] = conn.shard
            ready: JSON = {
                "v": 10,
                "user": {**self.bot_user.payload(bot=True), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": conn.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "auth_session_id_hash": "",
                "user_settings": {},
            }
            if data and data.get("shard"):
                ready["shard"] = data["shard"]
            await self._dispatch(conn, "READY", ready)
            for guild in guilds:
                payload = self._guild_payload(guild, int(conn.identify.get("intents", 0)))
                await self._dispatch(conn, "GUILD_CREATE", payload)
            conn.ready, conn.ready_at = True, time.monotonic()
        elif op == 6:
            session = (data or {}).get("session_id")
            if session in self._sessions:
                conn.session_id, conn.seq = session, self._sessions[session]
                conn.shard = self._session_shards[session]
                await self._dispatch(conn, "RESUMED", {})
                conn.ready, conn.ready_at = True, time.monotonic()
            else:
                await self._send(conn, {"op": 9, "d": False})
        elif op == 8 and data:
            target = next((g for g in self.guilds if g.id == int(data["guild_id"])), None)
            if target is not None:
                chunk = {
                    "guild_id": str(target.id),
                    "members": self._members(target),
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                }
                if data.get("nonce"):
                    chunk["nonce"] = data["nonce"]
                await self._dispatch(conn, "GUILD_MEMBERS_CHUNK", chunk)

    def _members(self, guild: FakeGuild) -> list[JSON]:
        users = [self.bot_user, *guild.members]
        return [self._member(u, bot=u == self.bot_user) for u in users]

    def _member(
        self,
        user: FakeUser,
        *,
        bot: bool = False,
        roles: Sequence[int] = (),
        perms: int | None = None,
    ) -> JSON:
        member: JSON = {
            "user": user.payload(bot=bot),
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in roles],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if perms is not None:
            member["permissions"] = str(perms)
        return member

    def _channel_payload(self, guild: FakeGuild, channel_id: int) -> JSON:
        return {
            "id": str(channel_id),
            "type": self.channel_types.get(channel_id, 0),
            "guild_id": str(guild.id),
            "name": f"channel-{guild.channels.index(channel_id)}"
            if channel_id in guild.channels
            else f"channel-{channel_id}",
            "position": guild.channels.index(channel_id) if channel_id in guild.channels else 0,
            "permission_overwrites": self._bot_overwrites(channel_id),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _bot_overwrites(self, channel_id: int) -> list[JSON]:
        """A member overwrite denying the bot what ``bot_denied`` says, as Discord keeps it."""
        denied = self.bot_denied.get(channel_id, 0)
        if not denied:
            return []
        return [{"id": str(self.bot_user.id), "type": 1, "allow": "0", "deny": str(denied)}]

    def _guild_payload(self, guild: FakeGuild, intents: int) -> JSON:
        """GUILD_CREATE; like Discord, the full member list needs GUILD_PRESENCES, else op 8."""
        roles = [FakeRole(guild.id, "@everyone", MEMBER_PERMISSIONS), *guild.roles]
        members = self._members(guild)
        sent = members if intents & (1 << 8) else members[:1]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "application_id": None,
            "system_channel_id": str(guild.channels[0]) if guild.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "roles": [
                {
                    "id": str(r.id),
                    "name": r.name,
                    "color": 0,
                    "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                    "hoist": False,
                    "icon": None,
                    "unicode_emoji": None,
                    "position": i,
                    "permissions": str(r.permissions),
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
                for i, r in enumerate(roles)
            ],
            "emojis": [],
            "stickers": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "members": sent,
            "channels": [self._channel_payload(guild, c) for c in guild.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # -- interactions ------------------------------------------------------------------------

    def _find_command(self, name: str, guild: FakeGuild) -> tuple[JSON, int | None]:
        for scope in (guild.id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and int(cmd.get("type", 1)) == 1:
                    return cmd, scope
        synced = {k: [c["name"] for c in v] for k, v in self.commands.items()}
        raise AssertionError(f"/{name} was never synced for guild {guild.id}; synced: {synced}")

    @staticmethod
    def _check_command_permission(
        cmd: JSON, user: FakeUser, guild: FakeGuild, permissions: int
    ) -> None:
        contexts = cmd.get("contexts")
        if contexts is not None and 0 not in contexts:
            raise PermissionError(f"/{cmd['name']} is not available in guilds")
        required = cmd.get("default_member_permissions")
        if required is None or user.id == guild.owner_id or permissions & ADMINISTRATOR:
            return
        if permissions & int(required) != int(required):
            raise PermissionError(
                f"Discord hides /{cmd['name']} from this user (needs {required}, has {permissions})"
            )

    def _check_options(self, schema: list[JSON], given: list[JSON], where: str) -> list[JSON]:
        by_name = {o["name"]: o for o in schema}
        out = []
        for opt in given:
            spec = by_name.get(opt.get("name", ""))
            if spec is None:
                raise AssertionError(f"{where}: no option {opt.get('name')!r} in {sorted(by_name)}")
            otype = int(opt["type"]) if "type" in opt else int(spec["type"])
            if otype != spec["type"]:
                raise AssertionError(f"{where} {spec['name']}: type {otype} != {spec['type']}")
            item: JSON = {**opt, "type": otype}
            if otype in (1, 2):
                nested = self._check_options(
                    spec.get("options") or [], opt.get("options") or [], f"{where} {spec['name']}"
                )
                item["options"] = nested
            else:
                self._check_value(spec, opt.get("value"), f"{where} {spec['name']}")
            out.append(item)
        if any(o["type"] in (1, 2) for o in schema):
            if len(out) != 1 or out[0]["type"] not in (1, 2):
                raise AssertionError(f"{where}: pick exactly one subcommand of {sorted(by_name)}")
        else:
            missing = [
                o["name"]
                for o in schema
                if o.get("required") and o["name"] not in {g["name"] for g in out}
            ]
            if missing:
                raise AssertionError(f"{where}: missing required option(s) {missing}")
        return out

    @staticmethod
    def _check_value(spec: JSON, value: Any, where: str) -> None:
        otype = spec["type"]
        ok = {
            3: isinstance(value, str),
            4: isinstance(value, int) and not isinstance(value, bool),
            5: isinstance(value, bool),
            10: isinstance(value, int | float) and not isinstance(value, bool),
        }.get(otype, isinstance(value, str) and value.isdigit())
        if not ok:
            raise AssertionError(f"{where}: {value!r} is not valid for option type {otype}")
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise AssertionError(f"{where}: {value!r} is not one of the choices")
        if otype in (4, 10):
            if "min_value" in spec and value < spec["min_value"]:
                raise AssertionError(f"{where}: {value} < min_value {spec['min_value']}")
            if "max_value" in spec and value > spec["max_value"]:
                raise AssertionError(f"{where}: {value} > max_value {spec['max_value']}")
        if otype == 3 and not spec.get("min_length", 0) <= len(value) <= spec.get(
            "max_length", 6000
        ):
            raise AssertionError(f"{where}: length {len(value)} outside min/max_length")

    async def _push(
        self,
        itype: int,
        data: JSON,
        user: FakeUser,
        guild: FakeGuild,
        channel_id: int,
        permissions: int,
        roles: Sequence[int],
        locale: str,
        message: JSON | None = None,
    ) -> Interaction:
        conns = sorted(
            (c for c in self._conns if c.ready and c.serves(guild.id)), key=lambda c: c.ready_at
        )
        if not conns:
            raise AssertionError(
                f"no gateway client is connected and ready on server {guild.id}'s shard\n"
                + self.dump()
            )
        iid = self._snowflake()
        token = f"itok.{iid}.{secrets.token_urlsafe(12)}"
        channel = self._channel_payload(guild, channel_id)
        channel["permissions"] = str(permissions)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel": channel,
            "channel_id": str(channel_id),
            "member": self._member(user, roles=roles, perms=permissions),
            "token": token,
            "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS & ~self.bot_denied.get(channel_id, 0)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        inter = Interaction(iid, token, itype, channel_id, payload, time.monotonic())
        if message is not None:
            inter.original = self._by_id.get(int(message["id"]))
        self.interactions.append(inter)
        self._by_token[token] = inter
        await self._dispatch(conns[-1], "INTERACTION_CREATE", payload)
        return inter

    # -- REST plumbing -----------------------------------------------------------------------

    def _add_routes(self) -> None:
        app, wh = r"(?P<app>\d+)", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/oauth2/applications/@me", self._get_application),
            ("GET", r"/applications/@me", self._get_application),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway),
            ("PUT", rf"/applications/{app}(?:/guilds/(?P<guild>\d+))?/commands", self._put_cmds),
            ("GET", rf"/applications/{app}(?:/guilds/(?P<guild>\d+))?/commands", self._get_cmds),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", wh, self._followup),
            ("GET", wh + r"/messages/(?P<mid>@original|\d+)", self._get_webhook_message),
            ("PATCH", wh + r"/messages/(?P<mid>@original|\d+)", self._edit_webhook_message),
            ("DELETE", wh + r"/messages/(?P<mid>@original|\d+)", self._delete_webhook_message),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            ("GET", r"/channels/(?P<cid>\d+)/messages", self._get_history),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._post_message),
            ("GET", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._get_message),
            ("PATCH", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._edit_message),
            ("DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._delete_message),
            ("POST", r"/channels/(?P<cid>\d+)/typing", self._typing),
        ]
        self._routes = [(m, re.compile(p), h) for m, p, h in table]

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :]
        body, files = await self._read_body(request)
        rec = Recorded(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            time=time.monotonic(),
            files=files,
        )
        self.requests.append(rec)
        if self._over_global_limit(rec):
            self.global_429s += 1
            rec.status = 429
            rec.response = {
                "message": "You are being rate limited.",
                "retry_after": 1.0,
                "global": True,
            }
            return _json_response(
                429,
                rec.response,
                {
                    "Via": "1.1 google",
                    "Retry-After": "1",
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        rule = next(
            (
                r
                for r in self._rate_rules
                if r.count > 0 and r.method in ("*", rec.method) and path.startswith(r.prefix)
            ),
            None,
        )
        if rule is not None:
            rule.count -= 1
            rec.status = 429
            rec.response = {
                "message": "You are being rate limited.",
                "retry_after": rule.retry_after,
                "global": False,
            }
            return _json_response(
                429,
                rec.response,
                {
                    "Via": "1.1 google",
                    "Retry-After": str(math.ceil(rule.retry_after)),
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                    "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
                },
            )
        try:
            if not path.startswith(_WEBHOOK_ROUTES) and not request.headers.get(
                "Authorization", ""
            ).startswith("Bot "):
                raise ApiError(401, 0, "401: Unauthorized")
            for method, pattern, handler in self._routes:
                match = pattern.fullmatch(path)
                if match and method == request.method:
                    status, payload = await handler(rec, match)
                    break
            else:
                raise ApiError(404, 0, "404: Not Found")
        except ApiError as err:
            status, payload = err.status, err.body()
        fault = next(
            (
                f
                for f in self._faults
                if f.count > 0 and f.method in ("*", rec.method) and path.startswith(f.prefix)
            ),
            None,
        )
        if fault is not None:
            fault.count -= 1
            status, payload = fault.status, {"message": f"{fault.status}: Bad Gateway", "code": 0}
        rec.status, rec.response = status, json.loads(json.dumps(payload))  # a snapshot
        if status == 204:
            return web.Response(status=204)
        return _json_response(status, payload)

    def _over_global_limit(self, rec: Recorded) -> bool:
        """Count a bot request in the sliding one-second window; True if it is one too many."""
        if self.global_limit is None or rec.path.startswith(_WEBHOOK_ROUTES):
            return False
        while self._global_window and rec.time - self._global_window[0] >= 1.0:
            self._global_window.popleft()
        if len(self._global_window) >= self.global_limit:
            return True
        self._global_window.append(rec.time)
        return False

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
        if not request.can_read_body:
            return None, {}
        if request.content_type == "multipart/form-data":
            form = await request.post()
            files: dict[str, bytes] = {}
            body: Any = None
            for key, value in form.items():
                if key == "payload_json":
                    body = json.loads(value if isinstance(value, str | bytes) else str(value))
                elif isinstance(value, web.FileField):
                    files[value.filename] = value.file.read()
            return body, files
        raw = await request.read()
        if not raw:
            return None, {}
        try:
            return json.loads(raw), {}
        except ValueError:
            return raw.decode(errors="replace"), {}

    def _snowflake(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_snowflake = max(candidate, self._last_snowflake + 1)
        return self._last_snowflake

    def _guild_of(self, channel_id: int) -> FakeGuild:
        for guild in self.guilds:
            if channel_id in guild.channels:
                return guild
        raise ApiError(404, 10003, "Unknown Channel")

    # -- messages ----------------------------------------------------------------------------

    def _mentions(self, content: str, allowed: JSON | None, default: list[str]) -> JSON:
        """Who Discord would ping, given allowed_mentions (None = the endpoint's default)."""
        parse: list[str] = default if allowed is None else list(allowed.get("parse") or [])
        users_ok = {int(u) for u in (allowed or {}).get("users") or []}
        roles_ok = {int(r) for r in (allowed or {}).get("roles") or []}
        known = {u.id: u for g in self.guilds for u in g.members}
        user_ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        role_ids = [int(x) for x in re.findall(r"<@&(\d+)>", content)]
        users = [u for u in dict.fromkeys(user_ids) if "users" in parse or u in users_ok]
        roles = [r for r in dict.fromkeys(role_ids) if "roles" in parse or r in roles_ok]
        return {
            "mention_everyone": "everyone" in parse
            and ("@everyone" in content or "@here" in content),
            "mentions": [
                known[u].payload() if u in known else FakeUser(u, f"user{u}").payload()
                for u in users
            ],
            "mention_roles": [str(r) for r in roles],
        }

    def _new_message(
        self,
        channel_id: int,
        body: JSON,
        files: dict[str, bytes],
        *,
        default_parse: list[str],
        webhook: bool = False,
        mtype: int = 0,
        extra_flags: int = 0,
    ) -> JSON:
        guild = self._guild_of(channel_id)
        mid = self._snowflake()
        msg: JSON = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "guild_id": str(guild.id),
            "author": self.bot_user.payload(bot=True),
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "pinned": False,
            "type": mtype,
            "flags": int(body.get("flags") or 0) | extra_flags,
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": body.get("components") or [],
            "attachments": self._attachments(files, body.get("attachments")),
        }
        msg["embeds"] = _shown_attachments(msg["embeds"], msg["attachments"])
        msg.update(self._mentions(msg["content"], body.get("allowed_mentions"), default_parse))
        if webhook:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
        ref = body.get("message_reference")
        if ref and ref.get("message_id"):
            msg["type"] = 19
            msg["message_reference"] = {
                "type": 0,
                "message_id": str(ref["message_id"]),
                "channel_id": str(ref.get("channel_id") or channel_id),
                "guild_id": str(guild.id),
            }
            referenced = self._by_id.get(int(ref["message_id"]))
            if referenced is not None:
                msg["referenced_message"] = referenced
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        self.messages.setdefault(channel_id, []).append(msg)
        self._by_id[mid] = msg
        return msg

    def _attachments(
        self, files: dict[str, bytes], described: list[JSON] | None = None
    ) -> list[JSON]:
        """The uploaded files as attachments, with the description the payload gave each."""
        descriptions = {a.get("filename"): a.get("description") for a in described or []}
        out = []
        for name, data in files.items():
            aid = self._snowflake()
            url = f"http://127.0.0.1:{self._port}/attachments/{aid}/{name}"
            attachment = {
                "id": str(aid),
                "filename": name,
                "size": len(data),
                "url": url,
                "proxy_url": url,
            }
            if descriptions.get(name):
                attachment["description"] = descriptions[name]
            self.files[url] = data
            out.append(attachment)
        return out

    def _apply_edit(self, msg: JSON, body: JSON, files: dict[str, bytes]) -> None:
        errs = _FormErrors()
        _validate_message({**msg, **body}, errs)
        errs.raise_if_any()
        for key in ("content", "components"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "flags" in body and body["flags"] is not None:
            keep = EPHEMERAL | IS_COMPONENTS_V2
            msg["flags"] = (msg["flags"] & keep) | (int(body["flags"]) & ~keep & ~LOADING)
        msg["flags"] &= ~LOADING
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids]
            msg["attachments"] = kept + self._attachments(files)
        if "content" in body or "allowed_mentions" in body:
            msg.update(self._mentions(msg["content"], body.get("allowed_mentions"), ["users"]))
        if not (msg["content"] or msg["embeds"] or msg["components"] or msg["attachments"]):
            raise ApiError(400, 50006, "Cannot send an empty message")
        msg["edited_timestamp"] = _now_iso()

    def _remove_message(self, msg: JSON) -> None:
        self._by_id.pop(int(msg["id"]), None)
        with contextlib.suppress(ValueError):
            self.messages[int(msg["channel_id"])].remove(msg)

    @staticmethod
    def _check_create(raw: Any, files: dict[str, bytes], prefix: tuple[str, ...] = ()) -> JSON:
        body: JSON = raw if isinstance(raw, dict) else {}
        errs = _FormErrors()
        _validate_message(body, errs, prefix)
        errs.raise_if_any()
        keys = ("content", "embeds", "components", "sticker_ids", "poll")
        if not files and not any(body.get(k) for k in keys):
            raise ApiError(400, 50006, "Cannot send an empty message")
        return body

    # -- REST handlers -----------------------------------------------------------------------

    async def _get_me(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        return 200, {**self.bot_user.payload(bot=True), "verified": True, "mfa_enabled": False}

    async def _get_application(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        return 200, {
            "id": str(self.app_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.bot_user.payload(bot=True),
            "owner": FakeUser(1, "owner").payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    async def _get_gateway(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit}

    def _check_app(self, m: re.Match[str]) -> None:
        if int(m["app"]) != self.app_id:
            raise ApiError(403, 50001, "Missing Access")

    async def _put_cmds(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        self._check_app(m)
        scope = int(m["guild"]) if m["guild"] else None
        if scope is not None and scope not in {g.id for g in self.guilds}:
            raise ApiError(403, 50001, "Missing Access")
        body = rec.json if isinstance(rec.json, list) else []
        _validate_commands(body)
        stored = []
        for cmd in body:
            ctype = int(cmd.get("type", 1))
            key = (scope, cmd["name"], ctype)
            cid = self._command_ids.setdefault(key, self._snowflake())
            out: JSON = {
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "name_localizations": None,
                "description_localizations": None,
                **cmd,
                "id": str(cid),
                "application_id": str(self.app_id),
                "version": str(self._snowflake()),
                "type": ctype,
            }
            if scope is not None:
                out["guild_id"] = str(scope)
            stored.append(out)
        self.commands[scope] = stored
        return 200, stored

    async def _get_cmds(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        self._check_app(m)
        return 200, self.commands.get(int(m["guild"]) if m["guild"] else None, [])

    async def _callback(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        inter = self._by_token.get(m["token"])
        if inter is None or inter.id != int(m["iid"]):
            raise ApiError(404, 10062, "Unknown interaction")
        if inter.callback is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if rec.time - inter.pushed_at > self.ack_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        body = rec.json if isinstance(rec.json, dict) else {}
        ctype = body.get("type")
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 5: {4, 5, 6, 7}}.get(inter.type, set())
        if ctype not in allowed:
            errs = _FormErrors()
            errs.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type")
            errs.raise_if_any()
        data = body.get("data") or {}
        msg: JSON | None = None
        if ctype == 4:
            self._check_create(data, rec.files, ("data",))
            mtype = 20 if inter.type == 2 else 19
            msg = self._new_message(
                inter.channel_id,
                data,
                rec.files,
                default_parse=["users"],
                webhook=True,
                mtype=mtype,
            )
        elif ctype == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            msg = self._new_message(
                inter.channel_id, {}, {}, default_parse=[], webhook=True, extra_flags=flags
            )
        elif ctype == 7:
            if inter.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            errs = _FormErrors()
            _validate_message(data, errs, ("data",))
            errs.raise_if_any()
            self._apply_edit(inter.original, data, rec.files)
            msg = inter.original
        elif ctype == 6:
            msg = inter.original
        if ctype in (4, 5):
            inter.original = msg
        inter.callback, inter.responded_at = rec, rec.time
        self.callbacks.append(rec)
        if rec.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        response: JSON = {"interaction": {"id": str(inter.id), "type": inter.type}}
        if msg is not None and ctype in (4, 5, 7):
            response["interaction"].update(
                response_message_id=msg["id"],
                response_message_loading=bool(msg["flags"] & LOADING),
                response_message_ephemeral=bool(msg["flags"] & EPHEMERAL),
            )
            response["resource"] = {"type": ctype, "message": msg}
        return 200, response

    def _webhook_interaction(self, m: re.Match[str]) -> Interaction:
        inter = self._by_token.get(m["token"])
        if inter is None or int(m["app"]) != self.app_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        if inter.callback is None:
            raise ApiError(404, 10015, "Unknown Webhook")  # not acknowledged yet
        return inter

    def _webhook_message(self, inter: Interaction, mid: str) -> JSON:
        if mid == "@original":
            if inter.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            return inter.original
        msg = self._by_id.get(int(mid))
        if msg is None or self._followup_owner.get(int(mid)) != inter.token:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _followup(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        """A followup message; the first after a deferral fills in the "thinking..." message
        instead, keeping the deferral's visibility."""
        inter = self._webhook_interaction(m)
        body = self._check_create(rec.json, rec.files)
        if inter.original is not None and inter.original["flags"] & LOADING:
            self._apply_edit(inter.original, {**body, "flags": None}, rec.files)
            self.followups.append(rec)
            return 200, inter.original
        msg = self._new_message(
            inter.channel_id, body, rec.files, default_parse=["users"], webhook=True, mtype=0
        )
        self._followup_owner[int(msg["id"])] = inter.token
        self.followups.append(rec)
        if rec.query.get("wait", "true").lower() in ("0", "false"):
            return 204, None
        return 200, msg

    async def _get_webhook_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        return 200, self._webhook_message(self._webhook_interaction(m), m["mid"])

    async def _edit_webhook_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        msg = self._webhook_message(self._webhook_interaction(m), m["mid"])
        self._apply_edit(msg, rec.json if isinstance(rec.json, dict) else {}, rec.files)
        self.edits.append(rec)
        return 200, msg

    async def _delete_webhook_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        self._remove_message(self._webhook_message(self._webhook_interaction(m), m["mid"]))
        return 204, None

    async def _get_channel(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        return 200, self._channel_payload(self._guild_of(cid), cid)

    async def _get_history(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        self._guild_of(cid)
        limit = int(rec.query.get("limit", 50))
        msgs = [msg for msg in self.messages.get(cid, []) if not msg["flags"] & EPHEMERAL]
        return 200, list(reversed(msgs))[:limit]

    async def _post_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        self._guild_of(cid)
        denied = self.bot_denied.get(cid, 0)
        if denied & (VIEW_CHANNEL | SEND_MESSAGES) or (rec.files and denied & ATTACH_FILES):
            raise ApiError(403, 50013, "Missing Permissions")
        body = self._check_create(rec.json, rec.files)
        if int(body.get("flags") or 0) & EPHEMERAL:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "flags": {
                        "_errors": [
                            {
                                "code": "MESSAGE_FLAGS_INVALID",
                                "message": "Ephemeral needs an interaction",
                            }
                        ]
                    }
                },
            )
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((str(self.bot_user.id), str(nonce)))
            if seen is not None and rec.time - seen[0] < NONCE_WINDOW_S:
                return 200, seen[1]  # Discord returns the message it has; none is made
        msg = self._new_message(cid, body, rec.files, default_parse=["users", "roles", "everyone"])
        if nonce is not None and body.get("enforce_nonce"):
            self._nonces[msg["author"]["id"], str(nonce)] = (rec.time, msg)
        return 200, msg

    def _channel_message(self, m: re.Match[str]) -> JSON:
        self._guild_of(int(m["cid"]))
        msg = self._by_id.get(int(m["mid"]))
        if msg is None or msg["channel_id"] != m["cid"] or msg["flags"] & EPHEMERAL:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _get_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        return 200, self._channel_message(m)

    async def _edit_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        msg = self._channel_message(m)
        self._apply_edit(msg, rec.json if isinstance(rec.json, dict) else {}, rec.files)
        self.edits.append(rec)
        return 200, msg

    async def _delete_message(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        self._remove_message(self._channel_message(m))
        return 204, None

    async def _typing(self, rec: Recorded, m: re.Match[str]) -> tuple[int, Any]:
        self._guild_of(int(m["cid"]))
        return 204, None
