"""The app's Home tab: the bot's own help text, where members look for it first."""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import to_blocks
from bot import texts


def home_view() -> dict[str, Any]:
    """The Home tab view published for a member who opens it."""
    return {"type": "home", "blocks": to_blocks(texts.help_text())}
