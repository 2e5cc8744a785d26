"""Text no database can store is cleaned at the edge, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.port import Actor, Invocation, Message
from bot.store import Store
from tests.fakes import COMMUNITY, Community

NUL = "\x00"
LONE = "\ud800"  # half of a surrogate pair: not a character, UTF-8 cannot encode it


async def say_as(
    community: Community, actor: Actor, command: str, args: str = "", target: Actor | None = None
) -> Message:
    """Run a command as an actor the test builds itself (odd names, odd ids)."""
    reply = await community.core.handle(Invocation(actor, command, args, target))
    await community.core.flush()
    return reply


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    """What the database really holds."""
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "lone-surrogate"])
async def test_a_need_with_a_nul_or_a_broken_character_is_still_posted(
    community: Community, store: Store, bad: str
) -> None:
    """A need holding a NUL byte or half a character is posted, and the helper is asked."""
    await community.say("ann", "offer", f"pyt{bad}hon")
    reply = await community.say("bob", "need", f"python{bad} help please")
    assert "went wrong" not in reply.text
    assert "python help please" in community.port.last_to("ann").text
    assert rows(store, "SELECT name FROM skill") == [("python",)]
    assert rows(store, "SELECT text FROM need") == [("python help please",)]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "lone-surrogate"])
async def test_a_thank_you_with_a_nul_or_a_broken_character_is_delivered(
    community: Community, store: Store, bad: str
) -> None:
    """/thanks with a NUL byte or half a character reaches the member, cleaned."""
    reply = await community.say("bob", "thanks", f"you saved{bad} my week", target="ann")
    assert "went wrong" not in reply.text
    assert "you saved my week" in community.port.last_to("ann").text
    assert rows(store, "SELECT text FROM thanks") == [("you saved my week",)]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "lone-surrogate"])
async def test_a_display_name_with_a_nul_or_a_broken_character_still_works(
    community: Community, store: Store, bad: str
) -> None:
    """A member whose display name holds a NUL byte or half a character can use the bot."""
    reply = await say_as(community, Actor("fake", COMMUNITY, "ann", f"A{bad}nn"), "offer", "go")
    assert "went wrong" not in reply.text
    target = Actor("fake", COMMUNITY, "bob", f"B{bad}ob")
    reply = await say_as(community, Actor("fake", COMMUNITY, "cat", "Cat"), "thanks", "hi", target)
    assert "went wrong" not in reply.text
    assert sorted(rows(store, "SELECT display_name FROM member")) == [("Ann",), ("Bob",), ("Cat",)]


async def test_a_surrogate_pair_is_kept_as_the_character_it_spells(
    community: Community, store: Store
) -> None:
    """An emoji that arrives as two UTF-16 halves is stored as the emoji, not dropped."""
    await community.say("bob", "need", "help with emoji \ud83d\ude00 rendering")
    assert rows(store, "SELECT text FROM need") == [("help with emoji 😀 rendering",)]


@pytest.mark.parametrize(
    "actor",
    [
        Actor("fake", COMMUNITY, "u" * 201, "Long"),
        Actor("fake", "fake:" + "T" * 200, "ann", "Ann"),
        Actor("fake", COMMUNITY, f"a{NUL}nn", "Ann"),
        Actor("fake", COMMUNITY, f"a{LONE}nn", "Ann"),
    ],
    ids=["long-user", "long-community", "nul-user", "broken-user"],
)
async def test_an_id_no_platform_sends_is_refused_clearly(
    community: Community, store: Store, actor: Actor
) -> None:
    """A user or community id too long or holding unstorable characters gets a clear answer."""
    reply = await say_as(community, actor, "offer", "python")
    assert "went wrong" not in reply.text
    assert "id" in reply.text.lower()
    assert rows(store, "SELECT count(*) FROM member") == [(0,)]


async def test_thanking_a_member_with_an_unstorable_id_is_refused_clearly(
    community: Community, store: Store
) -> None:
    """/thanks naming a member whose id is too long answers clearly and sends nothing."""
    target = Actor("fake", COMMUNITY, "u" * 201, "Long")
    reply = await say_as(community, Actor("fake", COMMUNITY, "ann", "Ann"), "thanks", "hi", target)
    assert "went wrong" not in reply.text
    assert "id" in reply.text.lower()
    assert not community.port.sent
