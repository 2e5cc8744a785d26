"""Fair limits: how much one member may do, and how often one member may be reached.

Everything is counted from the database over a rolling window, never kept in memory, so a
limit holds however many bot processes share the database, and survives a restart.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from bot.context import Context
from bot.models import (
    ASK_ACCEPTED,
    ASK_PENDING,
    NEED_INTRODUCED,
    ORIGIN_GIVE,
    Ask,
    Member,
    Need,
    Thanks,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

Wait = timedelta | None  # how long until one more is allowed; None: it is allowed now


# The first key of the PostgreSQL advisory locks taken here ("WH"); the second is a member id.
_ADVISORY_CLASS = 0x5748


def one_at_a_time(session: Session, me: Member) -> None:
    """Make this member's limited commands count one after another, whichever process runs them.

    Without it, a burst of commands sent at once to several processes would all count the
    same rows and all pass. An advisory lock (released with the transaction) rather than the
    member's row, because asking locks member rows and must never wait on this one in turn.
    SQLite serves one process, whose store already runs one transaction at a time.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:class, :member)"),
            {"class": _ADVISORY_CLASS, "member": me.id},
        )


def _room_in(ctx: Context, times: Sequence[datetime], limit: int, window: timedelta) -> Wait:
    """How long until one more is allowed, given the newest `limit` moments; None: now."""
    if len(times) < limit:
        return None
    # The oldest of the newest `limit` leaving the window is what makes room again.
    return max(min(times) + window - ctx.now(), timedelta(minutes=1))


# The queries every /need runs are built once: built afresh at each call, building and
# hashing them for SQLAlchemy's cache cost more than running them.


@functools.cache
def _needs_lately() -> SelectOfScalar[datetime]:
    when = col(Need.created_at)
    return (
        select(when)
        .where(Need.requester_id == bindparam("member"), when > bindparam("since"))
        .order_by(when.desc())
        .limit(bindparam("most"))
    )


def need_wait(ctx: Context, session: Session, me: Member) -> Wait:
    """How long before this member may post another need (None: now)."""
    limit = ctx.settings.needs_per_hour
    times = session.exec(
        _needs_lately(), params={"member": me.id, "since": ctx.now() - HOUR, "most": limit}
    ).all()
    return _room_in(ctx, times, limit, HOUR)


def thanks_wait(ctx: Context, session: Session, me: Member) -> Wait:
    """How long before this member may send another /thanks (None: now)."""
    limit = ctx.settings.thanks_per_hour
    when = col(Thanks.created_at)
    # Thank-yous sent with /done are bounded by the needs resolved; only /thanks counts.
    times = session.exec(
        select(when)
        .where(
            Thanks.from_member_id == me.id,
            col(Thanks.need_id).is_(None),
            when > ctx.now() - HOUR,
        )
        .order_by(when.desc())
        .limit(limit)
    ).all()
    return _room_in(ctx, times, limit, HOUR)


def thanks_to_wait(ctx: Context, session: Session, me: Member, to: Member) -> Wait:
    """How long before this member may thank the same member again (None: now)."""
    limit = ctx.settings.thanks_to_one_member_per_day
    when = col(Thanks.created_at)
    times = session.exec(
        select(when)
        .where(
            Thanks.from_member_id == me.id,
            Thanks.to_member_id == to.id,
            col(Thanks.need_id).is_(None),
            when > ctx.now() - DAY,
        )
        .order_by(when.desc())
        .limit(limit)
    ).all()
    return _room_in(ctx, times, limit, DAY)


@functools.cache
def _pending_asks() -> Select[int, int]:
    return (
        select(Ask.member_id, func.count())
        .where(col(Ask.member_id).in_(bindparam("ids", expanding=True)), Ask.status == ASK_PENDING)
        .group_by(col(Ask.member_id))
    )


@functools.cache
def _open_gives() -> Select[int, int]:
    return (
        select(Ask.member_id, func.count())
        .join(Need, col(Need.id) == col(Ask.need_id))
        .where(
            col(Ask.member_id).in_(bindparam("ids", expanding=True)),
            Ask.status == ASK_ACCEPTED,
            Ask.origin == ORIGIN_GIVE,
            Need.status == NEED_INTRODUCED,
            col(Need.introduced_at) > bindparam("since"),
        )
        .group_by(col(Ask.member_id))
    )


def open_load(ctx: Context, session: Session, member_ids: Collection[int]) -> dict[int, int]:
    """Unanswered asks plus open gives, per member: what `max_open_asks` bounds.

    A give stays open until its need is resolved, or until the requester is asked whether
    it helped: a requester who never answers must not keep a helper from giving for good.
    """
    ids = list(member_ids)
    pending = session.exec(_pending_asks(), params={"ids": ids}).all()
    since = ctx.now() - ctx.settings.followup_after
    gives = session.exec(_open_gives(), params={"ids": ids, "since": since}).all()
    load: dict[int, int] = {}
    for member_id, count in [*pending, *gives]:
        load[member_id] = load.get(member_id, 0) + count
    return load


def asked_enough(
    ctx: Context, session: Session, member_ids: Collection[int], requester_id: int
) -> set[int]:
    """Helpers who have been asked enough for now, and rest from further asks.

    Either asked `asks_per_hour` times in the last hour, whoever needed help, or asked
    `asks_from_one_member_per_day` times in a day about this requester's needs: posting and
    closing needs in a loop must not become a way to ping one person.
    """
    ids = list(member_ids)
    now = ctx.now()
    most = ctx.settings.asks_per_hour
    this_hour = session.exec(
        _asked_lately(), params={"ids": ids, "since": now - HOUR, "most": most}
    ).all()
    this_requester = session.exec(
        _asked_for(),
        params={
            "ids": ids,
            "requester": requester_id,
            "since": now - DAY,
            "most": ctx.settings.asks_from_one_member_per_day,
        },
    ).all()
    return {*this_hour, *this_requester}


@functools.cache
def _asked_lately() -> SelectOfScalar[int]:
    return (
        select(Ask.member_id)
        .where(
            col(Ask.member_id).in_(bindparam("ids", expanding=True)),
            Ask.origin != ORIGIN_GIVE,
            col(Ask.created_at) > bindparam("since"),
        )
        .group_by(col(Ask.member_id))
        .having(func.count() >= bindparam("most"))
    )


@functools.cache
def _asked_for() -> SelectOfScalar[int]:
    return (
        select(Ask.member_id)
        .join(Need, col(Need.id) == col(Ask.need_id))
        .where(
            col(Ask.member_id).in_(bindparam("ids", expanding=True)),
            Ask.origin != ORIGIN_GIVE,
            Need.requester_id == bindparam("requester"),
            col(Ask.created_at) > bindparam("since"),
        )
        .group_by(col(Ask.member_id))
        .having(func.count() >= bindparam("most"))
    )
