"""The core's neutral `Message` as Slack Block Kit, and a pressed button back as a command.

A button carries everything its press needs (`action_id` holds the command, `value` the
argument), so buttons keep working after a restart or on another process: nothing about
them is remembered in memory.
"""

from __future__ import annotations

import re
from typing import Any

from bot.commands import BUTTON_COMMANDS
from bot.port import Button, Message

ACTION_PREFIX = "whuffie"
ACTION_ID = re.compile(rf"^{ACTION_PREFIX}:([a-z]+):\d+$")

# Block Kit's limits (https://api.slack.com/reference/block-kit).
SECTION_LIMIT = 3000
BUTTONS_PER_ACTIONS_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
FALLBACK_LIMIT = 3000

Block = dict[str, Any]


def _chunks(text: str, limit: int) -> list[str]:
    """Split text at line ends into pieces no longer than `limit` (long lines are cut)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return pieces


def button_element(button: Button, index: int) -> Block:
    """One Block Kit button that, pressed, sends back `button.command` and `button.arg`."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": button.label[:BUTTON_LABEL_LIMIT], "emoji": True},
        "action_id": f"{ACTION_PREFIX}:{button.command}:{index}",
    }
    if button.arg:
        element["value"] = button.arg[:BUTTON_VALUE_LIMIT]
    if button.style != "secondary":
        element["style"] = button.style
    return element


def to_blocks(message: Message) -> list[Block]:
    """Sections for the text (mrkdwn, split to fit) and action rows for the buttons."""
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in _chunks(message.text, SECTION_LIMIT)
    ]
    for start in range(0, len(message.buttons), BUTTONS_PER_ACTIONS_BLOCK):
        row = message.buttons[start : start + BUTTONS_PER_ACTIONS_BLOCK]
        blocks.append(
            {
                "type": "actions",
                "elements": [button_element(b, start + i) for i, b in enumerate(row)],
            }
        )
    return blocks


def fallback_text(message: Message) -> str:
    """The plain text Slack shows in notifications and to clients that cannot draw blocks."""
    text = message.text.strip() or " "
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def pressed(action: dict[str, Any]) -> tuple[str, str] | None:
    """The (command, arg) a pressed button stands for, or None if it is not one of ours."""
    match = ACTION_ID.match(str(action.get("action_id", "")))
    if match is None:
        return None
    command = match.group(1)
    if command not in BUTTON_COMMANDS:  # a press never runs `/offer` or `/need`
        return None
    return command, str(action.get("value") or "")
