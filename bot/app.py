"""Wiring: the database, the engine, the reveal timer and the adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.console import Console
from adapters.discord_bot import DiscordConfig, TriviaBot, point_at
from adapters.slack_app import SlackBot, SlackConfig
from bot.config import ENV_SECRETS, Config, ConfigError
from bot.console_seat import console_seat
from bot.deliveries import Once
from bot.ownership import Ownership
from bot.pacing import platform_pacer
from bot.pictures import Pictures
from bot.runtime import Clock, Poster, Runtime, utc_now
from bot.scheduler import QuizScheduler
from bot.stores import Deliveries
from db.backend import Stores, open_store
from trivia.bank import Bank, Records
from trivia.commands import Command
from trivia.engine import Actor, Engine
from trivia.incoming import Incoming
from trivia.model import Event, Place, Scope, Shards
from trivia.names import did_you_mean
from trivia.replies import Reply
from trivia.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class App:
    """The running bot's parts: the runtime and its schedules."""

    runtime: Runtime
    scheduler: QuizScheduler
    pictures: Pictures

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one command; the replies are for the adapter to send."""
        return await self.runtime.handle(incoming)

    async def start(self) -> None:
        """Start the timer: reveals, owed posts, and schedules (catching up on slots
        missed within the grace period)."""
        await self.scheduler.start()

    def stop(self) -> None:
        """Stop the timer."""
        self.runtime.stop()

    async def overview(self, place: Place, user: str, name: str) -> list[Reply]:
        """The workspace's leaderboards and this user's stats, for an app home page."""
        engine = self.runtime.engine
        return await engine.overview(Actor(place, user, name, self.runtime.clock()))

    async def series(self) -> list[str]:
        """The series and sport names questions can be filtered by."""
        return (await self.runtime.engine.bank()).topics

    async def sports(self) -> list[str]:
        """The sports an admin can choose from."""
        return (await self.runtime.engine.bank()).sports


def index_off_loop(load: Callable[[], Awaitable[Records]]) -> Awaitable[Bank]:
    """Load the records, then build the question bank on a thread (326 ms at 5,000
    records): interactions and reveals go on meanwhile; the task is shared by whoever
    needs that bank."""

    async def build() -> Bank:
        return await asyncio.to_thread(Bank.indexed, await load())

    return asyncio.ensure_future(build())


@asynccontextmanager
async def open_app(
    config: Config,
    stores: Stores,
    *,
    seed: int | None = None,
    clock: Clock = utc_now,
    scope: Scope | None = None,
) -> AsyncIterator[App]:
    """Build the engine on the open database's `stores` (seeding the records first). Where
    Slack runs, each workspace's scheduled posts are made by the one process owning it."""
    store = stores.game
    await stores.records.seed()
    settings = Settings(
        answer_window=config.game.answer_window_seconds,
        match_length=config.game.match_length,
        series=config.game.series,
    )
    engine = Engine(
        store,
        defaults=settings,
        seed=random.randrange(2**31) if seed is None else seed,
        indexer=index_off_loop,
    )
    await _check_series(config, engine)
    grace = timedelta(minutes=config.schedule_grace_minutes)
    takeover = timedelta(seconds=config.schedule_takeover_seconds)
    runtime = Runtime(store, engine, clock, scope, takeover)
    owners = None
    if "slack" in config.platforms:
        lease = timedelta(seconds=config.lease_seconds)
        owners = Ownership(stores.leases, clock, lease, frozenset({"slack"}))

    async def record(key: str) -> Event | None:
        return (await engine.bank()).by_key.get(key)

    pictures = Pictures(Path(f"{config.db_path}.pictures"), record)
    app = App(runtime, QuizScheduler(runtime, grace=grace, owners=owners), pictures)
    try:
        yield app
    finally:
        app.stop()


async def _check_series(config: Config, engine: Engine) -> None:
    """A [game] series that no record has stops the start with one line naming the choices
    (it used to start and answer every /trivia with "No questions for series ...")."""
    wanted = config.game.series
    if wanted is None:
        return
    bank = await engine.bank()
    known = bank.topics
    if wanted not in known:
        raise ConfigError(
            f"{config.file}: [game] series: {wanted!r} is not a series or sport of the"
            f" records; choose one of: {', '.join(sorted(known))}.{did_you_mean(wanted, known)}"
        )


async def play_console(config: Config, *, seed: int | None = None) -> None:
    """Play in this terminal until Ctrl-D, in the first console seat free on the database."""
    lease = timedelta(seconds=config.lease_seconds)
    async with (
        open_store(config.database) as stores,
        console_seat(stores.leases, lease=lease) as seat,
    ):
        scope = Scope(channels=frozenset({seat}))
        async with open_app(config, stores, seed=seed, scope=scope) as app:

            async def handle(command: Command, player: str, players: int) -> list[Reply]:
                # Whoever sits at the console runs it, so they may use admin commands.
                incoming = Incoming(command, seat, player, player, admin=True, players=players)
                return await app.handle(incoming)

            notice = ""
            if seat.channel != "console":
                notice = (
                    f"Another console is playing on this database: you play in channel"
                    f" {seat.channel} (same leaderboard, questions of your own)."
                )
            console = Console(handle, config.player_name, notice=notice)
            poster = console_poster(console, app.pictures)
            app.runtime.serve(seat.platform, poster, in_order=True)  # one terminal shows both
            await app.start()
            await console.run()


def console_poster(console: Console, pictures: Pictures) -> Poster:
    """Posts printed in the console; a reveal ends with the path of its picture."""

    async def show(place: Place, reply: Reply, key: str, again: bool) -> None:
        path = await pictures.path(reply.picture) if reply.picture else None
        if path is not None:
            reply = replace(reply, fields=(*reply.fields, ("Picture", str(path))))
        console.show(reply)

    return show


def discord_bot(app: App, config: Config) -> TriviaBot:
    """The Discord client, wired to the engine and the bot's stored state."""
    assert config.discord_token
    settings = DiscordConfig(
        token=config.discord_token,
        dev_guild_id=config.discord_dev_guild_id,
        api_base_url=config.discord_api_base_url,
        gateway_url=config.discord_gateway_url,
        shard_count=config.discord_shard_count,
        shard_ids=config.discord_shard_ids,
    )
    point_at(settings)
    store = app.runtime.store
    return TriviaBot(
        settings,
        handle=app.handle,
        series=app.series,
        sports=app.sports,
        get_state=store.get_state,
        set_state=store.set_state,
        picture=app.pictures.png,
    )


@dataclass
class Platforms:
    """The chat platforms this process runs, and which of them are still up."""

    runtime: Runtime
    posters: dict[str, Poster] = field(default_factory=dict)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once every platform has connected: until then any failure ends the run."""

    def add(self, name: str, poster: Poster, share: float = 1.0) -> None:
        """A platform that will run in this process (paced per channel when it posts,
        within `share` of the platform's overall limit)."""
        pacer = platform_pacer(name, share)

        async def paced(place: Place, reply: Reply, key: str, again: bool) -> None:
            await pacer.wait(place.channel)
            await poster(place, reply, key, again)

        self.posters[name] = paced

    def connected(self) -> None:
        """Every platform is up: posts can go out."""
        self.started.set()
        for name, poster in self.posters.items():
            self.runtime.serve(name, poster)

    async def serve(self, name: str, run: Awaitable[None]) -> None:
        """Run one platform. Once all have connected, one that stops is logged (its posts
        wait in the outbox) and the others play on; the run fails only when the last stops."""
        try:
            await run
        except Exception as exc:
            self.posters.pop(name, None)
            others = sorted(self.posters)
            if not self.started.is_set() or not others:
                raise
            log.error("%s stopped (%s); still running: %s", name, exc, ", ".join(others))
        finally:
            self.posters.pop(name, None)
            self.runtime.stopped(name)


def platforms_scope(config: Config) -> Scope:
    """What `run` serves: every configured platform, of Discord only the servers on this
    process's shards when it runs some of them."""
    platforms = frozenset(config.platforms)
    ids, count = config.discord_shard_ids, config.discord_shard_count
    if "discord" not in platforms or ids is None or count is None:
        return Scope(platforms)
    return Scope(
        platforms - {"discord"}, shards=frozenset({Shards("discord", frozenset(ids), count)})
    )


def discord_share(config: Config) -> float:
    """The part of Discord's global rate limit (per bot, over all its processes) that this
    process takes: its shards' part of them all."""
    ids, count = config.discord_shard_ids, config.discord_shard_count
    return 1.0 if ids is None or count is None else len(ids) / count


async def run_platforms(config: Config, *, seed: int | None = None, clock: Clock = utc_now) -> None:
    """Run every configured chat platform in this process until cancelled (or all stop);
    `clock` is the game's (a test's, to close an answer window when it says)."""
    scope = platforms_scope(config)
    async with (
        open_store(config.database) as stores,
        open_app(config, stores, seed=seed, clock=clock, scope=scope) as app,
    ):
        platforms = Platforms(app.runtime)
        ready: list[Awaitable[object]] = []
        async with contextlib.AsyncExitStack() as stack, asyncio.TaskGroup() as tasks:
            if config.discord_token:
                bot = await stack.enter_async_context(discord_bot(app, config))
                platforms.add("discord", bot.post, discord_share(config))
                ready.append(bot.wait_until_ready())
                tasks.create_task(platforms.serve("discord", bot.start(config.discord_token)))
            if config.slack_bot_token:
                slack = slack_bot(app, config, stores.deliveries)
                connected = asyncio.Event()
                platforms.add("slack", slack.post)
                ready.append(connected.wait())
                tasks.create_task(platforms.serve("slack", serve_slack(slack, stack, connected)))

            async def start_when_connected() -> None:
                # Missed slots are caught up at start, so post only once platforms can.
                await asyncio.gather(*ready)
                platforms.connected()
                log.info("connected: %s", ", ".join(sorted(platforms.posters)))
                await app.start()

            tasks.create_task(start_when_connected())
            if (owners := app.scheduler.owners) is not None:
                stack.push_async_callback(owners.release)  # after the timer has stopped
            stack.callback(app.stop)


def slack_bot(app: App, config: Config, deliveries: Deliveries) -> SlackBot:
    """The Slack app, wired to the engine; each delivery is handled by the first replica
    to store its id (the others forget it within the hour)."""
    assert config.slack_bot_token
    settings = SlackConfig(
        bot_token=config.slack_bot_token,
        signing_secret=config.slack_signing_secret or "",
        app_token=config.slack_app_token,
        mode=config.slack_mode,
        http_host=config.slack_http_host,
        http_port=config.slack_http_port,
        api_base_url=config.slack_api_base_url,
        admin_user_ids=frozenset(config.slack_admin_user_ids),
    )
    once = Once(deliveries, app.runtime.clock)
    app.runtime.each_round.append(once.prune)
    return SlackBot(
        settings,
        handle=app.handle,
        overview=app.overview,
        withdraw=app.runtime.withdraw,
        first=once.first,
        picture=app.pictures.png,
    )


class TokenRefusedError(Exception):
    """A platform refused a configured token at start; the message is the one line to show."""


async def check_slack_tokens(slack: SlackBot) -> None:
    """Fail at start with one line naming the token Slack refuses: the bot token (auth.test)
    and, in Socket Mode, the app token (apps.connections.open). Without this a refused app
    token is retried forever, and in HTTP mode every /trivia fails later."""
    client = slack.client
    checks: list[tuple[str, Callable[[], Awaitable[object]]]] = [("bot_token", client.auth_test)]
    if slack.config.mode == "socket":
        app_token = slack.config.app_token or ""
        checks.append(("app_token", lambda: client.apps_connections_open(app_token=app_token)))
    for key, call in checks:
        try:
            await call()
        except SlackApiError as exc:
            error = exc.response.get("error") or "refused"
            env = ENV_SECRETS[("slack", key)]
            raise TokenRefusedError(
                f"slack: the {key.replace('_', ' ')} was refused ({error}); check {env}"
                f" or [slack] {key}"
            ) from None


async def serve_slack(
    slack: SlackBot, stack: contextlib.AsyncExitStack, connected: asyncio.Event
) -> None:
    """Check the tokens, then connect through Socket Mode, or serve the HTTP endpoint (then
    set `connected`), until cancelled."""
    await check_slack_tokens(slack)
    if slack.config.mode == "socket":
        handler = AsyncSocketModeHandler(slack.app, app_token=slack.config.app_token)
        stack.push_async_callback(handler.close_async)
        await handler.connect_async()  # type: ignore[no-untyped-call]
    else:
        runner = web.AppRunner(slack.web_app())
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, slack.config.http_host, slack.config.http_port).start()
        log.info(
            "Slack endpoint on http://%s:%s/slack/events",
            slack.config.http_host,
            slack.config.http_port,
        )
    connected.set()
    await asyncio.Event().wait()
