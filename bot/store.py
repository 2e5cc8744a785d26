"""The database: engine, migrations and one transaction per use case."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")
M = TypeVar("M")


class StoreError(RuntimeError):
    """The database cannot be used as configured; the message says why."""


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class Store:
    """Opens sessions on one database; SQLite for one process, PostgreSQL for several."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite allows one writer at a time: serialise transactions inside this process.
        self._lock = asyncio.Lock() if self.is_sqlite else None

    @classmethod
    def connect(cls, url: str) -> Store:
        """Build a store for a database URL (`sqlite:///file.db`, `postgresql+psycopg://…`)."""
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise StoreError(f"WHUFFIE_DATABASE_URL is not a database URL: {exc}") from None
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Parameters can carry members' words: keep them out of error messages and logs.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        if parsed.drivername.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        engine = create_engine(parsed, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine)

    def upgrade(self, revision: str = "head") -> None:
        """Apply every schema migration not yet applied (safe to call at every start)."""
        command.upgrade(_alembic_config(self.engine), revision)

    def is_current(self) -> bool:
        """Tell whether the schema is at the newest migration."""
        head = ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction in a worker thread, so the event loop stays free."""

        def in_transaction() -> T:
            with self.session() as session:
                return work(session)

        if self._lock is None:
            return await asyncio.to_thread(in_transaction)
        async with self._lock:
            return await asyncio.to_thread(in_transaction)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def locked(session: Session, model: type[M], key: Any) -> M | None:
    """Load a row and lock it for the transaction, reading the database's current values.

    `populate_existing` matters: a row already in the session would otherwise come back as
    read earlier, and a change made by another process meanwhile would be overwritten.
    """
    return session.get(model, key, with_for_update=True, populate_existing=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
