"""Slack adapter: /trivia on slack-bolt, Block Kit buttons, the App Home, both connection modes.

It only translates: a slash command goes through the shared grammar to the engine, and
the engine's neutral replies become Block Kit messages (public) or ephemeral messages
(private). Every piece of text is escaped for mrkdwn, so nothing can ping anyone.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.button_ids import reset_asked_at, reset_id
from adapters.fitting import fit
from adapters.picture import ALT_TEXT, FILENAME, Painter
from trivia.commands import ADMIN_COMMANDS, Answer, Command, DailyResult, Hint, Reset, parse
from trivia.incoming import Incoming
from trivia.model import CHOICE_LETTERS, Place
from trivia.replies import FAILED, ButtonKind, Reply, ReplyKind, error

log = logging.getLogger(__name__)

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
Withdraw = Callable[[Place, int], Awaitable[None]]
"""Ends a question the platform would not post, unseen."""
"""(command, place, user id, display name, is admin) -> replies."""
Overview = Callable[[Place, str, str], Awaitable[list[Reply]]]
"""(place, user id, display name) -> the App Home's leaderboards and stats."""
Work = Callable[[dict[str, Any]], Awaitable[None]]
"""What a listener does with a request's body once it is acknowledged."""
First = Callable[[str], Awaitable[bool]]
"""Whether a delivery id is new to every replica (it is taken now)."""

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
ANSWER_ACTION = re.compile(rf"^pf_answer_[{CHOICE_LETTERS}]$")
RESET_ACTION = "pf_reset"
GUESS_ACTION = "pf_guess"
HINT_ACTION = "pf_hint"
SHARE_ACTION = "pf_share"
ASK_ACTION = re.compile(rf"^(?:{HINT_ACTION}|{SHARE_ACTION})$")
"""A button asking for something private about its question: a hint, or the result to share."""
GUESS_FORM = "pf_guess_form"
GUESS_BLOCK = "guess"
GUESS_INPUT = "margin"
UNREACHABLE = frozenset({"channel_not_found", "not_in_channel"})
"""Web API errors for a channel the bot is not in (a private channel, a DM)."""
POST_EVENT = "photo_finish_post"
"""The metadata event type that carries a post's outbox key."""
HISTORY_LOOKED_AT = 15
"""How many of a channel's latest messages a repost looks through for its key: 15 is the
most conversations.history gives apps outside the Slack Marketplace since May 2025 (at
one request a minute; a repost it cannot check is logged and made)."""
CANNOT_POST = error(
    "I can't post in this channel. Invite me to it (/invite @Photo Finish), then try again."
)


@dataclass(frozen=True)
class SlackConfig:
    """How to reach Slack (or a stand-in for it)."""

    bot_token: str
    signing_secret: str = ""
    app_token: str | None = None
    mode: str = "socket"
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_base_url: str | None = None
    admin_user_ids: frozenset[str] = field(default_factory=frozenset)


def _not_token_unused(record: logging.LogRecord) -> bool:
    """Drop bolt's warning that the token is unused when a client is given (it reads
    SLACK_BOT_TOKEN itself, and the client made from that same token is what it uses)."""
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


def escape(text: str) -> str:
    """Escape &, < and > so user text cannot form a mention, link or <!channel>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A reply as Block Kit: a header, the body, fields, and buttons when it has them."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(reply.title, 150)}}
    ]
    if reply.body:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": fit(escape(reply.body), 3000)}}
        )
    for name, value in reply.fields[:40]:
        heading = f"*{fit(escape(name), 200)}*\n"
        text = heading + fit(escape(value), 3000 - len(heading))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    buttons = []
    question = reply.question_id
    for button in reply.buttons:
        match button.kind:
            case ButtonKind.RESET_CONFIRM:
                value = reset_id(button.asked_at)
                buttons.append(_button(button.label, RESET_ACTION, value, danger=True))
            case ButtonKind.GUESS if question is not None:
                buttons.append(_button(button.label, GUESS_ACTION, str(question)))
            case ButtonKind.ANSWER if question is not None:
                action, value = f"pf_answer_{button.letter}", f"{question}:{button.letter}"
                buttons.append(_button(button.label, action, value))
            case ButtonKind.HINT if question is not None:
                buttons.append(_button(button.label, HINT_ACTION, str(question)))
            case ButtonKind.SHARE if question is not None:
                buttons.append(_button(button.label, SHARE_ACTION, str(question)))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _button(label: str, action_id: str, value: str, *, danger: bool = False) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:75]},
        "action_id": action_id,
        "value": value,
    }
    if danger:
        button["style"] = "danger"
    return button


def guess_form(question_id: int, channel: str) -> dict[str, Any]:
    """The modal a Guess button opens: one line for the margin; the question and channel
    ride in private_metadata."""
    return {
        "type": "modal",
        "callback_id": GUESS_FORM,
        "private_metadata": json.dumps({"question": question_id, "channel": channel}),
        "title": {"type": "plain_text", "text": "Your guess"},
        "submit": {"type": "plain_text", "text": "Lock in"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": GUESS_BLOCK,
                "label": {"type": "plain_text", "text": "Margin in seconds"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": GUESS_INPUT,
                    "placeholder": {"type": "plain_text", "text": "0.005"},
                    "max_length": 20,
                },
            }
        ],
    }


def _user_name(user: dict[str, Any]) -> str:
    """The name an interaction payload gives its user."""
    return str(user.get("name") or user.get("username") or user["id"])


def _unreachable(exc: Exception) -> bool:
    return isinstance(exc, SlackApiError) and exc.response.get("error") in UNREACHABLE


def delivery_id(body: dict[str, Any]) -> str | None:
    """What names a delivery across its retries: an event's event_id, or the trigger_id
    of a slash command or an interaction (None for a URL check)."""
    if event := body.get("event_id"):
        return f"event:{event}"
    if trigger := body.get("trigger_id"):
        return f"trigger:{trigger}"
    return None


def fallback_text(reply: Reply) -> str:
    """The notification text for a message (also shown where blocks are not)."""
    return escape(reply.title)[:3000]


class SlackBot:
    """The bolt app and the Web API client, wired to the engine."""

    def __init__(
        self,
        config: SlackConfig,
        *,
        handle: Handler,
        overview: Overview,
        withdraw: Withdraw,
        first: First,
        picture: Painter | None = None,
    ) -> None:
        self.config = config
        self.picture = picture
        self.handle = handle
        self.first = first
        self.withdraw = withdraw
        self.overview = overview
        self.client = AsyncWebClient(
            token=config.bot_token,
            base_url=config.api_base_url or AsyncWebClient.BASE_URL,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
        )
        logging.getLogger("slack_bolt.AsyncApp").addFilter(_not_token_unused)
        self.app = AsyncApp(
            signing_secret=config.signing_secret or None,
            client=self.client,
            request_verification_enabled=config.mode == "http",
        )
        self.app.command("/trivia")(self._acked(self._on_command))
        self.app.action(ANSWER_ACTION)(self._acked(self._on_answer))
        self.app.action(RESET_ACTION)(self._acked(self._on_reset))
        self.app.action(GUESS_ACTION)(self._acked(self._on_guess))
        self.app.action(ASK_ACTION)(self._acked(self._on_ask))
        self.app.view(GUESS_FORM)(self._acked(self._on_guess_form))  # the ack closes the form
        self.app.event("app_home_opened")(self._on_home)

    def _acked(self, work: Work) -> Callable[..., Awaitable[None]]:
        """A bolt listener that acks at once, then does the work (unless another replica
        took this delivery); a failure is told privately. (Not left to bolt's error
        handler: a listener that fails within bolt's 10 ms ack poll has its ack undone, and
        Slack gets a 404.)"""

        async def listener(
            ack: Callable[[], Awaitable[None]], body: dict[str, Any], context: AsyncBoltContext
        ) -> None:
            await ack()
            try:
                if await self._first_time(body):
                    await work(body)
            except Exception as exc:
                await self._tell_failure(exc, body, context)

        return listener

    async def _first_time(self, body: dict[str, Any]) -> bool:
        """Whether this delivery is for this replica to handle: Slack re-sends an event
        whose first answer was slow or lost, maybe to another replica behind the load
        balancer, so the first replica to store the delivery's id handles it and any other
        (already acked) drops it. A retry of a delivery no replica stored is handled."""
        delivery = delivery_id(body)
        return delivery is None or await self.first(delivery)

    async def _is_admin(self, user_id: str) -> bool:
        if user_id in self.config.admin_user_ids:
            return True
        info = await self.client.users_info(user=user_id)
        user = info.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner"))

    async def _run(
        self, command: Command, team: str, channel: str, user: str, name: str, *, admin: bool
    ) -> None:
        place = Place(PLATFORM, team, channel)
        for reply in await self.handle(Incoming(command, place, user, name, admin)):
            try:
                await self._send(place, user, reply)
            except SlackApiError as exc:
                if _unreachable(exc) and reply.kind is ReplyKind.QUESTION and reply.question_id:
                    # Nobody can see the question: end it unseen, so the channel is free.
                    await self.withdraw(place, reply.question_id)
                raise

    async def _send(self, place: Place, user: str, reply: Reply) -> None:
        if reply.private:
            await self.client.chat_postEphemeral(
                channel=place.channel, user=user, text=fallback_text(reply), blocks=to_blocks(reply)
            )
        else:
            await self.post(place, reply)

    async def post(
        self, place: Place, reply: Reply, key: str | None = None, again: bool = False
    ) -> None:
        """Post a public reply to a channel (also used for timed reveals), then upload its
        picture there (rendered first, so the upload follows at once). A post with an
        outbox `key` carries it in the message metadata; posted `again` (a retry or a
        takeover), it is not made when the channel's recent history already has it."""
        png = await self.picture(reply.picture) if self.picture and reply.picture else None
        if key is None:
            await self.client.chat_postMessage(
                channel=place.channel, text=fallback_text(reply), blocks=to_blocks(reply)
            )
        elif again and await self._has_post(place.channel, key):
            return
        else:
            await self.client.chat_postMessage(
                channel=place.channel,
                text=fallback_text(reply),
                blocks=to_blocks(reply),
                metadata={"event_type": POST_EVENT, "event_payload": {"key": key}},
            )
        if png is not None:
            await self._upload_picture(place.channel, png)

    async def _upload_picture(self, channel: str, png: bytes) -> None:
        """Upload a reveal's picture into its channel (files_upload_v2: an upload URL, the
        bytes, then completing it there). A refusal (the files:write scope not granted) is
        logged in one line: the post is made, so it is not made again for the picture."""
        try:
            await self.client.files_upload_v2(
                channel=channel, file=png, filename=FILENAME, title="The finish", alt_txt=ALT_TEXT
            )
        except (SlackApiError, SlackRequestError, aiohttp.ClientError) as exc:
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.warning(
                "could not upload the picture to %s (%s); posted without it", channel, reason
            )

    async def _has_post(self, channel: str, key: str) -> bool:
        """Whether the channel's latest messages include the post with this key; when the
        history cannot be read (a scope not granted), one line is logged and False."""
        try:
            history = await self.client.conversations_history(
                channel=channel, limit=HISTORY_LOOKED_AT, include_all_metadata=True
            )
        except SlackApiError as exc:
            log.warning(
                "could not read %s's history to check for %s (%s); posting it",
                channel,
                key,
                exc.response.get("error"),
            )
            return False
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == POST_EVENT and (
                (metadata.get("event_payload") or {}).get("key") == key
            ):
                return True
        return False

    async def _on_command(self, command: dict[str, Any]) -> None:
        parsed = parse(command.get("text", ""))
        user = command["user_id"]
        admin = isinstance(parsed, ADMIN_COMMANDS) and await self._is_admin(user)
        await self._run(
            parsed,
            command["team_id"],
            command["channel_id"],
            user,
            command.get("user_name") or user,
            admin=admin,
        )

    async def _on_answer(self, body: dict[str, Any]) -> None:
        [action] = body["actions"]
        question, letter = action["value"].split(":")
        user = body["user"]
        await self._run(
            Answer(letter, question_id=int(question)),
            body["team"]["id"],
            body["channel"]["id"],
            user["id"],
            _user_name(user),
            admin=False,
        )

    async def _on_ask(self, body: dict[str, Any]) -> None:
        [action] = body["actions"]
        question = int(action["value"])
        command: Command = (
            Hint(question) if action["action_id"] == HINT_ACTION else DailyResult(question)
        )
        user = body["user"]
        await self._run(
            command,
            body["team"]["id"],
            body["channel"]["id"],
            user["id"],
            _user_name(user),
            admin=False,
        )

    async def _on_guess(self, body: dict[str, Any]) -> None:
        [action] = body["actions"]
        await self.client.views_open(
            trigger_id=body["trigger_id"],
            view=guess_form(int(action["value"]), body["channel"]["id"]),
        )

    async def _on_guess_form(self, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        typed = view["state"]["values"][GUESS_BLOCK][GUESS_INPUT].get("value") or ""
        user = body["user"]
        await self._run(
            Answer(typed, question_id=int(meta["question"])),
            body["team"]["id"],
            meta["channel"],
            user["id"],
            _user_name(user),
            admin=False,
        )

    async def _on_reset(self, body: dict[str, Any]) -> None:
        user = body["user"]
        [action] = body["actions"]
        await self._run(
            Reset(reset_asked_at(str(action.get("value") or ""))),
            body["team"]["id"],
            body["channel"]["id"],
            user["id"],
            _user_name(user),
            admin=await self._is_admin(user["id"]),
        )

    async def _tell_failure(
        self, exc: Exception, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if _unreachable(exc):
            reply = CANNOT_POST
        else:
            log.error("could not handle %s", body.get("type") or "a command", exc_info=exc)
            reply = FAILED
        text, blocks = fallback_text(reply), to_blocks(reply)
        view = body.get("view") or {}
        channel = context.channel_id or json.loads(view.get("private_metadata") or "{}").get(
            "channel"
        )
        try:
            if context.respond is not None:  # works even where the bot cannot post
                await context.respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
            elif context.user_id and channel:
                await self.client.chat_postEphemeral(
                    channel=channel, user=context.user_id, text=text, blocks=blocks
                )
        except Exception:
            log.exception("could not tell %s that it failed", context.user_id)

    async def _on_home(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not await self._first_time(body):
            return
        user = event["user"]
        info = await self.client.users_info(user=user)
        profile = (info.get("user") or {}).get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user
        replies = await self.overview(Place(PLATFORM, body["team_id"], "app-home"), user, name)
        blocks: list[dict[str, Any]] = []
        for reply in replies:
            blocks += [*to_blocks(reply), {"type": "divider"}]
        await self.client.views_publish(user_id=user, view={"type": "home", "blocks": blocks[:100]})

    def web_app(self) -> web.Application:
        """The HTTP-mode endpoint: POST /slack/events, signatures checked by bolt."""
        return self.app.web_app(path=EVENTS_PATH)
