"""Console adapter: play in a terminal, several players by switching names."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from trivia.commands import Answer, Command, Reset, parse
from trivia.replies import ButtonKind, Reply

Handler = Callable[[Command, str], Awaitable[list[Reply]]]

WELCOME = (
    "Photo Finish trivia: the closest finishes in sport. Type /trivia for a question, "
    "/trivia start 5 for a match, a letter to answer, /as NAME to switch player, "
    "/trivia help for more, Ctrl-D to quit."
)


def render(reply: Reply, player: str) -> str:
    """A reply as terminal text; private replies are marked as such."""
    plain = not reply.body and not reply.fields
    lines = [reply.title if plain else f"== {reply.title} =="]
    if reply.body:
        lines.append(reply.body)
    lines += [f"  {name}: {value}" for name, value in reply.fields]
    if any(b.kind is ButtonKind.RESET_CONFIRM for b in reply.buttons):
        lines.append("Type /confirm to do it (good for five minutes).")
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


class Console:
    """Reads lines from a terminal or pipe, sends commands, prints replies."""

    def __init__(self, handle: Handler, player: str, out: TextIO = sys.stdout) -> None:
        self.handle = handle
        self.player = player
        self.out = out
        self.confirm: Reset | None = None
        """The last reset confirmation shown: what /confirm clicks."""

    def show(self, reply: Reply) -> None:
        """Print a reply that arrives on its own (a timed reveal), below the prompt line."""
        self.out.write("\n" + render(reply, self.player) + "\n")
        self.prompt()

    def prompt(self) -> None:
        """Show whose turn it is to type."""
        self.out.write(f"{self.player}> ")
        self.out.flush()

    async def run(self, fd: int | None = None) -> None:
        """Play until end of input (Ctrl-D) or /quit."""
        self.out.write(WELCOME + "\n")
        self.prompt()
        lines = AsyncLineIterator(sys.stdin.fileno() if fd is None else fd)
        try:
            await self._loop(lines)
        finally:
            lines.close()
        self.out.write("\nBye.\n")
        self.out.flush()

    async def _loop(self, lines: AsyncLineIterator) -> None:
        async for line in lines:
            text = line.strip()
            if text in ("/quit", "/exit"):
                return
            if text == "/as" or text.startswith("/as "):
                name = text.removeprefix("/as").strip()[:32]
                if name:
                    self.player = name
                    self.out.write(f"Now playing as {name}.\n")
                else:
                    self.out.write("Usage: /as NAME\n")
                self.prompt()
                continue
            command = to_command(text)
            if text == "/confirm":
                command = self.confirm
                self.confirm = None
                if command is None:
                    self.out.write("Nothing to confirm.\n")
            if command is None:
                self.prompt()
                continue
            replies = await self.handle(command, self.player)
            for reply in replies:
                self.confirm = next(
                    (
                        Reset(b.asked_at)
                        for b in reply.buttons
                        if b.kind is ButtonKind.RESET_CONFIRM
                    ),
                    self.confirm,
                )
                self.out.write(render(reply, self.player) + "\n")
            self.prompt()


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
