"""Events API: the Home tab is published once per event, and Slack's retries do no work twice."""

from __future__ import annotations

from adapters.slack import SlackAdapter
from tests.adapters.slack.conftest import ALICE
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender

HOME_OPENED = {"type": "app_home_opened", "user": ALICE, "channel": "DUALICE", "tab": "home"}


async def test_opening_the_home_tab_shows_every_command(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A member who opens the app's Home tab sees what it is for and how to use it."""
    answer = await slack.event(HOME_OPENED, "Ev0HOME1")
    await adapter.idle()
    assert answer.status == 200
    [call] = fake_slack.calls_to("views.publish")
    assert call.args["user_id"] == ALICE
    shown = str(fake_slack.views[0])
    assert "/offer postgres, pitch decks" in shown and "/need" in shown


async def test_a_redelivered_event_is_acknowledged_but_not_redone(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """Slack's retry (X-Slack-Retry-Num) of an event already handled changes nothing."""
    first = await slack.event(HOME_OPENED, "Ev0HOME2")
    retry = await slack.event(HOME_OPENED, "Ev0HOME2", retry_num=1)
    again = await slack.event(HOME_OPENED, "Ev0HOME2", retry_num=2)
    await adapter.idle()
    assert [first.status, retry.status, again.status] == [200, 200, 200]
    assert len(fake_slack.calls_to("views.publish")) == 1


async def test_a_retry_of_an_event_never_seen_is_handled(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """If the first delivery never reached us, the retry does the work (once)."""
    await slack.event(HOME_OPENED, "Ev0HOME3", retry_num=1)
    await adapter.idle()
    assert len(fake_slack.calls_to("views.publish")) == 1


async def test_the_messages_tab_publishes_nothing(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """Opening the Messages tab needs no Home view."""
    await slack.event({**HOME_OPENED, "tab": "messages"}, "Ev0MSG1")
    await adapter.idle()
    assert fake_slack.calls_to("views.publish") == []
