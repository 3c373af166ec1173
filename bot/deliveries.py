"""Each platform delivery handled once across replicas: the first process to store its id
handles it; a retry of it reaching another replica is acknowledged and dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime import Clock
from bot.stores import Deliveries

KEPT = timedelta(hours=1)
"""How long a delivery id is kept: Slack's last retry comes about 5 minutes after the first."""
PRUNE_EVERY = timedelta(minutes=10)


@dataclass
class Once:
    """The deliveries store, on the runtime's clock."""

    deliveries: Deliveries
    clock: Clock
    _pruned: datetime | None = None

    async def first(self, delivery_id: str) -> bool:
        """Whether no replica has taken this delivery before (it is taken now)."""
        return await self.deliveries.first(delivery_id, self.clock())

    async def prune(self) -> None:
        """Forget deliveries older than KEPT (from the timer rounds, every 10 minutes)."""
        now = self.clock()
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            await self.deliveries.prune(now - KEPT)
            self._pruned = now
