"""A helper's answer to an ask ("I can help", "Not this time"), and an ask once closed."""

from __future__ import annotations

from bot.port import Message


def ask_closed(quoted: str, outcome: str) -> Message:
    """What an ask message becomes once it is no longer open."""
    return Message(f"{quoted}\n{outcome}")


ASK_TAKEN = "Already taken care of by someone else — thank you for being there."


ASK_ACCEPTED = "You said yes — thank you! Your introduction is in a separate message."


ASK_DECLINED = "You passed on this one. Thanks for letting me know."


ASK_EXPIRED = "This ask has closed without an answer — no worries, life gets busy."


ASK_RESOLVED = "This need has been resolved — thank you."


ASK_CLOSED = "The member who asked has closed this need — thank you for being there."


def accept_thanks() -> Message:
    """Reply to the member who said yes."""
    return Message("Thank you for helping! I've introduced you both in a direct message.")


def accept_twice() -> Message:
    """A second click on 'I can help'."""
    return Message("You already said yes to this one — your introduction is on its way or sent.")


def ask_not_yours() -> Message:
    """A button from someone else's ask."""
    return Message("That ask was meant for someone else, so I can't answer it for you.")


def decline_thanks() -> Message:
    """Reply to 'Not this time'."""
    return Message("No problem — thanks for saying so. I'll ask someone else.")


def decline_after_accept() -> Message:
    """'Not this time' after 'I can help'."""
    return Message(
        "You already said yes and the introduction is out, so I've left it as it is. If you "
        "can't help after all, just tell them in your DM — that's kinder than silence."
    )


def decline_twice() -> Message:
    """A second click on 'Not this time'."""
    return Message("Already noted — you passed on this one.")


def ask_gone() -> Message:
    """An answer to an ask that expired or was superseded."""
    return Message("This ask has closed — it's been taken care of or moved on. Thank you!")
