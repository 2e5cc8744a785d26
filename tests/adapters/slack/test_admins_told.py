"""Admins hear, in `/helpstats`, when Slack had stopped taking the bot's messages."""

from __future__ import annotations

from tests.adapters.slack.conftest import ALICE, BOB, DANA, Chat
from tests.adapters.slack.fake_slack import FakeSlack


async def test_helpstats_tells_the_admin_that_delivery_had_stopped_and_why(
    one_at_a_time: Chat, fake_slack: FakeSlack
) -> None:
    """A scope taken away: the admin's next /helpstats says so; the held ask then goes out."""
    chat = one_at_a_time
    await chat.type(BOB, "/offer", "postgres")
    fake_slack.fail("chat.postMessage", "missing_scope")
    await chat.type(ALICE, "/need", "my slow postgres query")
    assert fake_slack.messages_in(BOB) == []

    stats = await chat.type(DANA, "/helpstats")

    assert "Heads-up" in stats
    assert "slack: missing_scope" in stats
    assert "1 message waited" in stats
    assert "Needs posted: 1" in stats, "the figures follow the notice"
    [ask] = fake_slack.messages_in(BOB)
    assert "my slow postgres query" in ask.shown_text()
    again = await chat.type(DANA, "/helpstats")
    assert "Heads-up" not in again, "said once, while it matters"


async def test_helpstats_with_a_revoked_token_says_what_is_wrong(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Slack refusing the token when the bot checks for an admin: a reason, not 'oops'."""
    await chat.type(BOB, "/offer", "postgres")
    fake_slack.fail("users.info", "token_revoked", times=5)

    reply = await chat.type(DANA, "/helpstats")

    assert "token_revoked" in reply
    assert "reinstall" in reply
    assert "went wrong" not in reply
