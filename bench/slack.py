"""Signed slash commands against the Slack HTTP endpoint: our app vs a bare bolt app.

Both serve bolt's aiohttp endpoint on loopback; their Web API client points at the fake
Slack from the tests. Requests are signed exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.report import figure, heading, percentile, progress, verdict
from bot.app import run_platforms
from bot.config import Config, GameConfig
from tests.fakes.slack_api import FakeSlack, signed_headers, slash_command_body

SECRET = "bench-secret"
RATE = 100.0  # requests per second for the latency runs
LATENCY_REQUESTS = 1_000
BURST_REQUESTS = 1_000
BURST_IN_FLIGHT = 20
P99_RATIO_TARGET = 1.5
P99_TARGET_MS = 100.0
TEXTS = ("leaderboard week", "stats", "leaderboard", "help")
"""The command mix: engine reads and a private reply, repeated without state conflicts."""

Send = Callable[[bytes], Coroutine[Any, Any, float]]


@dataclass(frozen=True)
class Run:
    """Acknowledgement latencies (ms) at a steady rate, and throughput in a burst."""

    p50_ms: float
    p99_ms: float
    per_s: float


@dataclass(frozen=True)
class SlackFigures:
    """Ours and the bare app, for the summary."""

    ours: Run
    bare: Run

    @property
    def p99_ratio(self) -> float:
        """Our p99 acknowledgement latency as a multiple of the bare app's."""
        return self.ours.p99_ms / self.bare.p99_ms


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bodies(fake: FakeSlack, count: int) -> list[bytes]:
    return [
        slash_command_body(
            TEXTS[i % len(TEXTS)],
            user_id=f"U{i % 200}",
            channel_id=f"C{i % 20}",
            response_url=fake.response_url(f"r{i}"),
        )
        for i in range(count)
    ]


@asynccontextmanager
async def _sender(url: str) -> AsyncIterator[Send]:
    """POST a signed body and return the seconds until the HTTP acknowledgement."""
    async with aiohttp.ClientSession() as session:

        async def send(body: bytes) -> float:
            headers = signed_headers(body, signing_secret=SECRET)
            began = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            return time.perf_counter() - began

        yield send


async def _measure(send: Send, fake: FakeSlack, label: str) -> Run:
    """Latency at RATE requests/s, then throughput with BURST_IN_FLIGHT in flight."""
    bodies = _bodies(fake, LATENCY_REQUESTS)
    tasks: list[asyncio.Task[float]] = []
    start = time.perf_counter()
    for n, body in enumerate(bodies):
        delay = start + n / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(body)))
    latencies = [1000 * s for s in await asyncio.gather(*tasks)]
    queue = list(_bodies(fake, BURST_REQUESTS))
    began = time.perf_counter()

    async def worker() -> None:
        while queue:
            await send(queue.pop())

    await asyncio.gather(*(worker() for _ in range(BURST_IN_FLIGHT)))
    per_s = BURST_REQUESTS / (time.perf_counter() - began)
    run = Run(percentile(latencies, 0.5), percentile(latencies, 0.99), per_s)
    progress(
        f"{label}: ack p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms at {RATE:.0f}/s;"
        f" {run.per_s:,.0f} commands/s with {BURST_IN_FLIGHT} in flight"
    )
    return run


async def _ours(fake: FakeSlack) -> Run:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="photo-finish-bench-") as tmp:
        config = Config(
            db_path=Path(tmp) / "slack.sqlite3",
            game=GameConfig(answer_window_seconds=60),
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_mode="http",
            slack_http_port=port,
            slack_api_base_url=fake.api_url,
        )
        task = asyncio.create_task(run_platforms(config, seed=1))
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            await _wait_listening(url, task)
            async with _sender(url) as send:
                return await _measure(send, fake, "photo-finish")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _bare(fake: FakeSlack) -> Run:
    app = AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=fake.api_url)
    )

    async def only_ack(ack: Callable[[], Awaitable[None]]) -> None:
        await ack()

    app.command("/trivia")(only_ack)
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with _sender(f"http://127.0.0.1:{port}/slack/events") as send:
            return await _measure(send, fake, "bare bolt app")
    finally:
        await runner.cleanup()


async def _wait_listening(url: str, task: asyncio.Task[Any]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if task.done():
                task.result()
            try:
                async with session.get(url):
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the bot never listened")


async def run() -> SlackFigures:
    """Both apps against their own fake Slack; print the figures and targets."""
    heading("5. Slack: signed slash commands on the HTTP endpoint")
    progress(
        f"mix: {', '.join(TEXTS)}; {LATENCY_REQUESTS:,} at {RATE:.0f}/s, then"
        f" {BURST_REQUESTS:,} with {BURST_IN_FLIGHT} in flight"
    )
    async with FakeSlack() as fake:
        ours = await _ours(fake)
    async with FakeSlack() as fake:
        bare = await _bare(fake)
    result = SlackFigures(ours, bare)
    figure("photo-finish ack p50 / p99", f"{ours.p50_ms:.1f} / {ours.p99_ms:.1f} ms")
    figure("bare bolt ack p50 / p99", f"{bare.p50_ms:.1f} / {bare.p99_ms:.1f} ms")
    figure("p99 ratio ours / bare", f"{result.p99_ratio:.2f}")
    figure(
        f"  target <= {P99_RATIO_TARGET}x",
        verdict(result.p99_ratio, P99_RATIO_TARGET, at_least=False),
    )
    figure(
        f"  target p99 < {P99_TARGET_MS:.0f} ms",
        verdict(ours.p99_ms, P99_TARGET_MS, at_least=False),
    )
    figure(
        "commands/s ours / bare",
        f"{ours.per_s:,.0f} / {bare.per_s:,.0f}",
        f"ratio {ours.per_s / bare.per_s:.2f}",
    )
    return result
