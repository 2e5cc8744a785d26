"""The shared HTTP server: several parts' routes on one port, and a taken port."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from bot.settings import SettingsError
from bot.web import WebServer


def answering(text: str) -> web.RouteDef:
    """A route at /<text> that answers its own name."""

    async def handler(_request: web.Request) -> web.Response:
        return web.Response(text=text)

    return web.get(f"/{text}", handler)


async def test_routes_of_several_parts_are_served_on_one_port() -> None:
    """A platform's webhook and a dashboard's page, registered apart, answer on one port."""
    server = WebServer(0, host="127.0.0.1")
    server.add_routes([answering("events")])
    server.add_routes([answering("dashboard")], needed=False)
    await server.start()
    try:
        assert server.url is not None
        async with aiohttp.ClientSession() as http:
            for path in ("events", "dashboard"):
                async with http.get(f"{server.url}/{path}") as answer:
                    assert (answer.status, await answer.text()) == (200, path)
    finally:
        await server.stop()


async def test_a_taken_port_stops_the_start_when_a_part_needs_it() -> None:
    """Work arriving over HTTP cannot arrive elsewhere: the start fails, naming PORT."""
    first = WebServer(0, host="127.0.0.1")
    first.add_routes([answering("one")])
    await first.start()
    try:
        assert first.url is not None
        second = WebServer(int(first.url.rsplit(":", 1)[1]), host="127.0.0.1")
        second.add_routes([answering("events")])
        with pytest.raises(SettingsError, match="PORT"):
            await second.start()
        assert second.url is None
    finally:
        await first.stop()


async def test_routes_come_before_the_start() -> None:
    """A route added to a running server would silently never be served: refused."""
    server = WebServer(0, host="127.0.0.1")
    await server.start()
    try:
        with pytest.raises(RuntimeError, match="before"):
            server.add_routes([answering("late")])
    finally:
        await server.stop()
