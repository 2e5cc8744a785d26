"""Slack hears back within 3 seconds, whatever the Web API does: the work happens after."""

from __future__ import annotations

from adapters.slack import SlackAdapter
from bot.commands import COMMANDS
from tests.adapters.slack.conftest import ALICE, BOB
from tests.adapters.slack.fake_slack import FakeSlack, Posted
from tests.adapters.slack.signed import SlackSender

SLACK_DEADLINE = 3.0
SAMPLE_TEXT = {
    "offer": "figma",
    "unoffer": "figma",
    "need": "my slow postgres query",
    "pause": "2",
    "done": "thank you!",
}


async def test_every_slash_command_is_answered_in_time_with_a_2s_web_api(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """With every Web API call taking 2 s, each command's HTTP answer still beats 3 s."""
    # Bob can help, so /need has slow work to do after the ack: asking him by DM.
    assert (await slack.command(BOB, "/offer", "postgres")).status == 200
    await adapter.idle()
    fake_slack.delay = 2.0
    answers = {}
    for command in COMMANDS:
        text = SAMPLE_TEXT.get(command.name, "")
        if command.name == "thanks":
            text = f"<@{BOB}|bob> you saved my week"
        answers[command.name] = await slack.command(ALICE, f"/{command.name}", text)
    assert {name: a.status for name, a in answers.items()} == {c.name: 200 for c in COMMANDS}
    slowest = max(a.seconds for a in answers.values())
    print(f"slowest slash-command HTTP answer with a 2 s Web API: {slowest:.3f} s")
    assert slowest < SLACK_DEADLINE
    await adapter.idle()
    # The work did happen after the ack: every command got its private reply, Bob his ask.
    assert all(len(fake_slack.replies_to(a.response_url)) == 1 for a in answers.values())
    assert "my slow postgres query" in fake_slack.messages_in(BOB)[0].shown_text()


async def test_a_button_press_is_answered_in_time_with_a_2s_web_api(
    adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A button press is acknowledged at once too, and answered afterwards."""
    fake_slack.delay = 2.0
    button = {"action_id": "whuffie:accept:0", "value": "1", "text": {"text": "I can help"}}
    ask = Posted("DUBOB", "1700000001.000100", "Can you help?", [])
    answer = await slack.press(BOB, button, ask)
    assert answer.status == 200
    print(f"button press HTTP answer with a 2 s Web API: {answer.seconds:.3f} s")
    assert answer.seconds < SLACK_DEADLINE
    await adapter.idle()
    assert len(fake_slack.replies_to(answer.response_url)) == 1
