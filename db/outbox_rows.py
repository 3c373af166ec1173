"""What the outboxes of both backends share: how long posts are kept and leased, how a post
becomes a row and a taken row a post, and the statements both run (in SQLite's `?` style;
PostgreSQL numbers them with db.postgres.placeholders.numbered)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from db.scoping import in_scope
from trivia.model import Place, Scope
from trivia.posts import Pending, Post, SlotDone, reply_from_json, reply_to_json

KEPT = timedelta(days=7)
"""Posts made (or given up) are kept this long, to show what happened, then deleted."""
LEASE = timedelta(minutes=2)
"""A post taken by a process is its own for this long; after that (the process stopped
mid-post) another process takes it over."""
TAKEN_AT_ONCE = 200
"""The most posts one take hands out."""
TAKEN_COLUMNS = "id, key, platform, workspace, channel, reply, attempts"
"""The columns `pending` reads, in its order."""
INSERT_SQL = (
    "INSERT INTO outbox (key, platform, workspace, channel, reply, schedule_id, created_at,"
    " due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"
)
"""Store a post (`post_values`); a key already stored is left alone."""

Statement = tuple[str, tuple[object, ...]]
"""SQL and its parameters."""


def post_values(
    post: Post, now: datetime
) -> tuple[str, str, str, str, str, int | None, float, float]:
    """A post's parameters for INSERT_SQL, stored at `now` and due at once."""
    place = post.place
    reply = reply_to_json(post.reply)
    stored = now.timestamp()
    return (
        post.key, place.platform, place.workspace, place.channel, reply, post.schedule_id,
        stored, stored,
    )  # fmt: skip


def pending(row: Sequence[object]) -> Pending:
    """A taken row (TAKEN_COLUMNS) as a post to make."""
    place = Place(str(row[2]), str(row[3]), str(row[4]))
    reply = reply_from_json(str(row[5]))
    return Pending(int(str(row[0])), str(row[1]), place, reply, int(str(row[6])))


def slot_finished(slot: SlotDone, now: datetime) -> list[Statement]:
    """Finish a scheduled slot (its posts are owed), showing its error on its schedule."""
    return [
        (
            "UPDATE schedule_slots SET finished_at = ?, error = ?"
            " WHERE schedule_id = ? AND local_date = ?",
            (now.timestamp(), slot.error, slot.schedule_id, slot.local_day.isoformat()),
        ),
        ("UPDATE schedules SET last_error = ? WHERE id = ?", (slot.error, slot.schedule_id)),
    ]


def _outcome(post_id: int, error: str | None) -> Statement:
    """Show how a post went on the schedule that posts it. Run first: removing a schedule
    locks its row before the outbox rows that name it, so the outcome locks them in that
    order too and the two never wait on each other (PostgreSQL)."""
    return (
        "UPDATE schedules SET last_error = ?"
        " WHERE id = (SELECT schedule_id FROM outbox WHERE id = ?)",
        (error, post_id),
    )


def posted(post_id: int, now: datetime) -> list[Statement]:
    """Mark a post made."""
    return [
        _outcome(post_id, None),
        (
            "UPDATE outbox SET posted_at = ?, last_error = NULL WHERE id = ?",
            (now.timestamp(), post_id),
        ),
    ]


def failed(post_id: int, retry_at: datetime | None, error: str) -> list[Statement]:
    """Mark a post failed: due again at `retry_at`, or (None) given up."""
    due = None if retry_at is None else retry_at.timestamp()
    return [
        _outcome(post_id, error[:300]),
        (
            "UPDATE outbox SET due_at = coalesce(?, due_at), gave_up = ?, last_error = ?"
            " WHERE id = ?",
            (due, int(retry_at is None), error[:300], post_id),
        ),
    ]


def pruned(now: datetime) -> Statement:
    """Delete posts made or given up more than KEPT ago, returning a row for each."""
    before = (now - KEPT).timestamp()
    return (
        "DELETE FROM outbox WHERE (posted_at < ?) OR (gave_up = 1 AND due_at < ?) RETURNING id",
        (before, before),
    )


def next_due(scope: Scope | None) -> Statement:
    """When the next unposted post in this scope is due (one value, NULL for none)."""
    scoped, params = in_scope(scope, "platform", "workspace", "channel")
    return f"SELECT min(due_at) FROM outbox WHERE posted_at IS NULL AND gave_up = 0{scoped}", params
