"""/forgetme deletes everything the bot holds about a member: no row names them after."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select as select_all
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.models import Outbox, Thanks
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community


def rows_naming(store: Store, user_id: str, display: str, member_id: int) -> list[str]:
    """Every row in every table that names the member, by id, platform id or name."""
    found = []
    with store.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            member_columns = {
                c.name
                for c in table.columns
                if any(fk.column.table.name == "member" for fk in c.foreign_keys)
            }
            for row in conn.execute(select_all(table)).mappings():
                for column, value in row.items():
                    if _names(column, value, member_columns, user_id, display, member_id):
                        found.append(f"{table.name}.{column}={value!r}")
                if table.name == "member" and row["id"] == member_id:
                    found.append(f"member row {member_id}")
    return found


def _names(
    column: str, value: Any, member_columns: set[str], user_id: str, display: str, member_id: int
) -> bool:
    if column in member_columns:
        return bool(value == member_id)
    if isinstance(value, str):
        return user_id in value or display in value
    if isinstance(value, list):
        return member_id in value or user_id in value
    return False


async def test_forgetme_asks_to_confirm_first(community: Community) -> None:
    """Without the confirm button nothing is deleted."""
    await community.say("zelda", "offer", "python")
    reply = await community.say("zelda", "forgetme")
    assert reply.buttons[0].typed == "/forgetme confirm"
    assert "python" in (await community.say("zelda", "profile")).text


async def test_forgetme_confirm_leaves_no_row_naming_the_member(
    community: Community, store: Store
) -> None:
    """After a full history (offer, needs, asks, intro, thanks), no table names zelda."""
    await community.say("zelda", "offer", "python, rust")
    await community.say("yusuf", "offer", "pitch decks")
    await community.say("xena", "need", "python help")
    await community.say("zelda", "accept", ask_id(community, "zelda"))
    await community.say("xena", "done", "thank you!")
    await community.say("zelda", "need", "pitch deck feedback")
    await community.say("yusuf", "accept", ask_id(community, "yusuf"))
    await community.say("zelda", "thanks", "you are great", target="yusuf")
    await community.say("zelda", "pause", "3")
    with store.engine.connect() as conn:
        member_id = conn.execute(text("SELECT id FROM member WHERE user_id = 'zelda'")).scalar()
    assert member_id is not None
    assert rows_naming(store, "zelda", "Zelda", member_id)  # the scan does find her before

    await community.say("zelda", "forgetme")
    reply = await community.say("zelda", "forgetme", "confirm")
    assert "forgotten everything" in reply.text
    assert rows_naming(store, "zelda", "Zelda", member_id) == []
    # The community goes on: xena's resolved need is still counted, without a helper.
    community.port.admins.add("xena")
    stats = await community.say("xena", "helpstats")
    assert "Needs posted: 1" in stats.text


async def test_an_old_accept_button_never_accepts_a_new_need_after_forgetme(
    community: Community,
) -> None:
    """A helper's old "I can help" on a forgotten need finds nothing, not someone else's need."""
    await community.say("hana", "offer", "python")
    await community.say("rex", "need", "python help")
    old = ask_id(community, "hana")
    await community.say("rex", "forgetme")
    await community.say("rex", "forgetme", "confirm")
    await community.say("sam", "need", "python packaging")
    assert ask_id(community, "hana") != old
    reply = await community.say("hana", "accept", old)
    assert "can't find" in reply.text
    assert not [m for m in community.port.sent if "meet" in m.message.text]


def member_id_of(store: Store, user_id: str) -> int | None:
    """The member row's id of a platform user, if the bot holds one."""
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT id FROM member WHERE user_id = :u"), {"u": user_id}
        ).scalar()
    return int(found) if found is not None else None


async def test_forgetme_confirm_typed_without_asking_first_deletes_nothing(
    community: Community,
) -> None:
    """A bare `/forgetme confirm` only asks to confirm; the member's profile stays."""
    await community.say("zelda", "offer", "python")
    reply = await community.say("zelda", "forgetme", "confirm")
    assert reply.buttons[0].typed == "/forgetme confirm"
    assert "python" in (await community.say("zelda", "profile")).text


async def test_forgetme_confirm_long_after_the_question_deletes_nothing(
    community: Community,
) -> None:
    """A confirm pressed more than five minutes after /forgetme asks again instead."""
    await community.say("zelda", "offer", "python")
    await community.say("zelda", "forgetme")
    community.clock.advance(timedelta(minutes=6))
    reply = await community.say("zelda", "forgetme", "confirm")
    assert reply.buttons[0].typed == "/forgetme confirm"
    assert "python" in (await community.say("zelda", "profile")).text
    reply = await community.say("zelda", "forgetme", "confirm")  # the fresh question counts
    assert "forgotten everything" in reply.text


async def test_forgetting_a_member_named_hi_keeps_everyone_elses_messages(
    community: Community, store: Store
) -> None:
    """Every ask starts "Hi!": a member whose name is Hi takes none of them with them."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    await community.say("hi", "offer", "rust")
    with store.session() as session:
        before = len(session.exec(select(Outbox)).all())
    await community.say("hi", "forgetme")
    await community.say("hi", "forgetme", "confirm")
    with store.session() as session:
        left = session.exec(select(Outbox)).all()
    assert len(left) == before
    assert all("hi" not in row.recipients for row in left)


async def test_an_introduction_mentioning_a_forgotten_member_still_reaches_both_sides(
    community: Community,
) -> None:
    """A pending intro whose pass-it-on line names zelda is delivered, naming her no more."""
    await community.say("ann", "offer", "rust")
    await community.say("zelda", "need", "rust macros")
    await community.say("bob", "offer", "python")
    await community.say("ann", "need", "python help")
    community.port.failures = 1  # the introduction waits in the outbox for a retry
    await community.say("bob", "accept", ask_id(community, "bob"))
    assert not [s for s in community.port.sent if "meet" in s.message.text]
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    community.clock.advance(timedelta(minutes=5))
    await community.core.flush()
    intros = [s for s in community.port.sent if "meet" in s.message.text]
    assert len(intros) == 1
    intro = intros[0]
    assert set(intro.to) == {"ann", "bob"}
    assert "<@zelda>" not in intro.message.text
    assert "rust macros" not in intro.message.text
    assert "a former member" in intro.message.text
    assert not [b for b in intro.message.buttons if b.command == "give"]


async def test_a_thank_you_someone_else_wrote_no_longer_names_the_forgotten_member(
    community: Community, store: Store
) -> None:
    """Ann's thank-you to bob that mentions zelda is kept, with zelda's name redacted."""
    await community.say("zelda", "offer", "python")
    await community.say("ann", "thanks", "you and <@zelda> saved my week", target="bob")
    await community.say("ann", "thanks", "Zelda and you, thank you", target="bob")
    member_id = member_id_of(store, "zelda")
    assert member_id is not None
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    with store.session() as session:
        kept = sorted(t.text for t in session.exec(select(Thanks)).all())
    assert kept == [
        "a former member and you, thank you",
        "you and a former member saved my week",
    ]
    assert rows_naming(store, "zelda", "Zelda", member_id) == []
    assert "received 2 thank-yous" in (await community.say("bob", "profile")).text


async def test_a_helper_asked_about_a_forgotten_members_need_sees_the_ask_closed(
    community: Community,
) -> None:
    """The helpers asked about zelda's need get their ask edited: no buttons, no need words."""
    await community.say("ann", "offer", "python")
    await community.say("zelda", "need", "python help")
    old = ask_id(community, "ann")
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    ref, edit = community.port.edits[-1]
    assert ref == community.port.sent[0].ref
    assert edit.buttons == ()
    assert "python help" not in edit.text
    assert "can't find" in (await community.say("ann", "accept", old)).text


async def test_when_the_asked_member_leaves_the_requester_gets_the_next_candidate(
    community: Community,
) -> None:
    """An ask zelda held closes like a decline: the next member is asked about bob's need."""
    await community.say("zelda", "offer", "python")
    await community.say("bob", "need", "python help")
    await community.say("ann", "offer", "python")
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    assert [b.command for b in community.port.last_to("ann").buttons] == ["accept", "decline"]
    assert "python help" in community.port.last_to("ann").text


async def test_when_the_only_asked_member_leaves_the_requester_is_told(
    community: Community,
) -> None:
    """With nobody left to ask, bob hears so, as after the last decline."""
    await community.say("zelda", "offer", "python")
    await community.say("bob", "need", "python help")
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    assert "python help" in community.port.last_to("bob").text


async def test_when_an_introduced_helper_leaves_the_requester_is_told(
    community: Community,
) -> None:
    """Bob's need, introduced to zelda and not yet resolved, is reopened and bob hears it."""
    await community.say("zelda", "offer", "python")
    await community.say("bob", "need", "python help")
    await community.say("zelda", "accept", ask_id(community, "zelda"))
    await community.say("ann", "offer", "python")
    told = len(community.port.to("bob"))
    await community.say("zelda", "forgetme")
    await community.say("zelda", "forgetme", "confirm")
    assert len(community.port.to("bob")) > told
    assert "<@zelda>" not in community.port.last_to("bob").text
    assert "python help" in community.port.last_to("ann").text
