"""Health endpoints for whatever watches the process: `/healthz` (alive), `/readyz` (can work)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from bot.store import Store

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# A readiness probe must answer before the prober gives up (often 1 to 5 seconds).
READY_TIMEOUT_SECONDS = 3.0


def add_health_routes(app: web.Application, store: Store) -> None:
    """Serve the two endpoints on an existing aiohttp application (Slack's HTTP mode)."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(asyncio.to_thread(store.ping), READY_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure means: do not send work here now
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            return web.json_response({"status": "unavailable", "database": reason}, status=503)
        return web.json_response({"status": "ready", "database": "ok"})

    app.router.add_get(HEALTH_PATH, healthz)
    app.router.add_get(READY_PATH, readyz)


class HealthServer:
    """The bot's own HTTP server, for deployments with no other: health, and what `routes` adds
    (the dashboard)."""

    def __init__(
        self,
        store: Store,
        port: int,
        host: str = "0.0.0.0",
        routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        self.store = store
        self.port = port
        self.host = host
        self.routes = routes
        self.url: str | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on the port; a port already taken is logged, and the bot runs on without."""
        app = web.Application()
        add_health_routes(app, self.store)
        if self.routes is not None:
            self.routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            log.warning("Health endpoints not served: port %s: %s", self.port, exc.strerror)
            return
        self._runner = runner
        bound = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}"
        log.info("Health endpoints on port %s: %s, %s", bound, HEALTH_PATH, READY_PATH)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def run(self) -> None:
        """Serve until cancelled."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
