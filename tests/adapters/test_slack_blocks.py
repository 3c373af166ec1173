"""Block Kit rendering: escaping, buttons, limits, and the manifest."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from adapters.slack_app import escape, fallback_text, to_blocks
from adapters.slack_manifest import slack_manifest
from tests.conftest import T0
from trivia.replies import ChoiceButton, Reply, ReplyKind, ResetConfirmButton


def test_user_text_cannot_mention_anyone() -> None:
    """<!channel>, <@U123> and & come out as literal text, in body, fields and fallback."""
    sneaky = "<!channel> <@U123> <!subteam^S1> & <https://evil.example|click>"
    reply = Reply(ReplyKind.REVEAL, f"Answer: {sneaky}", sneaky, fields=(("Right", sneaky),))
    blocks = to_blocks(reply)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert texts[0] == (
        "&lt;!channel&gt; &lt;@U123&gt; &lt;!subteam^S1&gt; &amp; "
        "&lt;https://evil.example|click&gt;"
    )
    assert all("<" not in t and ">" not in t for t in texts)
    assert "<" not in fallback_text(reply)
    assert escape("a&b") == "a&amp;b"


def test_question_buttons_carry_question_and_choice() -> None:
    """One button per choice; the value names the question so old buttons stay valid."""
    reply = Reply(
        ReplyKind.QUESTION,
        "Trivia",
        "Who won?",
        buttons=tuple(ChoiceButton(c) for c in "ABCD"),
        question_id=42,
    )
    [actions] = [b for b in to_blocks(reply) if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("pf_answer_A", "42:A"),
        ("pf_answer_B", "42:B"),
        ("pf_answer_C", "42:C"),
        ("pf_answer_D", "42:D"),
    ]
    confirm = Reply(ReplyKind.CONFIRM, "Sure?", buttons=(ResetConfirmButton(T0),))
    [actions] = [b for b in to_blocks(confirm) if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "pf_reset"
    assert actions["elements"][0]["value"] == f"reset-confirm:{int(T0.timestamp())}"
    assert actions["elements"][0]["style"] == "danger"


def test_blocks_pass_slack_sdk_validation_even_when_long() -> None:
    """Long text is cut to Block Kit's limits; slack_sdk's own validators accept the blocks."""
    reply = Reply(ReplyKind.HELP, "T" * 500, "x" * 5000, fields=(("n" * 300, "v" * 4000),))
    for block in to_blocks(reply):
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()  # validates lengths; raises if over a limit


def test_a_long_list_of_names_is_cut_at_a_whole_name() -> None:
    """Two hundred right answers: whole names up to Slack's 3,000 characters, then a count."""
    names = [f"Speedway Fan & Friend {i} (+12)" for i in range(200)]
    reply = Reply(ReplyKind.REVEAL, "Answer: A", fields=(("Right", ", ".join(names)),))
    [_, section] = to_blocks(reply)
    heading, listed = section["text"]["text"].split("\n")
    *shown, more = listed.split(", ")
    assert heading == "*Right*"
    assert shown == [escape(n) for n in names[: len(shown)]]
    assert more == f"… and {200 - len(shown)} more"
    parsed = Block.parse(section)
    assert parsed is not None
    parsed.to_dict()


def test_manifest_declares_the_command_scopes_home_and_socket_mode() -> None:
    """The manifest an admin pastes has everything the bot uses."""
    manifest = slack_manifest()
    for needed in (
        "command: /trivia",
        "should_escape: true",
        "- commands",
        "- chat:write",
        "- chat:write.public",
        "- files:write",
        "- channels:history",
        "- users:read",
        "home_tab_enabled: true",
        "- app_home_opened",
        "socket_mode_enabled: true",
        "is_enabled: true",
    ):
        assert needed in manifest
