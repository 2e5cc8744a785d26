"""Health endpoints: a container platform can tell a live bot, and one that can work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.health import add_health_routes
from bot.store import Store
from bot.web import WebServer


def health_server(store: Store, port: int = 0) -> WebServer:
    """The shared HTTP server with only the health endpoints on it (no platform serves HTTP)."""
    server = WebServer(port, host="127.0.0.1")
    add_health_routes(server, store)
    return server


@pytest.fixture
async def served(store: Store) -> AsyncIterator[WebServer]:
    """The health server of a bot whose database is up, on a free port."""
    server = health_server(store)
    await server.start()
    yield server
    await server.stop()


async def get(url: str) -> tuple[int, dict[str, str]]:
    """GET a JSON endpoint: its status and body."""
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.json()


async def test_a_running_bot_is_live_and_ready(served: WebServer) -> None:
    """`/healthz` says the process lives; `/readyz` that its database answers."""
    assert served.url is not None
    assert await get(f"{served.url}/healthz") == (200, {"status": "ok"})
    assert await get(f"{served.url}/readyz") == (200, {"status": "ready", "database": "ok"})


async def test_a_bot_without_its_database_is_live_but_not_ready(tmp_path: Path) -> None:
    """With the database unreachable, `/readyz` answers 503 and `/healthz` still 200."""
    store = Store.connect(f"sqlite:///{tmp_path}/no/such/dir/whuffie.db")
    server = health_server(store)
    await server.start()
    try:
        assert server.url is not None
        assert (await get(f"{server.url}/healthz"))[0] == 200
        status, body = await get(f"{server.url}/readyz")
        assert status == 503
        assert body["status"] == "unavailable"
    finally:
        await server.stop()
        store.dispose()


async def test_a_taken_port_leaves_the_bot_running(served: WebServer, store: Store) -> None:
    """A second process on the same port serves no health endpoints, and says so, not crash."""
    assert served.url is not None
    port = int(served.url.rsplit(":", 1)[1])
    second = health_server(store, port)
    await second.start()
    assert second.url is None
    await second.stop()
