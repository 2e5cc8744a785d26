"""The shared HTTP server serves the health endpoints beside Slack's events, on one port."""

from __future__ import annotations

import aiohttp

from adapters.slack import SlackAdapter
from adapters.slack.adapter import EVENTS_PATH


async def test_http_mode_answers_health_and_readiness(adapter: SlackAdapter) -> None:
    """`/healthz` and `/readyz` answer 200 on Slack's HTTP port, with no signature needed."""
    assert adapter.http_url is not None
    base = adapter.http_url.removesuffix(EVENTS_PATH)
    async with aiohttp.ClientSession() as http:
        for path in ("/healthz", "/readyz"):
            async with http.get(base + path) as answer:
                assert answer.status == 200, path
