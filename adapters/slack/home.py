"""The app's Home tab: what Whuffie is for, and every command, straight from the command table."""

from __future__ import annotations

from typing import Any

from adapters.slack.text import escape
from bot.commands import COMMANDS, Command

INTRO = (
    "Tell the community what you can offer, ask for what you need, and I will privately "
    "ask the one or two people best placed to help, then introduce you. Help first: "
    "the person you help today may be the one who helps you tomorrow.\n"
    "Everything happens in direct messages; I never read channels."
)


def _line(command: Command) -> str:
    """One command's usage and what it does."""
    return f"`{escape(command.usage)}`: {escape(command.description)}"


def home_view() -> dict[str, Any]:
    """The Home tab view published for a member who opens it."""
    commands = "\n".join(
        f"`{escape(c.usage)}`: {escape(c.description)}" for c in COMMANDS if not c.admin_only
    )
    admin = "\n".join(
        f"`{escape(c.usage)}`: {escape(c.description)}" for c in COMMANDS if c.admin_only
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Whuffie: help first"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": INTRO}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": commands}},
    ]
    if admin:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": admin}]})
    return {"type": "home", "blocks": blocks}
