"""What the outboxes of both backends share: how long posts are kept and leased, and how a
post becomes a row and a taken row a post."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from trivia.model import Place
from trivia.posts import Pending, Post, reply_from_json, reply_to_json

KEPT = timedelta(days=7)
"""Posts made (or given up) are kept this long, to show what happened, then deleted."""
LEASE = timedelta(minutes=2)
"""A post taken by a process is its own for this long; after that (the process stopped
mid-post) another process takes it over."""
TAKEN_AT_ONCE = 200
"""The most posts one take hands out."""
INSERT_COLUMNS = "key, platform, workspace, channel, reply, schedule_id, created_at, due_at"
"""The columns `post_values` fills, in its order."""
TAKEN_COLUMNS = "id, key, platform, workspace, channel, reply, attempts"
"""The columns `pending` reads, in its order."""


def post_values(
    post: Post, now: datetime
) -> tuple[str, str, str, str, str, int | None, float, float]:
    """A post's row (INSERT_COLUMNS), stored at `now` and due at once."""
    place = post.place
    reply = reply_to_json(post.reply)
    stored = now.timestamp()
    return (
        post.key,
        place.platform,
        place.workspace,
        place.channel,
        reply,
        post.schedule_id,
        stored,
        stored,
    )


def pending(row: Sequence[object]) -> Pending:
    """A taken row (TAKEN_COLUMNS) as a post to make."""
    place = Place(str(row[2]), str(row[3]), str(row[4]))
    return Pending(
        int(str(row[0])), str(row[1]), place, reply_from_json(str(row[5])), int(str(row[6]))
    )
