"""Requests handled once: a replayed delivery is recognised, by every process on the database."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col

from bot.models import SeenRequest


@dataclass(frozen=True)
class Once:
    """A platform's proof of one delivery (`key`), and how long a replay of it could pass."""

    key: str
    remember_for: timedelta


def remember(session: Session, key: str, forget_at: datetime) -> bool:
    """Record the key; tell whether it is new (False: another delivery already recorded it).

    `ON CONFLICT DO NOTHING` on the primary key decides between racing processes: the
    second insert waits for the first to commit, then inserts nothing.
    """
    first = _remember(session.get_bind().dialect.name)
    return session.execute(first, {"key": key, "forget_at": forget_at}).first() is not None


@functools.cache
def _remember(dialect_name: str) -> ReturningInsert[tuple[str]]:
    """The insert `remember` runs, built once per database kind: every command runs it."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(SeenRequest).values(
        key=bindparam("key"), forget_at=bindparam("forget_at")
    )
    # RETURNING tells the two cases apart on both databases (row counts of INSERTs do not).
    first: ReturningInsert[tuple[str]] = insert.on_conflict_do_nothing(
        index_elements=["key"]
    ).returning(SeenRequest.key)
    return first


def forget_old(session: Session, now: datetime) -> int:
    """Drop the keys whose replays can no longer be accepted; return how many."""
    stale = delete(SeenRequest).where(col(SeenRequest.forget_at) < now)
    return session.connection().execute(stale).rowcount
