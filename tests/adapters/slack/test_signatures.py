"""Only Slack gets in: forged or stale signatures are refused before any work is done."""

from __future__ import annotations

import time

from adapters.slack import SlackAdapter
from tests.adapters.slack.conftest import ALICE
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender, signature


async def test_a_forged_signature_gets_401_and_no_web_api_call(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A request signed with another secret is refused and nothing reaches Slack."""
    calls_at_start = len(fake_slack.calls)
    answer = await slack.command(ALICE, "/need", "my slow query", secret="not-the-secret")
    await adapter.idle()
    assert answer.status == 401
    assert len(fake_slack.calls) == calls_at_start
    assert fake_slack.responses == []


async def test_a_stale_signature_gets_401_and_no_web_api_call(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A correctly signed request replayed more than five minutes later is refused."""
    calls_at_start = len(fake_slack.calls)
    six_minutes_ago = int(time.time()) - 6 * 60
    answer = await slack.command(ALICE, "/offer", "postgres", timestamp=six_minutes_ago)
    await adapter.idle()
    assert answer.status == 401
    assert len(fake_slack.calls) == calls_at_start
    assert fake_slack.responses == []


async def test_a_tampered_body_gets_401(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A body changed after signing no longer matches its signature."""
    stamp = str(int(time.time()))
    signed = slack.command_body(ALICE, "/offer", "postgres", fake_slack.response_url())
    headers = {"X-Slack-Signature": signature(slack.secret, stamp, signed)}
    tampered = signed.replace("postgres", "everything")
    answer = await slack.post(
        tampered, "application/x-www-form-urlencoded", timestamp=int(stamp), headers=headers
    )
    await adapter.idle()
    assert answer.status == 401
    assert fake_slack.responses == []


async def test_a_genuine_request_is_answered(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """The same request, properly signed and fresh, is acknowledged and answered."""
    answer = await slack.command(ALICE, "/profile")
    await adapter.idle()
    assert answer.status == 200
    assert len(fake_slack.replies_to(answer.response_url)) == 1
