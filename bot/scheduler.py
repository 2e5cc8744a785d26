"""The tick: due work found in the database, so nothing that matters lives only in memory."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.context import Context
from bot.models import ASK_PENDING, NEED_INTRODUCED, Ask, Member, Need
from bot.outbox import reclaim_stale, served
from bot.usecases.asks import expire
from bot.usecases.resolve import send_followup

BATCH = 100
T = TypeVar("T")


def _lock_due(session: Session, query: SelectOfScalar[T]) -> list[T]:
    """A batch of due rows, locked; rows another process has locked are left to it."""
    return list(session.exec(query.limit(BATCH).with_for_update(skip_locked=True)))


def expire_due_asks(ctx: Context, session: Session) -> int:
    """Close asks nobody answered in time and move each need on to the next candidate."""
    due = _lock_due(
        session,
        select(Ask)
        .where(
            Ask.status == ASK_PENDING,
            Ask.expires_at <= ctx.now(),
            served(Ask.community_id, list(ctx.ports)),
        )
        .order_by(col(Ask.expires_at), col(Ask.id)),
    )
    for ask in due:
        expire(ctx, session, ask)
    return len(due)


def send_due_followups(ctx: Context, session: Session) -> int:
    """Ask requesters whether their introduction helped, once it is time."""
    due = _lock_due(
        session,
        select(Need)
        .where(
            Need.status == NEED_INTRODUCED,
            col(Need.followup_at).is_not(None),
            col(Need.followup_at) <= ctx.now(),
            served(Need.community_id, list(ctx.ports)),
        )
        .order_by(col(Need.followup_at), col(Need.id)),
    )
    for need in due:
        send_followup(ctx, session, need)
    return len(due)


def end_pauses(ctx: Context, session: Session) -> None:
    """Members whose pause ran out are available again."""
    for member in session.exec(
        select(Member)
        .where(
            col(Member.paused).is_(True),
            col(Member.paused_until).is_not(None),
            col(Member.paused_until) <= ctx.now(),
        )
        .with_for_update(skip_locked=True)
    ):
        member.paused, member.paused_until, member.expired_streak = False, None, 0
        session.add(member)


def due_work(ctx: Context, session: Session) -> int:
    """Everything the tick does inside the database, in one transaction."""
    if not ctx.ports:
        return 0
    done = expire_due_asks(ctx, session) + send_due_followups(ctx, session)
    end_pauses(ctx, session)
    reclaim_stale(ctx, session)
    return done
