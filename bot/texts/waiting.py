"""Needs that wait for someone: the check-in, and keeping or closing them."""

from __future__ import annotations

from datetime import timedelta

from bot.port import Button, Message
from bot.texts.words import plural


def waiting_checkin(need_id: int, quoted: str, waited: timedelta, nobody_offers: bool) -> Message:
    """A need has waited a while: how it stands, honestly, and the requester's choice."""
    why = (
        "nobody here offers this yet"
        if nobody_offers
        else "the members who could help haven't been free"
    )
    return Message(
        f"Your need #{need_id} has been waiting {plural(max(1, waited.days), 'day')}:\n"
        f"{quoted}\nI'll be straight with you: {why}. I haven't forgotten it. Shall I keep it "
        "open and go on looking, or close it?",
        (
            Button("Keep it open", "keep", str(need_id), "primary"),
            Button("Close it", "close", str(need_id)),
        ),
    )


def waiting_kept(need_id: int, days: int) -> Message:
    """'Keep it open' on a check-in."""
    return Message(
        f"Need #{need_id} stays open. I'll keep looking, ask the moment someone who fits is "
        f"free, and check in again in {plural(days, 'day')}."
    )


def waiting_asked_again(need_id: int) -> Message:
    """'Keep it open' on a need that someone is being asked about already."""
    return Message(f"Good news: I'm asking someone about need #{need_id} right now. It stays open.")


def waiting_closed(need_id: int) -> Message:
    """'Close it': the need no longer waits."""
    return Message(
        f"Closed need #{need_id} — nobody will be asked about it any more. I hope it worked "
        "out; `/need` is here whenever you could use a hand."
    )


def close_introduced(need_id: int) -> Message:
    """'Close it' on a need someone is already helping with."""
    return Message(
        f"Someone is already helping you with need #{need_id}. When it's sorted, `/done` "
        "closes it and passes on your thanks."
    )
