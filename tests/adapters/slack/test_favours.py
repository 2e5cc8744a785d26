"""Favours come back, on Slack: the member once helped is asked first, with one gentle line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.settings import Settings
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, Chat
from tests.adapters.slack.fake_slack import FakeSlack, Posted


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One member asked at a time, so who is asked first is who is asked."""
    return replace(settings, asks_at_once=1)


def asks(fake: FakeSlack, user_id: str) -> list[Posted]:
    """The asks a member received, answered or not."""
    return [m for m in fake.messages_in(user_id) if "could use a hand" in m.shown_text()]


async def test_the_member_once_helped_is_asked_first_and_can_turn_the_line_off(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Bob helped Alice; Bob's need reaches Alice before Carol, saying so, until she opts out."""
    await chat.type(BOB, "/offer", "design")
    await chat.type(CAROL, "/offer", "python packaging, python")
    await chat.type(ALICE, "/offer", "python")
    await chat.type(ALICE, "/need", "design review of my landing page")
    await chat.press(BOB, asks(fake_slack, BOB)[0], "I can help")
    await chat.type(ALICE, "/done", "thank you!")

    await chat.type(BOB, "/need", "a python packaging question")
    [ask] = asks(fake_slack, ALICE)
    line = f"<@{BOB}> helped you with 'design review of my landing page' in "
    assert line in ask.shown_text()
    assert "a chance to return the favour, if you'd like to" in ask.shown_text()
    assert asks(fake_slack, CAROL) == []
    await chat.press(ALICE, ask, "Not this time")
    [carol_ask] = asks(fake_slack, CAROL)
    assert "favour" not in carol_ask.shown_text()

    answer = await chat.slack.command(ALICE, "/profile", "")
    await chat.adapter.idle()
    [profile] = fake_slack.replies_to(answer.response_url)
    assert "Favour notes: on" in profile.shown_text()
    [button] = profile.buttons()
    assert button["text"]["text"] == "Turn favour notes off"
    pressed = await chat.slack.press(ALICE, button, profile)
    assert pressed.status == 200
    await chat.adapter.idle()
    [off] = fake_slack.replies_to(pressed.response_url)
    assert "won't mention past favours" in off.shown_text()

    await chat.type(BOB, "/need", "python venv trouble")
    second = asks(fake_slack, ALICE)[-1]
    assert "python venv trouble" in second.shown_text()
    assert "favour" not in second.shown_text()
    assert "Favour notes: off" in await chat.type(ALICE, "/profile")
    assert "say so, gently" in await chat.type(ALICE, "/profile", "favours on")
    assert "Favour notes: on" in await chat.type(ALICE, "/profile")
