"""Console adapter: play in a terminal, several players by switching names.

In a terminal the prompt is prompt_toolkit's: line editing, history (the Up arrow recalls
the previous line), replies that arrive on their own (a timed reveal) printed above the
line being typed, and every reply wrapped at spaces to the terminal's width. From a pipe
lines are read plainly and replies are not wrapped, so a program reading them gets each
line whole.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from functools import partial
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.application import create_app_session, get_app, run_in_terminal
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import create_output
from prompt_toolkit.output.vt100 import Vt100_Output
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.utils import get_cwidth

from trivia.commands import Answer, Command, Reset, parse
from trivia.replies import ButtonKind, Reply

Handler = Callable[[Command, str, int], Awaitable[list[Reply]]]
"""Runs a command typed by a player; the number is how many players this console has had
(every name played as), all of whom can answer."""

WELCOME = (
    "Photo Finish trivia: the closest finishes in sport. Type /trivia for a question, "
    "/trivia start 5 for a match, a letter to answer, /as NAME to switch player, "
    "/trivia help for more, Ctrl-D to quit."
)


TYPED = {
    ButtonKind.RESET_CONFIRM: "Type /confirm to do it (good for five minutes).",
    ButtonKind.HINT: "Type /trivia hint for a hint (an answer after it scores half).",
    ButtonKind.SHARE: "Type /trivia daily result for your result to share.",
}
"""What to type for a button the console cannot show."""


def render(reply: Reply, player: str) -> str:
    """A reply as terminal text; private replies are marked as such."""
    plain = not reply.body and not reply.fields
    lines = [reply.title if plain else f"== {reply.title} =="]
    if reply.body:
        lines.append(reply.body)
    lines += [f"  {name}: {value}" for name, value in reply.fields]
    lines += [TYPED[b.kind] for b in reply.buttons if b.kind in TYPED]
    text = "\n".join(lines)
    if reply.private:
        text = f"(to {player} only) {text}"
    return text


def to_command(line: str) -> Command | None:
    """The command a console line stands for; None for blank lines."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("/trivia"):
        return parse(text.removeprefix("/trivia"))
    if text.startswith("/"):
        return parse(text[1:])
    return Answer(text)


def wrap(text: str, width: int) -> str:
    """`text` with each line broken at spaces to fit `width` terminal columns. A word wider
    than that (a link) keeps a row of its own, whole; an indented line goes on two columns
    further in."""
    rows = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        row = indent
        for word in body.split(" "):
            if row.strip() and get_cwidth(f"{row} {word}") > width:
                rows.append(row)
                row = (indent + "  " if indent else "") + word
            else:
                row = f"{row} {word}" if row.strip() else row + word
        rows.append(row)
    return "\n".join(rows)


class Console:
    """Reads lines from a terminal or pipe, sends commands, prints replies."""

    def __init__(
        self, handle: Handler, player: str, out: TextIO = sys.stdout, *, notice: str = ""
    ) -> None:
        self.handle = handle
        self.player = player
        self.players = {player}
        """Every name played as here: the players who can answer."""
        self.out = out
        self.notice = notice
        """Said after the welcome (e.g. which channel this console plays in)."""
        self.held: list[Reply] | None = None
        """Replies arriving on their own while a typed line runs: shown after its replies
        (a reveal that the answer caused comes after 'Locked in')."""
        self.confirm: Reset | None = None
        """The last reset confirmation shown: what /confirm clicks."""
        self.session: PromptSession[str] | None = None
        """The prompt, while playing in a terminal."""
        self.last_line = False
        """Set by Ctrl-D after half a line: that line is the last."""

    def show(self, reply: Reply) -> None:
        """Print a reply that arrives on its own (a timed reveal): in a terminal above the
        line being typed, which stays as it was; from a pipe below the prompt line."""
        if self.held is not None:
            self.held.append(reply)
        elif self.session is None:
            self.out.write("\n")
            self.say(render(reply, self.player))
            self.prompt()
        elif self.session.app.is_running and self.session.app.context is not None:
            # The caller (the reveal timer's task) is not in the prompt's context: with no
            # prompt to hide there, run_in_terminal would print over it.
            say = partial(self.say, render(reply, self.player))
            self.session.app.context.copy().run(run_in_terminal, say)
        else:
            self.say(render(reply, self.player))

    def say(self, text: str) -> None:
        """Print text on lines of its own, wrapped to the terminal's width."""
        if self.session is not None:
            text = wrap(text, self.session.output.get_size().columns)
        self.out.write(text + "\n")
        self.out.flush()

    def greet(self) -> None:
        """The welcome, and the notice if any, wrapped like every reply."""
        self.say(WELCOME)
        if self.notice:
            self.say(self.notice)

    def prompt(self) -> None:
        """Show whose turn it is to type (from a pipe; prompt_toolkit draws it in a terminal)."""
        self.out.write(f"{self.player}> ")
        self.out.flush()

    async def run(self, fd: int | None = None) -> None:
        """Play until end of input (Ctrl-D), Ctrl-C or /quit. With `fd`, read plain lines from
        that descriptor instead of standard input."""
        if fd is None and sys.stdin.isatty() and self.out.isatty():
            await self._play_in_terminal()
        else:
            self.greet()
            async with aclosing(
                self._piped_lines(sys.stdin.fileno() if fd is None else fd)
            ) as lines:
                await self._loop(lines)
        self.out.write("\nBye.\n")
        self.out.flush()

    async def _play_in_terminal(self) -> None:
        output = create_output(self.out)
        if isinstance(output, Vt100_Output):
            # No completion menu to make room for, so there is nothing to ask the terminal
            # where its cursor is (some never answer, and prompt_toolkit would stall on them).
            output.enable_cpr = False
        keys = KeyBindings()

        @keys.add("c-d", filter=Condition(lambda: bool(get_app().current_buffer.text)))
        def _last_line(event: KeyPressEvent) -> None:
            """Ctrl-D after half a line: read it, then end input (as from a pipe)."""
            self.last_line = True
            event.current_buffer.validate_and_handle()

        # Anything else printed meanwhile (a logged warning) also goes above the prompt.
        with create_app_session(output=output), patch_stdout(raw=True):
            self.session = PromptSession(lambda: f"{self.player}> ", key_bindings=keys)
            try:
                self.greet()
                async with aclosing(self._typed_lines(self.session)) as lines:
                    await self._loop(lines)
            finally:
                self.session = None

    async def _typed_lines(self, session: PromptSession[str]) -> AsyncGenerator[str]:
        """Lines typed at the prompt until Ctrl-D or Ctrl-C."""
        while not self.last_line:
            try:
                yield await session.prompt_async()
            except (EOFError, KeyboardInterrupt):
                return

    async def _piped_lines(self, fd: int) -> AsyncGenerator[str]:
        """Lines read from `fd`, each after a prompt, until end of input."""
        lines = AsyncLineIterator(fd)
        try:
            self.prompt()
            async for line in lines:
                yield line
                self.prompt()
        finally:
            lines.close()

    async def _loop(self, lines: AsyncIterator[str]) -> None:
        async for line in lines:
            text = line.strip()
            if text in ("/quit", "/exit"):
                return
            if text == "/as" or text.startswith("/as "):
                name = text.removeprefix("/as").strip()[:32]
                self.say(f"Now playing as {name}." if name else "Usage: /as NAME")
                if name:
                    self.player = name
                    self.players.add(name)
                continue
            command = to_command(text)
            if text == "/confirm":
                command = self.confirm
                self.confirm = None
                if command is None:
                    self.say("Nothing to confirm.")
            if command is None:
                continue
            self.held = []
            try:
                replies = await self.handle(command, self.player, len(self.players))
            finally:
                held, self.held = self.held, None
            for reply in replies:
                self.confirm = next(
                    (
                        Reset(b.asked_at)
                        for b in reply.buttons
                        if b.kind is ButtonKind.RESET_CONFIRM
                    ),
                    self.confirm,
                )
                self.say(render(reply, self.player))
            for reply in held:
                self.say(render(reply, self.player))


class AsyncLineIterator:
    """Lines from a file descriptor, read without blocking the event loop or a thread."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.ended = False
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        try:
            self.loop.add_reader(fd, self._readable)
        except PermissionError:  # a regular file: reads never block, so read it directly
            self.watching = False
        else:
            self.watching = True

    def _readable(self) -> None:
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            self.loop.remove_reader(self.fd)
        self.queue.put_nowait(chunk)

    def close(self) -> None:
        """Stop watching the descriptor."""
        if self.watching:
            self.loop.remove_reader(self.fd)

    def __aiter__(self) -> AsyncLineIterator:
        return self

    async def __anext__(self) -> str:
        while b"\n" not in self.buffer:
            if self.ended:
                raise StopAsyncIteration
            chunk = await self.queue.get() if self.watching else os.read(self.fd, 4096)
            if not chunk:
                # End of input: a half-typed line is the last one (Ctrl-D after text).
                self.ended = True
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line.decode(errors="replace")
                raise StopAsyncIteration
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode(errors="replace")
