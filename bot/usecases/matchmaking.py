"""Choosing whom to ask about a need, asking them, and introducing the first to say yes."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, func, or_, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from bot import tallies, texts
from bot.context import Context
from bot.limits import asked_enough, open_load
from bot.models import (
    ASK_ACCEPTED,
    ASK_DECLINED,
    ASK_PENDING,
    ASK_SUPERSEDED,
    NEED_INTRODUCED,
    NEED_OPEN,
    NEED_UNMET,
    ORIGIN_GIVE,
    ORIGIN_MATCH,
    ORIGIN_REFERRAL,
    Ask,
    Member,
    Need,
    Skill,
)
from bot.port import Message
from bot.usecases.favours import Favour, favour_line, favours_from
from bot.usecases.waiting import start_waiting
from matching import Load, PastHelp, Reason, SkillMatch
from matching import select as select_fairly

# How many ranked candidates to consider before the fairness step picks whom to ask.
CANDIDATE_POOL = 30


def is_available(ctx: Context, member: Member) -> bool:
    """Not paused (or the pause is over)."""
    return _free(ctx, member.paused, member.paused_until)


def _free(ctx: Context, paused: bool, until: datetime | None) -> bool:
    """Not paused, or paused until a time now past."""
    return not paused or (until is not None and until <= ctx.now())


def paused_members(ctx: Context, session: Session, community_id: str) -> list[int]:
    """The ids of the community's members whose pause is still on."""
    return list(session.exec(_paused(), params={"community": community_id, "now": ctx.now()}))


# The queries every /need runs are built once: built afresh at each call, building and
# hashing them for SQLAlchemy's cache cost more than running them.


@functools.cache
def _paused() -> SelectOfScalar[int]:
    until = col(Member.paused_until)
    return select(Member.id).where(
        Member.community_id == bindparam("community"),
        col(Member.paused),
        or_(until.is_(None), until > bindparam("now")),
    )


@functools.cache
def _asked_before() -> SelectOfScalar[int]:
    return select(Ask.member_id).where(Ask.need_id == bindparam("need"))


@functools.cache
def _candidates() -> Select[int, bool, datetime | None, datetime | None]:
    # What choosing needs of each candidate, as rows: of the 30 or so, three are asked.
    return (
        select(Member.id, Member.paused, Member.paused_until, Member.last_asked_at)
        .where(col(Member.id).in_(bindparam("ids", expanding=True)))
        .order_by(col(Member.id))
        .with_for_update()
    )


@functools.cache
def _picked() -> SelectOfScalar[Member]:
    return (
        select(Member)
        .where(col(Member.id).in_(bindparam("ids", expanding=True)))
        .execution_options(populate_existing=True)
    )


def ask_more(ctx: Context, session: Session, need: Need, how_many: int) -> int:
    """Ask up to `how_many` more of the best-placed members; return how many were asked."""
    asked_before = set(session.exec(_asked_before(), params={"need": need.id}))
    # Paused members are left out before ranking, so they never crowd the free ones out of
    # the candidate pool.
    exclude = {
        str(need.requester_id),
        *(str(m) for m in asked_before),
        *(str(m) for m in paused_members(ctx, session, need.community_id)),
        *ctx.matchers.leaving(session),
    }
    with ctx.matchers.using(session, need.community_id) as matcher:
        ranked = matcher.match(need.text, exclude=exclude, limit=CANDIDATE_POOL)
    if not ranked:
        return 0
    ids = sorted(int(c.member_id) for c in ranked)
    # Locking the candidates' rows keeps the per-member limit on open asks true when two
    # needs are matched at once in two processes.
    members = {m.id: m for m in session.execute(_candidates(), {"ids": ids})}
    open_asks = open_load(ctx, session, ids)
    resting = asked_enough(ctx, session, ids, need.requester_id)
    loads = {
        str(mid): Load(
            open_asks=open_asks.get(mid, 0),
            last_asked_at=m.last_asked_at.timestamp() if m.last_asked_at else None,
        )
        for mid, m in members.items()
    }
    available = [
        c
        for c in ranked
        if (m := members.get(int(c.member_id))) is not None
        and _free(ctx, m.paused, m.paused_until)
        and m.id not in resting
    ]
    # Favours come back: whoever the requester once helped is asked first, within every
    # limit and pause like anyone (those are already left out of `available`).
    owed = favours_from(
        session, need.community_id, need.requester_id, [int(c.member_id) for c in available]
    )
    returning = [c for c in available if int(c.member_id) in owed]
    others = [c for c in available if int(c.member_id) not in owed]
    most = ctx.settings.max_open_asks
    chosen = select_fairly(returning, loads, k=how_many, max_open=most)
    chosen += select_fairly(others, loads, k=how_many - len(chosen), max_open=most)
    # Read as members (rows locked above) only now: the few the asks are written for.
    asked = [int(c.member_id) for c in chosen]
    found = {m.id: m for m in session.exec(_picked(), params={"ids": asked})} if asked else {}
    picked = [(found[int(c.member_id)], c.reasons) for c in chosen]
    send_asks(ctx, session, need, picked, owed=owed)
    return len(chosen)


def send_ask(
    ctx: Context, session: Session, need: Need, member: Member, reasons: Sequence[Reason]
) -> int:
    """Ask one member privately about a need, saying why them; their row is locked already.

    Returns the ask's id.
    """
    [ask_id] = send_asks(ctx, session, need, [(member, reasons)])
    return ask_id


_ASK = SQLModel.metadata.tables["ask"]
_MEMBER = SQLModel.metadata.tables["member"]
# Every /need writes its asks and marks whom it asked: as rows, with statements built once.
# ORM objects for them cost more than the statements (the asks are read back by id).
_NEW_ASKS = insert(_ASK).returning(_ASK.c.id, sort_by_parameter_order=True)
_ASKED_AT = (
    update(_MEMBER)
    .where(_MEMBER.c.id.in_(bindparam("ids", expanding=True)))
    .values(last_asked_at=bindparam("at"))
)


def send_asks(
    ctx: Context,
    session: Session,
    need: Need,
    chosen: Sequence[tuple[Member, Sequence[Reason]]],
    *,
    owed: Mapping[int, Favour] | None = None,
) -> list[int]:
    """Ask members privately about a need, saying why each; their rows are locked already.

    `owed`: the favours the requester did these members, when the caller has read them.
    Returns the asks' ids, in the order of `chosen`.
    """
    if not chosen:
        return []
    requester = session.get(Member, need.requester_id)
    assert requester is not None
    if owed is None:
        ids = [m.id for m, _ in chosen if m.id is not None]
        owed = favours_from(session, need.community_id, requester.id, ids)
    now = ctx.now()
    session.flush()  # what the asks refer to (the need) is written first, as before
    connection = session.connection()
    ask_ids = list(
        connection.execute(
            _NEW_ASKS,
            [
                {
                    "need_id": need.id,
                    "member_id": member.id,
                    "community_id": need.community_id,
                    "reasons": stored(reasons),
                    "reason": "",
                    "origin": ORIGIN_MATCH,
                    "status": ASK_PENDING,
                    "created_at": now,
                    "expires_at": now + ctx.settings.ask_timeout,
                }
                for member, reasons in chosen
            ],
        ).scalars()
    )
    connection.execute(_ASKED_AT, {"ids": [m.id for m, _ in chosen], "at": now})
    name = ctx.name(requester)
    quoted = ctx.quote(need.community_id, need.text)
    dms: list[tuple[Sequence[Member], Message, int | None, Sequence[Member]]] = []
    for ask_id, (member, reasons) in zip(ask_ids, chosen, strict=True):
        # Written above; the loaded row says so too, without writing it again.
        set_committed_value(member, "last_asked_at", now)
        favour = owed.get(member.id) if member.id is not None else None
        message = texts.ask(
            ask_id,
            name,
            quoted,
            texts.why_you(escaped(ctx, need.community_id, reasons), name),
            favour_line(ctx, need, member, requester, favour),
        )
        dms.append(([member], message, ask_id, [requester]))
    ctx.say_each(session, dms)
    return ask_ids


def after_ask_closed(ctx: Context, session: Session, need: Need) -> None:
    """An ask ended without a yes: ask the next candidate, or let the need wait, honestly."""
    if need.status != NEED_OPEN:
        return
    if ask_more(ctx, session, need, 1):
        return
    still_waiting = session.exec(
        select(func.count())
        .select_from(Ask)
        .where(Ask.need_id == need.id, Ask.status == ASK_PENDING)
    ).one()
    if still_waiting:
        return
    start_waiting(ctx, session, need)
    requester = session.get(Member, need.requester_id)
    if requester is not None:
        from bot.usecases.referrals import ask_connectors  # connectors build on asking

        connectors = ask_connectors(ctx, session, need)
        quoted = ctx.quote(need.community_id, need.text)
        ctx.say(
            session, [requester], texts.nobody_left(need.id or 0, quoted, connectors=connectors)
        )


@dataclass(frozen=True)
class OpenNeed:
    """An open need a member could help with, ready to show: who, their words, and why."""

    need_id: int
    requester: str
    quoted: str
    why: str
    requester_id: int
    waiting_since: datetime | None = None  # since it first had to wait, while it waits


def open_needs_for(
    ctx: Context, session: Session, member: Member, *, most: int, scan: int = 200
) -> list[OpenNeed]:
    """Open needs (newest first) that fit this member's skills, not theirs, not declined."""
    declined = select(Ask.need_id).where(Ask.member_id == member.id, Ask.status == ASK_DECLINED)
    recent = session.exec(
        select(Need)
        .where(
            Need.community_id == member.community_id,
            Need.requester_id != member.id,
            or_(Need.status == NEED_OPEN, Need.status == NEED_UNMET),
            col(Need.id).not_in(declined),
        )
        .order_by(col(Need.created_at).desc(), col(Need.id).desc())
        .limit(scan)
    ).all()
    found: list[OpenNeed] = []
    with ctx.matchers.using(session, member.community_id) as matcher:
        # Needs are explained lazily, newest first: the list stops at `most`.
        fits = matcher.explain_each((n.text for n in recent), str(member.id))
        for need, fit in zip(recent, fits, strict=True):
            requester = session.get(Member, need.requester_id) if fit else None
            if fit is None or requester is None:
                continue
            quoted = ctx.quote(need.community_id, need.text)
            name = ctx.name(requester)
            why = texts.why_you(escaped(ctx, need.community_id, fit.reasons))
            waiting = need.first_waited_at if need.status == NEED_UNMET else None
            found.append(OpenNeed(need.id, name, quoted, why, requester.id, waiting))
            if len(found) >= most:
                break
    return found


def pass_on_need(ctx: Context, session: Session, member: Member) -> OpenNeed | None:
    """One open need that matches this member's own skills: a way to pay it forward."""
    has_skills = session.exec(select(Skill.id).where(Skill.member_id == member.id)).first()
    if has_skills is None:
        return None
    found = open_needs_for(ctx, session, member, most=1, scan=100)
    return found[0] if found else None


def pass_on_for(ctx: Context, session: Session, member: Member) -> tuple[int, str, str] | None:
    """The pass-it-on need as the texts show it: its number, who needs it, and their words."""
    found = pass_on_need(ctx, session, member)
    return (found.need_id, found.requester, found.quoted) if found else None


def introduce(
    ctx: Context, session: Session, need: Need, ask: Ask, helper: Member, *, was_asked: bool
) -> None:
    """The first yes wins: introduce both sides and close every other ask on the need."""
    now = ctx.now()
    ask.status = ASK_ACCEPTED
    ask.answered_at = now
    helper.expired_streak = 0
    need.status = NEED_INTRODUCED
    need.helper_id = helper.id
    need.introduced_at = now
    need.followup_at = now + ctx.settings.followup_after
    need.waiting_since = need.checkin_at = None  # it waits no more
    session.add_all([ask, helper, need])
    tallies.introduced(session, need, helper.id, now)
    quoted = ctx.quote(need.community_id, need.text)
    for other in session.exec(
        select(Ask).where(Ask.need_id == need.id, Ask.status == ASK_PENDING, Ask.id != ask.id)
    ):
        other.status = ASK_SUPERSEDED
        session.add(other)
        other_member = session.get(Member, other.member_id)
        if other_member is not None:
            ctx.update_ask(session, other, other_member, texts.ask_closed(quoted, texts.ASK_TAKEN))
    if was_asked:  # the helper's own ask DM loses its buttons too
        ctx.update_ask(session, ask, helper, texts.ask_closed(quoted, texts.ASK_ACCEPTED))
    requester = session.get(Member, need.requester_id)
    assert requester is not None
    why = why_introduced(ctx, ask)
    pass_on = pass_on_need(ctx, session, requester)
    message = texts.intro(
        ctx.name(requester),
        ctx.name(helper),
        quoted,
        why,
        (pass_on.need_id, pass_on.requester, pass_on.quoted) if pass_on else None,
    )
    # The pass-it-on line names a third member.
    about = [m] if pass_on and (m := session.get(Member, pass_on.requester_id)) else []
    ctx.say(session, [requester, helper], message, about=about)


def why_introduced(ctx: Context, ask: Ask) -> str:
    """Why the helper was the one, worded for the introduction both sides read."""
    if ask.origin == ORIGIN_GIVE:
        return texts.WHY_GIVEN
    if ask.origin == ORIGIN_REFERRAL:
        return texts.WHY_REFERRED
    if ask.reasons is None:  # asked before reasons were kept as data: the words told then
        return texts.why_them_from_words(ctx.escape(ask.community_id, ask.reason))
    return texts.why_them(escaped(ctx, ask.community_id, reasons_of(ask.reasons)))


def escaped(ctx: Context, community_id: str, reasons: Sequence[Reason]) -> list[Reason]:
    """The reasons with their members' words (skills, the need's words) made safe to show."""

    def safe(words: str) -> str:
        return ctx.escape(community_id, words)

    return [
        replace(r, skill=safe(r.skill), matched=safe(r.matched))
        if isinstance(r, SkillMatch)
        else replace(r, shared=tuple(safe(w) for w in r.shared))
        for r in reasons
    ]


def stored(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    """The matcher's reasons as an ask keeps them (`Ask.reasons`)."""
    return [
        {"kind": r.kind, "skill": r.skill, "matched": r.matched}
        if isinstance(r, SkillMatch)
        else {"kind": r.kind, "shared": list(r.shared)}
        for r in reasons
    ]


def reasons_of(kept: Sequence[dict[str, Any]]) -> list[Reason]:
    """An ask's kept reasons, back as the matcher gave them."""
    found: list[Reason] = []
    for r in kept:
        if r.get("kind") == "history":
            found.append(PastHelp(tuple(str(w) for w in r.get("shared", ()))))
        elif r.get("kind") in ("exact", "alias", "fuzzy", "part", "semantic"):
            found.append(SkillMatch(str(r["skill"]), str(r["matched"]), r["kind"]))
    return found
