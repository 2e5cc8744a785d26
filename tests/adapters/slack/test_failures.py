"""When Slack pushes back: rate limits delay but lose nothing; refused DMs move the ask on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.slack import SlackAdapter
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, Chat
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender


async def test_a_429_delays_the_introduction_without_losing_it(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Rate limited with Retry-After: 1, the group DM still arrives, at least a second later."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    posts_before = len(fake_slack.calls_to("chat.postMessage"))
    await chat.press(BOB, fake_slack.messages_in(BOB)[0], "I can help")
    limited, delivered = fake_slack.calls_to("chat.postMessage")[posts_before:]
    assert delivered.at - limited.at >= 1.0
    [intro] = fake_slack.messages_in(ALICE, BOB)
    assert "meet" in intro.shown_text()


async def test_a_long_rate_limit_is_retried_by_the_outbox(
    chat: Chat, fake_slack: FakeSlack, core: Whuffie, clock: ManualClock
) -> None:
    """Still limited after every quick retry, the introduction waits and goes out later."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    fake_slack.rate_limit("chat.postMessage", retry_after=0, times=4)
    await chat.press(BOB, fake_slack.messages_in(BOB)[0], "I can help")
    assert fake_slack.messages_in(ALICE, BOB) == []
    clock.advance(timedelta(minutes=5))
    await core.tick()
    [intro] = fake_slack.messages_in(ALICE, BOB)
    assert "meet" in intro.shown_text()


@pytest.fixture
async def one_at_a_time(
    settings: Settings, store: Store, clock: ManualClock, fake_slack: FakeSlack
) -> AsyncIterator[Chat]:
    """A workspace where the bot asks one candidate at a time."""
    core = Whuffie(replace(settings, asks_at_once=1), store, clock=clock)
    adapter = SlackAdapter(core, core.settings)
    await adapter.start(host="127.0.0.1", port=0)
    assert adapter.http_url is not None
    yield Chat(adapter, SlackSender(adapter.http_url, fake_slack), fake_slack)
    await adapter.stop()


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("conversations.open", "cannot_dm_bot"),
        ("conversations.open", "user_not_found"),
        ("chat.postMessage", "account_inactive"),
        ("chat.postMessage", "user_disabled"),
    ],
)
async def test_an_undeliverable_ask_moves_on_to_the_next_candidate(
    one_at_a_time: Chat, fake_slack: FakeSlack, method: str, error: str
) -> None:
    """Slack refusing the first ask for good means the next candidate is asked at once."""
    chat = one_at_a_time
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(CAROL, "/offer", "postgres")
    fake_slack.fail(method, error)
    assert "one member" in await chat.type(ALICE, "/need", "my slow postgres query")
    opened = [c.args["users"] for c in fake_slack.calls_to("conversations.open")]
    assert sorted(opened[:2]) == [BOB, CAROL]
    asked = [u for u in (BOB, CAROL) if fake_slack.messages_in(u)]
    assert len(asked) == 1
    [ask] = fake_slack.messages_in(asked[0])
    assert [b["text"]["text"] for b in ask.buttons()] == ["I can help", "Not this time"]
