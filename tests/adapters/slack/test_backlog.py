"""Acknowledged work never piles up beyond a bound, and Slack still hears back in time."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from adapters.slack import SlackAdapter
from bot import texts
from bot.models import Need
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB, CAROL
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender

SLACK_DEADLINE = 3.0


async def test_a_command_beyond_the_backlog_is_told_to_try_again_in_the_ack(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack, store: Store
) -> None:
    """With the work in hand at its bound, a new command is refused kindly, in time, unstored."""
    adapter.core.backlog.resize(1)
    adapter.admit_wait = 0.2
    fake_slack.slow("users.info", 3)  # the first command's work stays in hand a while
    first = await slack.command(ALICE, "/need", "help with my postgres query")
    assert first.status == 200
    second = await slack.command(BOB, "/need", "help with css grid")
    assert second.status == 200 and second.seconds < SLACK_DEADLINE
    assert texts.busy().text in second.text
    fake_slack.slow("users.info", 0)
    await adapter.idle()
    assert len(fake_slack.replies_to(first.response_url)) == 1
    assert fake_slack.replies_to(second.response_url) == []
    with store.session() as session:
        assert [n.text for n in session.exec(select(Need))] == ["help with my postgres query"]


async def test_a_command_waits_briefly_for_room_rather_than_being_refused(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """Room that comes within the wait is taken: the command is done, not refused."""
    adapter.core.backlog.resize(1)
    fake_slack.slow("users.info", 0.5)
    answers = await asyncio.gather(
        slack.command(ALICE, "/profile"),
        slack.command(BOB, "/profile"),
        slack.command(CAROL, "/profile"),
    )
    assert all(a.status == 200 and a.seconds < SLACK_DEADLINE for a in answers)
    await adapter.idle()
    assert all(len(fake_slack.replies_to(a.response_url)) == 1 for a in answers)
