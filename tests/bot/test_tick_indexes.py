"""The tick with nothing due reads indexes only, so an idle tick stays cheap at any size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.scheduler import due_work
from bot.store import Store
from tests.fakes import Community


def _plans(store: Store, statements: list[tuple[str, Any]]) -> list[str]:
    """How the database would read each statement, with a full scan priced out of reach."""
    plans = []
    with store.engine.connect() as conn:
        if store.is_sqlite:
            for statement, params in statements:
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
                plans.append("\n".join(str(r[-1]) for r in rows))
        else:
            # Tiny test tables are read whole by choice; forbid that to see if an index serves.
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, params in statements:
                rows = conn.exec_driver_sql(f"EXPLAIN {statement}", params).all()
                plans.append("\n".join(str(r[0]) for r in rows))
    return plans


async def test_a_tick_with_nothing_due_reads_no_table_whole(
    community: Community, store: Store
) -> None:
    """Each query of the idle tick (asks, follow-ups, pauses, stale sends) uses an index."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "pause", "3")
    await community.say("cat", "need", "python packaging")
    selects: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        await store.run(lambda s: due_work(community.core.ctx, s))
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert len(selects) >= 4
    for (statement, _), plan in zip(selects, _plans(store, selects), strict=True):
        whole = [
            line
            for line in plan.splitlines()
            if line.strip().startswith("SCAN") or "Seq Scan" in line
        ]
        assert not whole, f"{statement}\n{plan}"


async def test_an_idle_tick_asks_the_database_once_through_indexes(
    community: Community, store: Store
) -> None:
    """Nothing due: one read, without a lock or a transaction per kind of work, and no table
    read whole; every process ticks every few seconds, mostly finding nothing."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "pause", "3")
    await community.say("cat", "need", "python packaging")
    await community.core.tick()  # the first also purges what is past its retention
    issued: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        issued.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        await community.core.tick()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert len(issued) == 1
    [(statement, _)] = issued
    assert statement.lstrip().upper().startswith("SELECT")
    assert "FOR UPDATE" not in statement.upper()
    [plan] = _plans(store, issued)
    whole = [
        line
        for line in plan.splitlines()
        if (line.strip().startswith("SCAN") and "CONSTANT ROW" not in line) or "Seq Scan" in line
    ]
    assert not whole, f"{statement}\n{plan}"
