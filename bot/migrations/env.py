"""Alembic environment: migrations run on the engine the store hands over."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import TypeDecorator
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.models import described_by_models
from bot.store import lock_for_migrations

config = context.config
target_metadata = SQLModel.metadata


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write sqlmodel's column types as the plain SQLAlchemy types they store as.

    A new migration then imports nothing but SQLAlchemy, and means the same whichever
    sqlmodel version is installed.
    """
    if (
        kind == "type"
        and isinstance(obj, TypeDecorator)
        and type(obj).__module__.startswith("sqlmodel")
    ):
        return f"sa.{obj.impl_instance!r}"
    return False


def run_migrations() -> None:
    """Run migrations online, on the store's engine (or a URL given to alembic's own CLI)."""
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by rebuilding it, and dropping the old copy would trip
            # the foreign keys that point at it. The pragma only works outside a transaction,
            # so it is set before the migrations begin, and the keys are checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            # One transaction for the whole upgrade, under a lock: a second upgrade waits.
            lock_for_migrations(connection)
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                render_item=render_item,
                include_object=described_by_models,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows pointing at rows that do not exist")
            connection.commit()
        finally:
            if sqlite:
                # Never hand a connection back to the pool with its foreign keys off.
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations()
