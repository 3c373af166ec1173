"""End to end: a person playing Photo Finish in a terminal (a pseudo-terminal via pexpect).

Each test starts `python -m bot play` on its own database file holding the mini pack,
types keys as a player would and checks what the screen shows (the output is drawn on a
terminal emulator, pyte, so escape codes and redraws count as a person would see them),
including the reveals that arrive on their own when the 5-second answer window closes.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pexpect
import pyte
import pytest

from adapters.console import WELCOME
from tests.isolation import clean_env
from trivia.settings import MIN_WINDOW

REPO = Path(__file__).resolve().parents[1]
MINI_PACK = REPO / "tests" / "data" / "mini_pack.json"
WINDOW = float(MIN_WINDOW)  # the shortest the settings allow
PROMPT_TIMEOUT = 10  # a reply to a typed line
REVEAL_TIMEOUT = WINDOW + 10  # a timed reveal, counted from when the question appeared
UP = "\x1b[A"
LEFT = "\x1b[D"
WIDE = (50, 300)  # rows, columns
NARROW = (24, 40)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file holding the mini pack (so the shipped pack is never seeded)."""
    path = tmp_path / "game.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(path), "records", "import", str(MINI_PACK)],
        cwd=REPO,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "12 added" in done.stdout
    return path


StartPlayer = Callable[..., "Player"]


class Screen:
    """A terminal that draws what it is sent, keeping the lines that scroll off the top."""

    def __init__(self, rows: int, columns: int) -> None:
        self.screen = pyte.HistoryScreen(columns, rows, history=100_000)
        self.stream = pyte.Stream(self.screen)

    def write(self, text: str) -> None:
        self.stream.feed(text)

    def flush(self) -> None:
        """Nothing to flush: pexpect calls this after each write."""

    def lines(self) -> list[str]:
        """Every line shown so far, top to bottom, without trailing spaces."""
        width = range(self.screen.columns)
        top = ["".join(row[x].data for x in width) for row in self.screen.history.top]
        return [line.rstrip() for line in top + list(self.screen.display)]

    @property
    def cursor(self) -> tuple[int, int]:
        """The cursor's line (counted in lines()) and column."""
        return len(self.screen.history.top) + self.screen.cursor.y, self.screen.cursor.x


class Player:
    """One `photo-finish play` process in a terminal, and everything it showed.

    Text is read off the screen in order, like the stream of a plain terminal: `read_from`
    is the line up to which it has been read, and `read_part` the start of that line already
    read (a prompt, say, which a reply arriving on its own may have overwritten since)."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        name: str,
        *,
        cwd: Path = REPO,
        size: tuple[int, int] = WIDE,
        started: float = PROMPT_TIMEOUT,
    ) -> None:
        self.name = name
        self.screen = Screen(*size)
        self.read_from, self.read_part = 0, ""
        self.half = ""
        """Text typed on the prompt line without Enter yet."""
        self.child = pexpect.spawn(
            command[0],
            command[1:],
            cwd=str(cwd),
            env=env | {"TERM": "xterm-256color"},
            encoding="utf-8",
            timeout=20,
            dimensions=size,
        )
        self.child.logfile_read = self.screen
        self.welcome = self.wait_prompt(started)
        assert "Photo Finish trivia" in self.welcome, self.transcript

    @classmethod
    def on(
        cls,
        db: Path,
        tmp_path: Path,
        name: str = "alice",
        seed: int = 7,
        *,
        size: tuple[int, int] = WIDE,
        interrupts_ignored: bool = False,
    ) -> Player:
        """`photo-finish play` on the test database, as `name`, with a short window."""
        config = tmp_path / "empty-config.toml"  # ignore any ./config.toml in the repo
        config.touch()
        command = [sys.executable, "-m", "bot", "--config", str(config), "--db", str(db), "play",
                   "--name", name, "--window", f"{WINDOW:g}", "--seed", str(seed)]  # fmt: skip
        if interrupts_ignored:  # as a non-interactive shell starts `make test &`
            command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
        return cls(command, clean_env(tmp_path), name, size=size)

    @property
    def prompt(self) -> str:
        return f"{self.name}> "

    @property
    def transcript(self) -> str:
        """Everything shown so far, for failure messages."""
        return "\n".join(self.screen.lines()).rstrip()

    def unread(self, lines: list[str], upto: int) -> str:
        """The text shown from where reading stopped to line `upto` (not included)."""
        first = lines[self.read_from] if self.read_from < len(lines) else ""
        if self.read_part and first.startswith(self.read_part.rstrip()):
            first = first[len(self.read_part) :]
        return "\n".join([first, *lines[self.read_from + 1 : upto]])

    def wait(self, ready: Callable[[], bool], what: str, timeout: float) -> None:
        """Read the terminal until `ready()`; fail naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"{what} never showed; screen:\n{self.transcript}")
            try:
                self.child.read_nonblocking(1 << 16, timeout=min(left, 0.1))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                pytest.fail(f"the bot ended before {what} showed; screen:\n{self.transcript}")

    def at_prompt(self) -> bool:
        """Whether a new prompt waits for typing, holding what was typed without Enter."""
        row, column = self.screen.cursor
        shown = self.prompt + self.half
        fresh = row > self.read_from or not self.read_part
        return fresh and self.screen.lines()[row] == shown.rstrip() and column == len(shown)

    def wait_prompt(self, timeout: float = PROMPT_TIMEOUT) -> str:
        """The text shown up to the next prompt."""
        self.wait(self.at_prompt, f"the prompt {self.prompt!r}", timeout)
        row = self.screen.cursor[0]
        shown = self.unread(self.screen.lines(), row)
        self.read_from, self.read_part = row, self.prompt
        return shown

    def type_half(self, text: str) -> None:
        """Type without pressing Enter."""
        self.child.send(text)
        self.half += text

    def type(self, line: str) -> str:
        """Type (the rest of) a line and return what the bot replied, up to the next prompt."""
        self.child.sendline(line)
        line, self.half = self.half + line, ""
        shown = self.wait_prompt()
        echoed, _, reply = shown.partition(line + "\n")
        assert echoed.strip() == "", f"unexpected output before the echo: {shown!r}"
        return reply

    def switch(self, name: str) -> str:
        self.child.sendline(f"/as {name}")
        self.name = name
        return self.wait_prompt()

    def wait_for(self, pattern: str, timeout: float = REVEAL_TIMEOUT) -> str:
        """Wait, typing nothing, until `pattern` (a regex) shows; return the text before it
        and read on from its end."""
        lines: list[str] = []

        def found() -> bool:
            lines[:] = self.screen.lines()
            return re.search(pattern, self.unread(lines, len(lines))) is not None

        self.wait(found, repr(pattern), timeout)
        shown = self.unread(lines, len(lines))
        match = re.search(pattern, shown)
        assert match
        self.read_from += shown[: match.end()].count("\n")
        line, rest = lines[self.read_from], shown[match.end() :].split("\n", 1)[0]
        self.read_part = line[: len(line) - len(rest)]
        return shown[: match.start()]

    def wait_reveal(self) -> str:
        """The next timed reveal: its lines from the '== Answer:' title to the prompt, or to
        the next message's title if one came with it."""
        self.wait_for(r"== Answer: ")
        self.wait(self.at_prompt, "the prompt after the reveal", PROMPT_TIMEOUT)
        lines = self.screen.lines()
        row = self.screen.cursor[0]
        end = next((n for n in range(self.read_from + 1, row) if lines[n].startswith("== ")), row)
        shown = "== Answer: " + self.unread(lines, end)
        self.read_from, self.read_part = end, self.prompt if end == row else ""
        return shown

    def finish(self) -> int:
        """Wait for the process to end; its exit status."""
        self.child.expect(pexpect.EOF, timeout=PROMPT_TIMEOUT)
        self.child.close()
        assert self.child.signalstatus is None, self.transcript
        assert self.child.exitstatus is not None, self.transcript
        return int(self.child.exitstatus)

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def play(db: Path, tmp_path: Path) -> Iterator[StartPlayer]:
    """Start players on the test database; every process is ended after the test."""
    started: list[Player] = []

    def start(name: str = "alice", seed: int = 7, **options: object) -> Player:
        player = Player.on(db, tmp_path, name, seed, **options)  # type: ignore[arg-type]
        started.append(player)
        return player

    yield start
    for player in started:
        player.kill()


def is_numeric(question: str) -> bool:
    """Whether a posted question wants a number (guess the margin) or a letter."""
    if "Type a number in seconds" in question:
        assert "Guess the margin" in question
        assert "A)" not in question
        return True
    assert "Pick a letter" in question, question
    assert "A) " in question
    assert "B) " in question
    return False


def an_answer(question: str) -> str:
    return "0.002" if is_numeric(question) else "A"


def settle() -> None:
    """Pause before quitting so the reveal timer is idle again.

    Quitting in the same instant as a command hangs the bot (see
    test_quit_typed_right_after_a_command_exits); the other tests are about other things.
    """
    time.sleep(0.5)


def assert_clean_exit(player: Player) -> None:
    assert player.finish() == 0, player.transcript
    shown = player.transcript
    assert shown.rstrip().endswith("Bye."), shown
    for trouble in ("Traceback", "Task was destroyed", "Exception ignored", "KeyboardInterrupt"):
        assert trouble not in shown, shown


# -- a quick question ----------------------------------------------------------------------------


# With the mini pack on a fresh database, seed 7 asks a multiple-choice question first and
# seed 3 a guess-the-margin one; the test reads which from the screen either way.
@pytest.mark.parametrize("seed", [7, 3])
def test_two_players_answer_and_the_reveal_comes_once_both_have(
    play: StartPlayer, seed: int
) -> None:
    alice = play(seed=seed)
    alice.switch("bob")
    alice.switch("alice")  # this console has two players now

    question = alice.type("/trivia")
    assert "== Trivia ==" in question
    numeric = is_numeric(question)
    first, second = ("0.002", "0.01") if numeric else ("A", "B")

    locked = alice.type(first)
    again = alice.type(second)
    busy = alice.type("/trivia")
    switched = alice.switch("bob")
    bob_locked = alice.type(second)  # the last player here to answer: revealed at once

    assert locked.startswith("(to alice only) Locked in: ")
    assert locked.startswith(f"(to alice only) Locked in: {first}")
    assert "== Answer: " not in locked  # bob has not answered yet
    assert "already locked in" in again
    assert again.startswith("(to alice only)")
    assert "A question is already open here" in busy
    assert "Now playing as bob." in switched
    assert bob_locked.startswith(f"(to bob only) Locked in: {second}")

    reveal = "== Answer: " + bob_locked.split("\n== Answer: ", 1)[1]
    assert "Source: " in reveal
    assert re.search(r"Source: .*https?://", reveal), reveal
    if numeric:
        closest = re.search(r"Closest: (.*)", reveal)
        assert closest, reveal
        assert "alice 0.002 s" in closest[1]
        assert "bob 0.01 s" in closest[1]
        assert "Guesses: 2, from 0.002 s to 0.01 s" in reveal
    else:
        right_letter = re.search(r"== Answer: ([A-D])\) ", reveal)
        counts = dict(re.findall(r"([A-D]): (\d+)", reveal.split("Answers:")[1].splitlines()[0]))
        right = re.search(r"Right: (.*)", reveal)
        assert right_letter, reveal
        assert right, reveal
        assert counts["A"] == "1"
        assert counts["B"] == "1"
        assert sum(map(int, counts.values())) == 2
        winner = {"A": "alice", "B": "bob"}.get(right_letter[1])
        if winner:
            assert right[1].startswith(f"{winner} (+"), reveal
            assert ({"alice", "bob"} - {winner}).pop() not in right[1]
        else:
            assert right[1] == "Nobody got it."

    # After the reveal the channel is free for the next question.
    assert "== Trivia ==" in alice.type("/trivia")


def test_a_question_nobody_answers_is_revealed_when_the_window_closes(
    play: StartPlayer,
) -> None:
    alice = play()

    assert "== Trivia ==" in alice.type("/trivia")
    asked = time.monotonic()
    reveal = alice.wait_reveal()  # nothing typed: the timer reveals it

    waited = time.monotonic() - asked
    assert WINDOW - 1 <= waited <= REVEAL_TIMEOUT, waited
    assert re.search(r"Source: .*https?://", reveal), reveal
    assert "Nobody" in reveal, reveal


def test_answer_without_a_question(play: StartPlayer) -> None:
    alice = play()

    reply = alice.type("B")

    assert reply.strip() == "(to alice only) No question is open here. Start one with /trivia."


# -- a match --------------------------------------------------------------------------------------


def test_a_match_of_three_goes_on_after_each_answer_and_on_the_timer(
    play: StartPlayer,
) -> None:
    """Alone at the console, each answer reveals at once and the next question follows; a
    question left unanswered is revealed when its window closes, and the match goes on."""
    alice = play()

    first = alice.type("/trivia start 3")
    assert "== Question 1/3 ==" in first
    answered = alice.type(an_answer(first))
    assert re.search(r"Locked in:.*\n== Answer: (.|\n)*\n== Question 2/3 ==", answered), answered

    alice.wait_reveal()  # question 2 unanswered: the timer reveals it
    alice.wait_for(r"== Question 3/3 ==")  # typing nothing
    question = alice.wait_prompt()
    last = alice.type(an_answer(question))
    assert re.search(r"Locked in:.*\n== Answer: (.|\n)*\n== Match over ==\n", last), last

    table = last.split("== Match over ==\n", 1)[1]
    lines = [line for line in table.splitlines() if line.strip()]
    assert len(lines) == 1, table
    assert re.fullmatch(r"1\. alice: \d+ pts", lines[0]), table
    assert "Question 4/3" not in alice.transcript

    # The match is over: no question is open any more.
    assert "No question is open here" in alice.type("A")


# -- other commands -------------------------------------------------------------------------------


def test_leaderboards_stats_and_bad_commands(play: StartPlayer) -> None:
    alice = play()
    question = alice.type("/trivia")
    assert "== Answer: " in alice.type(an_answer(question))  # alone here: revealed at once

    everyone = alice.type("/trivia leaderboard")
    week = alice.type("/trivia leaderboard week")
    month = alice.type("/trivia lb month")
    stats = alice.type("/trivia stats")
    year = alice.type("/trivia leaderboard year")
    bogus = alice.type("/trivia bogus")
    too_long = alice.type("/trivia start 99")
    helped = alice.type("/trivia help")

    row = r"1\. alice: \d+ pts \([01]/1 right\)"
    assert everyone.startswith("== Leaderboard: all time ==\n")
    assert re.search(row, everyone), everyone
    assert week.startswith("== Leaderboard: this week ==\n")
    assert re.search(row, week), week
    assert month.startswith("== Leaderboard: this month ==\n")
    assert re.search(row, month), month
    assert stats.startswith("(to alice only) == Stats: alice ==\n")
    assert "  Answered: 1\n" in stats
    assert "  Rank: #1 of 1" in stats

    assert year.strip() == "(to alice only) Leaderboards are week, month, all and streak."
    assert bogus.startswith("(to alice only) == Unknown command: bogus ==")
    assert "/trivia start N" in bogus
    assert too_long.strip() == "(to alice only) A match is 1 to 20 questions, e.g. /trivia start 5."
    assert helped.startswith("(to alice only) == Photo Finish trivia ==")
    assert "Scoring:" in helped

    # The refused match really didn't start.
    assert "No question is open here" in alice.type("A")


def test_stats_before_answering(play: StartPlayer) -> None:
    alice = play()

    stats = alice.type("/trivia stats")
    board = alice.type("/trivia leaderboard")

    assert stats.strip() == "(to alice only) You haven't answered any questions here yet."
    assert board.strip() == "== Leaderboard: all time ==\nNo answers yet all time."


def test_slash_ask_asks_a_question(play: StartPlayer) -> None:
    alice = play()

    reply = alice.type("/ask")

    assert "== Trivia ==" in reply
    assert "Now playing as" not in reply  # not read as /as k


# -- the terminal ---------------------------------------------------------------------------------


def test_up_arrow_recalls_the_previous_line_and_the_arrows_edit_a_line(play: StartPlayer) -> None:
    alice = play()
    first = alice.type("/trivia stats")

    alice.child.sendline(UP)  # the previous line, to run again
    again = alice.wait_prompt()
    alice.child.sendline("/trivia stas" + LEFT + "t")  # a typo mended with the Left arrow
    mended = alice.wait_prompt()

    assert first.startswith("(to alice only) You haven't answered any questions here yet.")
    assert again == "/trivia stats\n" + first
    assert mended == "/trivia stats\n" + first


def test_a_timed_reveal_shows_above_a_half_typed_line_that_can_then_be_finished(
    play: StartPlayer,
) -> None:
    alice = play()
    alice.type("/trivia")  # and no answer

    alice.type_half("/trivia lead")  # no Enter before the window closes
    reveal = alice.wait_reveal()  # waits for the prompt to show the half line again
    shown = alice.transcript
    board = alice.type("erboard")

    assert reveal.startswith("== Answer: ")
    assert "/trivia lead" not in reveal
    assert shown.endswith("\nalice> /trivia lead"), shown  # below the reveal, nowhere else
    assert shown.count("/trivia lead") == 1, shown
    assert board.startswith("== Leaderboard: all time ==\n"), board


def test_replies_wrap_at_spaces_in_a_narrow_terminal(play: StartPlayer) -> None:
    alice = play(size=NARROW)

    reply = alice.type("B")

    welcome = alice.welcome.strip()
    assert welcome.split() == WELCOME.split()  # no word cut in two
    assert max(len(line) for line in welcome.splitlines()) <= NARROW[1]
    assert len(welcome.splitlines()) > 1
    assert reply.strip() == ("(to alice only) No question is open\nhere. Start one with /trivia.")


# -- leaving and coming back ----------------------------------------------------------------------


def test_ctrl_d_exits_cleanly_and_answers_are_kept(play: StartPlayer) -> None:
    alice = play()
    question = alice.type("/trivia")
    assert "== Answer: " in alice.type(an_answer(question))

    alice.child.sendeof()
    assert_clean_exit(alice)

    again = play()
    stats = again.type("/trivia stats")
    assert stats.startswith("(to alice only) == Stats: alice ==\n")
    assert "  Answered: 1\n" in stats
    settle()
    again.child.sendline("/quit")
    assert_clean_exit(again)


# Started with Ctrl-C's signal ignored, as a non-interactive shell starts a command with `&`
# (`make test &` in a CI script): the bot used to go on running after Ctrl-C.
@pytest.mark.parametrize("interrupts_ignored", [False, True], ids=["", "started-ignoring-sigint"])
def test_ctrl_c_mid_question_exits_cleanly_and_the_answer_is_revealed_later(
    play: StartPlayer, interrupts_ignored: bool
) -> None:
    alice = play(interrupts_ignored=interrupts_ignored)
    alice.switch("bob")
    alice.switch("alice")  # two players here: alice's answer alone reveals nothing
    question = alice.type("/trivia")
    numeric = is_numeric(question)
    assert "Locked in:" in alice.type(an_answer(question))
    settle()

    alice.child.sendintr()  # before the 5 s window closes
    assert_clean_exit(alice)
    assert "== Answer:" not in alice.transcript

    again = play()
    reveal = again.wait_reveal()  # the question left open is revealed on its own
    board = again.type("/trivia leaderboard")

    if numeric:
        assert "Closest: alice 0.002 s" in reveal
    else:
        assert re.search(r"Answers: A: 1 ", reveal), reveal
    assert re.search(r"1\. alice: \d+ pts \([01]/1 right\)", board), board
    settle()
    again.child.sendeof()
    assert_clean_exit(again)


def test_ctrl_d_after_a_half_typed_line_runs_it_and_exits(play: StartPlayer) -> None:
    alice = play()

    alice.type_half("/trivia stats")
    alice.child.sendeof()

    assert_clean_exit(alice)
    assert "\nalice> /trivia stats\n(to alice only) You haven't answered" in alice.transcript


def test_quit_typed_right_after_a_command_exits(play: StartPlayer) -> None:
    alice = play()

    alice.child.send("/trivia stats\n/quit\n")  # typed ahead, or pasted
    try:
        alice.child.expect(pexpect.EOF, timeout=6)
    except pexpect.TIMEOUT:
        pytest.fail(f"the bot never exited after /quit; screen:\n{alice.transcript}")

    assert_clean_exit(alice)


def test_two_consoles_on_one_database_each_play_their_own_questions(play: StartPlayer) -> None:
    """A second console on the same database gets its own channel: each asks and reveals
    its own question (a question asked in one used to be revealed in the other), and they
    share the leaderboard."""
    alice = play()
    bob = play("bob", seed=8)
    assert "you play in channel console-2" in bob.welcome, bob.transcript
    assert "console-2" not in alice.welcome

    alice.type("/trivia")
    asked = bob.type("/trivia")
    assert "== Trivia ==" in asked  # not "A question is already open here"
    assert "== Answer: " in bob.type(an_answer(asked))  # bob alone in his console
    alice.wait_reveal()  # alice's unanswered question, on the timer
    board = alice.type("/trivia leaderboard")
    assert "bob" in board, board
    settle()
    assert alice.transcript.count("== Answer:") == 1, alice.transcript
    assert bob.transcript.count("== Answer:") == 1, bob.transcript


def test_the_second_consoles_notice_wraps_like_every_reply(play: StartPlayer) -> None:
    """'you play in channel console-2' is broken at spaces to the terminal's width (it was
    printed before the prompt started, unwrapped: the terminal cut words in two)."""
    play()
    bob = play("bob", size=NARROW)

    notice = (
        "Another console is playing on this database: you play in channel console-2"
        " (same leaderboard, questions of your own)."
    )
    shown = bob.welcome.strip()
    assert shown.split() == WELCOME.split() + notice.split(), shown
    assert max(len(line) for line in shown.splitlines()) <= NARROW[1]


# -- the first start on a machine where the bot never ran ----------------------------------------

FIRST_START = 60  # seconds: a new database is made and seeded with the shipped records
INSTALLED = Path(sys.executable).parent / "photo-finish"


def new_machine(tmp_path: Path) -> dict[str, str]:
    """The environment of a user who never ran the bot: empty home, data and config
    folders (nothing under them yet), no chat tokens, no make of our own around it."""
    folders = {name: tmp_path / name for name in ("home", "xdg-data", "xdg-config")}
    for folder in folders.values():
        folder.mkdir()
    env = clean_env(tmp_path) | {
        "HOME": str(folders["home"]),
        "XDG_DATA_HOME": str(folders["xdg-data"]),
        "XDG_CONFIG_HOME": str(folders["xdg-config"]),
    }
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # as typed in a terminal, not under make
        env.pop(name, None)
    return env


def play_one_question_and_quit(player: Player) -> None:
    question = player.type("/trivia")
    assert "== Trivia ==" in question, player.transcript
    assert "Locked in:" in player.type(an_answer(question)), player.transcript
    settle()
    player.child.sendline("/quit")
    assert_clean_exit(player)


@pytest.mark.parametrize("command", ["play", "run"])
def test_the_installed_command_starts_on_a_new_machine(tmp_path: Path, command: str) -> None:
    """`photo-finish play` (and `run` with nothing configured) on a machine where the bot
    never ran: it used to stop at once, the data folder missing for the console's lock.
    Its seat is held in the database and given back when it quits."""
    env = new_machine(tmp_path)
    empty = tmp_path / "work"  # no config.toml here
    empty.mkdir()

    player = Player([str(INSTALLED), command], env, "you", cwd=empty, started=FIRST_START)
    play_one_question_and_quit(player)

    data = tmp_path / "xdg-data" / "photo-finish"
    assert (data / "photo-finish.sqlite3").is_file()
    with closing(sqlite3.connect(data / "photo-finish.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM leases").fetchone() == (0,)
    assert not list(data.glob("*.lock"))


def test_make_run_on_a_new_machine_reaches_the_console(tmp_path: Path) -> None:
    """`make run` from the repository, as the README's first command, with an empty home:
    it starts the console on a new database in ~/.local/share and quits cleanly."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if (REPO / "config.toml").exists():
        pytest.skip("this checkout has a config.toml, which `make run` would read")
    env = new_machine(tmp_path)
    del env["XDG_DATA_HOME"], env["XDG_CONFIG_HOME"]  # the defaults under the empty home
    stamp = subprocess.run(
        ["make", "--question", ".venv/.installed"], cwd=REPO, env=env, check=False
    )
    if stamp.returncode != 0:
        pytest.skip("the virtualenv is out of date: `make run` would rebuild it")

    player = Player(["make", "run"], env, "you", started=FIRST_START)
    assert "pip" not in player.welcome, player.welcome  # the venv was not rebuilt
    play_one_question_and_quit(player)

    db = tmp_path / "home" / ".local" / "share" / "photo-finish" / "photo-finish.sqlite3"
    assert db.is_file()
