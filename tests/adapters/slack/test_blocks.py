"""The core's messages as Block Kit, and buttons that come back as the right command."""

from __future__ import annotations

from adapters.slack.blocks import SECTION_LIMIT, fallback_text, pressed, to_blocks
from bot.port import Button, Message


def test_buttons_come_back_as_their_command_and_argument() -> None:
    """Every button of a message, pressed, is the command and argument it was made from."""
    message = Message(
        "Can you help?",
        (
            Button("I can help", "accept", "7", "primary"),
            Button("Not this time", "decline", "7"),
            Button("Yes, delete everything", "forgetme", "confirm", "danger"),
            Button("#9 is done", "done", "9"),
        ),
    )
    actions = [e for b in to_blocks(message) if b["type"] == "actions" for e in b["elements"]]
    assert [pressed(a) for a in actions] == [
        ("accept", "7"),
        ("decline", "7"),
        ("forgetme", "confirm"),
        ("done", "9"),
    ]
    assert [a.get("style") for a in actions] == ["primary", None, "danger", None]
    assert len({a["action_id"] for a in actions}) == len(actions)


def test_foreign_or_unknown_actions_are_not_commands() -> None:
    """Another app's action id, or a command we do not have, presses nothing."""
    assert pressed({"action_id": "other-app:accept:0", "value": "7"}) is None
    assert pressed({"action_id": "whuffie:drop_tables:0", "value": "7"}) is None


def test_a_button_can_only_press_a_button_command() -> None:
    """An action naming `/offer`, `/need` or `/helpstats` presses nothing, however it came."""
    for command in ("offer", "need", "needs", "thanks", "helpstats", "pause"):
        assert pressed({"action_id": f"whuffie:{command}:0", "value": "x"}) is None


def test_long_text_is_split_into_sections_that_fit() -> None:
    """Slack rejects a section over 3000 characters; long text is split, nothing lost."""
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    sections = [b["text"]["text"] for b in to_blocks(Message(text))]
    assert len(sections) > 1
    assert all(len(s) <= SECTION_LIMIT for s in sections)
    assert "\n".join(sections) == text


def test_one_huge_line_is_cut_to_fit() -> None:
    """Even a single line longer than a section survives, in pieces."""
    text = "y" * (SECTION_LIMIT * 2 + 5)
    sections = [b["text"]["text"] for b in to_blocks(Message(text))]
    assert [len(s) for s in sections] == [SECTION_LIMIT, SECTION_LIMIT, 5]


def test_fallback_text_is_the_message_text_within_limits() -> None:
    """Notifications show the message; an empty one still has some text, as Slack requires."""
    assert fallback_text(Message("Hello *there*")) == "Hello *there*"
    assert fallback_text(Message("")) == " "
    assert len(fallback_text(Message("z" * 10_000))) <= 3000
