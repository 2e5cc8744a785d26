"""/forgetme racing other members' work on PostgreSQL: it always succeeds, and nothing is left."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community, two_processes

pytestmark = pytest.mark.postgres

RACES = 20
OOPS = "nothing was changed"


@pytest.fixture
def two(pg_url: str) -> Iterator[tuple[Community, Community]]:
    """Two processes on one PostgreSQL, sending through the same workspace."""
    with two_processes(pg_url) as (a, b):
        b.port = a.port
        b.core.attach(a.port)
        yield a, b


def rows_of(store: Store, member_id: int) -> list[str]:
    """Rows that still point at a member id, in any table that can."""
    queries = {
        "member": "SELECT count(*) FROM member WHERE id = :m",
        "skill": "SELECT count(*) FROM skill WHERE member_id = :m",
        "need": "SELECT count(*) FROM need WHERE requester_id = :m OR helper_id = :m",
        "ask": "SELECT count(*) FROM ask WHERE member_id = :m",
        "thanks": "SELECT count(*) FROM thanks WHERE from_member_id = :m OR to_member_id = :m",
    }
    with store.engine.connect() as conn:
        return [
            name
            for name, sql in queries.items()
            if conn.execute(text(sql), {"m": member_id}).scalar()
        ]


def member_id(store: Store, user_id: str) -> int:
    """The member row id of a platform user."""
    with store.engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM member WHERE user_id = :u"), {"u": user_id})
        return int(found.scalar_one())


async def test_forgetme_always_succeeds_while_someone_posts_a_need_that_would_ask_them(
    two: tuple[Community, Community],
) -> None:
    """N races of zelda's confirm against bob's /need in another process: 0 failures."""
    a, b = two
    store = a.core.store
    for i in range(RACES):
        zelda, bob = f"zelda{i}", f"bob{i}"
        await a.say(zelda, "offer", "python")
        await b.say(bob, "profile")
        await a.say(zelda, "forgetme")
        old = member_id(store, zelda)
        forgot, posted = await asyncio.gather(
            a.say(zelda, "forgetme", "confirm"), b.say(bob, "need", "python help")
        )
        assert "forgotten everything" in forgot.text, (i, forgot.text)
        assert OOPS not in posted.text, (i, posted.text)
        assert rows_of(store, old) == [], i


async def test_forgetme_always_succeeds_while_they_post_a_need(
    two: tuple[Community, Community],
) -> None:
    """N races of zelda's confirm against zelda's own /need: 0 failures, the old member gone."""
    a, b = two
    store = a.core.store
    await a.say("ann", "offer", "python")
    for i in range(RACES):
        zelda = f"zelda{i}"
        await a.say(zelda, "offer", "rust")
        await a.say(zelda, "forgetme")
        old = member_id(store, zelda)
        forgot, posted = await asyncio.gather(
            a.say(zelda, "forgetme", "confirm"), b.say(zelda, "need", "python help")
        )
        assert "forgotten everything" in forgot.text, (i, forgot.text)
        assert OOPS not in posted.text, (i, posted.text)
        assert rows_of(store, old) == [], i


async def test_forgetme_always_succeeds_while_a_helper_accepts_their_need(
    two: tuple[Community, Community],
) -> None:
    """N races of zelda's confirm against the helper's "I can help" on her need: 0 failures."""
    a, b = two
    store = a.core.store
    for i in range(RACES):
        zelda, helper = f"zelda{i}", f"helper{i}"
        await a.say(helper, "offer", "python")
        await a.say(zelda, "need", "python help")
        await a.say(zelda, "forgetme")
        old = member_id(store, zelda)
        forgot, accepted = await asyncio.gather(
            a.say(zelda, "forgetme", "confirm"), b.say(helper, "accept", ask_id(a, helper))
        )
        assert "forgotten everything" in forgot.text, (i, forgot.text)
        assert OOPS not in accepted.text, (i, accepted.text)
        assert rows_of(store, old) == [], i
        await a.say(helper, "unoffer", "python")  # out of the next rounds' way
