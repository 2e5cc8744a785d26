"""The bot talks to Slack over a few kept-alive connections, not one per call."""

from __future__ import annotations

from tests.adapters.slack.conftest import ALICE, BOB, CAROL, Chat
from tests.adapters.slack.fake_slack import FakeSlack


async def test_web_api_calls_and_replies_reuse_connections(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """A need asked of two members: its many calls and replies share a connection or two."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(CAROL, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    assert len(fake_slack.messages_in(BOB)) == len(fake_slack.messages_in(CAROL)) == 1
    calls = [c for c in fake_slack.calls if c.method != "auth.test"]
    peers = {c.peer for c in calls} | set(fake_slack.responding_peers)
    assert len(calls) + len(fake_slack.responding_peers) >= 8
    assert len(peers) <= 2, f"{len(peers)} connections for {len(calls)} calls and 3 replies"
