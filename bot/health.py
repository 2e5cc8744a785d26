"""Health endpoints for whatever watches the process: `/healthz` (alive), `/readyz` (can work)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.store import Store
from bot.web import WebServer

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# A readiness probe must answer before the prober gives up (often 1 to 5 seconds).
READY_TIMEOUT_SECONDS = 3.0


def health_routes(store: Store) -> list[web.RouteDef]:
    """The two endpoints, for the shared HTTP server."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(asyncio.to_thread(store.ping), READY_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure means: do not send work here now
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            return web.json_response({"status": "unavailable", "database": reason}, status=503)
        return web.json_response({"status": "ready", "database": "ok"})

    return [web.get(HEALTH_PATH, healthz), web.get(READY_PATH, readyz)]


def add_health_routes(server: WebServer, store: Store) -> None:
    """Serve the health endpoints on the shared server; the bot works on without them."""
    server.add_routes(health_routes(store), needed=False)
