"""The Slack Web API client: where it points, and how it copes with rate limits."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.quiet import quiet_logger
from adapters.slack.settings import SlackSettings

SLACK_API_BASE_URL = "https://slack.com/api/"

# A 429 waits for Retry-After and tries again; beyond that the core's outbox retries later.
RATE_LIMIT_RETRIES = 3


def api_base_url(settings: SlackSettings) -> str:
    """`SLACK_API_BASE_URL` (tests point it at a local fake) with the trailing `/` it needs."""
    base = settings.api_base_url or SLACK_API_BASE_URL
    return base if base.endswith("/") else f"{base}/"


def build_client(settings: SlackSettings, token: str | None) -> AsyncWebClient:
    """A Web API client that retries dropped connections and honours `Retry-After`."""
    return AsyncWebClient(
        token=token,
        base_url=api_base_url(settings),
        # Its DEBUG lines hold every message sent, members' words included.
        logger=quiet_logger("adapters.slack.web"),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
