"""/forgetme, and what others see once a member is forgotten."""

from __future__ import annotations

from bot.port import Button, Message


def forget_confirm(minutes: int, *, again: bool = False) -> Message:
    """Asked before deleting everything; the button only works for a few minutes."""
    first = (
        "That confirmation has expired (or I never asked), so nothing was deleted. "
        if again
        else ""
    )
    return Message(
        f"{first}This deletes everything I hold about you: your skills, needs, asks and "
        f"thank-yous. It can't be undone. Are you sure? The button works for {minutes} minutes.",
        (Button("Yes, forget me", "forgetme", "confirm", "danger"),),
    )


# How a member who used /forgetme is named in what others still see.
FORMER_MEMBER = "a former member"


# What stands where a forgotten member's need was quoted.
NEED_WITHDRAWN = "> (a need that was withdrawn)"


def ask_withdrawn() -> Message:
    """An ask whose requester left: the helper's DM loses its buttons and the need's words."""
    return Message(
        "This ask has closed: the member who asked has left, and their need went with them. "
        "Thank you for being there."
    )


def helper_left(need_id: int, quoted: str) -> Message:
    """The requester's helper used /forgetme before the need was resolved."""
    return Message(
        f"The member I introduced you to about need #{need_id} has left, so I've reopened it "
        f"and I'm looking for someone else:\n{quoted}"
    )


def forgotten() -> Message:
    """Confirmation after deleting a member."""
    return Message("Done — I've forgotten everything about you. You're welcome back any time.")


def forget_nothing() -> Message:
    """Nothing to delete."""
    return Message("I hold nothing about you — there's nothing to forget.")
