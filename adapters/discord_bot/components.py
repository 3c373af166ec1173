"""Buttons and the guess form: their custom_ids (which survive restarts) and clicks."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import discord
from discord.ui import Button, DynamicItem

from adapters.button_ids import RESET_CONFIRM, reset_asked_at, reset_id
from adapters.discord_bot.hooks import bot_of
from trivia.commands import Answer, Command, DailyResult, Hint, Reset
from trivia.model import CHOICE_LETTERS
from trivia.replies import ButtonKind, Reply

GUESS_FORM = re.compile(r"pf:guess-form:(\d+)")
GUESS_INPUT = "guess"


def to_view(reply: Reply) -> discord.ui.View | None:
    """Buttons for a reply: one per choice on a question, or a reset confirmation."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in reply.buttons:
        match button.kind:
            case ButtonKind.RESET_CONFIRM:
                view.add_item(ResetButton(button.asked_at))
            case ButtonKind.GUESS if reply.question_id is not None:
                view.add_item(GuessButton(reply.question_id, button.label))
            case ButtonKind.ANSWER if reply.question_id is not None:
                view.add_item(AnswerButton(reply.question_id, button.letter))
            case ButtonKind.HINT | ButtonKind.SHARE if reply.question_id is not None:
                view.add_item(AskButton(button.kind.value, reply.question_id))
    return view


class AnswerButton(
    DynamicItem[Button[Any]], template=rf"pf:answer:(?P<q>\d+):(?P<c>[{CHOICE_LETTERS}])"
):
    """A choice button; its custom_id carries the question, so it works after restarts."""

    def __init__(self, question_id: int, choice: str) -> None:
        super().__init__(
            Button(
                label=choice,
                style=discord.ButtonStyle.primary,
                custom_id=f"pf:answer:{question_id}:{choice}",
            )
        )
        self.question_id = question_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AnswerButton:
        """Rebuild the button from a click."""
        return cls(int(match["q"]), match["c"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Lock the member's answer to this question."""
        await bot_of(interaction).dispatch_command(
            interaction, Answer(self.choice, question_id=self.question_id)
        )


ASKS = {"hint": "Hint", "share": "Share result"}
"""What an ask button asks for, by its custom_id's word, with its label."""


class AskButton(DynamicItem[Button[Any]], template=r"pf:(?P<what>hint|share):(?P<q>\d+)"):
    """A button whose click asks for something private about its question: a hint
    (`pf:hint:<id>`) or, on a daily's reveal, the result to share (`pf:share:<id>`)."""

    def __init__(self, what: str, question_id: int) -> None:
        super().__init__(
            Button(
                label=ASKS[what],
                style=discord.ButtonStyle.secondary,
                custom_id=f"pf:{what}:{question_id}",
            )
        )
        self.what = what
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AskButton:
        """Rebuild the button from a click."""
        return cls(match["what"], int(match["q"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Ask the engine; its reply is private."""
        command: Command = (
            Hint(self.question_id) if self.what == "hint" else DailyResult(self.question_id)
        )
        await bot_of(interaction).dispatch_command(interaction, command)


class GuessButton(DynamicItem[Button[Any]], template=r"pf:guess:(?P<q>\d+)"):
    """Opens a one-line form for a typed answer (the daily margin guess)."""

    def __init__(self, question_id: int, label: str = "Guess") -> None:
        super().__init__(
            Button(
                label=label[:80],
                style=discord.ButtonStyle.primary,
                custom_id=f"pf:guess:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> GuessButton:
        """Rebuild the button from a click."""
        return cls(int(match["q"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Ask for the guess in a form; the engine judges it when it is sent."""
        form = GuessForm(self.question_id)
        form.stop()  # a finished form is shown but not kept: see GuessForm
        await interaction.response.send_modal(form)


class GuessForm(discord.ui.Modal, title="Your guess"):
    """The form a Guess button opens. What is sent back is routed by the form's custom_id
    (TriviaBot.on_interaction), like the buttons: discord.py keeps open forms in memory by
    custom_id alone, so a second member's form replaced the first's and was dropped once
    the first was sent, and a restart forgot them all."""

    guess: discord.ui.TextInput[GuessForm] = discord.ui.TextInput(
        label="Margin in seconds", placeholder="0.005", max_length=20, custom_id=GUESS_INPUT
    )

    def __init__(self, question_id: int) -> None:
        super().__init__(custom_id=f"pf:guess-form:{question_id}", timeout=None)


def typed_guess(interaction: discord.Interaction[Any]) -> Answer | None:
    """The answer in a submitted guess form, or None if the interaction is not one."""
    data: dict[str, Any] = dict(interaction.data or {})
    form = GUESS_FORM.fullmatch(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or form is None:
        return None
    inputs = [
        component
        for row in data.get("components") or []
        for component in row.get("components") or [row.get("component") or {}]
    ]
    text = next(
        (str(c.get("value") or "") for c in inputs if c.get("custom_id") == GUESS_INPUT), ""
    )
    return Answer(text, question_id=int(form[1]))


class ResetButton(DynamicItem[Button[Any]], template=rf"pf:(?P<value>{RESET_CONFIRM}(:\d+)?)"):
    """The confirmation of a leaderboard reset; permissions are checked again on click,
    and the engine refuses one that has expired (the id carries when it was asked)."""

    def __init__(self, asked_at: datetime) -> None:
        super().__init__(
            Button(
                label="Reset leaderboard",
                style=discord.ButtonStyle.danger,
                custom_id=f"pf:{reset_id(asked_at)}",
            )
        )
        self.asked_at = asked_at

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ResetButton:
        """Rebuild the button from a click."""
        return cls(reset_asked_at(match["value"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reset, if the member may manage the server and the button is recent."""
        await bot_of(interaction).dispatch_command(interaction, Reset(self.asked_at))
