"""Cutting reply text to platform limits: whole names and lines, and how many were left out."""

from __future__ import annotations

from adapters.discord_bot.embeds import to_embed
from adapters.fitting import fit
from tests.fakes.discord_api import _FormErrors, _validate_message
from trivia.replies import Reply, ReplyKind


def test_a_list_is_cut_at_a_whole_name_and_says_how_many_more() -> None:
    names = [f"Speedway Fan Number {i:02d} (+12)" for i in range(50)]
    cut = fit(", ".join(names), 1024)
    *shown, more = cut.split(", ")
    assert len(cut) <= 1024
    assert shown == names[: len(shown)]
    assert more == f"… and {50 - len(shown)} more"


def test_lines_are_cut_at_a_whole_line() -> None:
    lines = [f"{i}. Player {i}: {100 - i} pts" for i in range(1, 40)]
    cut = fit("\n".join(lines), 200)
    *shown, more = cut.split("\n")
    assert len(cut) <= 200
    assert shown == lines[: len(shown)]
    assert more == f"… and {len(lines) - len(shown)} more"


def test_prose_is_cut_at_a_word_and_short_text_is_untouched() -> None:
    cut = fit("photo finish " * 50, 100)
    assert len(cut) <= 100
    assert cut.endswith("finish…") or cut.endswith("photo…")
    assert fit("Kyle Larson", 11) == "Kyle Larson"


def test_an_embed_keeps_within_discords_limits_and_counts_what_it_left_out() -> None:
    """Thirty schedules with long errors: under 6,000 characters and 25 fields in all, as
    the fake Discord checks them, with the rest counted in the footer."""
    line = "09:00 America/Argentina/ComodRivadavia, mon, tue, wed; last post failed: " + "x" * 200
    reply = Reply(
        ReplyKind.SETTINGS, "Scheduled quizzes", fields=tuple((f"#{i}", line) for i in range(30))
    )
    data = to_embed(reply).to_dict()
    errors = _FormErrors()
    _validate_message({"embeds": [data]}, errors)
    errors.raise_if_any()
    shown = len(data["fields"])
    assert 0 < shown <= 25
    assert data["footer"]["text"] == f"… and {30 - shown} more not shown"
