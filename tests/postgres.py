"""A real PostgreSQL server for the tests, started and stopped by the suite itself.

One server per test session (per pytest-xdist worker), in a temporary folder, listening on a
free loopback port; each test gets a fresh database on it. initdb refuses to run as root
(CI runs as root), so as root the server runs as the unprivileged `postgres` user (.ci/run
makes sure there is one). With no server binaries the PostgreSQL tests skip outside CI and
fail in CI (CI=true): a CI run must not pass without them.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from db.postgres.connection import migrate, open_pool

BIN_ENV = "PHOTO_FINISH_PG_BIN"
"""A folder holding initdb, postgres and pg_isready, when not in /usr/lib/postgresql/*/bin."""
RUN_AS = "postgres"
"""The unprivileged user the server runs as when the tests run as root."""
NO_BINARIES = (
    "no PostgreSQL server binaries (initdb, postgres): to run these tests, apt-get install"
    f" postgresql or set {BIN_ENV} to their folder"
)
HOW_TO_ENABLE = f"PostgreSQL tests skipped: {NO_BINARIES}"
READY_TIMEOUT_S = 60.0
PORT_TRIES = 5
SERVER_SETTINGS = {
    # A throwaway server: durability costs time and buys nothing here.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "listen_addresses": "127.0.0.1",
}
PR_SET_PDEATHSIG = 1
MIGRATED = "migrated_template"
"""The template holding every migration (see Server.template)."""
_BASELINES: dict[tuple[int, str], Baseline] = {}
"""The templates made, by server port (one server per test process) and name."""
_SPARE: dict[tuple[int, str], list[str]] = {}
"""Copies of each template kept for the next test, as the template holds them."""
T = TypeVar("T")


async def _migrate(url: str) -> None:
    async with open_pool(url) as pool:
        await migrate(pool)


class StartError(Exception):
    """The server could not be started; the message says why."""


def in_ci() -> bool:
    """Whether this is a CI run, where PostgreSQL tests must run."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def find_bin() -> Path | None:
    """The folder with the server binaries: $PHOTO_FINISH_PG_BIN, the newest Debian install,
    or the PATH."""
    candidates = [os.environ.get(BIN_ENV, "")]
    candidates += sorted(
        (str(p.parent) for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda folder: (
            int(Path(folder).parent.name) if Path(folder).parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for folder in filter(None, candidates):
        if all((Path(folder) / name).is_file() for name in ("initdb", "postgres", "pg_isready")):
            return Path(folder)
    return None


@dataclass(frozen=True)
class Server:
    """A running server: connect as `user` on 127.0.0.1:`port`."""

    port: int
    user: str

    def url(self, database: str) -> str:
        """The URL of one database on this server, in the form the config takes."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement on the server's `postgres` database, from any thread or loop
        (on a thread of its own, so an async test's running loop is no obstacle)."""

        async def run() -> None:
            conn = await asyncpg.connect(self.url("postgres"))
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        self.run(run)

    def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `work()` to the end on a loop of its own, from any thread or loop (on a
        thread of its own, so an async test's running loop is no obstacle)."""
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, work()).result()

    @contextmanager
    def database(self, template: str = "template0") -> Iterator[str]:
        """A new database (its URL), empty or as `template` holds it (see `template`); at
        the end it is dropped, or a copy of a template put back as the template holds it
        and kept for the next test. It sorts text by a language's rules (ICU en-US), as a
        production database often does, so that an ORDER BY that forgets COLLATE "C" sorts
        differently from SQLite and fails a test."""
        spare = _SPARE.setdefault((self.port, template), [])
        name = spare.pop() if spare else self._create(template)
        try:
            yield self.url(name)
        finally:
            baseline = _BASELINES.get((self.port, template))
            if baseline is not None and self.run(lambda: _restore(self.url(name), baseline)):
                spare.append(name)
            else:
                self.admin(f"DROP DATABASE {name} WITH (FORCE)")

    def _create(self, template: str) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        self.admin(
            f"CREATE DATABASE {name} TEMPLATE {template} ENCODING 'UTF8'"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        )
        return name

    def template(
        self, name: str, prepare: Callable[[str], Coroutine[Any, Any, None]] = _migrate
    ) -> str:
        """A template database, made on first use: a new database that `prepare(url)`
        fills (by default, with every migration). Copying a database takes a second or
        more, so a copy is kept after its test and put back as the template holds it:
        every table emptied but the records (when the test left them unchanged; else it is
        dropped), then the rows the template holds put back."""
        key = (self.port, name)
        if key not in _BASELINES:
            self.admin(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
            self.run(lambda: prepare(self.url(name)))
            _BASELINES[key] = self.run(lambda: _baseline(self.url(name)))
        return name


RECORDS_TABLES = (
    "sports", "series", "competitors", "competitor_aliases", "events", "packs",
    "records_version", "schema_migrations",
)  # fmt: skip
"""Tables a test database keeps between tests (unless the test changed the records)."""


@dataclass(frozen=True)
class Baseline:
    """What a template holds besides the records: the rows of each other table (the
    counters migrations start), and the records version."""

    rows: dict[str, list[tuple[Any, ...]]]
    version: int


async def _tables(conn: asyncpg.Connection[asyncpg.Record]) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND NOT tablename = ANY($1::text[]) ORDER BY tablename",
        list(RECORDS_TABLES),
    )
    return [row[0] for row in rows]


async def _baseline(url: str) -> Baseline:
    conn = await asyncpg.connect(url)
    try:
        rows = {
            table: [tuple(row) for row in await conn.fetch(f"SELECT * FROM {table}")]
            for table in await _tables(conn)
        }
        return Baseline(rows, int(await conn.fetchval("SELECT version FROM records_version")))
    finally:
        await conn.close()


async def _restore(url: str, baseline: Baseline) -> bool:
    """Put a copy of a template back as the template holds it; False if its records
    changed (it is then dropped)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if await conn.fetchval("SELECT version FROM records_version") != baseline.version:
            return False
        async with conn.transaction():
            tables = await _tables(conn)
            await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            for table, rows in baseline.rows.items():
                if rows:
                    await conn.copy_records_to_table(table, records=rows)
        return True
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _dying_with_parent() -> Callable[[], None] | None:
    """A function for the server's process to run before exec, so that it stops when this
    test process dies, even by kill -9, instead of lingering on its port (Linux only).
    prctl is looked up here, in the parent: the child only calls it."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGINT)  # SIGINT: the server's fast shutdown

    return die_with_parent


def _as_user() -> dict[str, Any]:
    """subprocess arguments that run a command as RUN_AS when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        user = pwd.getpwnam(RUN_AS)
    except KeyError:
        raise StartError(
            f"running as root, and initdb refuses root: create the user {RUN_AS!r}"
            f" (useradd --system {RUN_AS}) for the server to run as"
        ) from None
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _wait_ready(bin_dir: Path, port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StartError(f"the server stopped at start: {log.read_text()[-2000:]}")
        ready = subprocess.run(
            [bin_dir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(0.05)
    raise StartError(f"the server was not ready in {READY_TIMEOUT_S:.0f} s: {log.read_text()}")


@contextmanager
def running_server(bin_dir: Path) -> Iterator[Server]:
    """initdb a new cluster in a temporary folder, start it, and remove it all at the end."""
    as_user = _as_user()
    # As root, in /tmp itself: a TMPDIR inside a folder only root may enter would shut out
    # the user the server runs as.
    folder = Path(tempfile.mkdtemp(prefix="photo-finish-pg-", dir="/tmp" if as_user else None))
    if as_user:
        os.chown(folder, as_user["user"], as_user["group"])
    data, log = folder / "data", folder / "server.log"
    server: subprocess.Popen[bytes] | None = None
    try:
        init = subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, check=False, **as_user,
        )  # fmt: skip
        if init.returncode != 0:
            raise StartError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        for _ in range(PORT_TRIES):
            port = _free_port()
            settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": folder}
            args: list[str | Path] = [bin_dir / "postgres", "-D", data]
            for name, value in settings.items():
                args += ["-c", f"{name}={value}"]
            with log.open("ab") as out:
                server = subprocess.Popen(
                    args,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_dying_with_parent(),
                    **as_user,
                )
            try:
                _wait_ready(bin_dir, port, server, log)
                break
            except StartError:
                if server.poll() is None or "could not bind" not in log.read_text():
                    raise
                server = None  # another process took the port first: try another
        else:
            raise StartError(f"no free port in {PORT_TRIES} tries: {log.read_text()[-2000:]}")
        yield Server(port, "postgres")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)
