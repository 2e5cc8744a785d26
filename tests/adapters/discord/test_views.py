"""Button ids: everything a press needs, within Discord's limits."""

from __future__ import annotations

import re

import pytest

from adapters.discord.views import MAX_BUTTONS, TEMPLATE, build_view, custom_id
from bot.port import Button


def test_a_button_id_names_the_button_and_nothing_else() -> None:
    """The id holds the command and its argument; the community is never taken from it."""
    value = custom_id(Button("I can help", "accept", "7"))
    assert value == "whuffie:accept:7"
    match = re.fullmatch(TEMPLATE, value)
    assert match is not None
    assert (match["command"], match["arg"]) == ("accept", "7")


def test_a_button_sent_with_a_server_in_its_id_still_presses() -> None:
    """Ids sent before (`whuffie:<guild>:accept:7`) still match; the server in them is unused."""
    match = re.fullmatch(TEMPLATE, "whuffie:81234567890123456:accept:7")
    assert match is not None
    assert (match["command"], match["arg"]) == ("accept", "7")
    assert "guild" not in match.groupdict()


def test_an_argument_may_be_empty_or_a_word() -> None:
    """`/forgetme confirm` and argument-less buttons fit the same template."""
    for button in (Button("Yes", "forgetme", "confirm"), Button("Profile", "profile")):
        assert re.fullmatch(TEMPLATE, custom_id(button))


def test_the_longest_id_fits_discords_limit() -> None:
    """The longest command and a big need id stay within 100 characters."""
    assert len(custom_id(Button("x", "notyet", "9" * 12))) <= 100


def test_an_oversized_id_is_refused_loudly() -> None:
    """An id Discord would reject is an error here, not a silently broken button."""
    with pytest.raises(ValueError, match="longer than Discord allows"):
        custom_id(Button("x", "give", "9" * 100))


async def test_a_view_holds_the_buttons_in_order_up_to_discords_maximum() -> None:
    """Up to 25 buttons (five rows of five); none means no view at all."""
    buttons = [Button(f"#{i} is done", "done", str(i)) for i in range(30)]
    view = build_view(buttons)
    assert view is not None
    labels = [c["label"] for row in view.to_components() for c in row["components"]]
    assert labels == [f"#{i} is done" for i in range(MAX_BUTTONS)]
    assert build_view([]) is None
