"""Run every benchmark once and print a short report (`python -m bench`)."""

from __future__ import annotations

import asyncio

from bench import answers, leaderboard
from bench.report import elapsed, figure, heading, machine, verdict


def main() -> None:
    """Answers per second (engine and bare), then leaderboard latency at scale."""
    print("Photo Finish benchmark")
    print(f"machine: {machine()}", flush=True)
    throughput = asyncio.run(answers.run())
    latency = asyncio.run(leaderboard.run(leaderboard.ensure_database()))
    heading("Summary")
    figure(
        "engine answers/s",
        f"{throughput.engine_per_s:,.0f}",
        f">= {answers.ENGINE_TARGET:,.0f}: "
        + verdict(throughput.engine_per_s, answers.ENGINE_TARGET, at_least=True),
    )
    figure(
        "engine / bare",
        f"{throughput.ratio:.2f}",
        f">= {answers.RATIO_TARGET}: "
        + verdict(throughput.ratio, answers.RATIO_TARGET, at_least=True),
    )
    figure(
        "  one at a time / bare",
        f"{throughput.serial_ratio:.2f}",
        f">= {answers.RATIO_TARGET}: "
        + verdict(throughput.serial_ratio, answers.RATIO_TARGET, at_least=True),
    )
    figure(
        "top 10 + rank p99 (ms)",
        f"{latency.p99_ms:,.1f}",
        f"< {leaderboard.TARGET_MS:.0f}: "
        + verdict(latency.p99_ms, leaderboard.TARGET_MS, at_least=False),
    )
    print(f"\ntotal run time: {elapsed():.0f} s", flush=True)


if __name__ == "__main__":
    main()
