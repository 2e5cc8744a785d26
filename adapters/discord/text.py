"""Text rules of Discord: safe member words, its markdown, and its 2000-character limit."""

from __future__ import annotations

import re

import discord

# Discord rejects message content longer than this.
MAX_CONTENT = 2000
# A runaway text is cut after this many messages rather than flooding a DM.
MAX_PARTS = 5
ELLIPSIS = "…"

# The core writes *bold* (one star, as Slack does); on Discord one star is italic.
# Escaped stars (\*) in member text are left alone by the look-behinds.
_CORE_BOLD = re.compile(r"(?<![\\*])\*(?=\S)([^*\n]*?[^\s\\*])\*(?!\*)")


def mention(user_id: str) -> str:
    """Render a member as Discord shows a name; sent with mentions disabled, so nobody is pinged."""
    return f"<@{user_id}>"


def escape(text: str) -> str:
    """Make member-written text inert: no markdown that leaks out, no mention that resolves."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def to_discord(text: str) -> str:
    """Translate the core's light markdown (*bold*, > quotes) to Discord's."""
    return _CORE_BOLD.sub(r"**\1**", text)


def trim(text: str, limit: int = MAX_CONTENT) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return _cut(text, limit - len(ELLIPSIS)).rstrip() + ELLIPSIS


def split(text: str, limit: int = MAX_CONTENT, max_parts: int = MAX_PARTS) -> list[str]:
    """Split `text` into messages of at most `limit` characters, at paragraph or line breaks."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if len(parts) == max_parts - 1:
            parts.append(trim(rest, limit))
            break
        if len(rest) <= limit:
            parts.append(rest)
            break
        head = _cut(rest, limit)
        parts.append(head.rstrip())
        rest = rest[len(head) :].lstrip()
    return parts or [""]


def _cut(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit`, ending at the most natural break."""
    window = text[:limit]
    for sep in ("\n\n", "\n", " "):
        at = window.rfind(sep)
        if at > limit // 2:
            return window[: at + len(sep)]
    # No natural break: never end on a backslash, it would escape the next part's start.
    return window.rstrip("\\") or window
