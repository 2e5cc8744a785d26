"""Connectors on Slack: nobody fits, a connector is asked whom they know and `/refer`s them."""

from __future__ import annotations

from tests.adapters.slack.conftest import ALICE, BOB, CAROL, DANA, Chat
from tests.adapters.slack.fake_slack import FakeSlack

PITCH = "someone to review my pitch deck for investors"


async def test_a_connector_refers_a_member_without_a_profile_who_then_helps(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Bob helped Alice; nobody fits Carol's need, so Bob is asked whom he knows; he names
    Dana (no profile), who is asked saying Bob thought of her, says yes and is introduced."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    await chat.press(BOB, fake_slack.messages_in(BOB)[0], "I can help")

    reply = await chat.type(CAROL, "/need", PITCH)
    assert "also asked a member who knows many people" in reply
    connector_ask = fake_slack.messages_in(BOB)[-1]
    assert "Do you know someone who could help" in connector_ask.shown_text()
    assert PITCH in connector_ask.shown_text()
    labels = [b["text"]["text"] for b in connector_ask.buttons()]
    assert labels == ["I'll suggest someone", "I don't know anyone"]
    assert "/refer 2 @member" in await chat.press(BOB, connector_ask, "I'll suggest someone")

    # Slack turns the typed `@dana` into a member token after the need's number.
    sent = await chat.type(BOB, "/refer", f"2 <@{DANA}|dana>")
    assert f"Thank you for thinking of <@{DANA}>" in sent
    [referred] = fake_slack.messages_in(DANA)
    assert f"<@{BOB}> thought of you" in referred.shown_text()
    assert PITCH in referred.shown_text()
    assert "introduced you both" in await chat.press(DANA, referred, "I can help")
    [intro] = fake_slack.messages_in(CAROL, DANA)
    assert f"<@{CAROL}>, meet <@{DANA}>" in intro.shown_text()

    mirror = await chat.type(BOB, "/profile")
    assert "thought of 1 person for others' needs, and 1 of them went on to help" in mirror


async def test_refer_names_nobody_outside_the_workspace_or_without_a_mention(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """A forged member id, a channel, `<!here>` or a plain name: a friendly refusal, no DM."""
    await chat.type(CAROL, "/need", PITCH)
    calls = len(fake_slack.calls_to("chat.postMessage"))
    assert "can't find that person" in await chat.type(BOB, "/refer", "1 <@UFORGED|zed>")
    for text in ("1 <!here>", "1 <#C0GENERAL|general>", "1 @dana", f"<@{DANA}> 1", ""):
        assert "For example `/refer 12 @sam`" in await chat.type(BOB, "/refer", text)
    assert len(fake_slack.calls_to("chat.postMessage")) == calls
