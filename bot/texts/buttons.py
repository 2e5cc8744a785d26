"""Presses of buttons that do not (or no longer) belong to the presser."""

from __future__ import annotations

from bot.port import Message


def button_unknown() -> Message:
    """A press of something that is not one of the bot's buttons (or no longer means anything)."""
    return Message("That button doesn't do anything (any more), so I left everything as it was.")


def button_not_yours() -> Message:
    """A press of a button the bot put on someone else's message."""
    return Message("That button was meant for someone else, so I left it alone.")


def button_not_member() -> Message:
    """A press from someone who has left the community the button belongs to."""
    return Message(
        "You're no longer a member of the community this came from, so I left it alone and "
        "nobody was told anything. If you join again, it works again."
    )
