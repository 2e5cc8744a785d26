"""Waiting needs: a need nobody could take waits, and its requester is told honestly.

A need waits when nobody who fits could be asked — nobody offers it, or everyone who does is
busy, paused, declined or let the ask pass. It stays in `/needs` for those who could help,
is asked again as soon as someone who fits is free (`bot.usecases.wake`), and after a while
its requester hears how it stands and chooses: keep it open, or close it.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot import texts
from bot.context import Context, parse_id
from bot.models import (
    ASK_PENDING,
    ASK_SUPERSEDED,
    NEED_CLOSED,
    NEED_INTRODUCED,
    NEED_OPEN,
    NEED_UNMET,
    Ask,
    Member,
    Need,
)
from bot.port import Invocation, Message
from bot.store import locked


def start_waiting(ctx: Context, session: Session, need: Need) -> None:
    """Nobody (left) could take this need: it waits, and its requester hears back in time."""
    now = ctx.now()
    need.status = NEED_UNMET
    need.waiting_since = now
    if need.first_waited_at is None:
        need.first_waited_at = now
    if need.checkin_at is None:  # waiting again after a re-ask keeps the first schedule
        need.checkin_at = now + ctx.settings.waiting_checkin
    with ctx.matchers.using(session, need.community_id) as matcher:
        # Anyone at all, busy or paused: if nobody offers it, the topic is a gap.
        anyone = matcher.match(need.text, exclude={str(need.requester_id)}, limit=1)
    need.nobody_offers = not anyone
    session.add(need)


def check_in(ctx: Context, session: Session, need: Need) -> None:
    """Tell the requester how their waiting need stands, and let them keep it or close it."""
    need.checkin_at = None  # asked once; "keep it open" schedules the next one
    session.add(need)
    requester = session.get(Member, need.requester_id)
    if requester is None:
        return
    since = need.first_waited_at or need.created_at
    message = texts.waiting_checkin(
        need.id or 0,
        ctx.quote(need.community_id, need.text),
        ctx.now() - since,
        need.nobody_offers,
    )
    ctx.say(session, [requester], message)


def _my_need(session: Session, me: Member, inv: Invocation) -> Need | Message:
    """The requester's own need named by the command, locked."""
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number(inv.command, inv.args.strip()[:40] or "nothing")
    need = locked(session, Need, number)
    if need is None or need.community_id != me.community_id or need.requester_id != me.id:
        return texts.need_not_open(number)
    return need


def keep(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'Keep it open' on a check-in: the need goes on waiting, and I check in again later."""
    need = _my_need(session, me, inv)
    if isinstance(need, Message):
        return need
    if need.status == NEED_OPEN:
        return texts.waiting_asked_again(need.id or 0)
    if need.status != NEED_UNMET:
        return texts.need_not_open(need.id or 0)
    need.checkin_at = ctx.now() + ctx.settings.waiting_checkin
    session.add(need)
    return texts.waiting_kept(need.id or 0, ctx.settings.waiting_checkin.days)


def close(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'Close it' on a check-in: the need stops waiting, and nobody is asked about it any more."""
    need = _my_need(session, me, inv)
    if isinstance(need, Message):
        return need
    if need.status == NEED_INTRODUCED:
        return texts.close_introduced(need.id or 0)
    if need.status not in (NEED_UNMET, NEED_OPEN):
        return texts.need_not_open(need.id or 0)
    need.status = NEED_CLOSED
    need.waiting_since = need.checkin_at = None
    session.add(need)
    quoted = ctx.quote(need.community_id, need.text)
    for ask in session.exec(
        select(Ask)
        .where(Ask.need_id == need.id, Ask.status == ASK_PENDING)
        .order_by(col(Ask.id))
        .with_for_update()
    ):
        ask.status = ASK_SUPERSEDED
        session.add(ask)
        member = session.get(Member, ask.member_id)
        if member is not None:
            ctx.update_ask(session, ask, member, texts.ask_closed(quoted, texts.ASK_CLOSED))
    return texts.waiting_closed(need.id or 0)
