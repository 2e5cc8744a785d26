"""Serving the chat platforms: the core, its scheduler, the adapters and the shared HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from bot.adapter import Adapter, Build
from bot.app import Whuffie
from bot.dashboard.web import add_dashboard_routes
from bot.health import add_health_routes
from bot.settings import Settings
from bot.store import Store
from bot.web import WebServer

log = logging.getLogger(__name__)

# SIGTERM to exit: within this, work already acknowledged is finished; what is still running
# then is cancelled and its messages handed back. Below Docker's and systemd's 10 s.
SHUTDOWN_GRACE_SECONDS = 6.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def build_adapters(core: Whuffie, server: WebServer, builds: Sequence[Build]) -> list[Adapter]:
    """One adapter per configured platform, each attached to the core once, here."""
    adapters = [build(core, server) for build in builds]
    for adapter in adapters:
        core.attach(adapter.port)
    return adapters


def shared_server(core: Whuffie, *, port: int | None = None, host: str = "0.0.0.0") -> WebServer:
    """The process's HTTP server on PORT: the health endpoints, and the admin dashboard."""
    server = WebServer(core.settings.port if port is None else port, host)
    add_health_routes(server, core.store)
    add_dashboard_routes(server, core.store, core.settings, core.clock)
    return server


async def serve(settings: Settings, store: Store, builds: Sequence[Build]) -> None:
    """Run every adapter and the scheduler tick, on one database, until SIGTERM or SIGINT."""
    core = Whuffie(settings, store)
    core.start_matching()
    server = shared_server(core)
    adapters = build_adapters(core, server, builds)
    names = ", ".join(type(a).__name__ for a in adapters)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    log.info("Whuffie is running (%s). Stop with Ctrl-C.", names)
    try:
        # Every part registered its routes while being built: the server starts once, with all.
        if server.has_routes:
            await server.start()
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(core.run_scheduler())]
            tasks += [group.create_task(adapter.run()) for adapter in adapters]
            await stop.wait()
            await shut_down(core, server, adapters, tasks)
    finally:
        await server.stop()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        store.dispose()


async def shut_down(
    core: Whuffie,
    server: WebServer,
    adapters: Sequence[Adapter],
    tasks: Sequence[asyncio.Task[None]],
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
    await server.stop()
    await core.close()
    log.info("Whuffie stopped.")
