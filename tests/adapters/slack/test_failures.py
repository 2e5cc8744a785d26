"""When Slack pushes back: rate limits delay but lose nothing; refused DMs move the ask on."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.app import Whuffie
from bot.clock import ManualClock
from bot.models import Community, Member
from bot.port import Message
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, DANA, Chat
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


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("conversations.open", "cannot_dm_bot"),
        ("conversations.open", "user_not_found"),
        ("chat.postMessage", "user_disabled"),
        ("chat.postMessage", "invalid_user_combination"),
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


def inactive(store: Store) -> list[tuple[str, str | None]]:
    """Communities the bot has stopped sending to, and why."""
    with store.session() as session:
        found = session.exec(select(Community).where(col(Community.inactive_since).is_not(None)))
        return [(c.id, c.inactive_reason) for c in found]


@pytest.mark.parametrize(
    "error",
    [
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "missing_scope",
        "not_allowed_token_type",
    ],
)
async def test_a_refused_installation_stops_sending_until_the_workspace_is_back(
    one_at_a_time: Chat,
    fake_slack: FakeSlack,
    store: Store,
    clock: ManualClock,
    error: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slack refusing the bot itself: the member is not written off, nothing more is tried."""
    chat = one_at_a_time
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(CAROL, "/offer", "postgres")
    fake_slack.fail("chat.postMessage", error)
    await chat.type(ALICE, "/need", "my slow postgres query")
    assert inactive(store) == [("slack:T0TEAM", f"slack: {error}")]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "no other candidate asked"
    for _ in range(3):
        clock.advance(timedelta(hours=2))
        await chat.adapter.core.tick()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "nothing retried meanwhile"
    assert sum("refuses the bot" in r.getMessage() for r in caplog.records) == 1
    await chat.type(DANA, "/profile")  # the workspace uses the bot again: reinstalled
    assert inactive(store) == []
    [ask] = [m for u in (BOB, CAROL) for m in fake_slack.messages_in(u)]
    assert "my slow postgres query" in ask.shown_text()


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_uninstalling_the_app_stops_sending_to_the_workspace(
    chat: Chat, slack: SlackSender, fake_slack: FakeSlack, store: Store, event: str
) -> None:
    """Slack's uninstall events are heard (not a 404) and the workspace gets nothing more."""
    await chat.type(BOB, "/offer", "postgres")
    payload: dict[str, object] = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["U0WHUFFIE"]}
    answer = await slack.event(payload, f"Ev-{event}")
    assert answer.status == 200
    for _ in range(200):  # Bolt runs an event's listener after acknowledging it
        if inactive(store):
            break
        await asyncio.sleep(0.05)
    assert inactive(store) == [("slack:T0TEAM", f"slack: {event}")]
    with store.session() as session:
        bob = session.exec(select(Member).where(Member.user_id == BOB)).one()
        chat.adapter.core.ctx.say(session, [bob], Message("anyone there?"))
    await chat.adapter.core.flush()
    assert fake_slack.messages_in(BOB) == []
