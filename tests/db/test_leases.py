"""Leases and deliveries, on both backends (the `database` fixture): two stores opened on
one database stand for two processes."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

from db.backend import open_store
from tests.conftest import T0, query

LEASE = timedelta(seconds=30)


async def test_a_lease_is_held_by_one_process_until_it_expires_or_is_released(
    database: Path | str,
) -> None:
    """One process takes a name and renews it; the other cannot take it while it is held,
    takes it once it has expired, and a release frees it at once."""
    async with open_store(database) as one, open_store(database) as two:
        assert await one.leases.take(["slack:T1"], "one", T0, T0 + LEASE) == {"slack:T1"}
        assert await two.leases.take(["slack:T1"], "two", T0, T0 + LEASE) == set()
        later = T0 + timedelta(seconds=20)
        assert await one.leases.take(["slack:T1"], "one", later, later + LEASE) == {"slack:T1"}
        expired_for_the_first = T0 + LEASE + timedelta(seconds=1)
        assert await two.leases.take(["slack:T1"], "two", expired_for_the_first, T0) == set()
        after = later + LEASE + timedelta(seconds=1)
        assert await two.leases.take(["slack:T1"], "two", after, after + LEASE) == {"slack:T1"}
        assert await one.leases.take(["slack:T1"], "one", after, after + LEASE) == set()
        await one.leases.release(["slack:T1"], "one")  # not its own any more: nothing
        assert await query(database, "SELECT name, holder FROM leases") == [("slack:T1", "two")]
        await two.leases.release(["slack:T1"], "two")
        assert await one.leases.take(["slack:T1"], "one", after, after + LEASE) == {"slack:T1"}


async def test_many_names_are_taken_in_one_go_and_only_the_free_ones(
    database: Path | str,
) -> None:
    """A take of several names returns those it got: not those another process holds."""
    async with open_store(database) as one, open_store(database) as two:
        assert await one.leases.take(["b", "c"], "one", T0, T0 + LEASE) == {"b", "c"}
        assert await two.leases.take(["a", "b", "c", "d"], "two", T0, T0 + LEASE) == {"a", "d"}
        assert await one.leases.take([], "one", T0, T0 + LEASE) == set()


async def test_processes_racing_for_one_lease_get_it_once(database: Path | str) -> None:
    """Eight processes take the same free name at the same moment: exactly one holds it."""
    async with AsyncExitStack() as stack:
        stores = [await stack.enter_async_context(open_store(database)) for _ in range(8)]
        won = await asyncio.gather(
            *(s.leases.take(["console"], f"p{i}", T0, T0 + LEASE) for i, s in enumerate(stores))
        )
    assert sorted(len(names) for names in won) == [0] * 7 + [1]


async def test_a_delivery_is_handled_by_the_first_process_only_and_old_ones_are_pruned(
    database: Path | str,
) -> None:
    """The same delivery id stored by two processes: only the first is told to handle it;
    pruning forgets those received before the cut and keeps the rest."""
    async with open_store(database) as one, open_store(database) as two:
        assert await one.deliveries.first("Ev1", T0)
        assert not await two.deliveries.first("Ev1", T0 + timedelta(seconds=2))
        assert not await one.deliveries.first("Ev1", T0 + timedelta(seconds=3))
        assert await two.deliveries.first("Ev2", T0 + timedelta(hours=2))
        assert await one.deliveries.prune(T0 + timedelta(hours=1)) == 1
        assert await query(database, "SELECT id FROM deliveries") == [("Ev2",)]
        assert await one.deliveries.first("Ev1", T0 + timedelta(hours=2))
