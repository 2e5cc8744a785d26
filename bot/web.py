"""The one HTTP server of a bot process, shared by every part that serves something on PORT.

A part registers its aiohttp routes before the server starts: the core its health endpoints,
a platform its webhooks (Slack's events in HTTP mode), the dashboard its pages. The
composition root starts the server once, on PORT, whenever any part registered routes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiohttp import web

from bot.settings import SettingsError

log = logging.getLogger(__name__)

# Requests to a chat bot are small (a Slack payload is a few kilobytes); past this, 413.
MAX_BODY_BYTES = 1024 * 1024


class WebServer:
    """Routes from several parts on one aiohttp application, served on one port."""

    def __init__(self, port: int, host: str = "0.0.0.0", max_body: int = MAX_BODY_BYTES) -> None:
        self.port = port
        self.host = host
        self.app = web.Application(client_max_size=max_body)
        self.url: str | None = None
        self._needed = False
        self._paths: list[str] = []
        self._runner: web.AppRunner | None = None

    def add_routes(self, routes: Iterable[web.AbstractRouteDef], *, needed: bool = True) -> None:
        """Serve these routes too; `needed=False` when the bot works on without them.

        A part whose work arrives over HTTP (a platform's webhooks) needs the port, so a taken
        port stops the bot at start; the health endpoints alone do not.
        """
        if self._runner is not None:
            raise RuntimeError("routes are added before the HTTP server starts")
        for route in self.app.add_routes(list(routes)):
            path = route.resource.canonical if route.resource is not None else "?"
            if path not in self._paths:
                self._paths.append(path)
        self._needed = self._needed or needed

    @property
    def has_routes(self) -> bool:
        """Whether any part registered something to serve."""
        return bool(self._paths)

    async def start(self) -> None:
        """Listen on the port; a taken port stops the bot only when a part needs it."""
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            if self._needed:
                raise SettingsError(
                    f"cannot serve HTTP on PORT {self.port}: {exc.strerror}; choose a free "
                    "port (or stop what holds this one)"
                ) from None
            log.warning("HTTP not served: port %s: %s", self.port, exc.strerror)
            return
        self._runner = runner
        bound = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}"
        log.info("Serving HTTP on port %s: %s", bound, ", ".join(self._paths))

    async def stop(self) -> None:
        """Stop listening (requests being answered are given a moment by aiohttp)."""
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
