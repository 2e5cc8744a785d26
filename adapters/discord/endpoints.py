"""Where one client reaches Discord: its API base and its gateway, kept to that client.

discord.py reads both from class attributes shared by every client in the process
(`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`). Nothing here changes them: the client's
own HTTP client sends each request under the client's API base and takes each connection
to the default gateway to the client's gateway, and interaction answers, which discord.py
sends through a webhook adapter it picks from a context variable, go through one doing the
same, set for the client's own tasks.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter


@dataclass
class Endpoints:
    """A client's API base and gateway; empty or `None` means Discord's own."""

    api_base: str = ""
    gateway: yarl.URL | None = None

    def __post_init__(self) -> None:
        self.api_base = self.api_base.rstrip("/")

    def aim(self, route: Route) -> Route:
        """The route, sent under this API base rather than discord.py's."""
        # A route's URL is built from the class attribute when the route is made; each call
        # makes its own route, so changing its URL here touches nothing else.
        if self.api_base and route.url.startswith(Route.BASE):
            route.url = self.api_base + route.url.removeprefix(Route.BASE)
        return route

    def socket(self, url: str) -> str:
        """A gateway URL, taken to this gateway when discord.py asks for its default one."""
        asked = yarl.URL(url)
        if self.gateway is None or asked.with_query(None) != DiscordWebSocket.DEFAULT_GATEWAY:
            return url  # a resume goes where Discord said, and a voice socket is not ours
        return str(self.gateway.with_query(asked.query))


class EndpointsHTTPClient(HTTPClient):
    """discord.py's HTTP client, reaching Discord at the client's endpoints."""

    def __init__(self, loop: asyncio.AbstractEventLoop, endpoints: Endpoints) -> None:
        super().__init__(loop)
        self.endpoints = endpoints

    async def request(self, route: Route, **kwargs: Any) -> Any:
        """Send the request under the client's API base."""
        return await super().request(self.endpoints.aim(route), **kwargs)

    async def ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        """Open a gateway connection at the client's gateway."""
        return await super().ws_connect(self.endpoints.socket(url), compress=compress)


class EndpointsWebhookAdapter(AsyncWebhookAdapter):
    """discord.py's webhook adapter (interaction answers), under the client's API base."""

    def __init__(self, endpoints: Endpoints) -> None:
        # discord.py leaves this constructor unannotated.
        super().__init__()  # type: ignore[no-untyped-call]
        self.endpoints = endpoints

    async def request(self, route: Route, session: aiohttp.ClientSession, **kwargs: Any) -> Any:
        """Send the request under the client's API base."""
        return await super().request(self.endpoints.aim(route), session, **kwargs)
