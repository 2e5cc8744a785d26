"""The port on Slack, against the fake Web API: DMs, introductions, edits, admins, members."""

from __future__ import annotations

import pytest

from adapters.slack.client import build_client
from adapters.slack.port import SlackPort
from adapters.slack.settings import SlackSettings
from bot.port import Button, InstallationBroken, Message, Undeliverable
from tests.adapters.slack.conftest import ALICE, BOB, DANA, ROBOT
from tests.adapters.slack.fake_slack import FakeSlack

COMMUNITY = "slack:T0TEAM"
ASK = Message("Alice needs help.", (Button("I can help", "accept", "3", "primary"),))


@pytest.fixture
def port(slack_settings: SlackSettings) -> SlackPort:
    """The port with a real Web API client pointed at the fake."""
    return SlackPort(build_client(slack_settings, slack_settings.bot_token))


async def test_a_dm_opens_the_conversation_and_posts_blocks(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """One member gets a 1:1 DM with the text and the buttons."""
    await port.send_dm(COMMUNITY, [BOB], ASK)
    assert fake_slack.calls_to("conversations.open")[0].args["users"] == BOB
    [message] = fake_slack.messages_in(BOB)
    assert message.shown_text() == "Alice needs help."
    assert [b["text"]["text"] for b in message.buttons()] == ["I can help"]


async def test_an_introduction_is_one_group_dm(port: SlackPort, fake_slack: FakeSlack) -> None:
    """Several members share one group DM, opened with all of them."""
    await port.send_dm(COMMUNITY, [BOB, ALICE], Message("Alice, meet Bob."))
    assert fake_slack.calls_to("conversations.open")[0].args["users"] == f"{ALICE},{BOB}"
    assert [m.text for m in fake_slack.messages_in(ALICE, BOB)] == ["Alice, meet Bob."]


async def test_the_ref_edits_the_message_it_names(port: SlackPort, fake_slack: FakeSlack) -> None:
    """A superseded ask is edited in place, its buttons gone."""
    ref = await port.send_dm(COMMUNITY, [BOB], ASK)
    await port.update_message(COMMUNITY, ref, Message("Already taken care of, thank you!"))
    [message] = fake_slack.messages_in(BOB)
    assert message.shown_text() == "Already taken care of, thank you!"
    assert message.buttons() == []


@pytest.mark.parametrize(
    "error", ["cannot_dm_bot", "user_not_found", "user_disabled", "invalid_user_combination"]
)
async def test_permanent_refusals_are_undeliverable(
    port: SlackPort, fake_slack: FakeSlack, error: str
) -> None:
    """Slack's 'never' errors tell the core to move on, whichever call they come from."""
    fake_slack.fail("chat.postMessage", error)
    with pytest.raises(Undeliverable):
        await port.send_dm(COMMUNITY, [BOB], ASK)
    fake_slack.fail("conversations.open", error)
    with pytest.raises(Undeliverable):
        await port.send_dm(COMMUNITY, [ALICE], ASK)


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
async def test_a_refusal_of_the_bot_itself_is_not_the_members_fault(
    port: SlackPort, fake_slack: FakeSlack, error: str
) -> None:
    """Errors about the bot's own token say the installation is broken, not the member."""
    fake_slack.fail("chat.postMessage", error)
    with pytest.raises(InstallationBroken):
        await port.send_dm(COMMUNITY, [BOB], ASK)
    fake_slack.fail("chat.update", error)
    with pytest.raises(InstallationBroken):
        await port.update_message(COMMUNITY, "DUBOB:1700000001.000100", ASK)


async def test_a_bot_cannot_be_asked(port: SlackPort) -> None:
    """Slack's own refusal to DM a bot user is undeliverable."""
    with pytest.raises(Undeliverable):
        await port.send_dm(COMMUNITY, [ROBOT], ASK)


async def test_a_passing_failure_is_not_undeliverable(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """A Slack hiccup raises something the core retries, and the retry gets through."""
    fake_slack.fail("chat.postMessage", "internal_error")
    with pytest.raises(Exception) as raised:
        await port.send_dm(COMMUNITY, [BOB], ASK)
    assert not isinstance(raised.value, Undeliverable)
    await port.send_dm(COMMUNITY, [BOB], ASK)
    assert len(fake_slack.messages_in(BOB)) == 1


async def test_a_429_waits_for_retry_after_and_delivers(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """Rate limited once with Retry-After: 1, the message still arrives, a second later."""
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    await port.send_dm(COMMUNITY, [ALICE, BOB], Message("Alice, meet Bob."))
    first, second = fake_slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert [m.text for m in fake_slack.messages_in(ALICE, BOB)] == ["Alice, meet Bob."]


async def test_an_edit_of_a_vanished_message_is_undeliverable(port: SlackPort) -> None:
    """Retrying an edit of a message Slack no longer has would never succeed."""
    with pytest.raises(Undeliverable):
        await port.update_message(COMMUNITY, "DUBOB:1.000100", Message("gone"))


async def test_admins_and_owners_come_from_users_info(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """Workspace admins and owners are admins; members are not."""
    fake_slack.add_user("UOWNER", "Olga", owner=True)
    assert await port.is_admin(COMMUNITY, DANA)
    assert await port.is_admin(COMMUNITY, "UOWNER")
    assert not await port.is_admin(COMMUNITY, ALICE)


async def test_a_deactivated_or_unknown_account_is_no_member(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """Members belong to the workspace; a deactivated account or an unknown id does not."""
    fake_slack.add_user("UGONE", "Gone")
    fake_slack.users["UGONE"]["deleted"] = True
    assert await port.is_member(COMMUNITY, ALICE)
    assert not await port.is_member(COMMUNITY, "UGONE")
    assert not await port.is_member(COMMUNITY, "UNOBODY")


async def test_names_are_cached(port: SlackPort, fake_slack: FakeSlack) -> None:
    """A member's name and rights are looked up once, not on every command."""
    assert await port.display_name(ALICE, "alice") == "Alice"
    assert await port.display_name(ALICE, "alice") == "Alice"
    assert not await port.is_admin(COMMUNITY, ALICE)
    assert len(fake_slack.calls_to("users.info")) == 1


async def test_a_name_falls_back_when_slack_cannot_say(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    """A failing users.info never fails the command: the request's user name stands in."""
    fake_slack.fail("users.info", "internal_error")
    assert await port.display_name(BOB, "bob") == "bob"


def test_mentions_and_escaping_are_slacks() -> None:
    """The core's mentions and escaped member text use Slack's syntax."""
    port = SlackPort(build_client(SlackSettings(), "xoxb-unused"))
    assert port.mention("UBOB") == "<@UBOB>"
    assert port.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
