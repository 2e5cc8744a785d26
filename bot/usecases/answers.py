"""Answering an ask — "I can help" or "Not this time" — and asks that go unanswered."""

from __future__ import annotations

from sqlmodel import Session

from bot import texts
from bot.context import Context, parse_id
from bot.models import (
    ASK_ACCEPTED,
    ASK_DECLINED,
    ASK_EXPIRED,
    ASK_PENDING,
    ASK_UNDELIVERABLE,
    NEED_OPEN,
    NEED_UNMET,
    Ask,
    Member,
    Need,
)
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases.matchmaking import after_ask_closed, introduce
from bot.usecases.wake import ask_about_waiting

# Asks in a row left to expire before a member is paused (and told how to come back).
SILENT_ASKS_BEFORE_PAUSE = 3


def lock_ask(session: Session, ask_id: int) -> tuple[Need, Ask] | None:
    """Lock an ask and its need in the store's lock order: the need first, then the ask.

    The ask is read once without a lock to learn its need (an ask never changes need), and
    read again once locked, so its status is the one every other process agrees on.
    """
    found = session.get(Ask, ask_id)
    if found is None:
        return None
    need = locked(session, Need, found.need_id)
    ask = locked(session, Ask, ask_id)
    if need is None or ask is None:  # deleted meanwhile (/forgetme)
        return None
    return need, ask


def _my_ask(session: Session, me: Member, inv: Invocation) -> tuple[Need, Ask] | Message:
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number(inv.command, inv.args.strip()[:40] or "nothing")
    found = lock_ask(session, number)
    if found is None or found[1].community_id != me.community_id:
        return texts.not_found("ask", str(number))
    if found[1].member_id != me.id:
        return texts.ask_not_yours()
    return found


def accept(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'I can help': the first yes on a need wins the introduction."""
    found = _my_ask(session, me, inv)
    if isinstance(found, Message):
        return found
    # The need is locked: "first yes wins" holds across processes.
    need, ask = found
    if ask.status == ASK_ACCEPTED:
        return texts.accept_twice()
    if need.status not in (NEED_OPEN, NEED_UNMET):
        return texts.already_handled(need.id)
    # A change of mind after "Not this time", or a late yes on an expired ask, is still
    # welcome while nobody else has said yes.
    introduce(ctx, session, need, ask, me, was_asked=True)
    ask_about_waiting(ctx, session, me)  # an ask of theirs is done: room for a waiting need
    return texts.accept_thanks()


def decline(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'Not this time': thank them and ask the next candidate."""
    found = _my_ask(session, me, inv)
    if isinstance(found, Message):
        return found
    need, ask = found
    if ask.status == ASK_ACCEPTED:
        return texts.decline_after_accept()
    if ask.status == ASK_DECLINED:
        return texts.decline_twice()
    if ask.status != ASK_PENDING:
        return texts.ask_gone()
    ask.status = ASK_DECLINED
    ask.answered_at = ctx.now()
    session.add(ask)
    quoted = ctx.quote(need.community_id, need.text)
    ctx.update_ask(session, ask, me, texts.ask_closed(quoted, texts.ASK_DECLINED))
    after_ask_closed(ctx, session, need)
    me.expired_streak = 0  # after the next candidates' rows: members in ascending id there
    session.add(me)
    ask_about_waiting(ctx, session, me)  # room for a need that waits for someone like them
    return texts.decline_thanks()


def expire(ctx: Context, session: Session, need: Need, ask: Ask) -> None:
    """An ask left unanswered past its timeout: move on, and pause a member who keeps silent.

    The caller holds the need and the ask locked, in that order.
    """
    member = locked(session, Member, ask.member_id)
    if member is None:
        return
    ask.status = ASK_EXPIRED
    if ask.message_ref is not None:  # only an ask that reached them counts as silence
        member.expired_streak += 1
    session.add_all([ask, member])
    ctx.update_ask(
        session,
        ask,
        member,
        texts.ask_closed(ctx.quote(need.community_id, need.text), texts.ASK_EXPIRED),
    )
    if member.expired_streak >= SILENT_ASKS_BEFORE_PAUSE and not member.paused:
        member.paused = True
        member.paused_until = None
        ctx.say(session, [member], texts.paused_after_silence(SILENT_ASKS_BEFORE_PAUSE))
    after_ask_closed(ctx, session, need)


def undeliverable(ctx: Context, session: Session, ask_id: int) -> None:
    """The platform cannot reach the member: nobody waits on them, the next one is asked."""
    found = lock_ask(session, ask_id)
    if found is None:
        return
    need, ask = found
    if ask.status != ASK_PENDING:
        return
    ask.status = ASK_UNDELIVERABLE
    session.add(ask)
    after_ask_closed(ctx, session, need)
