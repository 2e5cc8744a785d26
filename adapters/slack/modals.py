"""Text fields on Slack: a button that asks for words opens a modal, its submission is a press.

Slack lets a bot open a modal only with the `trigger_id` of the press that asked for it, within
three seconds, so the modal is opened right after the acknowledgement. What the modal carries
back (`private_metadata`) names the button pressed, nothing more: the core judges the press
as it judges any other, with the words typed after the button's argument.
"""

from __future__ import annotations

import json
from typing import Any

from bot.commands import TEXT_BUTTONS, TEXT_FIELD_MAX

CALLBACK_ID = "whuffie:text"
BLOCK_ID = ACTION_ID = "words"
TITLE_LIMIT = 24


def text_modal(command: str, arg: str) -> dict[str, Any]:
    """The modal that asks for the words of one button press."""
    field = TEXT_BUTTONS[command]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"command": command, "arg": arg}),
        "title": {"type": "plain_text", "text": field.title[:TITLE_LIMIT]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": BLOCK_ID,
                "label": {"type": "plain_text", "text": field.label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ACTION_ID,
                    "multiline": True,
                    "max_length": TEXT_FIELD_MAX,
                },
            }
        ],
    }


def submitted(view: dict[str, Any]) -> tuple[str, str, str] | None:
    """(command, arg, words) of a submitted text modal, or None if it is not one of ours."""
    try:
        meta = json.loads(str(view.get("private_metadata") or ""))
        command, arg = str(meta["command"]), str(meta["arg"])
        value = view["state"]["values"][BLOCK_ID][ACTION_ID].get("value")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if command not in TEXT_BUTTONS:
        return None
    # Typed into a plain text field: Slack sends it as typed, with no tokens or entities.
    return command, arg, str(value or "")
