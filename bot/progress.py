"""Progress of long commands (db copy, records import): on a terminal a bar per part and one
for the whole with counts and time left (rich); otherwise plain lines now and then, with no
control codes, for a log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from db.progress import Progress as Reporter

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

STEPS = 10
"""A plain line each time another tenth of the whole is done ..."""
EVERY_S = 5.0
"""... or when this long has passed since the last line, whichever comes first."""


class Lines:
    """Plain lines: 'db copy: 40% (40,000 of 100,000 rows; answers), about 3 s left'."""

    def __init__(
        self, what: str, unit: str, out: TextIO, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.what, self.unit, self.out, self.clock = what, unit, out, clock
        self.total = self.done = self.next_step = 0
        self.started = self.last_line = 0.0
        self.named = False
        """Whether lines name the part at hand (when there are several)."""

    def begin(self, parts: Sequence[tuple[str, int]]) -> None:
        self.total = sum(rows for _, rows in parts)
        self.named = len(parts) > 1
        self.started = self.last_line = self.clock()
        self.next_step = 1
        print(f"{self.what}: {self.total:,} {self.unit}", file=self.out, flush=True)

    def advance(self, part: str, rows: int) -> None:
        self.done += rows
        now = self.clock()
        steps = self.done * STEPS // self.total if self.total else STEPS
        if steps < self.next_step and now - self.last_line < EVERY_S:
            return
        self.next_step, self.last_line = steps + 1, now
        left = ""
        if self.done < self.total:
            seconds = (now - self.started) / self.done * (self.total - self.done)
            left = f", about {seconds:,.0f} s left"
        share = f"{self.done / self.total:.0%}" if self.total else "100%"
        now_at = f"; {part}" if self.named else ""
        print(
            f"{self.what}: {share} ({self.done:,} of {self.total:,} {self.unit}{now_at}){left}",
            file=self.out,
            flush=True,
        )


class Bars:
    """rich's bars: the whole, with time left, and (when there are several parts) one per
    part as it is reached."""

    def __init__(self, unit: str, bars: Progress) -> None:
        self.unit, self.bars = unit, bars
        self.totals: dict[str, int] = {}
        self.tasks: dict[str, TaskID] = {}
        """Each part's bar, and the whole's under ''."""

    def begin(self, parts: Sequence[tuple[str, int]]) -> None:
        self.totals = dict(parts)
        self.tasks = {"": self.bars.add_task(f"all {self.unit}", total=sum(self.totals.values()))}

    def advance(self, part: str, rows: int) -> None:
        if len(self.totals) > 1:
            if part not in self.tasks:
                self.tasks[part] = self.bars.add_task(part, total=self.totals[part])
            self.bars.advance(self.tasks[part], rows)
        self.bars.advance(self.tasks[""], rows)


@contextmanager
def shown(what: str, unit: str, out: TextIO) -> Iterator[Reporter]:
    """A reporter for `what` ('db copy') done in `unit`s ('rows') writing to `out`: bars on
    a terminal, else lines."""
    if not out.isatty():
        yield Lines(what, unit, out)
        return
    # Imported for a terminal only: rich adds a fifth of a second to every command's start.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:>20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=out)) as bars:
        yield Bars(unit, bars)
