"""What the bot can do, and commands it does not know or cannot run here."""

from __future__ import annotations

from bot.commands import COMMANDS
from bot.port import Message


def help_text() -> Message:
    """What the bot can do, one command a line."""
    lines = ["Here's what I can do — help first, and ask when you need it:"]
    lines += [f"• `{c.usage}` — {c.description}" for c in COMMANDS]
    return Message("\n".join(lines))


def unknown_command(name: str) -> Message:
    """A command the bot does not know."""
    return Message(f"I don't know the command `/{name}`. Type `/help` to see what I can do.")


def use_in_server(command: str) -> Message:
    """A command sent from a direct message, where no community is known."""
    return Message(
        f"Use this in your server: type `/{command}` in any of its channels (only you will "
        "see my answer). In a direct message I can't tell which community you mean."
    )
