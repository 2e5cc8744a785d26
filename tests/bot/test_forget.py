"""/forgetme deletes everything the bot holds about a member: no row names them after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlmodel import SQLModel

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
            for row in conn.execute(select(table)).mappings():
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
