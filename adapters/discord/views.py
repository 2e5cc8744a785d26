"""Persistent buttons: the custom_id names the button, so buttons outlive restarts.

A button is `whuffie:<command>:<arg>`, e.g. `whuffie:accept:7`. It says which button was
pressed and nothing more: the core finds the community from the ask or need it points to and
checks that the presser is the member it was for, so a press needs no memory of the message
and a DM sent before a restart keeps working (`ActionButton` is registered with
`add_dynamic_items` at start). Ids sent before this form carried a server id as well
(`whuffie:<guild>:accept:7`); they still work, and the server in them is ignored.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.commands import TEXT_BUTTONS, TEXT_FIELD_MAX
from bot.port import Button

if TYPE_CHECKING:
    from adapters.discord.client import WhuffieClient

MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_BUTTONS = 25  # five rows of five
MAX_TITLE = 45  # a modal's title
MAX_LABEL_FIELD = 45  # a text field's label

TEMPLATE = r"whuffie:(?:[0-9]{1,20}:)?(?P<command>[a-z]{1,32}):(?P<arg>.*)"

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
}


def custom_id(button: Button) -> str:
    """The id Discord sends back when this button is pressed."""
    value = f"whuffie:{button.command}:{button.arg}"
    if len(value) > MAX_CUSTOM_ID:
        raise ValueError(f"button id longer than Discord allows: {value!r}")
    return value


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=TEMPLATE,
):
    """A button that, pressed at any time, asks the core to run the press of `command arg`."""

    def __init__(self, button: discord.ui.Button[discord.ui.View], command: str, arg: str) -> None:
        super().__init__(button)
        self.command = command
        self.arg = arg

    @classmethod
    def create(cls, button: Button) -> ActionButton:
        """Render one of the core's buttons."""
        item: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=button.label[:MAX_LABEL],
            style=_STYLES[button.style],
            custom_id=custom_id(button),
        )
        return cls(item, button.command, button.arg)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: Any,
        /,
    ) -> ActionButton:
        """Rebuild the button from a press; Discord sent its custom_id back."""
        button = cast(discord.ui.Button[discord.ui.View], item)
        rebuilt: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=button.label, style=button.style, custom_id=button.custom_id
        )
        return cls(rebuilt, match["command"], match["arg"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the core, which decides what, if anything, it may do.

        A button that asks for words opens its text field first; the words come back with
        the modal's submission, and only then is the press handed over.
        """
        client = cast("WhuffieClient", interaction.client)
        if self.command in TEXT_BUTTONS:
            await interaction.response.send_modal(TextModal(self.command, self.arg))
            return
        await client.press(interaction, self.command, self.arg)


class TextModal(discord.ui.Modal):
    """The text field a button opens; submitted, it is the button's press with the words."""

    # A modal left open this long is forgotten (the member presses the button again).
    OPEN_SECONDS = 15 * 60

    def __init__(self, command: str, arg: str) -> None:
        field = TEXT_BUTTONS[command]
        # Unique per opening: two members answering at once each get their own.
        super().__init__(
            title=field.title[:MAX_TITLE],
            timeout=self.OPEN_SECONDS,
            custom_id=f"whuffie-text:{secrets.token_hex(8)}",
        )
        self.command = command
        self.arg = arg
        self.words: discord.ui.TextInput[TextModal] = discord.ui.TextInput(
            label=field.label[:MAX_LABEL_FIELD],
            style=discord.TextStyle.paragraph,
            max_length=TEXT_FIELD_MAX,
            custom_id="words",
        )
        self.add_item(self.words)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press, with the words typed, to the core."""
        client = cast("WhuffieClient", interaction.client)
        await client.press(interaction, self.command, f"{self.arg} {self.words.value}")


def build_view(buttons: Sequence[Button]) -> discord.ui.View | None:
    """A view holding the core's buttons, or None when there are none."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons[:MAX_BUTTONS]:
        view.add_item(ActionButton.create(button))
    return view
