"""The store: migrations match the models, and a use case is all or nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, func, select

from bot.models import Ask, Need, Outbox, described_by_models
from bot.store import Store
from tests.fakes import Community


def test_migrations_build_exactly_the_models(store: Store) -> None:
    """After `db upgrade`, the schema has nothing the models lack and lacks nothing."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": described_by_models})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert store.is_current()


def test_upgrade_twice_changes_nothing(store: Store) -> None:
    """Upgrading an up-to-date database is safe (it runs at every start on SQLite)."""
    store.upgrade()
    assert store.is_current()


async def test_a_failing_use_case_leaves_nothing_half_done(
    community: Community, store: Store
) -> None:
    """A crash in the middle of /need stores no need, no ask and no message."""
    await community.say("ann", "offer", "python")

    def broken_mention(user_id: str) -> str:
        raise RuntimeError("crash while writing the ask")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(community.port, "mention", broken_mention)
        reply = await community.say("bob", "need", "python help")
        assert "nothing was changed" in reply.text
        with store.session() as session:
            for table in (Need, Ask, Outbox):
                assert session.exec(select(func.count()).select_from(table)).one() == 0
    reply = await community.say("bob", "need", "python help")
    assert "privately asked one member" in reply.text


def test_upgrading_an_older_sqlite_database_keeps_every_row_and_never_reuses_ids(
    sqlite_url: str,
) -> None:
    """A database made before ids were kept unique keeps its rows; a deleted id never returns."""
    store = Store.connect(sqlite_url)
    store.upgrade("0001")
    seed = [
        "INSERT INTO community VALUES ('fake:T1', 'fake', 0, '2026-01-01 00:00:00')",
        "INSERT INTO member (id, community_id, user_id, display_name, paused, expired_streak,"
        " created_at) VALUES (1, 'fake:T1', 'ann', 'Ann', 0, 0, '2026-01-01 00:00:00'),"
        " (2, 'fake:T1', 'bob', 'Bob', 0, 0, '2026-01-01 00:00:00')",
        "INSERT INTO skill VALUES (1, 1, 'fake:T1', 'python', 'python', '2026-01-01 00:00:00')",
        "INSERT INTO need (id, community_id, requester_id, text, topic, status, created_at,"
        " followups_sent) VALUES (1, 'fake:T1', 2, 'python help', 'python', 'open',"
        " '2026-01-01 00:00:00', 0), (2, 'fake:T1', 2, 'more help', '', 'open',"
        " '2026-01-01 00:00:00', 0)",
        "INSERT INTO ask (id, need_id, member_id, community_id, reason, status, created_at,"
        " expires_at) VALUES (1, 1, 1, 'fake:T1', 'you offered python', 'pending',"
        " '2026-01-01 00:00:00', '2026-01-02 00:00:00'), (2, 2, 1, 'fake:T1', '', 'pending',"
        " '2026-01-01 00:00:00', '2026-01-02 00:00:00')",
        "INSERT INTO thanks VALUES (1, 'fake:T1', 2, 1, 1, 'thank you', '2026-01-01 00:00:00')",
        "INSERT INTO outbox (id, community_id, kind, recipients, member_ids, text, buttons,"
        " ask_id, status, attempts, next_attempt_at, created_at) VALUES (1, 'fake:T1', 'dm',"
        " '[\"ann\"]', '[1]', 'Hi!', '[]', 1, 'sent', 0, '2026-01-01 00:00:00',"
        " '2026-01-01 00:00:00')",
    ]
    tables = ("community", "member", "skill", "need", "ask", "thanks", "outbox")
    with store.engine.begin() as conn:
        for statement in seed:
            conn.execute(text(statement))
        before = {t: conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in tables}
    store.upgrade("0002")
    with store.engine.begin() as conn:
        after = {t: conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in tables}
        assert after == before
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        conn.execute(text("DELETE FROM ask WHERE id = 2"))
        conn.execute(
            text(
                "INSERT INTO ask (need_id, member_id, community_id, reason, status, created_at,"
                " expires_at) VALUES (2, 1, 'fake:T1', '', 'pending', '2026-01-03 00:00:00',"
                " '2026-01-04 00:00:00')"
            )
        )
        newest = conn.execute(text("SELECT max(id) FROM ask")).scalar()
    assert newest == 3
    store.upgrade()
    assert store.is_current()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": described_by_models})
        assert compare_metadata(context, SQLModel.metadata) == []
        # Members with a profile are counted from the skills already there.
        assert conn.execute(text("SELECT members_with_profile FROM community")).scalar() == 1
        assert conn.execute(text("SELECT id, skill_count FROM member ORDER BY id")).all() == [
            (1, 1),
            (2, 0),
        ]
    store.dispose()
