"""Button ids: everything a press needs, within Discord's limits."""

from __future__ import annotations

import re

import pytest

from adapters.discord.views import MAX_BUTTONS, TEMPLATE, build_view, custom_id
from bot.port import Button


def test_a_button_id_names_the_guild_command_and_argument() -> None:
    """A press in a DM still knows its community: the guild is in the id."""
    value = custom_id("discord:81234567890123456", Button("I can help", "accept", "7"))
    assert value == "whuffie:81234567890123456:accept:7"
    match = re.fullmatch(TEMPLATE, value)
    assert match is not None
    assert (match["guild"], match["command"], match["arg"]) == ("81234567890123456", "accept", "7")


def test_an_argument_may_be_empty_or_a_word() -> None:
    """`/forgetme confirm` and argument-less buttons fit the same template."""
    for button in (Button("Yes", "forgetme", "confirm"), Button("Profile", "profile")):
        assert re.fullmatch(TEMPLATE, custom_id("discord:1", button))


def test_the_longest_guild_id_fits_discords_limit() -> None:
    """Twenty-digit guilds, the longest command and a big need id stay within 100 characters."""
    value = custom_id("discord:" + "9" * 20, Button("x", "notyet", "9" * 12))
    assert len(value) <= 100


def test_an_oversized_id_is_refused_loudly() -> None:
    """An id Discord would reject is an error here, not a silently broken button."""
    with pytest.raises(ValueError, match="longer than Discord allows"):
        custom_id("discord:1", Button("x", "give", "9" * 100))


def test_a_button_for_another_platform_is_refused() -> None:
    """Only a Discord community can have Discord buttons."""
    with pytest.raises(ValueError, match="not a Discord community"):
        custom_id("slack:T0123", Button("x", "accept", "1"))


async def test_a_view_holds_the_buttons_in_order_up_to_discords_maximum() -> None:
    """Up to 25 buttons (five rows of five); none means no view at all."""
    buttons = [Button(f"#{i} is done", "done", str(i)) for i in range(30)]
    view = build_view("discord:1", buttons)
    assert view is not None
    labels = [c["label"] for row in view.to_components() for c in row["components"]]
    assert labels == [f"#{i} is done" for i in range(MAX_BUTTONS)]
    assert build_view("discord:1", []) is None
