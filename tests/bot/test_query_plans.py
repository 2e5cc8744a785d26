"""What every command reads is found through an index, never by reading every member."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.clock import SystemClock
from bot.context import Context
from bot.settings import Settings
from bot.store import Store
from bot.usecases.matchmaking import paused_members


def plan(store: Store, statement: str, parameters: Any) -> str:
    """How the database would run a statement (PostgreSQL told to avoid whole-table reads
    wherever an index serves, as it does once the table is large)."""
    raw = store.engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        if store.is_sqlite:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
        return "\n".join(str(row) for row in cursor.fetchall())
    finally:
        raw.close()


def test_each_need_finds_the_paused_members_through_their_own_index(store: Store) -> None:
    """Every /need leaves paused members out: only they are read, not the whole community."""
    issued: list[tuple[str, Any]] = []

    def remember(*args: Any) -> None:
        issued.append((args[2], args[3]))  # the statement and its parameters

    event.listen(store.engine, "before_cursor_execute", remember)
    ctx = Context(settings=Settings(), clock=SystemClock())
    with store.session() as session:
        paused_members(ctx, session, "fake:T1")
    event.remove(store.engine, "before_cursor_execute", remember)

    (statement, parameters) = issued[-1]
    assert "ix_member_paused" in plan(store, statement, parameters)
