"""Serving the chat platforms: the core, its scheduler and each configured adapter together."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.app import Whuffie
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)


def build_adapters(core: Whuffie, settings: Settings) -> list[Any]:
    """One adapter per platform whose credentials are set, each attached to the core."""
    adapters: list[Any] = []
    if settings.slack_enabled:
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(core, settings))
    if settings.discord_enabled:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(core, settings))
    for adapter in adapters:
        core.attach(adapter)
    return adapters


async def serve(settings: Settings, store: Store) -> None:
    """Run until cancelled: every adapter and the scheduler tick, on one database."""
    core = Whuffie(settings, store)
    adapters = build_adapters(core, settings)
    names = ", ".join(type(a).__name__ for a in adapters)
    log.warning("Whuffie is running (%s). Stop with Ctrl-C.", names)
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(core.run_scheduler())
            for adapter in adapters:
                group.create_task(adapter.run())
    finally:
        store.dispose()
