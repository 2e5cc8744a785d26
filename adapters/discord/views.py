"""Persistent buttons: the custom_id carries all a press needs, so buttons outlive restarts.

A button is `whuffie:<guild_id>:<command>:<arg>`. The guild is in it because presses on an
ask arrive in a DM, where Discord says nothing about the server the ask came from; with the
guild in the id, a press needs no lookup and no memory of the message, and a DM sent before
a restart keeps working (`ActionButton` is registered with `add_dynamic_items` at start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord

from adapters.discord.community import community_of, guild_id_of
from bot.port import Button

if TYPE_CHECKING:
    from adapters.discord.client import WhuffieClient

MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_BUTTONS = 25  # five rows of five

TEMPLATE = r"whuffie:(?P<guild>[0-9]{1,20}):(?P<command>[a-z]{1,32}):(?P<arg>.*)"

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
}


def custom_id(community: str, button: Button) -> str:
    """The id Discord sends back when this button is pressed in this community."""
    value = f"whuffie:{guild_id_of(community)}:{button.command}:{button.arg}"
    if len(value) > MAX_CUSTOM_ID:
        raise ValueError(f"button id longer than Discord allows: {value!r}")
    return value


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=TEMPLATE,
):
    """A button that, pressed at any time, runs `command arg` for the member in that guild."""

    def __init__(
        self, button: discord.ui.Button[discord.ui.View], community: str, command: str, arg: str
    ) -> None:
        super().__init__(button)
        self.community = community
        self.command = command
        self.arg = arg

    @classmethod
    def create(cls, community: str, button: Button) -> ActionButton:
        """Render the core's button for a message sent in `community`."""
        item: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=button.label[:MAX_LABEL],
            style=_STYLES[button.style],
            custom_id=custom_id(community, button),
        )
        return cls(item, community, button.command, button.arg)

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
        return cls(rebuilt, community_of(int(match["guild"])), match["command"], match["arg"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Pressing the button is the same as typing `/command arg`."""
        client = cast("WhuffieClient", interaction.client)
        await client.invoke(interaction, self.community, self.command, self.arg)


def build_view(community: str, buttons: Sequence[Button]) -> discord.ui.View | None:
    """A view holding the core's buttons, or None when there are none."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons[:MAX_BUTTONS]:
        view.add_item(ActionButton.create(community, button))
    return view
