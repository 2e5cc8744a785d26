"""A button press through the core: it may only press a button that was sent to the presser."""

from __future__ import annotations

from sqlmodel import select

from bot.buttons import Press
from bot.models import NEED_OPEN, Member, Need
from bot.models import Community as CommunityRow
from bot.port import Message
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community


async def press(c: Community, user: str, command: str, arg: str, where: str | None = None) -> str:
    """`user` presses the button `command arg` (from a DM unless `where` is given)."""
    reply: Message = await c.core.press(Press("fake", user, user.title(), command, arg, where))
    await c.core.flush()
    return reply.text


def stored(c: Community) -> tuple[list[str], list[str]]:
    """The communities and the member ids the bot holds."""
    with c.core.store.session() as session:
        communities = list(session.exec(select(CommunityRow.id)).all())
        return communities, list(session.exec(select(Member.user_id)).all())


async def asked(c: Community) -> str:
    """Bob offers postgres and Ann needs it: the id of Bob's ask."""
    await c.say("bob", "offer", "postgres")
    await c.say("ann", "need", "my slow postgres query")
    return ask_id(c, "bob")


async def test_the_member_asked_can_accept_from_a_dm(community: Community) -> None:
    """The press names no community; the ask's own is used, and both are introduced."""
    ask = await asked(community)
    assert "introduced you both" in await press(community, "bob", "accept", ask)
    assert any("meet" in m.text for m in community.port.to("ann"))


async def test_only_button_commands_can_be_pressed(community: Community) -> None:
    """A press of `/offer`, `/need` or `/helpstats` does nothing and stores nobody."""
    for command, arg in (("offer", "hacking"), ("need", "x"), ("helpstats", ""), ("pause", "")):
        reply = await press(community, "eve", command, arg, COMMUNITY)
        assert "doesn't do anything" in reply
    assert stored(community) == ([], [])


async def test_someone_elses_ask_cannot_be_answered(community: Community) -> None:
    """Cat, a member too, presses Bob's ask: refused; Ann is introduced to nobody."""
    ask = await asked(community)
    await community.say("cat", "profile")
    for command in ("accept", "decline"):
        assert "meant for someone else" in await press(community, "cat", command, ask)
    assert "introduced" not in " ".join(m.text for m in community.port.to("ann"))


async def test_a_press_in_another_community_finds_nothing(community: Community) -> None:
    """Bob's ask button pressed where his ask isn't: not found, and nothing created there."""
    ask = await asked(community)
    assert "can't find ask" in await press(community, "bob", "accept", ask, "fake:T2")
    assert stored(community)[0] == [COMMUNITY]


async def test_a_member_who_left_cannot_press(community: Community) -> None:
    """Bob left the community on the platform: his old ask button is refused kindly."""
    ask = await asked(community)
    community.port.left.add("bob")
    assert "no longer a member" in await press(community, "bob", "accept", ask)
    with community.core.store.session() as session:
        assert session.exec(select(Need)).one().status == NEED_OPEN


async def test_a_need_button_is_the_requesters_alone(community: Community) -> None:
    """Only Ann resolves Ann's need with its buttons; `give` is for any known member."""
    await asked(community)
    with community.core.store.session() as session:
        need = str(session.exec(select(Need)).one().id)
    for command in ("done", "helped", "notyet"):
        assert "meant for someone else" in await press(community, "bob", command, need)
    assert "meant for someone else" in await press(community, "stranger", "give", need)
    assert "introduced you both" in await press(community, "bob", "give", need)


async def test_forget_confirm_works_only_where_it_was_asked(community: Community) -> None:
    """The confirm button acts in the community it was pressed in; from a DM it does nothing."""
    await community.say("bob", "offer", "postgres")
    await community.say("bob", "forgetme")
    assert "doesn't do anything" in await press(community, "bob", "forgetme", "confirm")
    assert "bob" in stored(community)[1]
    assert "forgotten everything" in await press(community, "bob", "forgetme", "confirm", COMMUNITY)
    assert "bob" not in stored(community)[1]
