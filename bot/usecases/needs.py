"""Posting a need, browsing open needs, and offering help from the list."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot import texts
from bot.context import MAX_NEED_CHARS, Context, parse_id
from bot.limits import need_wait, one_at_a_time, open_load
from bot.models import (
    ASK_ACCEPTED,
    NEED_OPEN,
    NEED_UNMET,
    OPEN_NEED_STATUSES,
    ORIGIN_GIVE,
    Ask,
    Member,
    Need,
)
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases.matchmaking import ask_more, introduce, open_needs_for
from bot.usecases.referrals import ask_connectors
from bot.usecases.waiting import start_waiting

MAX_OPEN_NEEDS = 5
NEEDS_SHOWN = 5


@functools.cache
def _open_needs() -> SelectOfScalar[int]:
    """Built once: every /need reads it."""
    return select(Need.id).where(
        Need.requester_id == bindparam("member"), col(Need.status).in_(OPEN_NEED_STATUSES)
    )


def need(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Post a need and privately ask the best-placed members."""
    text = inv.args.strip()
    if not text:
        return texts.need_usage()
    if len(text) > MAX_NEED_CHARS:
        return texts.need_too_long(len(text), MAX_NEED_CHARS)
    one_at_a_time(session, me)
    open_count = len(session.exec(_open_needs(), params={"member": me.id}).all())
    if open_count >= MAX_OPEN_NEEDS:
        return texts.too_many_needs(MAX_OPEN_NEEDS)
    wait = need_wait(ctx, session, me)
    if wait is not None:
        return texts.needs_too_fast(ctx.settings.needs_per_hour, wait)
    with ctx.matchers.using(session, me.community_id) as matcher:
        topics = matcher.topics(text)
    posted = Need(
        community_id=me.community_id,
        requester_id=me.id,
        text=text,
        topic=(topics[0] if topics else "")[:200],
        created_at=ctx.now(),
    )
    session.add(posted)
    session.flush()
    asked = ask_more(ctx, session, posted, ctx.settings.asks_at_once)
    if asked == 0:
        start_waiting(ctx, session, posted)
        connectors = ask_connectors(ctx, session, posted)
        return texts.need_unmet(
            posted.id or 0, posted.topic, ctx.settings.waiting_checkin.days, connectors=connectors
        )
    return texts.need_posted(posted.id or 0, asked)


def needs(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Open needs that I could help with."""
    found = open_needs_for(ctx, session, me, most=NEEDS_SHOWN)
    if not found:
        return texts.needs_none()
    now = ctx.now()
    return texts.needs_list(
        [
            (
                n.need_id,
                n.requester,
                n.quoted,
                n.why,
                now - n.waiting_since if n.waiting_since else None,
            )
            for n in found
        ]
    )


def give(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Offer to help with an open need from `/needs`: the introduction follows at once."""
    if not inv.args.strip():
        return texts.need_usage_number()
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number("give", inv.args.strip()[:40])
    wanted = locked(session, Need, number)
    if wanted is None or wanted.community_id != me.community_id:
        return texts.not_found("need", str(number))
    if wanted.requester_id == me.id:
        return texts.give_own()
    if wanted.status not in (NEED_OPEN, NEED_UNMET):
        return texts.already_handled(wanted.id or 0)
    mine = session.exec(select(Ask).where(Ask.need_id == wanted.id, Ask.member_id == me.id)).first()
    was_asked = mine is not None  # their ask DM exists and loses its buttons too
    if mine is None:
        # Each give shows its taker a requester and their need: counted like an open ask.
        # Locking the member after the need keeps the order every ask takes (need, then
        # member), so two gives at once in two processes cannot both pass the limit.
        locked(session, Member, me.id)
        if open_load(ctx, session, [me.id]).get(me.id, 0) >= ctx.settings.max_open_asks:
            return texts.too_many_gives(ctx.settings.max_open_asks)
        mine = Ask(
            need_id=wanted.id,
            member_id=me.id,
            community_id=me.community_id,
            origin=ORIGIN_GIVE,
            created_at=ctx.now(),
            expires_at=ctx.now(),
        )
        session.add(mine)
        session.flush()
    elif mine.status == ASK_ACCEPTED:
        return texts.accept_twice()
    introduce(ctx, session, wanted, mine, me, was_asked=was_asked)
    return texts.accept_thanks()
