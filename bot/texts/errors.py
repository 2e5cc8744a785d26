"""When something goes wrong: on the bot's side, or a number, an id or a text it cannot use."""

from __future__ import annotations

from bot.port import Message


def oops() -> Message:
    """Something broke inside; nothing the member did wrong."""
    return Message(
        "Sorry — something went wrong on my side and nothing was changed. Please try again in "
        "a moment."
    )


def busy() -> Message:
    """Too much is in hand right now: nothing was stored, ask again shortly."""
    return Message(
        "Sorry — I'm swamped right now and couldn't take that on, so nothing was changed. "
        "Please try again in a minute."
    )


def database_away() -> Message:
    """The database does not answer right now: nothing the member did, nothing changed."""
    return Message(
        "Sorry — I can't reach my records right now, so nothing was changed. Please try again "
        "in a minute."
    )


def warming_up() -> Message:
    """The bot has just started and is still getting to know who offers what."""
    return Message(
        "I've only just woken up and I'm still reading who offers what — give me a few "
        "seconds and try again, please. Nothing was changed."
    )


def not_found(what: str, number: str) -> Message:
    """An id that does not exist (or is not theirs to see)."""
    return Message(f"I can't find {what} #{number}. It may have been removed.")


def unusable_id() -> Message:
    """An account or workspace id the bot cannot store (no chat platform sends such ids)."""
    return Message(
        "Sorry — I can't work with this account: its id is longer than any chat platform "
        "uses, or holds characters I can't store. Nothing was changed."
    )


def bad_number(command: str, arg: str) -> Message:
    """A button command typed with something that is not an id."""
    return Message(f"`/{command}` needs a number, like `/{command} 7` — not `{arg}`.")


def text_too_long(length: int, limit: int) -> Message:
    """A thank-you (or other text) over the limit."""
    return Message(f"That's {length} characters; please keep it under {limit}.")


def text_field_failed() -> Message:
    """A button that opens a text field could not open it (the platform took too long)."""
    return Message("Sorry — that took me too long to open. Please press the button again.")
