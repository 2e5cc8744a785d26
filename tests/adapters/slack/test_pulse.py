"""The community pulse on Slack: one DM each, buttons that open a modal, the admin's summary,
and a pulse to 2,000 members through rate limits, each DM delivered exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.slack import SlackAdapter
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.models import Community, Member, Outbox
from bot.store import Store
from bot.usecases.pulse import SUMMARY_AFTER
from tests.adapters.slack.conftest import ALICE, BOB, CAROL, DANA, Chat
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack, Posted

CHECK_IN = "what could you use help with this month?"


def check_ins(fake: FakeSlack, user: str) -> list[Posted]:
    """The check-in DMs a member received."""
    return [m for m in fake.messages_in(user) if CHECK_IN in m.shown_text()]


async def open_and_submit(chat: Chat, user: str, dm: Posted, label: str, words: str) -> None:
    """Press a check-in button, see the modal open, type `words` and submit."""
    opened = len(chat.fake.modals)
    [button] = [b for b in dm.buttons() if b["text"]["text"] == label]
    pressed = await chat.slack.press(user, button, dm)
    assert pressed.status == 200
    await chat.adapter.idle()
    assert chat.fake.replies_to(pressed.response_url) == [], "the modal is the answer"
    assert len(chat.fake.modals) == opened + 1
    modal = chat.fake.modals[-1]
    assert modal["title"]["text"] == label
    submitted = await chat.slack.submit(user, modal, words)
    assert submitted.status == 200 and submitted.text == ""  # the modal closes
    await chat.adapter.idle()


async def test_a_pulse_reaches_each_member_once_and_answers_come_back(
    chat: Chat, fake_slack: FakeSlack, core: Whuffie, clock: ManualClock
) -> None:
    """Dana (a workspace admin) runs /pulse: Alice and Bob get it, Carol (paused) does not;
    Alice's answer in the modal becomes a need Bob is asked about, Bob's becomes skills; three
    days later Dana gets the summary; a second /pulse is refused kindly."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/profile")
    await chat.type(ALICE, "/offer", "figma")
    await chat.type(CAROL, "/pause")
    assert "it's for admins" in await chat.type(ALICE, "/pulse")

    started = await chat.type(DANA, "/pulse")
    assert "on its way to 3 members" in started  # Alice, Bob and Dana herself
    for member in (ALICE, BOB, DANA):
        [dm] = check_ins(fake_slack, member)
        labels = [b["text"]["text"] for b in dm.buttons()]
        assert labels == ["Something I need", "Something I can offer", "No more check-ins"]
    assert check_ins(fake_slack, CAROL) == []

    [alice_dm] = check_ins(fake_slack, ALICE)
    await open_and_submit(chat, ALICE, alice_dm, "Something I need", "my slow <postgres> query")
    thanks = fake_slack.messages_in(ALICE)[-1].shown_text()
    assert "Thank you for answering the check-in" in thanks
    assert "privately asked one member" in thanks
    ask = fake_slack.messages_in(BOB)[-1]
    assert "my slow &lt;postgres&gt; query" in ask.shown_text()  # as typed, made inert
    [bob_dm] = check_ins(fake_slack, BOB)
    await open_and_submit(chat, BOB, bob_dm, "Something I can offer", "kubernetes, terraform")
    assert "postgres, kubernetes, terraform" in await chat.type(BOB, "/profile")

    assert "room to breathe" in await chat.type(DANA, "/pulse")
    assert len(check_ins(fake_slack, BOB)) == 1

    clock.advance(SUMMARY_AFTER + timedelta(minutes=1))
    await core.tick()
    summary = fake_slack.messages_in(DANA)[-1].shown_text()
    assert "three days on" in summary
    assert "Answered: 2 of 3 members" in summary
    assert "New needs: 1 · new skills on profiles: 2" in summary


async def test_a_modal_is_only_a_press_by_the_member_the_pulse_reached(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Carol, who never got the check-in, submits a crafted modal: refused, nothing stored;
    a press whose trigger has expired is told to press again."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(CAROL, "/pause")
    await chat.type(DANA, "/pulse")
    [bob_dm] = check_ins(fake_slack, BOB)
    await open_and_submit(chat, BOB, bob_dm, "Something I need", "a review of my pitch deck")
    modal = fake_slack.modals[-1]
    await chat.slack.submit(CAROL, modal, "help with a slow postgres query")
    await chat.adapter.idle()
    assert "meant for someone else" in fake_slack.messages_in(CAROL)[-1].shown_text()
    assert all("slow postgres" not in m.shown_text() for m in fake_slack.messages_in(BOB))

    fake_slack.trigger_lifetime = 0.0
    [button] = [b for b in bob_dm.buttons() if b["text"]["text"] == "Something I can offer"]
    pressed = await chat.slack.press(BOB, button, bob_dm)
    await chat.adapter.idle()
    [reply] = fake_slack.replies_to(pressed.response_url)
    assert "press the button again" in reply.shown_text()


MEMBERS = 2_000


async def test_a_pulse_to_2000_members_through_429s_delivers_each_dm_exactly_once(
    adapter: SlackAdapter,
    chat: Chat,
    fake_slack: FakeSlack,
    core: Whuffie,
    store: Store,
    clock: ManualClock,
) -> None:
    """Slack answers 429 to bursts of posts and opens (some longer than the client retries):
    the outbox sends again later, and every member has exactly one check-in in the end."""
    community = f"slack:{TEAM_ID}"
    ids = [f"UM{n:05d}" for n in range(MEMBERS)]
    for user_id in ids:
        fake_slack.add_user(user_id, user_id.lower())
    await chat.type(DANA, "/offer", "community building")
    with store.session() as session:
        assert session.get(Community, community) is not None
        session.add_all(
            Member(community_id=community, user_id=u, display_name=u, created_at=clock.now())
            for u in ids
        )
        session.commit()
    # Bursts longer than the client's own retries (3) fall back to the outbox's retries.
    for _ in range(20):
        fake_slack.rate_limit("chat.postMessage", retry_after=0, times=5)
        fake_slack.rate_limit("conversations.open", retry_after=0, times=2)

    assert f"on its way to {MEMBERS + 1} members" in await chat.type(DANA, "/pulse")
    for _ in range(50):
        with store.session() as session:
            left = session.exec(select(Outbox.id).where(Outbox.status != "sent")).all()
        if not left:
            break
        clock.advance(timedelta(minutes=10))  # retries fall due
        await core.tick()
    assert not left
    posted = [m for m in fake_slack.posted.values() if CHECK_IN in m.shown_text()]
    per_channel = {m.channel for m in posted}
    assert len(posted) == MEMBERS + 1 == len(per_channel)
    assert all(len(check_ins(fake_slack, u)) == 1 for u in ids[:: MEMBERS // 50])
    assert any(c.method == "chat.postMessage" for c in fake_slack.calls)
    throttled = len(fake_slack.calls_to("chat.postMessage")) - len(fake_slack.posted)
    assert throttled == 100  # every 429 was met, and each was sent again
