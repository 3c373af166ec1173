"""The outbox: public posts kept until the platform has them, each stored once by key."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from db.scoping import in_scope
from db.transactions import Writer
from trivia.model import Place, Scope
from trivia.replies import (
    Button,
    ButtonKind,
    ChoiceButton,
    GuessButton,
    HintButton,
    Reply,
    ReplyKind,
    ResetConfirmButton,
    ShareButton,
)

KEPT = timedelta(days=7)
"""Posts made (or given up) are kept this long, to show what happened, then deleted."""
LEASE = timedelta(minutes=2)
"""A post taken by a process is its own for this long; after that (the process stopped
mid-post) another process takes it over."""


@dataclass(frozen=True)
class Post:
    """One public post to make."""

    key: str
    place: Place
    reply: Reply
    schedule_id: int | None = None
    """The schedule that posts it: a failure to post shows on the schedule."""


@dataclass(frozen=True)
class SlotDone:
    """A scheduled slot whose posts are stored (or that failed with `error`)."""

    schedule_id: int
    local_day: date
    error: str | None = None


@dataclass(frozen=True)
class Pending:
    """A post taken from the outbox: `id` marks it posted or failed."""

    id: int
    key: str
    place: Place
    reply: Reply
    attempts: int


def _button_to_dict(button: Button) -> dict[str, str | float]:
    match button.kind:
        case ButtonKind.ANSWER:
            return {"kind": button.kind.value, "letter": button.letter}
        case ButtonKind.GUESS:
            return {"kind": button.kind.value, "label": button.label}
        case ButtonKind.RESET_CONFIRM:
            return {"kind": button.kind.value, "asked_at": button.asked_at.timestamp()}
        case ButtonKind.HINT | ButtonKind.SHARE:
            return {"kind": button.kind.value, "label": button.label}


def _button_from_dict(data: dict[str, Any]) -> Button:
    match ButtonKind(data["kind"]):
        case ButtonKind.ANSWER:
            return ChoiceButton(data["letter"])
        case ButtonKind.GUESS:
            return GuessButton(data["label"])
        case ButtonKind.RESET_CONFIRM:
            return ResetConfirmButton(datetime.fromtimestamp(data["asked_at"], UTC))
        case ButtonKind.HINT:
            return HintButton(data["label"])
        case ButtonKind.SHARE:
            return ShareButton(data["label"])


def reply_to_json(reply: Reply) -> str:
    """A reply as stored JSON."""
    return json.dumps(
        {
            "kind": reply.kind.value,
            "title": reply.title,
            "body": reply.body,
            "fields": [list(f) for f in reply.fields],
            "buttons": [_button_to_dict(b) for b in reply.buttons],
            "private": reply.private,
            "question_id": reply.question_id,
        }
    )


def reply_from_json(text: str) -> Reply:
    """A stored reply."""
    data = json.loads(text)
    return Reply(
        ReplyKind(data["kind"]),
        data["title"],
        data["body"],
        tuple((name, value) for name, value in data["fields"]),
        tuple(_button_from_dict(b) for b in data["buttons"]),
        data["private"],
        data["question_id"],
    )


def post_rows(conn: sqlite3.Connection, posts: list[Post], now: datetime) -> None:
    """Store posts inside the caller's transaction (a key already stored is left alone)."""
    conn.executemany(
        "INSERT INTO outbox (key, platform, workspace, channel, reply, schedule_id,"
        " created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [
            (
                p.key,
                p.place.platform,
                p.place.workspace,
                p.place.channel,
                reply_to_json(p.reply),
                p.schedule_id,
                now.timestamp(),
                now.timestamp(),
            )
            for p in posts
        ],
    )


class Outbox:
    """Posts are added once by key, taken under a lease, and marked posted or failed."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def add(
        self,
        posts: list[Post],
        now: datetime,
        slot: SlotDone | None = None,
    ) -> None:
        """Store posts (a key already stored is left alone). With `slot`, the scheduled
        slot is finished in the same transaction: it is done once its posts are owed."""

        def add(conn: sqlite3.Connection) -> None:
            post_rows(conn, posts, now)
            if slot is not None:
                conn.execute(
                    "UPDATE schedule_slots SET finished_at = ?, error = ?"
                    " WHERE schedule_id = ? AND local_date = ?",
                    (now.timestamp(), slot.error, slot.schedule_id, slot.local_day.isoformat()),
                )
                conn.execute(
                    "UPDATE schedules SET last_error = ? WHERE id = ?",
                    (slot.error, slot.schedule_id),
                )

        await self.writer.transaction(add)

    async def take(
        self, scope: Scope | None, now: datetime, keys: list[str] | None = None
    ) -> list[Pending]:
        """Take the due posts in this scope (None: all), oldest first, or only those with
        `keys`; each is this caller's until the lease runs out. The claim is one statement
        that checks each row is still due as it moves its lease on, so two processes never
        take the same post."""
        scoped, in_params = in_scope(scope, "platform", "workspace", "channel")
        where = ["posted_at IS NULL", "gave_up = 0", f"due_at <= ?{scoped}"]
        params: list[object] = [now.timestamp(), *in_params]
        if keys is not None:
            where.append(f"key IN ({','.join('?' * len(keys))})")
            params += keys
        rows = await self.writer.execute(
            f"UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id IN"
            f" (SELECT id FROM outbox WHERE {' AND '.join(where)} ORDER BY id LIMIT 200)"
            " AND posted_at IS NULL AND gave_up = 0 AND due_at <= ?"
            " RETURNING id, key, platform, workspace, channel, reply, attempts",
            [(now + LEASE).timestamp(), *params, now.timestamp()],
        )
        return sorted(
            (
                Pending(int(r[0]), r[1], Place(r[2], r[3], r[4]), reply_from_json(r[5]), int(r[6]))
                for r in rows
            ),
            key=lambda p: p.id,
        )

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        await self._outcome(
            "UPDATE outbox SET posted_at = ?, last_error = NULL WHERE id = ?",
            (now.timestamp(), post_id),
            post_id,
            None,
        )

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Posting failed: try again at `retry_at`, or (None) give the post up."""
        due = None if retry_at is None else retry_at.timestamp()
        await self._outcome(
            "UPDATE outbox SET due_at = coalesce(?, due_at), gave_up = ?, last_error = ?"
            " WHERE id = ?",
            (due, retry_at is None, error[:300], post_id),
            post_id,
            error[:300],
        )

    async def _outcome(
        self, sql: str, params: tuple[object, ...], post_id: int, error: str | None
    ) -> None:
        """Record how a post went, also on the schedule that posts it."""

        def record(conn: sqlite3.Connection) -> None:
            conn.execute(sql, params)
            conn.execute(
                "UPDATE schedules SET last_error = ?"
                " WHERE id = (SELECT schedule_id FROM outbox WHERE id = ?)",
                (error, post_id),
            )

        await self.writer.transaction(record)

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up more than KEPT ago; how many."""
        before = (now - KEPT).timestamp()
        rows = await self.writer.execute(
            "DELETE FROM outbox WHERE (posted_at < ?) OR (gave_up = 1 AND due_at < ?) RETURNING id",
            (before, before),
        )
        return len(rows)

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post in this scope is due."""
        scoped, params = in_scope(scope, "platform", "workspace", "channel")
        rows = await self.writer.conn.execute_fetchall(
            f"SELECT min(due_at) FROM outbox WHERE posted_at IS NULL AND gave_up = 0{scoped}",
            params,
        )
        value = next(iter(rows))[0] if rows else None
        return None if value is None else datetime.fromtimestamp(float(value), UTC)
