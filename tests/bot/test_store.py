"""The store: migrations match the models, and a use case is all or nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.models import Ask, Need, Outbox
from bot.store import Store
from tests.fakes import Community


def test_migrations_build_exactly_the_models(store: Store) -> None:
    """After `db upgrade`, the schema has nothing the models lack and lacks nothing."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
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

    community.port.mention = broken_mention  # type: ignore[method-assign]
    reply = await community.say("bob", "need", "python help")
    assert "nothing was changed" in reply.text
    with store.session() as session:
        for table in (Need, Ask, Outbox):
            assert session.exec(select(func.count()).select_from(table)).one()[0] == 0
    del community.port.mention
    reply = await community.say("bob", "need", "python help")
    assert "privately asked one member" in reply.text
