"""Printing helpers shared by the benchmarks: progress, figures, targets, the machine."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import time
from importlib.metadata import version
from pathlib import Path

_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """A progress line, stamped with seconds since the run started."""
    print(f"  [{time.perf_counter() - _STARTED:6.1f}s] {message}", flush=True)


def heading(title: str) -> None:
    """A section title."""
    print(f"\n== {title}", flush=True)


def figure(label: str, value: str, note: str = "") -> None:
    """One result line, aligned."""
    print(f"  {label:<34} {value:>16}  {note}".rstrip(), flush=True)


def verdict(value: float, target: float, *, at_least: bool) -> str:
    """PASS, or MISS with how far the value is from the target."""
    if at_least:
        return "PASS" if value >= target else f"MISS ({1 - value / target:.0%} short)"
    return "PASS" if value <= target else f"MISS ({value / target:,.1f}x the limit)"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def elapsed() -> float:
    """Seconds since the run started."""
    return time.perf_counter() - _STARTED


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def machine() -> str:
    """CPU model, usable cores, and the Python, SQLite and aiosqlite versions."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{_cpu_model()}, {cores} cores; Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, aiosqlite {version('aiosqlite')}"
    )
