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
        (
            "admin schedule set 09:00 America/New_York weekdays",
            ScheduleSet(at="09:00", zone="America/New_York", days="weekdays"),
        ),
        (
            "admin schedule set 09:00 UTC sport Athletics questions 2",
            ScheduleSet(at="09:00", zone="UTC", series="Athletics", questions=2),
        ),
        (
            "admin schedule set 09:00 UTC series Cup Series weekends reveal 21:00",
            ScheduleSet(
                at="09:00", zone="UTC", series="Cup Series", days="weekends", reveal="21:00"
            ),
        ),
        (
            "admin schedule set 09:00 UTC series IndyCar Series questions 3 channel <#C42|quiz>",
            ScheduleSet(
                at="09:00", zone="UTC", series="IndyCar Series", questions=3, channel="C42"
            ),
        ),
        (
            "admin schedule set 09:00 UTC mon, wed, Fri series Cup Series",
            ScheduleSet(at="09:00", zone="UTC", days="mon,wed,Fri", series="Cup Series"),
        ),
        (
            "admin schedule set 09:00 UTC mon wed reveal 20:00",
            ScheduleSet(at="09:00", zone="UTC", days="mon,wed", reveal="20:00"),
        ),
        (
            "admin schedule set 09:00 UTC Tuesday,thursday",
            ScheduleSet(at="09:00", zone="UTC", days="Tuesday,thursday"),
        ),
        (
            "admin schedule set 09:00 UTC channel #console-2",
            ScheduleSet(at="09:00", zone="UTC", channel="console-2", channel_typed=True),
        ),
        (
            "admin schedule set 09:00 UTC channel console",
            ScheduleSet(at="09:00", zone="UTC", channel="console", channel_typed=True),
        ),
        (
            "admin settings sports Athletics, Swimming window 30",
            Configure(sports=("Athletics", "Swimming"), answer_window=30),
        ),
        (
            "admin settings series Cup Series length 3 sports all",
            Configure(series="Cup Series", match_length=3, sports=("all",)),
        ),
        (
            "admin settings sports Stock car racing series Truck Series",
            Configure(sports=("Stock car racing",), series="Truck Series"),
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
        ("admin reset now", "Admin commands:"),
        ("admin schedule set 09:00", "Usage: /trivia admin schedule set HH:MM ZONE"),
        ("admin schedule pause two", "Admin commands:"),
        ("admin settings window soon", "window takes a number of seconds, e.g. window 30."),
        ("admin settings length", "length takes a number of questions, e.g. length 5."),
        ("admin settings series", "series takes a series or sport, e.g. series Cup Series"),
        ("admin settings colour blue", "Not understood: 'colour'. Usage: /trivia admin settings"),
        ("admin settings window 30 window 40", "window is given twice."),
        ("admin schedule set 09:00 UTC channel", "channel takes a channel, e.g. channel #quiz."),
        ("admin schedule set 09:00 UTC questions many", "questions takes a number, e.g. ques"),
        ("admin schedule set 09:00 UTC days", "days takes mon,wed,fri, weekdays or weekends."),
        ("admin schedule set 09:00 UTC sport Athletics series Cup Series", "Name one series"),
        ("admin schedule set 09:00 UTC weekdays days mon", "days is given twice."),
        ("admin schedule set 09:00 UTC at noon", "Not understood: 'at'. Usage: /trivia admin"),
    ],
    ids=repr,
)
def test_misused_commands_say_how_to_use_them(text: str, problem: str) -> None:
    """A known command used wrongly gets a short explanation, not the whole help."""
    parsed = parse(text)
    assert isinstance(parsed, Invalid)
    assert parsed.problem.startswith(problem)
    if text.startswith("admin settings"):  # one short line, not every admin command's usage
        assert len(parsed.problem) < 140, parsed.problem


def test_unknown_commands_get_the_help() -> None:
    """Unknown input gets the help with the problem named."""
    assert parse("bogus thing") == Help("Unknown command: bogus")
