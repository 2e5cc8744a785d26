"""The database: engine, migrations and one transaction per use case.

Lock order
----------
Several processes share one PostgreSQL database, so two transactions may want the same rows
at once. A transaction waits for a row another one holds; if that other one in turn waits
for a row the first holds, neither can go on (a deadlock) and PostgreSQL aborts one of them.
To keep that from happening, every transaction takes its row locks in this one order
(writing a row locks it too, so writes follow the same order):

1. **The need.** One need per transaction that waits for a lock (`locked(session, Need, id)`).
   Work over many needs, such as the tick, takes one need per transaction, or uses
   `SKIP LOCKED`, which never waits and so can never be part of a deadlock.
2. **The asks of that need**, after the need. Starting from an ask (a button names an ask),
   read it without a lock to learn its need, lock the need, then lock the ask and read it
   again: `bot.usecases.answers.lock_ask`. Superseding the other asks of a need comes after
   the need as well.
3. **Member rows**, after needs and asks; several at once in ascending id (`ask_more`). The
   acting member's own row comes after the others where it can (a changed display name is
   written at the very end of a command).
4. **The community row** (`profile_version`, bumped by skill changes and resolved needs),
   after needs, asks and other members.
5. **Outbox rows** last; a use case only ever changes pending rows. Delivery first locks the
   row it is sending, which is no longer pending so no use case waits for it, then 1–4.

Rows a transaction creates are invisible to the others until commit and need no place in
the order. Member rows taken in two steps (the tick's expired asks, then the next
candidates) can still, rarely, meet another transaction's members the other way round:
when a deadlock or a serialisation failure happens, `Store.run` rolls back and runs the
whole transaction again, a few times, after a short random pause.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from bot.silence import GRACE_SECONDS, SilenceWatch

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")
M = TypeVar("M")

# PostgreSQL's codes for a transaction it aborted to break a deadlock or a serialisation race:
# running the transaction again is the documented answer.
# A foreign key that fails (23503) lost a race too: a row it points at was deleted meanwhile
# by another transaction (/forgetme); run again, the transaction sees the database as it is.
LOST_A_RACE = {"40001", "40P01", "23503"}
# Tries in all for a transaction that keeps losing races; then the error goes to the caller.
TRIES = 5
# PostgreSQL's codes for a database that cannot answer now: a lost connection (class 08), a
# statement cancelled by `statement_timeout`, a server shutting down or starting up.
UNAVAILABLE = {"57014", "57P01", "57P02", "57P03"}
# A pooled connection left unused this long is checked before use (the server or a firewall
# may have closed it meanwhile); one in steady use is not, saving a round trip per checkout.
IDLE_CHECK_SECONDS = 30.0


class StoreError(RuntimeError):
    """The database cannot be used as configured; the message says why."""


class DatabaseAway(RuntimeError):
    """The database does not answer right now; nothing was changed. Try again later."""


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for the database, in seconds (see README: Database timeouts)."""

    connect: int = 5  # to open a connection
    statement: int = 10  # for one statement (PostgreSQL statement_timeout, SQLite busy timeout)
    keepalive: int = 10  # of silence on an open connection before TCP probes give it up

    def postgresql(self) -> dict[str, Any]:
        """psycopg's connection parameters for these timeouts."""
        return {
            "connect_timeout": self.connect,
            "keepalives": 1,
            "keepalives_idle": self.keepalive,
            "keepalives_interval": max(1, self.keepalive // 3),
            "keepalives_count": 3,
            # Data the server does not acknowledge for this long: the connection is dead.
            "tcp_user_timeout": self.keepalive * 1000,
        }


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for the project's migrations, run on this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def lock_for_migrations(connection: Connection) -> None:
    """Begin the transaction migrations run in, holding the database's migration lock.

    Two `whuffie db upgrade` at once would both create the same tables. The second waits here
    for the first to commit, then finds the schema up to date. PostgreSQL: an advisory lock
    (per schema) released at commit. SQLite: an exclusive transaction, so the whole upgrade
    commits at once or not at all.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "SELECT pg_advisory_xact_lock(hashtext('whuffie migrations ' || current_schema()))"
            )
        )
    elif connection.dialect.name == "sqlite":
        # The driver opens transactions lazily; this one must start, and lock, right away.
        connection.exec_driver_sql("BEGIN EXCLUSIVE")


def write_revision(message: str, *, autogenerate: bool = True, location: Path = MIGRATIONS) -> Path:
    """Write the next migration: what the models have that the migrations do not create yet.

    The migrations so far are applied to a scratch SQLite database and compared with the
    models, so no real database is needed. Revisions are numbered 0001, 0002, ….
    """
    with tempfile.TemporaryDirectory() as scratch:
        store = Store.connect(f"sqlite:///{scratch}/schema.db")
        try:
            config = alembic_config(store.engine)
            config.set_main_option("script_location", str(location))
            command.upgrade(config, "head")
            numbers = [
                int(r.revision)
                for r in ScriptDirectory.from_config(config).walk_revisions()
                if r.revision.isdigit()
            ]
            written = command.revision(
                config,
                message=message,
                autogenerate=autogenerate,
                rev_id=f"{max(numbers, default=0) + 1:04d}",
            )
        finally:
            store.dispose()
    assert isinstance(written, Script)
    return Path(written.path)


class Store:
    """Opens sessions on one database; SQLite for one process, PostgreSQL for several."""

    def __init__(self, engine: Engine, timeouts: Timeouts | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite allows one writer at a time: serialise transactions inside this process.
        self._lock = asyncio.Lock() if self.is_sqlite else None
        self._silent_since: float | None = None
        self._state = threading.Lock()
        self._watch: SilenceWatch | None = None
        self.idle_check_seconds = IDLE_CHECK_SECONDS
        if not self.is_sqlite:
            event.listen(engine.pool, "checkin", _checked_in)
            event.listen(engine.pool, "checkout", self._check_if_idle)
        if timeouts is not None and not self.is_sqlite:
            self._watch = SilenceWatch(
                timeouts.statement + GRACE_SECONDS, timeouts.connect, self.went_silent
            )
            self._watch.watch(engine)

    @classmethod
    def connect(cls, url: str, timeouts: Timeouts | None = None) -> Store:
        """Build a store for a database URL (`sqlite:///file.db`, `postgresql+psycopg://…`).

        With `timeouts`, a database that does not answer is noticed within seconds (see
        `bot.silence`); without, the drivers' defaults apply (migrations, tests).
        """
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise StoreError(f"WHUFFIE_DATABASE_URL is not a database URL: {exc}") from None
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Parameters can carry members' words: keep them out of error messages and logs.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if parsed.drivername.startswith("sqlite"):
            busy = timeouts.statement if timeouts else 30
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy}
        else:
            if timeouts is not None:
                # Server options given in the URL (a search_path, say) are kept alongside.
                given = str(parsed.query.get("options", "")).strip()
                limit = f"-c statement_timeout={timeouts.statement * 1000}"
                kwargs["connect_args"] = {
                    **timeouts.postgresql(),
                    "options": f"{given} {limit}".strip(),
                }
                parsed = parsed.difference_update_query(["options"])
        engine = create_engine(parsed, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine, timeouts)

    def _check_if_idle(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        """Ping a connection before use if it sat idle for long.

        A failed ping makes the pool drop it and hand out another (SQLAlchemy's
        `DisconnectionError` protocol). The silence watch times the ping like any call.
        """
        idle_since = record.info.get(IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < self.idle_check_seconds:
            return
        try:
            alive = self.engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection no longer answers") from exc
        if not alive:
            raise DisconnectionError("a pooled connection no longer answers")

    def upgrade(self, revision: str = "head") -> None:
        """Apply every schema migration not yet applied (safe to call at every start)."""
        command.upgrade(alembic_config(self.engine), revision)

    def is_current(self) -> bool:
        """Tell whether the schema is at the newest migration."""
        head = ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    def backup(self, target: Path) -> None:
        """Copy a live SQLite database into `target`, consistently, while others write.

        SQLite's online backup API copies one snapshot, the write-ahead log included: copying
        the file alone misses what is still in the log, and can catch a page half-written.
        The copy is written beside `target` and renamed into place when complete.
        """
        source = self.engine.url.database
        if not self.is_sqlite:
            raise StoreError(
                "whuffie db backup copies SQLite databases; for PostgreSQL use pg_dump, e.g. "
                "pg_dump --format=custom --file=whuffie.dump DATABASE (see README: Backups)"
            )
        if not source or source == ":memory:":
            raise StoreError("this database lives in memory only: there is no file to back up")
        if target.resolve() == Path(source).resolve():
            raise StoreError(f"{target} is the database itself: name another file for the copy")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        reading = sqlite3.connect(source, timeout=30)
        try:
            writing = sqlite3.connect(partial)
            try:
                reading.backup(writing)  # all pages in one step: one snapshot
            finally:
                writing.close()
        finally:
            reading.close()
        partial.replace(target)

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (for the readiness probe)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    async def run(
        self, work: Callable[[Session], T], *, rolled_back: Callable[[], None] | None = None
    ) -> T:
        """Run `work` in one transaction in a worker thread, so the event loop stays free.

        A transaction that loses a race with another (a deadlock, a serialisation failure)
        runs again from the start. `rolled_back` is called after every failed try, so state
        kept outside the database can be dropped with the transaction.
        """
        for attempt in range(1, TRIES + 1):
            try:
                done = await self._once(work)
            except Exception as exc:
                if rolled_back is not None:
                    rolled_back()
                if self._unavailable(exc):
                    self.went_silent()
                    raise DatabaseAway("the database does not answer right now") from exc
                code = lost_race(exc)
                if code is None or attempt == TRIES:
                    raise
                log.warning("a transaction lost a race with another (%s); running it again", code)
            else:
                self._answered()
                return done
            # A random pause, growing with each try, so the same two rarely collide again.
            await asyncio.sleep(random.uniform(0, 0.02 * attempt))
        raise AssertionError("unreachable")

    def _unavailable(self, exc: BaseException) -> bool:
        """Whether an error says the database cannot answer now (rather than a bug here)."""
        if self.is_sqlite or not isinstance(exc, DBAPIError):
            return False
        code = getattr(exc.orig, "sqlstate", None)
        if exc.connection_invalidated or (code is None and isinstance(exc, OperationalError)):
            return True
        return code is not None and (code.startswith("08") or code in UNAVAILABLE)

    def went_silent(self) -> None:
        """Log once that the database stopped answering (not once per member's command)."""
        with self._state:
            if self._silent_since is not None:
                return
            self._silent_since = time.monotonic()
        log.error(
            "the database is not answering; members are asked to try again in a minute, "
            "and the bot carries on by itself once it answers again"
        )

    def _answered(self) -> None:
        if self._silent_since is None:
            return
        with self._state:
            since, self._silent_since = self._silent_since, None
        if since is not None:
            log.warning("the database answers again, after %.0f s", time.monotonic() - since)

    async def _once(self, work: Callable[[Session], T]) -> T:
        def in_transaction() -> T:
            with self.session() as session:
                return work(session)

        if self._lock is None:
            return await asyncio.to_thread(in_transaction)
        async with self._lock:
            return await asyncio.to_thread(in_transaction)

    def dispose(self) -> None:
        """Close every pooled connection."""
        if self._watch is not None:
            self._watch.close()
        self.engine.dispose()


def locked(session: Session, model: type[M], key: Any) -> M | None:
    """Load a row and lock it for the transaction, reading the database's current values.

    `populate_existing` matters: a row already in the session would otherwise come back as
    read earlier, and a change made by another process meanwhile would be overwritten.
    """
    return session.get(model, key, with_for_update=True, populate_existing=True)


def lost_race(exc: BaseException) -> str | None:
    """PostgreSQL's code when it aborted this transaction to let another one finish."""
    if isinstance(exc, StaleDataError):  # a row this transaction changes was deleted meanwhile
        return "deleted row"
    if not isinstance(exc, DBAPIError):
        return None
    code = getattr(exc.orig, "sqlstate", None)
    return code if code in LOST_A_RACE else None


IDLE_SINCE = "whuffie_idle_since"


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    """Note when a connection went back to the pool, to tell how long it sat idle."""
    record.info[IDLE_SINCE] = time.monotonic()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: Any, wait: float = 30.0) -> None:
    """Put the file in WAL mode once; a process opening it meanwhile waits its turn.

    Switching the journal mode does not go through SQLite's busy handler: while another
    process is switching it or holds the write lock, the switch is refused at once as
    "database is locked". A file already in WAL mode needs no switch; otherwise, try again.
    """
    deadline = time.monotonic() + wait
    while str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
