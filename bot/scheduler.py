"""The tick: due work found in the database, so nothing that matters lives only in memory."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.context import Context
from bot.models import ASK_PENDING, NEED_INTRODUCED, NEED_UNMET, Ask, Member, Need
from bot.outbox import owed_now, reclaim_stale, served
from bot.usecases.answers import expire
from bot.usecases.forget import uninstalled_due
from bot.usecases.pulse import send_due_summaries, summaries_due
from bot.usecases.resolve import send_followup
from bot.usecases.waiting import check_in
from bot.usecases.wake import ask_about_waiting

BATCH = 100
T = TypeVar("T")


def _lock_due(session: Session, query: SelectOfScalar[T]) -> list[T]:
    """A batch of due rows, locked; rows another process has locked are left to it."""
    return list(session.exec(query.limit(BATCH).with_for_update(skip_locked=True)))


def _asks_due(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Ask.status) == ASK_PENDING,
        col(Ask.expires_at) <= ctx.now(),
        served(Ask.community_id, list(ctx.ports)),
    )


def _followups_due(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Need.status) == NEED_INTRODUCED,
        col(Need.followup_at).is_not(None),
        col(Need.followup_at) <= ctx.now(),
        served(Need.community_id, list(ctx.ports)),
    )


def _checkins_due(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Need.status) == NEED_UNMET,
        col(Need.checkin_at).is_not(None),
        col(Need.checkin_at) <= ctx.now(),
        served(Need.community_id, list(ctx.ports)),
    )


def _pauses_ended(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Member.paused).is_(True),
        col(Member.paused_until).is_not(None),
        col(Member.paused_until) <= ctx.now(),
    )


def anything_due(ctx: Context, session: Session) -> bool:
    """Whether the tick has anything to do: one read, without locks.

    Every process ticks every few seconds and mostly finds nothing; asking once, rather than
    once per kind of work in three transactions, keeps that cheap. Work another process
    holds right now counts as due here: the tick then skips it, as it always did.
    """
    if not ctx.ports:
        return False
    kinds = [
        exists().where(*_asks_due(ctx)),
        exists().where(*_followups_due(ctx)),
        exists().where(*_checkins_due(ctx)),
        exists().where(*summaries_due(ctx)),
        exists().where(*_pauses_ended(ctx)),
        owed_now(ctx),
        exists().where(*uninstalled_due(ctx)),
    ]
    return bool(session.execute(select(or_(*kinds))).scalar())


def expire_due_asks(ctx: Context, session: Session) -> int:
    """Close the asks of one need that nobody answered in time, and move the need on.

    One need per transaction, locked before its asks as the store's lock order says: a tick
    that held many needs would wait for one while holding others, and deadlock with a
    member's command. A need another process holds right now is left for the next round.
    """
    due = _asks_due(ctx)
    need = session.exec(
        select(Need)
        .where(col(Need.id).in_(select(Ask.need_id).where(*due)))
        .order_by(col(Need.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()
    if need is None:
        return 0
    asks = list(
        session.exec(
            select(Ask)
            .where(Ask.need_id == need.id, *due)
            .order_by(col(Ask.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    # Their members next, all at once in ascending id.
    session.exec(
        select(Member)
        .where(col(Member.id).in_(sorted({a.member_id for a in asks})))
        .order_by(col(Member.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for ask in asks:
        expire(ctx, session, need, ask)
    # Counted as work even when another process got there first, so the tick looks again.
    return max(len(asks), 1)


def send_due_followups(ctx: Context, session: Session) -> int:
    """Ask requesters whether their introduction helped, once it is time."""
    due = _lock_due(
        session,
        select(Need).where(*_followups_due(ctx)).order_by(col(Need.followup_at), col(Need.id)),
    )
    for need in due:
        send_followup(ctx, session, need)
    return len(due)


def send_due_checkins(ctx: Context, session: Session) -> int:
    """Tell requesters whose need has waited long enough how it stands."""
    due = _lock_due(
        session,
        select(Need).where(*_checkins_due(ctx)).order_by(col(Need.checkin_at), col(Need.id)),
    )
    for need in due:
        check_in(ctx, session, need)
    return len(due)


def end_pauses(ctx: Context, session: Session) -> None:
    """Members whose pause ran out are available again, and asked about waiting needs."""
    ended = session.exec(
        select(Member).where(*_pauses_ended(ctx)).with_for_update(skip_locked=True)
    ).all()
    for member in ended:
        member.paused, member.paused_until, member.expired_streak = False, None, 0
        session.add(member)
        ask_about_waiting(ctx, session, member)


def due_work(ctx: Context, session: Session) -> int:
    """Everything the tick does inside the database, in one transaction."""
    if not ctx.ports:
        return 0
    done = (
        expire_due_asks(ctx, session)
        + send_due_followups(ctx, session)
        + send_due_checkins(ctx, session)
    )
    done += send_due_summaries(ctx, session)
    end_pauses(ctx, session)
    reclaim_stale(ctx, session)
    return done
