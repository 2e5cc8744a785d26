"""The community pulse: an admin asks everyone, once, what they need and what they can offer.

Each member the bot knows — not paused, not opted out — gets one DM with two questions.
Answers go through the normal flow (`/need`, `/offer`), and are counted, so three days
later the admin who asked hears what came back.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, or_, select

from bot import texts
from bot.context import Context, parse_id
from bot.models import (
    Community,
    Member,
    Need,
    Pulse,
    PulseAnswer,
    PulseRecipient,
    Skill,
)
from bot.outbox import served
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases import needs, profile

# One pulse per community in this long: a check-in, not a newsletter.
PULSE_EVERY = timedelta(days=14)
# The admin hears what came back this long after sending.
SUMMARY_AFTER = timedelta(days=3)
TOP_TOPICS = 5
# Pulse answers become /need and /offer: the words after the pulse number.
ANSWER_FLOWS = {"pulseneed": "need", "pulseoffer": "offer"}


def pulse(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """`/pulse` (admins, checked before this runs): the check-in; `/pulse off|on` for anyone."""
    arg = inv.args.strip().lower()
    if arg in ("off", "on"):
        me.pulse_off = arg == "off"
        session.add(me)
        return texts.pulse_off() if me.pulse_off else texts.pulse_on()
    if arg:
        return texts.pulse_usage()
    # The community row, locked, makes two admins' /pulse at once count one after the other.
    locked(session, Community, me.community_id)
    last = session.exec(
        select(Pulse)
        .where(Pulse.community_id == me.community_id)
        .order_by(col(Pulse.started_at).desc())
        .limit(1)
    ).first()
    now = ctx.now()
    if last is not None and last.started_at + PULSE_EVERY > now:
        return texts.pulse_too_soon(last.started_at, last.started_at + PULSE_EVERY)
    recipients = list(
        session.exec(
            select(Member)
            .where(
                Member.community_id == me.community_id,
                col(Member.pulse_off).is_(False),
                or_(
                    col(Member.paused).is_(False),
                    (col(Member.paused_until).is_not(None)) & (col(Member.paused_until) <= now),
                ),
            )
            .order_by(col(Member.id))
        )
    )
    sent = Pulse(
        community_id=me.community_id,
        admin_id=me.id,
        recipients=len(recipients),
        started_at=now,
        summary_at=now + SUMMARY_AFTER,
    )
    session.add(sent)
    session.flush()
    message = texts.pulse_dm(sent.id)
    for member in recipients:
        session.add(PulseRecipient(pulse_id=sent.id, member_id=member.id))
        ctx.say(session, [member], message)
    return texts.pulse_started(len(recipients), sent.summary_at)


def _my_pulse(session: Session, me: Member, inv: Invocation) -> tuple[int, str] | Message:
    """The pulse a button or typed answer names, if it reached this member, and the words."""
    first, _, words = inv.args.strip().partition(" ")
    number = parse_id(first)
    if number is None:
        return texts.bad_number(inv.command, first[:40] or "nothing")
    reached = session.exec(
        select(PulseRecipient.id)
        .join(Pulse, col(Pulse.id) == col(PulseRecipient.pulse_id))
        .where(
            PulseRecipient.pulse_id == number,
            PulseRecipient.member_id == me.id,
            Pulse.community_id == me.community_id,
        )
    ).first()
    if reached is None:
        return texts.pulse_not_yours()
    return number, words.strip()


def answer(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """A pulse answer: the words go through `/need` or `/offer`, and the answer is counted."""
    found = _my_pulse(session, me, inv)
    if isinstance(found, Message):
        return found
    pulse_id, words = found
    if not words:
        return texts.pulse_answer_usage(inv.command, str(pulse_id))
    flow = ANSWER_FLOWS[inv.command]
    if flow == "need":
        newest = select(func.max(Need.id)).where(Need.requester_id == me.id)
        before = session.exec(newest).one()
        reply = needs.need(ctx, session, me, Invocation(inv.actor, "need", words))
        session.flush()
        after = session.exec(newest).one()
        if after is None or after == before:  # refused (too long, too many): nothing counted
            return reply
        kind, need_id, added = "need", after, 0
    else:
        count = select(func.count()).select_from(Skill).where(Skill.member_id == me.id)
        before = session.exec(count).one()
        reply = profile.offer(ctx, session, me, Invocation(inv.actor, "offer", words))
        session.flush()
        kind, need_id, added = "offer", None, session.exec(count).one() - before
    session.add(
        PulseAnswer(
            pulse_id=pulse_id,
            community_id=me.community_id,
            member_id=me.id,
            kind=kind,
            need_id=need_id,
            skills=added,
            created_at=ctx.now(),
        )
    )
    return texts.pulse_thanks(reply)


def stop(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'No more check-ins' on a pulse DM."""
    found = _my_pulse(session, me, inv)
    if isinstance(found, Message):
        return found
    me.pulse_off = True
    session.add(me)
    return texts.pulse_off()


def summary(ctx: Context, session: Session, sent: Pulse) -> Message:
    """What came back from one pulse: answers, new needs and skills, topics asked and unmet."""
    answered = session.exec(
        select(func.count(func.distinct(PulseAnswer.member_id))).where(
            PulseAnswer.pulse_id == sent.id
        )
    ).one()
    skills = session.exec(
        select(func.coalesce(func.sum(PulseAnswer.skills), 0)).where(
            PulseAnswer.pulse_id == sent.id
        )
    ).one()
    asked = list(
        session.exec(
            select(Need)
            .join(PulseAnswer, col(PulseAnswer.need_id) == col(Need.id))
            .where(PulseAnswer.pulse_id == sent.id)
            .order_by(col(Need.id))
        )
    )
    topics: Counter[str] = Counter(n.topic or "(no topic)" for n in asked)
    top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TOPICS]
    unmet: list[str] = []
    with ctx.matchers.using(session, sent.community_id) as matcher:
        for need in asked:
            if matcher.match(need.text, exclude={str(need.requester_id)}, limit=1):
                continue
            topic = need.topic or "(no topic)"
            if topic not in unmet:
                unmet.append(topic)
    return texts.pulse_summary(
        sent.recipients, answered, len(asked), int(skills), top, unmet[:TOP_TOPICS]
    )


def summaries_due(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    """Pulses whose summary is due now, in communities this process serves."""
    return (
        col(Pulse.summary_sent_at).is_(None),
        col(Pulse.summary_at) <= ctx.now(),
        served(Pulse.community_id, list(ctx.ports)),
    )


def send_due_summaries(ctx: Context, session: Session) -> int:
    """Tell each admin what came back from their pulse, once its three days are up."""
    due = list(
        session.exec(
            select(Pulse)
            .where(*summaries_due(ctx))
            .order_by(col(Pulse.summary_at), col(Pulse.id))
            .limit(10)
            .with_for_update(skip_locked=True)
        )
    )
    for sent in due:
        sent.summary_sent_at = ctx.now()
        session.add(sent)
        admin = session.get(Member, sent.admin_id) if sent.admin_id is not None else None
        if admin is not None:
            ctx.say(session, [admin], summary(ctx, session, sent))
    return len(due)


def answers_in(session: Session, community_id: str) -> int:
    """Pulse answers given in a community, over every pulse."""
    return session.exec(
        select(func.count())
        .select_from(PulseAnswer)
        .where(PulseAnswer.community_id == community_id)
    ).one()
