"""Waiting needs asked again: when someone who fits offers the skill, resumes or is free."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.context import Context
from bot.limits import asked_enough, open_load
from bot.matchers import Warming
from bot.models import NEED_OPEN, NEED_UNMET, Ask, Member, Need
from bot.store import locked
from bot.usecases.matchmaking import is_available, send_ask

# Waiting needs looked at per wake-up, longest waiting first.
SCAN = 200


def ask_about_waiting(
    ctx: Context, session: Session, member: Member, *, offered: bool = False
) -> int:
    """Ask a member who may have just become able to help about the waiting needs they fit.

    Longest waiting first, within every limit: not while paused, never more open asks than
    `max_open_asks`, never the same need twice (a "not this time" stands). Needs another
    process holds right now are left to it. Returns how many needs were asked about.
    With `offered` (they just offered skills), waiting needs they fit are no longer counted
    as gaps nobody offers, even when they have no room for an ask now.
    """
    if member.id is None or not is_available(ctx, member):
        return 0
    if not offered and _room(ctx, session, member.id) <= 0:  # checked again once locked
        return 0
    asked_before = select(Ask.need_id).where(Ask.member_id == member.id)
    waiting = list(
        session.exec(
            select(Need)
            .where(
                Need.community_id == member.community_id,
                Need.status == NEED_UNMET,
                Need.requester_id != member.id,
                col(Need.id).not_in(asked_before),
            )
            .order_by(col(Need.first_waited_at), col(Need.id))
            .limit(SCAN)
        )
    )
    if not waiting:
        return 0
    try:
        with ctx.matchers.using(session, member.community_id) as matcher:
            # One member against many needs: only the needs that could fit them are searched.
            fits = matcher.explain_each([need.text for need in waiting], str(member.id))
            fitting = [
                (need, fit) for need, fit in zip(waiting, fits, strict=True) if fit is not None
            ]
    except Warming:  # just started: the /offer or /resume itself must not wait for it
        return 0
    if not fitting:
        return 0
    # Their row, locked, so the limit on open asks holds against another process asking them.
    me = locked(session, Member, member.id)
    if me is None:
        return 0
    room = _room(ctx, session, me.id)
    asked = 0
    for need, fit in fitting:
        current = _lock_if_waiting(session, need.id)
        if current is None:
            continue
        if current.nobody_offers:  # someone does now: it is no longer a gap nobody fills
            current.nobody_offers = False
            session.add(current)
        if asked >= room or me.id in asked_enough(ctx, session, [me.id], current.requester_id):
            continue
        current.status = NEED_OPEN
        current.waiting_since = None
        session.add(current)
        send_ask(ctx, session, current, me, fit.reasons)
        asked += 1
    return asked


def _room(ctx: Context, session: Session, member_id: int) -> int:
    """How many more asks this member may hold now."""
    return ctx.settings.max_open_asks - open_load(ctx, session, [member_id]).get(member_id, 0)


def _lock_if_waiting(session: Session, need_id: int | None) -> Need | None:
    """The need, locked and read fresh, if it still waits; None if another process holds it."""
    return session.exec(
        select(Need)
        .where(Need.id == need_id, Need.status == NEED_UNMET)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()
