"""A member's commands take effect in the order they typed them, even when Slack is slow."""

from __future__ import annotations

from adapters.slack import SlackAdapter
from tests.adapters.slack.conftest import ALICE, BOB
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender


async def test_done_typed_right_after_need_resolves_that_need(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """`/need` then `/done` in one burst: `/done` sees the need, even if `/need` was slowed."""
    assert (await slack.command(BOB, "/offer", "postgres")).status == 200
    await adapter.idle()
    # Slack holds back the first look-up of Alice's name, so her /need is slow to translate.
    fake_slack.rate_limit("users.info", retry_after=1)
    need = await slack.command(ALICE, "/need", "my slow postgres query")
    done = await slack.command(ALICE, "/done", "thank you!")
    await adapter.idle()
    [need_reply] = fake_slack.replies_to(need.response_url)
    [done_reply] = fake_slack.replies_to(done.response_url)
    assert "need #1" in need_reply.shown_text()
    assert "no open needs" not in done_reply.shown_text()
    assert "my slow postgres query" in fake_slack.messages_in(BOB)[0].shown_text()
