"""Offering skills, removing them, pausing, and the member's own profile."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, func, select

from bot import texts
from bot.context import MAX_SKILL_CHARS, MAX_SKILLS, Context
from bot.models import NEED_INTRODUCED, NEED_RESOLVED, Member, Need, Skill, Thanks
from bot.port import Invocation, Message
from bot.usecases.favours import is_setting, set_favour_lines
from bot.usecases.referrals import referral_counts
from bot.usecases.wake import ask_about_waiting
from matching import normalize

MAX_PAUSE_DAYS = 3650


def skills_of(session: Session, member: Member) -> list[Skill]:
    """A member's skills in the order they offered them."""
    return list(
        session.exec(select(Skill).where(Skill.member_id == member.id).order_by(col(Skill.id)))
    )


def offer(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Add comma-separated skills to my profile."""
    wanted = [s.strip() for s in inv.args.replace("\n", ",").split(",") if s.strip()]
    if not wanted:
        return texts.offer_usage()
    for skill in wanted:
        if len(skill) > MAX_SKILL_CHARS:
            return texts.skill_too_long(skill, MAX_SKILL_CHARS)
    have = {s.norm: s for s in skills_of(session, me)}
    added: list[str] = []
    already: list[str] = []
    for skill in wanted:
        norm = normalize(skill)
        if not norm:
            continue
        if norm in have:
            already.append(have[norm].name)
            continue
        new = Skill(
            member_id=me.id,
            community_id=me.community_id,
            name=skill,
            norm=norm,
            created_at=ctx.now(),
        )
        have[norm] = new
        added.append(skill)
    if len(have) > MAX_SKILLS:
        return texts.too_many_skills(MAX_SKILLS)
    if not added and not already:
        return texts.offer_usage()
    for name in added:
        session.add(have[normalize(name)])
    if added:
        ctx.matchers.offered(session, me.community_id, me.id, added)
        # Needs that waited for just this skill are asked about now.
        asked = ask_about_waiting(ctx, session, me, offered=True)
        return texts.offer_done(added, already, len(have), waiting_asked=asked)
    return texts.offer_done(added, already, len(have))


def unoffer(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Remove one skill from my profile."""
    wanted = inv.args.strip()
    if not wanted:
        return texts.unoffer_usage()
    skills = skills_of(session, me)
    norm = normalize(wanted)
    match = next((s for s in skills if s.norm == norm), None)
    if match is None:
        return texts.unoffer_missing(wanted, [s.name for s in skills])
    session.delete(match)
    ctx.matchers.unoffered(session, me.community_id, me.id, match.name)
    return texts.unoffer_done(match.name)


def profile(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """My skills, availability, and my private give/receive mirror; `favours off|on` too."""
    if is_setting(inv.args):
        return set_favour_lines(ctx, session, me, inv)
    helped_statuses = (NEED_INTRODUCED, NEED_RESOLVED)
    helped = session.exec(
        select(func.count(func.distinct(Need.requester_id))).where(
            Need.helper_id == me.id, col(Need.status).in_(helped_statuses)
        )
    ).one()
    was_helped = session.exec(
        select(func.count())
        .select_from(Need)
        .where(
            Need.requester_id == me.id,
            col(Need.status).in_(helped_statuses),
            col(Need.helper_id).is_not(None),
        )
    ).one()
    thanks = session.exec(
        select(func.count()).select_from(Thanks).where(Thanks.to_member_id == me.id)
    ).one()
    referred, referrals_helped = referral_counts(session, me)
    return texts.your_profile(
        [s.name for s in skills_of(session, me)],
        me.paused_until,
        me.paused,
        helped,
        was_helped,
        thanks,
        me.favour_lines,
        referred=referred,
        referrals_helped=referrals_helped,
    )


def pause(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Stop being asked, for some days or until /resume."""
    arg = inv.args.strip()
    until = None
    if arg:
        try:
            days = int(arg.split()[0])
        except ValueError:
            return texts.pause_usage()
        if not 1 <= days <= MAX_PAUSE_DAYS:
            return texts.pause_usage()
        until = ctx.now() + timedelta(days=days)
    me.paused = True
    me.paused_until = until
    session.add(me)
    return texts.paused(until)


def resume(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Be asked again."""
    me.paused = False
    me.paused_until = None
    me.expired_streak = 0
    session.add(me)
    return texts.resumed(ask_about_waiting(ctx, session, me))
