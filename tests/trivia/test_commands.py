"""The /trivia grammar shared by the console and Slack."""

from __future__ import annotations

import pytest

from trivia.commands import (
    Answer,
    Ask,
    Command,
    Configure,
    Daily,
    Help,
    Invalid,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleList,
    ScheduleSet,
    Start,
    Stats,
    Stop,
    parse,
)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Ask()),
        ("play Cup Series", Ask("Cup Series")),
        ("start", Start(None)),
        ("start 5", Start(5)),
        ("start 3 Truck Series", Start(3, "Truck Series")),
        ("answer larson", Answer("larson")),
        ("answer  Chris   Buescher ", Answer("Chris Buescher")),
        ("leaderboard", Leaderboard("all")),
        ("leaderboard week", Leaderboard("week")),
        ("LEADERBOARD Month", Leaderboard("month")),
        ("stats", Stats()),
        ("stats @alice", Stats("alice")),
        ("stats <@U123>", Stats("U123")),
        ("stats <@U123|alice>", Stats("U123")),
        ("stats <@!42>", Stats("42")),
        ("stop", Stop()),
        ("daily", Daily()),
        ("daily 0.004", Daily("0.004")),
        ("help", Help()),
        ("admin reset", Reset()),
        ("admin settings", Configure()),
        ("admin settings window 45 length 3", Configure(answer_window=45, match_length=3)),
        ("admin settings series Cup Series", Configure(series="Cup Series")),
        ("admin schedule set 09:00 Europe/London", ScheduleSet(at="09:00", zone="Europe/London")),
        (
            "admin schedule set 18:30 America/New_York days mon,wed questions 3 series Cup Series",
            ScheduleSet(
                at="18:30",
                zone="America/New_York",
                days="mon,wed",
                questions=3,
                series="Cup Series",
            ),
        ),
        (
            "admin schedule set 07:00 Asia/Tokyo days weekdays reveal 21:00",
            ScheduleSet(at="07:00", zone="Asia/Tokyo", days="weekdays", reveal="21:00"),
        ),
        (
            "admin schedule set 07:00 Asia/Tokyo channel <#C42|quiz> series Cup Series",
            ScheduleSet(at="07:00", zone="Asia/Tokyo", series="Cup Series", channel="C42"),
        ),
        ("admin schedule list", ScheduleList()),
        ("admin schedule next", ScheduleList()),
        ("admin schedule pause 2", ScheduleChange("pause", 2)),
        ("admin schedule remove 7", ScheduleChange("remove", 7)),
    ],
    ids=repr,
)
def test_valid_commands(text: str, command: Command) -> None:
    """What people type becomes the command they meant."""
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("start 0", "A match is 1 to 20 questions"),
        ("start 99", "A match is 1 to 20 questions"),
        ("start five", "A match is 1 to 20 questions"),
        ("answer", "Type your answer after the command"),
        ("leaderboard year", "Leaderboards are week, month, all and streak."),
        ("stats a b", "Name one player"),
        ("admin", "Admin commands:"),
        ("admin settings window soon", "The answer window is a whole number of seconds"),
        ("admin settings window abc", "The answer window is a whole number of seconds"),
        ("admin settings window", "The answer window is a whole number of seconds"),
        ("admin settings length 5 window 2.5", "The answer window is a whole number of seconds"),
        ("admin settings length many", "A match is 1 to 20 questions"),
        ("admin settings series", "Name a series or sport, or all"),
        ("admin settings sports", "Name the sports, separated by commas, or all"),
        ("admin settings colour red", "Settings are window, length, series and sports"),
        ("admin reset now", "Admin commands:"),
        ("admin schedule set 09:00", "Admin commands:"),
        ("admin schedule pause two", "Admin commands:"),
        ("admin schedule set 09:00 UTC channel quiz", "Admin commands:"),
    ],
    ids=repr,
)
def test_misused_commands_say_how_to_use_them(text: str, problem: str) -> None:
    """A known command used wrongly gets a short explanation, not the whole help."""
    parsed = parse(text)
    assert isinstance(parsed, Invalid)
    assert parsed.problem.startswith(problem)
    if text.startswith("admin settings"):  # one short line, not every admin command's usage
        assert len(parsed.problem) < 120, parsed.problem


def test_unknown_commands_get_the_help() -> None:
    """Unknown input gets the help with the problem named."""
    assert parse("bogus thing") == Help("Unknown command: bogus")
