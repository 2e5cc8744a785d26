"""Pooled PostgreSQL connections: no round trip to check each one, yet a dead one is replaced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from bot.store import Store
from tests.fakes import Community

pytestmark = pytest.mark.postgres


def counting_pings(store: Store) -> list[int]:
    """Count the pool's liveness checks from now on."""
    pings = [0]
    ping = store.engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings[0] += 1
        return bool(ping(dbapi_connection))

    store.engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


async def test_busy_connections_are_not_pinged_before_each_use(pg_url: str) -> None:
    """Commands in quick succession cost no extra round trip to check their connection."""
    store = Store.connect(pg_url)
    try:
        store.upgrade()
        community = Community(store)
        await community.say("ann", "offer", "python")
        pings = counting_pings(store)
        for name in ("bob", "cid", "dan"):
            await community.say(name, "need", "python help")
        assert pings[0] == 0
    finally:
        store.dispose()


async def test_a_connection_that_died_while_idle_is_replaced_unnoticed(pg_url: str) -> None:
    """The server drops the pool's idle connections: the next command still just works."""
    store = Store.connect(pg_url)
    try:
        store.upgrade()
        community = Community(store)
        await community.say("ann", "offer", "python")
        store.idle_check_seconds = 0.0  # every connection counts as idle for long
        with store.engine.connect() as conn:
            mine = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = Store.connect(pg_url)
        with killer.engine.connect() as other:
            other.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = :p"),
                {"p": mine},
            )
        killer.dispose()
        reply = await community.say("bob", "need", "python help")
        assert "privately asked one member" in reply.text
    finally:
        store.dispose()
