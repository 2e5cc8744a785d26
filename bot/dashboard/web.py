"""The dashboard's routes on the bot's HTTP server: a signed link opens one community's page."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import web

from bot.clock import Clock
from bot.dashboard import page
from bot.dashboard.figures import Board, board
from bot.dashboard.links import PATH, signing_key, verify
from bot.settings import Settings
from bot.store import DatabaseAway, Store
from bot.web import WebServer

log = logging.getLogger(__name__)

# No script, no outside request, no framing: the page is only its own HTML and inline SVG.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    # The link is the key: never send it to another site, never keep it in a shared cache.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
CSV_FILES = {
    "weeks": page.weeks_csv,
    "summary": page.summary_csv,
    "network": page.network_csv,
}

REFUSED = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Whuffie</title>
<style>body{{font:17px/1.5 system-ui,sans-serif;max-width:36em;margin:12vh auto;padding:0 16px;
color:#111827}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class Dashboard:
    """Serves each community's dashboard to whoever holds a genuine, unexpired link."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._key: bytes | None = None

    def routes(self) -> list[web.RouteDef]:
        """The page and its CSV downloads."""
        return [
            web.get(PATH + "/{token}", self.page),
            web.get(PATH + "/{token}/{name}.csv", self.csv),
        ]

    async def _signing_key(self) -> bytes:
        if self._key is None:
            now = self.clock.now()
            self._key = await self.store.run(lambda s: signing_key(s, self.settings, now))
        return self._key

    async def _open(self, request: web.Request) -> tuple[str, datetime] | web.Response:
        """The community the link opens and when it expires, or the 403 page."""
        token = request.match_info["token"]
        verdict = verify(await self._signing_key(), token, self.clock.now())
        if verdict.community is None:
            if verdict.expired:
                return _refused(
                    "This link has expired",
                    "Dashboard links work for a limited time. Type <code>/helpstats</code> "
                    "again for a fresh one.",
                )
            return _refused(
                "This link does not open a dashboard",
                "Check that it was copied whole, or type <code>/helpstats</code> for a new one "
                "(admins only).",
            )
        expires = datetime.fromtimestamp(int(token.split(".")[1]), UTC)
        return verdict.community, expires

    async def _board(self, community: str) -> Board | web.Response:
        now = self.clock.now()
        try:
            return await self.store.run(lambda s: board(s, community, now))
        except DatabaseAway:
            return web.Response(
                status=503,
                text="The database does not answer right now; try again in a minute.",
                headers=SECURITY_HEADERS,
            )

    async def page(self, request: web.Request) -> web.Response:
        """The dashboard page."""
        opened = await self._open(request)
        if isinstance(opened, web.Response):
            return opened
        community, expires = opened
        figures = await self._board(community)
        if isinstance(figures, web.Response):
            return figures
        html = page.render(figures, community, self.clock.now(), expires, request.path)
        return web.Response(text=html, content_type="text/html", headers=SECURITY_HEADERS)

    async def csv(self, request: web.Request) -> web.Response:
        """One of the CSV downloads."""
        opened = await self._open(request)
        if isinstance(opened, web.Response):
            return opened
        render = CSV_FILES.get(request.match_info["name"])
        if render is None:
            raise web.HTTPNotFound()
        figures = await self._board(opened[0])
        if isinstance(figures, web.Response):
            return figures
        name = request.match_info["name"]
        headers = {
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="whuffie-{name}.csv"',
        }
        return web.Response(
            text=render(figures), content_type="text/csv", charset="utf-8", headers=headers
        )


def _refused(title: str, text: str) -> web.Response:
    return web.Response(
        status=403,
        text=REFUSED.format(title=title, text=text),
        content_type="text/html",
        headers=SECURITY_HEADERS,
    )


def add_dashboard_routes(server: WebServer, store: Store, settings: Settings, clock: Clock) -> None:
    """Serve the dashboard on the shared server, unless `WHUFFIE_DASHBOARD=off`.

    The bot works on without it, so a taken port does not stop the bot.
    """
    if settings.dashboard:
        server.add_routes(Dashboard(store, settings, clock).routes(), needed=False)
