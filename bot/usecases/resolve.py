"""Closing the loop: follow-ups, /done, and thank-yous delivered privately."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from bot import texts
from bot.context import MAX_THANKS_CHARS, Context, parse_id
from bot.limits import one_at_a_time, thanks_to_wait, thanks_wait
from bot.models import (
    ASK_PENDING,
    ASK_SUPERSEDED,
    NEED_INTRODUCED,
    NEED_RESOLVED,
    OPEN_NEED_STATUSES,
    Ask,
    Member,
    Need,
    Thanks,
)
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases.matchmaking import pass_on_for
from bot.usecases.wake import ask_about_waiting

# Follow-ups sent at most this many times per need ("not yet" schedules another).
MAX_FOLLOWUPS = 2


def send_followup(ctx: Context, session: Session, need: Need) -> None:
    """Ask the requester whether the introduction helped."""
    need.followups_sent += 1
    need.followup_at = None
    session.add(need)
    requester = session.get(Member, need.requester_id)
    helper = session.get(Member, need.helper_id) if need.helper_id else None
    if requester is None or helper is None:
        return
    quoted = ctx.quote(need.community_id, need.text)
    elapsed = ctx.now() - (need.introduced_at or ctx.now())
    message = texts.followup(need.id, ctx.name(helper), quoted, elapsed)
    ctx.say(session, [requester], message, about=[helper])


def _open_needs(session: Session, me: Member) -> list[Need]:
    return list(
        session.exec(
            select(Need)
            .where(Need.requester_id == me.id, col(Need.status).in_(OPEN_NEED_STATUSES))
            .order_by(col(Need.id))
        )
    )


def _keep_thanks(me: Member, words: str, needs: list[Need]) -> None:
    """Keep a thank-you for the needs offered in a "which one?" prompt, and only those."""
    me.pending_thanks = json.dumps({"text": words, "needs": [n.id for n in needs]})


def _kept_thanks(me: Member, need: Need) -> str:
    """The thank-you kept for this need, if the last "which one?" prompt offered it."""
    try:
        kept = json.loads(me.pending_thanks or "{}")
    except ValueError:
        return ""
    return str(kept.get("text", "")) if need.id in kept.get("needs", []) else ""


def done(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Resolve my need; a thank-you message goes to the helper."""
    first, _, rest = inv.args.strip().partition(" ")
    number = parse_id(first)
    words = rest.strip() if number is not None else inv.args.strip()
    if len(words) > MAX_THANKS_CHARS:
        return texts.text_too_long(len(words), MAX_THANKS_CHARS)
    mine = _open_needs(session, me)
    if number is not None:
        chosen = next((n for n in mine if n.id == number), None)
        if chosen is None:  # e.g. a second click on a button that already resolved it
            return texts.need_not_open(number)
    elif not mine:
        return texts.done_none()
    elif len(mine) > 1:
        _keep_thanks(me, words, mine)
        session.add(me)
        return texts.done_which([(n.id, n.text[:80]) for n in mine])
    else:
        chosen = mine[0]
    # Locked and read again (the lock order: the need first), so a yes arriving at this
    # moment in another process either comes before the resolve or sees it.
    current = locked(session, Need, chosen.id)
    if current is None or current.status not in OPEN_NEED_STATUSES:
        return texts.need_not_open(chosen.id)
    reply = resolve(ctx, session, me, current, words or _kept_thanks(me, current))
    me.pending_thanks = None  # member rows after needs and asks
    session.add(me)
    return reply


def helped(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'It helped' on a follow-up: the same as `/done N`."""
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number("helped", inv.args.strip()[:40] or "nothing")
    return done(ctx, session, me, inv)


def notyet(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'Not yet' on a follow-up: check back later."""
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number("notyet", inv.args.strip()[:40] or "nothing")
    need = next((n for n in _open_needs(session, me) if n.id == number), None)
    if need is None:
        return texts.need_not_open(number)
    if need.status != NEED_INTRODUCED:
        return texts.notyet_not_introduced(number)
    again = need.followups_sent < MAX_FOLLOWUPS
    if again:
        need.followup_at = ctx.now() + ctx.settings.followup_after
        session.add(need)
    return texts.notyet(again)


def resolve(ctx: Context, session: Session, me: Member, need: Need, words: str) -> Message:
    """Mark a need resolved, credit and thank the helper, and suggest a need to pass it on."""
    need.status = NEED_RESOLVED
    need.resolved_at = ctx.now()
    need.followup_at = None
    session.add(need)
    quoted = ctx.quote(need.community_id, need.text)
    for ask in session.exec(select(Ask).where(Ask.need_id == need.id, Ask.status == ASK_PENDING)):
        ask.status = ASK_SUPERSEDED
        session.add(ask)
        member = session.get(Member, ask.member_id)
        if member is not None:
            ctx.update_ask(session, ask, member, texts.ask_closed(quoted, texts.ASK_RESOLVED))
    helper = session.get(Member, need.helper_id) if need.helper_id else None
    if helper is not None:
        session.add(
            Thanks(
                community_id=need.community_id,
                from_member_id=me.id,
                to_member_id=helper.id,
                need_id=need.id,
                text=words,
                created_at=ctx.now(),
            )
        )
        said = ctx.quote(need.community_id, words) if words else None
        ctx.say(session, [helper], texts.thanks_for_help(ctx.name(me), quoted, said), about=[me])
        ctx.matchers.helped(
            session, need.community_id, helper.id, need.id, need.text, ctx.now().timestamp()
        )
        ask_about_waiting(ctx, session, helper)  # their help is done: free for a waiting need
    name = ctx.name(helper) if helper else None
    return texts.done(name, pass_on_for(ctx, session, me), had_words=bool(words))


def thanks(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """A private thank-you to another member, delivered and recorded."""
    from bot.members import ensure_member, keep_name_current

    words = inv.args.strip()
    if inv.target is None or not words:
        return texts.thanks_usage()
    if len(words) > MAX_THANKS_CHARS:
        return texts.text_too_long(len(words), MAX_THANKS_CHARS)
    if inv.target.user_id == me.user_id:
        return texts.thanks_self()
    one_at_a_time(session, me)
    wait = thanks_wait(ctx, session, me)
    if wait is not None:
        return texts.thanks_too_fast(ctx.settings.thanks_per_hour, wait)
    target = ensure_member(session, inv.target, ctx.now())
    wait = thanks_to_wait(ctx, session, me, target)
    if wait is not None:
        limit = ctx.settings.thanks_to_one_member_per_day
        return texts.thanks_same_member_again(ctx.name(target), limit, wait)
    session.add(
        Thanks(
            community_id=me.community_id,
            from_member_id=me.id,
            to_member_id=target.id,
            text=words,
            created_at=ctx.now(),
        )
    )
    ctx.say(
        session,
        [target],
        texts.thanks_dm(ctx.name(me), ctx.quote(me.community_id, words)),
        about=[me],
    )
    keep_name_current(session, target, inv.target)
    return texts.thanks_sent(ctx.name(target))
