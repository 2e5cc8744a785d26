"""Noticing a database that has gone silent, in seconds rather than in a quarter of an hour.

A database host that dies, or a network that drops packets, or a proxy that accepts and
never replies, leaves a call waiting on its socket for as long as the kernel's TCP defaults
allow: about 15 minutes. TCP keepalives and `tcp_user_timeout` (set on each connection)
catch a peer that stops acknowledging; they cannot catch one whose kernel still
acknowledges while nothing answers. So every call to the database is also watched here: a
live PostgreSQL answers every statement within `statement_timeout`, if only with an error,
so a call still waiting well after that will never be answered. Its socket is shut down;
the call fails at once, the pool drops the connection, and the next call opens a new one —
which is how the bot recovers by itself when the database answers again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

# How long past the statement timeout a call may wait before the database counts as silent:
# room for the server's own timeout error to arrive.
GRACE_SECONDS = 2.0
# How often the watcher looks.
EVERY_SECONDS = 0.2


class SilenceWatch:
    """Cuts calls to the database that got no answer within `limit` seconds.

    The pool's ping, which a live server answers at once, gets `ping_limit`: a silent
    database found by a ping is noticed sooner.
    """

    def __init__(self, limit: float, ping_limit: float, cut: Callable[[], None]) -> None:
        self.limit = limit
        self.ping_limit = min(ping_limit, limit)
        self._cut = cut  # told each time a silent call is cut
        self._waiting: dict[int, tuple[float, Any]] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, engine: Engine) -> None:
        """Follow the engine's calls: statements, commits, rollbacks and the pool's pings."""
        event.listen(engine, "before_cursor_execute", self._on_statement)
        event.listen(engine, "after_cursor_execute", self._on_statement_done)
        event.listen(engine, "commit", self._on_connection)
        event.listen(engine, "rollback", self._on_connection)
        event.listen(engine.pool, "reset", self._on_pool)
        event.listen(engine.pool, "checkin", self._on_pool_done)
        event.listen(engine.pool, "invalidate", self._on_pool_done)
        ping = engine.dialect.do_ping

        def watched_ping(dbapi_connection: Any) -> bool:
            self.started(dbapi_connection, self.ping_limit)
            try:
                return bool(ping(dbapi_connection))
            finally:
                self.ended(dbapi_connection)

        # The pool's liveness check talks to the database outside the engine's events.
        engine.dialect.do_ping = watched_ping  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._run, name="whuffie-db-watch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop watching."""
        self._stop.set()

    def started(self, dbapi_connection: Any, limit: float | None = None) -> None:
        """A call on this connection is waiting for the database from now."""
        deadline = time.monotonic() + (self.limit if limit is None else limit)
        with self._guard:
            self._waiting[id(dbapi_connection)] = (deadline, dbapi_connection)

    def ended(self, dbapi_connection: Any) -> None:
        """The call on this connection got its answer."""
        with self._guard:
            self._waiting.pop(id(dbapi_connection), None)

    def _on_statement(self, conn: Any, *_: Any) -> None:
        self.started(conn.connection.dbapi_connection)

    def _on_statement_done(self, conn: Any, *_: Any) -> None:
        self.ended(conn.connection.dbapi_connection)

    def _on_connection(self, conn: Any) -> None:
        if conn.invalidated:  # its socket is gone: the rollback talks to nobody
            return
        self.started(conn.connection.dbapi_connection)

    def _on_pool(self, dbapi_connection: Any, *_: Any) -> None:
        self.started(dbapi_connection)

    def _on_pool_done(self, dbapi_connection: Any, *_: Any) -> None:
        self.ended(dbapi_connection)

    def _run(self) -> None:
        while not self._stop.wait(EVERY_SECONDS):
            now = time.monotonic()
            with self._guard:
                silent = [c for deadline, c in self._waiting.values() if deadline < now]
                for connection in silent:
                    self._waiting.pop(id(connection), None)
            for connection in silent:
                _shut(connection)
                self._cut()


def _shut(dbapi_connection: Any) -> None:
    """Shut the connection's socket down, so the call waiting on it fails at once."""
    with contextlib.suppress(Exception):  # already closed: nothing is waiting on it
        fd = dbapi_connection.pgconn.socket
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()
