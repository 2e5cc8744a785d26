"""Loggers for the Slack libraries that keep members' words out of every log line.

slack-bolt and slack_sdk log whole request and response bodies below WARNING: a badly signed
request's body at INFO, every Web API call and `response_url` reply at DEBUG. Those bodies
carry what members wrote, so whatever level the process logs at, the libraries' records below
WARNING are dropped. Their warnings and errors name no bodies and still show.
"""

from __future__ import annotations

import logging

# Loggers the libraries create for themselves, with no way to hand them ours.
LIBRARY_LOGGERS = (
    "slack_sdk.webhook.async_client",  # Bolt's `respond()`: the whole reply at DEBUG
    "slack_sdk.web.async_slack_response",
    "slack_sdk.web.async_base_client",
    "slack_sdk.socket_mode.aiohttp",
)


class WarningsOnly(logging.Filter):
    """Lets through only WARNING and above."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep warnings and errors; drop the chatter that repeats bodies."""
        return record.levelno >= logging.WARNING


def quiet_logger(name: str) -> logging.Logger:
    """The named logger, with the library chatter below WARNING dropped."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, WarningsOnly) for f in logger.filters):
        logger.addFilter(WarningsOnly())
    return logger


def quiet_libraries() -> None:
    """Silence below WARNING the library loggers that cannot be handed one of ours."""
    for name in LIBRARY_LOGGERS:
        quiet_logger(name)
