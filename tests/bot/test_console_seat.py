"""Console seats held as leases in the database, on both backends (the `database`
fixture): two live consoles never share a channel; a seat is given back at a clean exit,
and a killed console's seat is free once its lease has run out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.console_seat import console_seat
from db.backend import open_store
from tests.bot.test_scheduler import Clock
from tests.conftest import T0, query

LEASE = timedelta(seconds=30)


async def test_live_consoles_get_seats_of_their_own_and_a_clean_exit_frees_one_at_once(
    database: Path | str,
) -> None:
    """Three consoles at once (two processes) sit in console, console-2 and console-3; the
    next console after one quits takes the seat it gave back; none is left held."""
    clock = Clock(T0)
    async with open_store(database) as one, open_store(database) as two:
        async with console_seat(one.leases, lease=LEASE, clock=clock) as first:
            async with console_seat(two.leases, lease=LEASE, clock=clock) as second:
                assert (first.channel, second.channel) == ("console", "console-2")
                async with console_seat(one.leases, lease=LEASE, clock=clock) as third:
                    assert third.channel == "console-3"
            async with console_seat(two.leases, lease=LEASE, clock=clock) as again:
                assert again.channel == "console-2"  # given back when the block ended
        assert await query(database, "SELECT name FROM leases") == []


async def test_a_killed_consoles_seat_is_free_once_its_lease_has_run_out(
    database: Path | str,
) -> None:
    """A console killed at T0 never renewed nor released its seat: until its lease runs
    out the next console sits in console-2; after that, in the killed console's seat
    (where it reveals the question left open there)."""
    clock = Clock(T0)
    async with open_store(database) as stores:
        assert await stores.leases.take(["console"], "killed", T0, T0 + LEASE) == {"console"}
        clock.now = T0 + LEASE
        async with console_seat(stores.leases, lease=LEASE, clock=clock) as seat:
            assert seat.channel == "console-2"
        clock.now = T0 + LEASE + timedelta(seconds=1)
        async with console_seat(stores.leases, lease=LEASE, clock=clock) as seat:
            assert seat.channel == "console"
