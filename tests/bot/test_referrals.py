"""Connectors and `/refer`: when nobody fits, members who know people are asked whom they know.

Each test runs on SQLite and on PostgreSQL, through the core with a recording port.
"""

from __future__ import annotations

from datetime import timedelta

from bot.buttons import Press
from bot.port import Message
from bot.usecases.referrals import REFERRALS_PER_HOUR
from bot.usecases.stats import compute
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community

PITCH = "someone to review my pitch deck for investors"


async def press(c: Community, user: str, command: str, arg: str) -> str:
    """`user` presses the button `command arg` in a DM."""
    reply: Message = await c.core.press(Press("fake", user, user.title(), command, arg))
    await c.core.flush()
    return reply.text


async def helped(c: Community, helper: str, requester: str, skill: str, need: str) -> None:
    """`helper` offers `skill` and is introduced to `requester` about `need`."""
    await c.say(helper, "offer", skill)
    await c.say(requester, "need", need)
    await c.say(helper, "accept", ask_id(c, helper))


def connector_asks(c: Community) -> dict[str, list[Message]]:
    """Who was asked "do you know someone?", and with which DMs."""
    asked: dict[str, list[Message]] = {}
    for sent in c.port.sent:
        if any(b.command == "suggest" for b in sent.message.buttons):
            asked.setdefault(sent.to[0], []).append(sent.message)
    return asked


async def test_a_connector_refers_a_member_without_a_profile_who_then_helps(
    community: Community,
) -> None:
    """Nobody fits dave's need: alice, who helped before, is asked whom she knows; she names
    bob, who has no profile; bob is asked saying alice thought of him, says yes, and is
    introduced; alice's mirror and /helpstats credit the referral."""
    c = community
    await helped(c, "alice", "carol", "postgres", "help with a slow postgres query")

    reply = await c.say("dave", "need", PITCH)
    assert "nobody who can help" in reply.text
    assert "also asked a member who knows many people" in reply.text
    [ask] = connector_asks(c)["alice"]
    assert "Do you know someone who could help" in ask.text and PITCH in ask.text
    assert [(b.label, b.typed) for b in ask.buttons] == [
        ("I'll suggest someone", "/suggest 2"),
        ("I don't know anyone", "/nobody 2"),
    ]
    assert "/refer 2 @member" in await press(c, "alice", "suggest", "2")

    sent = await c.say("alice", "refer", "2", target="bob")
    assert "Thank you for thinking of <@bob>" in sent.text
    referred = c.port.last_to("bob")
    assert "<@alice> thought of you" in referred.text and PITCH in referred.text
    assert "don't need a profile" in referred.text
    assert "introduced you both" in await press(c, "bob", "accept", ask_id(c, "bob"))
    intro = c.port.sent[-1]
    assert set(intro.to) == {"dave", "bob"} and "<@dave>, meet <@bob>" in intro.message.text

    mirror = await c.say("alice", "profile")
    assert "You thought of 1 person for others' needs, and 1 of them went on to help" in (
        mirror.text
    )
    with c.core.store.session() as session:
        stats = compute(session, COMMUNITY)
    assert (stats.referrals_made, stats.referrals_helped) == (1, 1)
    c.port.admins.add("ada")
    shown = await c.say("ada", "helpstats")
    assert "Referrals (a member thought of someone): 1 · led to help: 1" in shown.text


async def test_connectors_are_the_members_whose_help_reached_the_most_people(
    community: Community,
) -> None:
    """erin helped three people, alice two, bob one person twice: erin and alice are asked,
    at most two, never the requester herself nor a paused member."""
    c = community
    await c.say("erin", "offer", "rust")
    for who in ("r1", "r2", "r3"):
        await c.say(who, "need", f"a rust borrow checker question from {who}")
        await c.say("erin", "accept", ask_id(c, "erin"))
    await c.say("alice", "offer", "figma")
    for who in ("r1", "r2"):
        await c.say(who, "need", f"a figma prototype review for {who}")
        await c.say("alice", "accept", ask_id(c, "alice"))
    await c.say("bob", "offer", "django")
    for n in range(2):
        await c.say("r3", "need", f"a django migration problem number {n}")
        await c.say("bob", "accept", ask_id(c, "bob"))

    await c.say("r1", "need", PITCH)
    assert sorted(connector_asks(c)) == ["alice", "erin"]

    # erin is paused, and the next need comes from alice: bob is the one left to ask.
    await c.say("erin", "pause")
    await c.say("alice", "need", "someone who knows about beekeeping in cities")
    asked = connector_asks(c)
    assert len(asked["bob"]) == 1 and len(asked["erin"]) == 1 and len(asked["alice"]) == 1


async def test_connectors_are_asked_once_everyone_declined(community: Community) -> None:
    """The one who fits says "Not this time": the requester hears that a connector was asked."""
    c = community
    await helped(c, "alice", "carol", "figma", "a figma prototype review")
    await c.say("bob", "offer", "postgres")
    await c.say("dave", "need", "help with a slow postgres query")
    assert not connector_asks(c)
    await c.say("bob", "decline", ask_id(c, "bob"))
    assert list(connector_asks(c)) == ["alice"]
    update = c.port.last_to("dave")
    assert "Everyone I could ask is busy" in update.text
    assert "also asked a member who knows many people" in update.text
    assert "No problem at all" in await press(c, "alice", "nobody", "2")


async def test_refer_refuses_kindly_what_cannot_be_done(community: Community) -> None:
    """Usage, oneself, the requester, an unknown need, a paused member, someone asked already,
    a resolved need, and a member who left the community: each told, nobody asked."""
    c = community
    await c.say("bob", "offer", "postgres")
    await c.say("dave", "need", "help with a slow postgres query")  # need 1, bob asked
    sent_before = len(c.port.sent)
    assert "For example `/refer 12 @sam`" in (await c.say("alice", "refer", "1")).text
    assert "For example" in (await c.say("alice", "refer", "soon", target="bob")).text
    assert "That's you" in (await c.say("alice", "refer", "1", target="alice")).text
    assert "needs the help" in (await c.say("alice", "refer", "1", target="dave")).text
    assert "can't find need #99" in (await c.say("alice", "refer", "99", target="bob")).text
    assert "already been asked" in (await c.say("alice", "refer", "1", target="bob")).text
    await c.say("pia", "pause")
    assert "paused their asks" in (await c.say("alice", "refer", "1", target="pia")).text
    c.port.left.add("gone")
    assert "can't find that person" in (await c.say("alice", "refer", "1", target="gone")).text
    await c.say("dave", "done")
    assert "already taken care of" in (await c.say("alice", "refer", "1", target="sam")).text
    assert len(c.port.sent) == sent_before


async def test_refer_is_limited_per_hour(community: Community) -> None:
    """A member refers at most a few people an hour, then is told when they can go on."""
    c = community
    await c.say("dave", "need", PITCH)
    for n in range(REFERRALS_PER_HOUR):
        assert "Thank you for thinking" in (await c.say("alice", "refer", "1", target=f"m{n}")).text
    refused = await c.say("alice", "refer", "1", target="late")
    assert "in the last hour" in refused.text
    assert not c.port.to("late")
    c.clock.advance(timedelta(hours=1, minutes=1))
    assert "Thank you for thinking" in (await c.say("alice", "refer", "1", target="late")).text


async def test_only_the_connector_asked_can_answer_the_connector_ask(community: Community) -> None:
    """Someone else pressing "I'll suggest someone" on alice's DM is refused."""
    c = community
    await helped(c, "alice", "carol", "figma", "a figma prototype review")
    await c.say("dave", "need", PITCH)
    await c.say("mallory", "profile")
    await c.say("mallory", "offer", "lockpicking")
    assert "meant for someone else" in await press(c, "mallory", "suggest", "2")
    assert "didn't ask you" in (await c.say("mallory", "nobody", "2")).text


async def test_referral_figures_on_a_known_history(community: Community) -> None:
    """Three referrals by alice, one by bob: two led to help (one declined, one unanswered)."""
    c = community
    await c.say("r1", "need", PITCH)  # 1
    await c.say("r2", "need", "a second pair of eyes on my contract")  # 2
    await c.say("r3", "need", "someone who speaks Icelandic")  # 3
    await c.say("alice", "refer", "1", target="h1")
    await c.say("alice", "refer", "2", target="h2")
    await c.say("alice", "refer", "3", target="h3")
    await c.say("bob", "refer", "2", target="h4")
    await c.say("h1", "accept", ask_id(c, "h1"))
    await c.say("h2", "decline", ask_id(c, "h2"))
    await c.say("h4", "accept", ask_id(c, "h4"))
    with c.core.store.session() as session:
        stats = compute(session, COMMUNITY)
    assert (stats.referrals_made, stats.referrals_helped) == (4, 2)
    figures = stats.as_dict()  # what `whuffie stats --json` prints
    assert (figures["referrals_made"], figures["referrals_helped"]) == (4, 2)
    assert (
        "thought of 3 people for others' needs, and 1 of them"
        in (await c.say("alice", "profile")).text
    )
    assert (
        "thought of 1 person for others' needs, and 1 of them"
        in (await c.say("bob", "profile")).text
    )
    assert "thought of" not in (await c.say("h1", "profile")).text


async def test_a_connector_or_a_referred_member_can_be_forgotten(community: Community) -> None:
    """/forgetme works for a connector, a referred helper and a requester, and the referral
    figures count what is left."""
    c = community
    await helped(c, "alice", "carol", "figma", "a figma prototype review")
    await c.say("dave", "need", PITCH)
    await c.say("alice", "refer", "2", target="bob")
    await c.say("bob", "accept", ask_id(c, "bob"))
    await c.say("erin", "need", "someone who speaks Icelandic")
    await c.say("alice", "refer", "3", target="fay")
    for who in ("bob", "alice", "erin"):
        await c.say(who, "forgetme")
        assert "forgotten everything" in (await c.say(who, "forgetme", "confirm")).text
    with c.core.store.session() as session:
        stats = compute(session, COMMUNITY)
    assert (stats.referrals_made, stats.referrals_helped) == (0, 0)


async def test_a_connector_who_left_is_not_counted_among_those_asked(
    community: Community,
) -> None:
    """alice, whose help reached the most people, leaves: the needs she was helping with
    wait again, and each asks as many of the connectors left as there is room for."""
    c = community
    await c.say("alice", "offer", "figma")
    for who in ("r1", "r2"):
        await c.say(who, "need", f"a figma prototype review for {who}")
        await c.say("alice", "accept", ask_id(c, "alice"))
    await helped(c, "bob", "r3", "rust", "a rust borrow checker question")
    await helped(c, "cat", "r4", "django", "a django migration problem")
    await c.say("r5", "need", PITCH)
    assert sorted(connector_asks(c)) == ["alice", "bob"]

    await c.say("alice", "forgetme")
    await c.say("alice", "forgetme", "confirm")
    # r1's need asks bob and cat; r2's, cat (bob has been asked as often as a day allows).
    asked = connector_asks(c)
    assert (len(asked["alice"]), len(asked["bob"]), len(asked["cat"])) == (1, 2, 2)
