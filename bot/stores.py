"""What the shell needs from storage, as protocols: the runtime and scheduler depend on
these, not on the SQLite classes (db.game.GameStore and its parts implement them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from db.records import ImportSummary
from trivia.model import RecordsPack, Scope
from trivia.posts import Pending, Post, SlotDone
from trivia.schedule import Schedule
from trivia.store import Store


class Slots(Protocol):
    """Schedules and the claims that make each slot post once."""

    async def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        ...

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule by id."""
        ...

    async def version(self) -> int:
        """A number that moves with every change to the schedules, by any process."""
        ...

    async def claim(
        self, schedule_id: int, local_day: date, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim a slot (or take over one left unfinished since before `stale_before`)."""
        ...

    async def unfinished(self, stale_before: datetime) -> list[tuple[int, date]]:
        """Slots claimed before `stale_before` and never finished."""
        ...

    async def claimed_days(self, schedule_id: int) -> set[date]:
        """Local dates already claimed for a schedule."""
        ...


class Posts(Protocol):
    """The outbox: posts kept until the platform has them."""

    async def add(self, posts: list[Post], now: datetime, slot: SlotDone | None = None) -> None:
        """Store posts once by key, finishing `slot` in the same transaction."""
        ...

    async def take(
        self,
        scope: Scope | None,
        now: datetime,
        keys: list[str] | None = None,
        *,
        lease: timedelta = ...,
    ) -> list[Pending]:
        """Take due posts, each this caller's for `lease` (the store's default if not
        given)."""
        ...

    async def posted(self, post_id: int, now: datetime) -> None:
        """The platform has it."""
        ...

    async def failed(self, post_id: int, retry_at: datetime | None, error: str) -> None:
        """Try again at `retry_at`, or (None) give up."""
        ...

    async def next_due(self, scope: Scope | None) -> datetime | None:
        """When the next unposted post is due."""
        ...

    async def prune(self, now: datetime) -> int:
        """Delete posts made or given up long ago; how many."""
        ...


class Leases(Protocol):
    """Named leases, each held by one live process at a time (db.leases)."""

    async def take(self, names: list[str], holder: str, now: datetime, until: datetime) -> set[str]:
        """Hold each of `names` until `until` where it is free, expired before `now`, or
        `holder`'s already; the names `holder` now holds."""
        ...

    async def release(self, names: list[str], holder: str) -> None:
        """Give up those of `names` that `holder` holds: they are free at once."""
        ...


class Deliveries(Protocol):
    """Platform deliveries already taken by some process (db.leases)."""

    async def first(self, delivery_id: str, now: datetime) -> bool:
        """Store a delivery's id; True if no process had stored it before."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget deliveries received before `before`; how many."""
        ...


class RecordsAdmin(Protocol):
    """The records, as the CLI manages them."""

    async def seed(self) -> list[str]:
        """Import the shipped packs not yet imported; their names."""
        ...

    async def import_pack(self, pack: RecordsPack, *, digest: str | None = None) -> ImportSummary:
        """Import (or update) a pack's records."""
        ...

    async def export_pack(self) -> RecordsPack:
        """Every record, as a pack."""
        ...


class BotStore(Store, Protocol):
    """Everything the runtime stores: the engine's store, schedules, the outbox, the
    records, and small named values (the Discord command sync)."""

    @property
    def schedules(self) -> Slots:
        """Schedules and slot claims."""
        ...

    @property
    def outbox(self) -> Posts:
        """Posts owed to the platforms."""
        ...

    @property
    def records(self) -> RecordsAdmin:
        """The records."""
        ...

    async def get_state(self, name: str) -> str | None:
        """A stored value."""
        ...

    async def set_state(self, name: str, value: str) -> None:
        """Store a value."""
        ...

    async def rebuild_standings(self) -> None:
        """Recompute every leaderboard from the answer log."""
        ...
