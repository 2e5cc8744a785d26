"""/forgetme: delete everything the bot holds about a member, after a confirm button."""

from __future__ import annotations

import re

from sqlmodel import Session, col, or_, select

from bot import texts
from bot.context import Context
from bot.models import OUT_SENT, Ask, Member, Need, Outbox, Skill, Thanks
from bot.port import Invocation, Message


def forgetme(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Ask to confirm; with `confirm`, delete the member and every row that names them."""
    if inv.args.strip().lower() != "confirm":
        return texts.forget_confirm()
    erase(ctx, session, me)
    return texts.forgotten()


def erase(ctx: Context, session: Session, me: Member) -> None:
    """Delete the member, their skills, needs, asks, thank-yous and messages about them."""
    my_needs = list(session.exec(select(Need.id).where(Need.requester_id == me.id)))
    asks = list(
        session.exec(
            select(Ask.id).where(or_(Ask.member_id == me.id, col(Ask.need_id).in_(my_needs)))
        )
    )
    mention = ctx.name(me)
    named = re.compile(rf"\b{re.escape(me.display_name)}\b") if me.display_name else None
    for row in session.exec(select(Outbox).where(Outbox.community_id == me.community_id)):
        if (
            me.id in row.member_ids
            or me.user_id in row.recipients
            or row.ask_id in asks
            or row.target_ask_id in asks
            or mention in row.text
            # A sent message is only a receipt now; one that names the member goes too.
            or (row.status == OUT_SENT and named is not None and named.search(row.text))
        ):
            session.delete(row)
    session.flush()
    for thanks in session.exec(
        select(Thanks).where(
            or_(
                Thanks.from_member_id == me.id,
                Thanks.to_member_id == me.id,
                col(Thanks.need_id).in_(my_needs),
            )
        )
    ):
        session.delete(thanks)
    for ask in session.exec(select(Ask).where(col(Ask.id).in_(asks))):
        session.delete(ask)
    session.flush()
    for need in session.exec(select(Need).where(Need.helper_id == me.id)):
        need.helper_id = None  # their need stays theirs; who helped is no longer known
        session.add(need)
    for need in session.exec(select(Need).where(col(Need.id).in_(my_needs))):
        session.delete(need)
    for skill in session.exec(select(Skill).where(Skill.member_id == me.id)):
        session.delete(skill)
    session.flush()
    # A rebuild, not just removing the member: their needs' words live in others' history.
    ctx.matchers.rebuild(session, me.community_id)
    session.delete(me)
