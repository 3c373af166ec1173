"""Wiring: the database, the engine, the reveal timer and the adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.console import Console
from adapters.discord_bot import DiscordConfig, TriviaBot, point_at
from adapters.slack_app import SlackBot, SlackConfig
from bot.config import ENV_SECRETS, Config, ConfigError
from bot.pacing import platform_pacer
from bot.scheduler import QuizScheduler
from db.connection import open_db
from db.game import GameStore
from trivia.commands import Ask, Command, DailyPost, ScheduleChange, ScheduleSet, Start
from trivia.engine import Actor, Engine, Posted
from trivia.model import Place
from trivia.names import did_you_mean
from trivia.replies import Reply
from trivia.settings import Settings

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
REVEAL_BACKOFF_S = 0.5
REVEAL_BACKOFF_MAX_S = 30.0
"""A failed round of reveals is tried again after 0.5 s, doubling up to 30 s."""
OPENS_QUESTION = (Ask, Start, DailyPost)
"""Commands that can ask a question whose deadline is sooner than the reveal timer's. Any
other command can open one only by closing an overdue question in a match, and then the
timer is already due."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class App:
    """The running bot's parts."""

    store: GameStore
    engine: Engine
    clock: Clock
    wake: asyncio.Event
    schedule_grace: timedelta = timedelta(hours=1)
    platforms: frozenset[str] | None = None
    """The platforms this process serves: it reveals and posts schedules for these only."""
    scheduler: QuizScheduler | None = None

    async def handle(
        self, command: Command, place: Place, user: str, name: str, admin: bool = False
    ) -> list[Reply]:
        """Run one command now; wake the reveal timer if it may have asked a question."""
        actor = Actor(place, user, name, self.clock(), admin=admin)
        replies = await self.engine.handle(command, actor)
        if isinstance(command, OPENS_QUESTION):
            self.wake.set()
        if self.scheduler and isinstance(command, ScheduleSet | ScheduleChange):
            await self.scheduler.reload()
        return replies

    async def start_scheduler(self, post: Callable[[Posted], Awaitable[None]]) -> None:
        """Start posting scheduled quizzes (catching up on any missed within the grace)."""
        self.scheduler = QuizScheduler(
            self.store.schedules,
            handle=self.handle,
            post=post,
            clock=self.clock,
            grace=self.schedule_grace,
            platforms=self.platforms,
        )
        await self.scheduler.start()

    def stop_scheduler(self) -> None:
        """Stop the schedule timer."""
        if self.scheduler:
            self.scheduler.stop()

    async def overview(self, place: Place, user: str, name: str) -> list[Reply]:
        """The workspace's leaderboards and this user's stats, for an app home page."""
        return await self.engine.overview(Actor(place, user, name, self.clock()))

    async def series(self) -> list[str]:
        """The series and sport names questions can be filtered by."""
        bank = await self.engine.bank()
        return bank.topics

    async def sports(self) -> list[str]:
        """The sports an admin can choose from."""
        return (await self.engine.bank()).sports

    async def reveal_loop(self, post: Callable[[Posted], Awaitable[None]]) -> None:
        """Reveal each question when its window closes, forever. A failed post is logged; a
        failed round (the database locked by a backup, say) is logged in one line and tried
        again after a back-off, so a fault here never stops the bot."""
        backoff = 0.0
        while True:
            try:
                delay = await self._reveal_due(post)
                backoff = 0.0
            except Exception as exc:
                backoff = min(REVEAL_BACKOFF_MAX_S, max(REVEAL_BACKOFF_S, backoff * 2))
                log.warning("reveals failed (%s); trying again in %.1f s", exc, backoff)
                delay = backoff
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.01, min(delay, 60.0))):
                    await self.wake.wait()

    async def _reveal_due(self, post: Callable[[Posted], Awaitable[None]]) -> float:
        """Reveal what is due and post it; seconds until the next question closes."""
        for posted in await self.engine.close_due(self.clock(), self.platforms):
            try:
                await post(posted)
            except Exception:
                log.exception("could not post to %s", posted.place)
        deadline = await self.store.next_deadline(self.platforms)
        return 60.0 if deadline is None else (deadline - self.clock()).total_seconds()


@asynccontextmanager
async def open_app(
    config: Config,
    *,
    seed: int | None = None,
    clock: Clock = utc_now,
    platforms: frozenset[str] | None = None,
) -> AsyncIterator[App]:
    """Open the database (migrating and seeding it) and build the engine."""
    async with open_db(config.db_path) as conn, open_db(config.db_path) as write_conn:
        store = GameStore(conn, write_conn)
        await store.records.seed()
        settings = Settings(
            answer_window=config.game.answer_window_seconds,
            match_length=config.game.match_length,
            series=config.game.series,
        )
        engine = Engine(
            store, defaults=settings, seed=random.randrange(2**31) if seed is None else seed
        )
        await _check_series(config, engine)
        grace = timedelta(minutes=config.schedule_grace_minutes)
        yield App(store, engine, clock, asyncio.Event(), schedule_grace=grace, platforms=platforms)


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
            f"{config.source}: [game] series: {wanted!r} is not a series or sport of the"
            f" records; choose one of: {', '.join(sorted(known))}.{did_you_mean(wanted, known)}"
        )


CONSOLE_PLACE = Place("console", "local", "console")


async def play_console(config: Config, *, seed: int | None = None) -> None:
    """Play in this terminal until Ctrl-D."""
    async with open_app(config, seed=seed, platforms=frozenset({CONSOLE_PLACE.platform})) as app:

        async def handle(command: Command, player: str) -> list[Reply]:
            # Whoever sits at the console runs it, so they may use admin commands.
            return await app.handle(command, CONSOLE_PLACE, player, player, admin=True)

        console = Console(handle, config.player_name)

        async def show(posted: Posted) -> None:
            console.show(posted.reply)

        timer = asyncio.create_task(app.reveal_loop(show))
        await app.start_scheduler(show)
        try:
            await console.run()
        finally:
            app.stop_scheduler()
            timer.cancel()
            await asyncio.gather(timer, return_exceptions=True)


def discord_bot(app: App, config: Config) -> TriviaBot:
    """The Discord client, wired to the engine and the bot's stored state."""
    assert config.discord_token
    settings = DiscordConfig(
        token=config.discord_token,
        dev_guild_id=config.discord_dev_guild_id,
        api_base_url=config.discord_api_base_url,
        gateway_url=config.discord_gateway_url,
    )
    point_at(settings)
    return TriviaBot(
        settings,
        handle=app.handle,
        series=app.series,
        sports=app.sports,
        get_state=app.store.get_state,
        set_state=app.store.set_state,
    )


Poster = Callable[[Place, Reply], Awaitable[None]]


@dataclass
class Platforms:
    """The chat platforms this process runs, and which of them are still up."""

    posters: dict[str, Poster] = field(default_factory=dict)
    up: set[str] = field(default_factory=set)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once every platform has connected: until then any failure ends the run."""

    def add(self, name: str, poster: Poster) -> None:
        """A platform that will run in this process."""
        self.posters[name] = poster
        self.up.add(name)

    async def serve(self, name: str, run: Awaitable[None]) -> None:
        """Run one platform. Once all have connected, one that stops is logged and the
        others play on; the run fails only when the last one stops."""
        try:
            await run
        except Exception as exc:
            others = sorted(self.up - {name})
            if not self.started.is_set() or not others:
                raise
            log.error("%s stopped (%s); still running: %s", name, exc, ", ".join(others))
        finally:
            self.up.discard(name)

    async def post(self, posted: Posted) -> None:
        """Post to the question's platform, unless that platform has stopped."""
        platform = posted.place.platform
        if platform not in self.up:
            log.warning("not posted to %s: %s has stopped", posted.place, platform)
            return
        await self.posters[platform](posted.place, posted.reply)


async def run_platforms(config: Config, *, seed: int | None = None) -> None:
    """Run every configured chat platform in this process until cancelled (or all stop)."""
    async with open_app(config, seed=seed, platforms=frozenset(config.platforms)) as app:
        platforms = Platforms()
        ready: list[Awaitable[object]] = []
        async with contextlib.AsyncExitStack() as stack, asyncio.TaskGroup() as tasks:
            if config.discord_token:
                bot = await stack.enter_async_context(discord_bot(app, config))
                platforms.add("discord", bot.post)
                ready.append(bot.wait_until_ready())
                tasks.create_task(platforms.serve("discord", bot.start(config.discord_token)))
            if config.slack_bot_token:
                slack = slack_bot(app, config)
                connected = asyncio.Event()
                platforms.add("slack", slack.post)
                ready.append(connected.wait())
                tasks.create_task(platforms.serve("slack", serve_slack(slack, stack, connected)))

            pacers = {name: platform_pacer(name) for name in platforms.posters}

            async def post(posted: Posted) -> None:
                await pacers[posted.place.platform].wait(posted.place.channel)
                await platforms.post(posted)

            tasks.create_task(app.reveal_loop(post))

            async def schedule_when_connected() -> None:
                # Missed slots are caught up at start, so post only once platforms can.
                await asyncio.gather(*ready)
                platforms.started.set()
                log.info("connected: %s", ", ".join(sorted(platforms.up)))
                await app.start_scheduler(post)

            tasks.create_task(schedule_when_connected())
            stack.callback(app.stop_scheduler)


def slack_bot(app: App, config: Config) -> SlackBot:
    """The Slack app, wired to the engine."""
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
    return SlackBot(settings, handle=app.handle, overview=app.overview)


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
