"""Waiting needs on Slack, with the real core: what each member sees, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, DANA, Chat
from tests.adapters.slack.fake_slack import FakeSlack, Posted


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One open ask per member, so a busy helper is easy to make."""
    return replace(settings, max_open_asks=1)


def asks(fake: FakeSlack, user_id: str) -> list[Posted]:
    """The asks (DMs with an 'I can help' button) a member received."""
    return [
        m
        for m in fake.messages_in(user_id)
        if any(b["text"]["text"] == "I can help" for b in m.buttons())
        or "You said yes" in m.shown_text()
    ]


async def test_a_waiting_need_is_asked_on_resume_when_free_and_on_offer(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Bob resumes, then frees up for Carol's need; Carol's offer reaches Dana's need."""
    await chat.type(BOB, "/offer", "python")
    await chat.type(BOB, "/pause")
    waits = await chat.type(ALICE, "/need", "python packaging trouble")
    assert "Your need waits" in waits
    assert asks(fake_slack, BOB) == []

    resumed = await chat.type(BOB, "/resume")
    assert "sent it to you privately" in resumed
    [first] = asks(fake_slack, BOB)
    assert "python packaging trouble" in first.shown_text()

    # Bob holds his one open ask: Carol's need waits for him to be free.
    assert "Your need waits" in await chat.type(CAROL, "/need", "review my python script")
    await chat.press(BOB, first, "I can help")
    [_, second] = asks(fake_slack, BOB)
    assert "review my python script" in second.shown_text()
    assert f"<@{CAROL}> could use a hand" in second.shown_text()

    assert "Your need waits" in await chat.type(DANA, "/need", "help with kubernetes upgrades")
    offered = await chat.type(CAROL, "/offer", "kubernetes")
    assert "a need that was waiting for someone like you" in offered
    [ask] = asks(fake_slack, CAROL)
    assert "kubernetes upgrades" in ask.shown_text()
    await chat.press(CAROL, ask, "I can help")
    [intro] = fake_slack.messages_in(DANA, CAROL)
    assert f"<@{DANA}>, meet <@{CAROL}>" in intro.shown_text()


async def test_after_two_weeks_the_requester_keeps_one_need_and_closes_another(
    chat: Chat, fake_slack: FakeSlack, core: Whuffie, clock: ManualClock
) -> None:
    """The check-in's buttons: 'Keep it open' and 'Close it', each answered privately."""
    await chat.type(ALICE, "/need", "help with kubernetes upgrades")
    await chat.type(ALICE, "/need", "a terraform modules question")
    clock.advance(core.settings.waiting_checkin + timedelta(minutes=1))
    await core.tick()
    first, second = [
        m for m in fake_slack.messages_in(ALICE) if "has been waiting" in m.shown_text()
    ]
    assert "Your need #1 has been waiting 14 days" in first.shown_text()
    assert "nobody here offers this yet" in first.shown_text()
    assert [b["text"]["text"] for b in first.buttons()] == ["Keep it open", "Close it"]
    assert "stays open" in await chat.press(ALICE, first, "Keep it open")
    assert "Closed need #2" in await chat.press(ALICE, second, "Close it")
    # Only the requester's own check-in buttons work.
    assert "meant for someone else" in await chat.press(BOB, first, "Close it")
    listed = await chat.type(BOB, "/offer", "kubernetes, terraform")
    assert "a need that was waiting" in listed
    [ask] = asks(fake_slack, BOB)
    assert "kubernetes upgrades" in ask.shown_text()
