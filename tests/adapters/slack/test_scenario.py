"""The whole flow of a need, on Slack, with the real core: what each member sees, in order."""

from __future__ import annotations

from datetime import timedelta

from adapters.slack import SlackSettings
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from bot.texts import NUDGE
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, DANA, Chat, start_slack, stop_slack
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender


async def test_a_need_is_met_end_to_end(
    chat: Chat, fake_slack: FakeSlack, core: Whuffie, clock: ManualClock
) -> None:
    """Offer, need, ask with buttons, accept, group-DM intro, follow-up, /done, thanks."""
    assert "postgres" in await chat.type(BOB, "/offer", "postgres, indexing")
    await chat.type(CAROL, "/offer", "postgres")

    reply = await chat.type(ALICE, "/need", "my slow postgres query")
    assert "privately asked 2 members" in reply

    [bob_ask] = fake_slack.messages_in(BOB)
    [carol_ask] = fake_slack.messages_in(CAROL)
    assert "my slow postgres query" in bob_ask.shown_text()
    assert [b["text"]["text"] for b in bob_ask.buttons()] == ["I can help", "Not this time"]

    assert "Thank you for helping" in await chat.press(BOB, bob_ask, "I can help")
    [intro] = fake_slack.messages_in(ALICE, BOB)
    assert f"<@{ALICE}>, meet <@{BOB}>" in intro.shown_text()
    assert NUDGE in intro.shown_text()
    # Both asks are edited in place, with no buttons left to press.
    assert "You said yes" in bob_ask.shown_text()
    assert bob_ask.buttons() == []
    assert "Already taken care of" in carol_ask.shown_text()
    assert carol_ask.buttons() == []

    clock.advance(core.settings.followup_after + timedelta(minutes=1))
    await core.tick()
    [followup] = fake_slack.messages_in(ALICE)
    assert "Did it help?" in followup.shown_text()
    assert [b["text"]["text"] for b in followup.buttons()] == ["It helped", "Not yet"]

    reply = await chat.type(ALICE, "/done", "thanks, the index fixed it!")
    assert f"passed your thanks to <@{BOB}>" in reply
    bob_thanks = fake_slack.messages_in(BOB)[-1]
    assert "the index fixed it!" in bob_thanks.shown_text()
    assert f"<@{ALICE}> marked their need as resolved" in bob_thanks.shown_text()


async def test_helpstats_is_for_workspace_admins(chat: Chat) -> None:
    """A member is refused /helpstats; a workspace admin (from users.info) gets the numbers."""
    await chat.type(BOB, "/offer", "postgres")
    assert "for the community's admins" in await chat.type(ALICE, "/helpstats")
    stats = await chat.type(DANA, "/helpstats")
    assert "How this community helps itself" in stats
    assert "Members with a profile: 1" in stats


async def test_the_follow_up_button_resolves_the_need(
    chat: Chat, fake_slack: FakeSlack, core: Whuffie, clock: ManualClock
) -> None:
    """'It helped' on the follow-up DM works like /done, and Bob hears about it."""
    await chat.type(BOB, "/offer", "figma")
    await chat.type(ALICE, "/need", "a figma prototype review")
    await chat.press(BOB, fake_slack.messages_in(BOB)[0], "I can help")
    clock.advance(core.settings.followup_after + timedelta(minutes=1))
    await core.tick()
    [followup] = fake_slack.messages_in(ALICE)
    assert "marked as resolved" in await chat.press(ALICE, followup, "It helped")
    assert "resolved thanks to you" in fake_slack.messages_in(BOB)[-1].shown_text()


async def test_thanks_names_the_member_slack_mentions(chat: Chat, fake_slack: FakeSlack) -> None:
    """`/thanks @bob …` arrives as `<@UBOB|bob> …`; Bob gets the thank-you privately."""
    reply = await chat.type(ALICE, "/thanks", f"<@{BOB}|bob> you saved my week &amp; more")
    assert f"<@{BOB}>" in reply
    [dm] = fake_slack.messages_in(BOB)
    assert "you saved my week &amp; more" in dm.shown_text()
    assert "received 1 thank-you" in await chat.type(BOB, "/profile")


async def test_a_need_cannot_ping_anyone(chat: Chat, fake_slack: FakeSlack) -> None:
    """A need with `<!channel>`, `<@U123>` and a typed `<!here>` reaches the helper inert."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "postgres <!channel> ask <@U0123ABC|zed> &lt;!here&gt; R&amp;D")
    [ask] = fake_slack.messages_in(BOB)
    for text in (ask.shown_text(), ask.text):
        assert "<!channel>" not in text and "<@U0123ABC" not in text and "<!here>" not in text
        assert "postgres @channel ask @zed &lt;!here&gt; R&amp;D" in text


async def test_buttons_keep_working_after_a_restart(
    chat: Chat,
    fake_slack: FakeSlack,
    settings: Settings,
    slack_settings: SlackSettings,
    store: Store,
    clock: ManualClock,
) -> None:
    """An ask sent before a restart is still answered by its button afterwards."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    await chat.adapter.stop()

    restarted = await start_slack(Whuffie(settings, store, clock=clock), slack_settings)
    try:
        assert restarted.http_url is not None
        after = Chat(restarted, SlackSender(restarted.http_url, fake_slack), fake_slack)
        assert "Thank you for helping" in await after.press(
            BOB, fake_slack.messages_in(BOB)[0], "I can help"
        )
        assert len(fake_slack.messages_in(ALICE, BOB)) == 1
    finally:
        await stop_slack(restarted)
