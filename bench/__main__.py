"""Run every benchmark once and print a short report (`python -m bench`)."""

from __future__ import annotations

import asyncio

from bench import answers, discord, generation, leaderboard, openloop, pg, schedules, slack
from bench.report import elapsed, figure, heading, machine, verdict


def main() -> None:
    """Question generation at up to 5,000 records, answers per second (engine and bare),
    leaderboard latency at scale, Discord and Slack slash commands through the real bot
    against bare library handlers (Discord also open loop, at a fixed arrival rate), then
    10,000 scheduled posts due at one minute through Discord's rate limit; then answers and
    the leaderboard on PostgreSQL."""
    print("Photo Finish benchmark")
    print(f"machine: {machine()}", flush=True)
    made = asyncio.run(generation.run())
    throughput = asyncio.run(answers.run())
    latency = asyncio.run(leaderboard.run(leaderboard.ensure_database()))
    chat = asyncio.run(discord.run())
    arriving = asyncio.run(openloop.run())
    signed = asyncio.run(slack.run())
    fan_out = asyncio.run(schedules.run())
    on_pg = asyncio.run(pg.run())
    heading("Summary")
    largest = made[-1]
    figure(
        f"question p99 at {largest.records:,} records (ms)",
        f"{largest.question_p99_ms:.2f}",
        f"< {generation.QUESTION_TARGET_MS:g}: "
        + verdict(largest.question_p99_ms, generation.QUESTION_TARGET_MS, at_least=False),
    )
    figure(
        f"daily p99 at {largest.records:,} records (ms)",
        f"{largest.daily_p99_ms:.2f}",
        f"< {generation.DAILY_TARGET_MS:g}: "
        + verdict(largest.daily_p99_ms, generation.DAILY_TARGET_MS, at_least=False),
    )
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
    figure(
        "discord interactions/s (ours)",
        f"{chat.ours.per_s:,.0f}",
        f"p99 {chat.ours.p99_ms:,.1f} ms; bare {chat.bare.per_s:,.0f}/s,"
        f" p99 {chat.bare.p99_ms:,.1f} ms",
    )
    figure("discord throughput ours / bare", f"{chat.throughput_ratio:.2f}")
    figure(
        "discord p99 ours / bare",
        f"{chat.p99_ratio:.2f}",
        f"<= {discord.P99_RATIO_TARGET}: "
        + verdict(chat.p99_ratio, discord.P99_RATIO_TARGET, at_least=False),
    )
    figure(
        "  the same, one at a time",
        f"{chat.serial_p99_ratio:.2f}",
        f"p99 {chat.ours_serial.p99_ms:.1f} ms vs {chat.bare_serial.p99_ms:.1f} ms",
    )
    figure(
        "  replay of our replies / bare",
        f"{chat.replay_p99_ratio:.2f}",
        "p99: what sending our embeds and buttons costs",
    )
    figure(
        f"discord open loop p99 ours / bare at {openloop.RATE:.0f}/s",
        f"{arriving.p99_ratio:.2f}",
        f"<= {openloop.P99_RATIO_TARGET}: "
        + verdict(arriving.p99_ratio, openloop.P99_RATIO_TARGET, at_least=False),
    )
    figure(
        f"  capacity ({openloop.SHARDS} shards) / bare",
        f"{arriving.capacity_ratio:.2f}",
        f"{arriving.ours_capacity:,.0f} vs {arriving.bare_capacity:,.0f} /s;"
        f" >= {openloop.CAPACITY_RATIO_TARGET}: "
        + verdict(arriving.capacity_ratio, openloop.CAPACITY_RATIO_TARGET, at_least=True),
    )
    figure(
        "slack ack p99 (ms)",
        f"{signed.ours.p99_ms:.1f}",
        f"< {slack.P99_TARGET_MS:.0f}: "
        + verdict(signed.ours.p99_ms, slack.P99_TARGET_MS, at_least=False),
    )
    figure(
        "slack ack p99 ours / bare",
        f"{signed.p99_ratio:.2f}",
        f"<= {slack.P99_RATIO_TARGET}: "
        + verdict(signed.p99_ratio, slack.P99_RATIO_TARGET, at_least=False),
    )
    figure(
        "10,000 scheduled posts / floor",
        f"{fan_out.floor_fraction:.3f}",
        f"<= {schedules.FLOOR_FRACTION_TARGET}: "
        + verdict(fan_out.floor_fraction, schedules.FLOOR_FRACTION_TARGET, at_least=False),
    )
    figure("  429s; peak memory", f"{fan_out.throttled}; {fan_out.peak_rss_mb:,.0f} MiB")
    if on_pg is not None:
        figure(
            "PostgreSQL engine answers/s",
            f"{on_pg.throughput.engine_per_s:,.0f}",
            f"one at a time {on_pg.throughput.serial_per_s:,.0f};"
            f" bare {on_pg.throughput.bare_per_s:,.0f}",
        )
        figure(
            "PostgreSQL engine / bare",
            f"{on_pg.throughput.ratio:.2f}",
            f">= {pg.RATIO_TARGET:g}: "
            + verdict(on_pg.throughput.ratio, pg.RATIO_TARGET, at_least=True),
        )
        figure(
            "PostgreSQL top 10 + rank p99 (ms)",
            f"{on_pg.p99_ms:,.2f}",
            f"< {pg.TARGET_MS:g}: " + verdict(on_pg.p99_ms, pg.TARGET_MS, at_least=False),
        )
    print(f"\ntotal run time: {elapsed():.0f} s", flush=True)


if __name__ == "__main__":
    main()
