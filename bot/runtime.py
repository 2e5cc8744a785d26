"""Serving the chat platforms: the core, its scheduler and each configured adapter together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from bot.app import Whuffie
from bot.dashboard.web import add_dashboard_routes
from bot.health import HealthServer
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)

# SIGTERM to exit: within this, work already acknowledged is finished; what is still running
# then is cancelled and its messages handed back. Below Docker's and systemd's 10 s.
SHUTDOWN_GRACE_SECONDS = 6.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


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


def dashboard(core: Whuffie) -> Callable[[web.Application], None]:
    """Adds the admin dashboard to an HTTP server (nothing with WHUFFIE_DASHBOARD=off)."""
    return lambda app: add_dashboard_routes(app, core.store, core.settings, core.clock)


async def serve(settings: Settings, store: Store) -> None:
    """Run every adapter and the scheduler tick, on one database, until SIGTERM or SIGINT."""
    core = Whuffie(settings, store)
    adapters = build_adapters(core, settings)
    names = ", ".join(type(a).__name__ for a in adapters)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    log.info("Whuffie is running (%s). Stop with Ctrl-C.", names)
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(core.run_scheduler())]
            tasks += [group.create_task(adapter.run()) for adapter in adapters]
            # Slack's HTTP mode serves /healthz and /readyz beside its events on PORT; with no
            # HTTP server of its own, the bot serves them on PORT for whatever watches it,
            # until the work in hand is done.
            health = None
            if not any(getattr(a, "serves_http", False) for a in adapters):
                server = HealthServer(store, settings.port, routes=dashboard(core))
                health = group.create_task(server.run())
            await stop.wait()
            await shut_down(core, adapters, tasks)
            if health is not None:
                health.cancel()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        store.dispose()


async def shut_down(
    core: Whuffie, adapters: Sequence[Any], tasks: Sequence[asyncio.Task[None]]
) -> None:
    """Stop taking work, finish what was acknowledged (bounded), hand back what is left."""
    log.info(
        "Whuffie is stopping: finishing the work in hand (at most %.0f s)", SHUTDOWN_GRACE_SECONDS
    )
    core.stop_ticking()
    stopping = [asyncio.ensure_future(adapter.stop()) for adapter in adapters]
    _, late = await asyncio.wait([*stopping, *tasks], timeout=SHUTDOWN_GRACE_SECONDS)
    if late:
        log.warning("Stopping: %d task(s) did not finish in time; cancelling them", len(late))
    for task in [*stopping, *tasks]:
        task.cancel()
    for task in [*stopping, *tasks]:
        with contextlib.suppress(BaseException):
            await task
    await core.close()
    log.info("Whuffie stopped.")
