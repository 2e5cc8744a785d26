"""What a Slack button press may do: only press a button that was sent to the presser."""

from __future__ import annotations

from sqlmodel import select

from bot.models import NEED_OPEN, Community, Member, Need, Skill
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, Chat
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack

NEED = "my slow postgres query"


def members(store: Store) -> list[str]:
    """The platform ids of every member the bot holds."""
    with store.session() as session:
        return list(session.exec(select(Member.user_id)).all())


async def test_a_member_cannot_answer_an_ask_sent_to_someone_else(
    chat: Chat, fake_slack: FakeSlack, store: Store
) -> None:
    """Carol presses "I can help" of Bob's ask: refused, Alice meets nobody, Carol isn't stored."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", NEED)
    [ask] = fake_slack.messages_in(BOB)
    assert "meant for someone else" in await chat.press(CAROL, ask, "I can help")
    assert fake_slack.messages_in(ALICE, BOB) == []
    assert CAROL not in members(store)


async def test_a_press_from_another_workspace_acts_on_nothing_here(
    chat: Chat, fake_slack: FakeSlack, store: Store
) -> None:
    """Bob's ask button, pressed in another workspace: not found there, and nothing stored."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", NEED)
    [ask] = fake_slack.messages_in(BOB)
    refused = await chat.press(BOB, ask, "I can help", team_id="T0OTHER")
    assert "I can't find ask #" in refused
    assert fake_slack.messages_in(ALICE, BOB) == []
    with store.session() as session:
        assert [c.id for c in session.exec(select(Community))] == [f"slack:{TEAM_ID}"]
        assert session.exec(select(Need)).one().status == NEED_OPEN


async def test_a_forged_action_cannot_run_a_typed_command(
    chat: Chat, fake_slack: FakeSlack, store: Store
) -> None:
    """An action id naming `/offer` adds no skill: a press only ever presses a button."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", NEED)
    [ask] = fake_slack.messages_in(BOB)
    forged = {"action_id": "whuffie:offer:0", "text": {"type": "plain_text", "text": "x"}}
    answer = await chat.slack.press(CAROL, forged | {"value": "hacking"}, ask)
    assert answer.status == 200
    await chat.adapter.idle()
    with store.session() as session:
        assert session.exec(select(Skill.name)).all() == ["postgres"]
    assert CAROL not in members(store)
