"""The favour note in an ask, and turning it on or off."""

from __future__ import annotations

from datetime import datetime

from bot.port import Message


def favour_line(requester: str, what: str, when: datetime, now: datetime) -> str:
    """One gentle line in an ask: the requester once helped this member."""
    month = when.strftime("%B") if when.year == now.year else when.strftime("%B %Y")
    return (
        f"{requester} helped you with '{what}' in {month} — here's a chance to return the "
        "favour, if you'd like to."
    )


def favour_lines_set(on: bool) -> Message:
    """`/profile favours on|off` done."""
    if on:
        return Message(
            "Done — when someone who once helped you needs a hand, your ask will say so, gently."
        )
    return Message(
        "Done — your asks won't mention past favours any more. `/profile favours on` brings "
        "the notes back."
    )
