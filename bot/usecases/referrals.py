"""Connectors: when nobody fits, ask members who know people; `/refer` asks whom they name.

A connector is a member whose help and introductions reached the most different people:
the requesters they helped, and — through referrals that led to help — both the requester
and the member they thought of. The member referred needs no profile: being in the
community is enough to be asked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, or_, select

from bot import texts
from bot.context import Context, parse_id
from bot.limits import DAY, HOUR, asked_enough, one_at_a_time, open_load
from bot.members import ensure_member, keep_name_current
from bot.models import (
    CONNECTOR_NOBODY,
    CONNECTOR_PENDING,
    CONNECTOR_SUGGESTING,
    NEED_OPEN,
    NEED_UNMET,
    ORIGIN_REFERRAL,
    Ask,
    ConnectorAsk,
    Member,
    Need,
    NeedCount,
    Referral,
)
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases.matchmaking import is_available, paused_members

# Connectors asked about one need, at most, over its whole life.
CONNECTORS_PER_NEED = 2
# Connector asks one member receives in any 24 hours: knowing people must not become a chore.
CONNECTOR_ASKS_PER_DAY = 2
# Referrals one member may make in any hour.
REFERRALS_PER_HOUR = 5
# Connectors ranked before the ones who cannot be asked now are left out.
CONNECTOR_POOL = 50


def reach(session: Session, community_id: str, most: int = CONNECTOR_POOL) -> list[tuple[int, int]]:
    """(member id, how many members their help and introductions reached), widest first."""
    # Typed loosely: the three selects differ only in their column names.
    helped: Any = sa_select(
        col(Need.helper_id).label("member_id"), col(Need.requester_id).label("other_id")
    ).where(
        col(Need.community_id) == community_id,
        col(Need.helper_id).is_not(None),
        col(Need.introduced_at).is_not(None),
    )
    led_to_help = and_(
        col(Need.id) == col(Referral.need_id), col(Need.helper_id) == col(Referral.member_id)
    )
    introduced_requester: Any = (
        sa_select(col(Referral.connector_id).label("member_id"), col(Need.requester_id))
        .join(Need, led_to_help)
        .where(col(Referral.community_id) == community_id)
    )
    introduced_helper: Any = (
        sa_select(col(Referral.connector_id).label("member_id"), col(Referral.member_id))
        .join(Need, led_to_help)
        .where(col(Referral.community_id) == community_id)
    )
    pairs = union(helped, introduced_requester, introduced_helper).subquery()
    member_id = pairs.c.member_id
    reached = func.count(func.distinct(pairs.c.other_id))
    rows = session.execute(
        select(member_id, reached)
        .select_from(pairs)
        .group_by(member_id)
        .order_by(reached.desc(), member_id)
        .limit(most)
    ).all()
    return [(int(m), int(n)) for m, n in rows]


def ask_connectors(ctx: Context, session: Session, need: Need) -> int:
    """Ask up to two connectors whether they know someone for this need; return how many."""
    asked_before = list(
        session.exec(select(ConnectorAsk.member_id).where(ConnectorAsk.need_id == need.id))
    )
    room = CONNECTORS_PER_NEED - len(asked_before)
    if room <= 0:
        return 0
    ranked = _reach_now(ctx, session, need.community_id)
    if not ranked:
        return 0
    skip = {need.requester_id, *asked_before, *paused_members(ctx, session, need.community_id)}
    candidates = [m for m, _ in ranked if m not in skip]
    busy = set(
        session.exec(
            select(ConnectorAsk.member_id)
            .where(
                col(ConnectorAsk.member_id).in_(candidates),
                col(ConnectorAsk.created_at) > ctx.now() - DAY,
            )
            .group_by(col(ConnectorAsk.member_id))
            .having(func.count() >= CONNECTOR_ASKS_PER_DAY)
        )
    )
    requester = session.get(Member, need.requester_id)
    if requester is None:
        return 0
    # Still members: a ranking kept from before a /forgetme may name one who left.
    connectors = [
        connector
        for member_id in candidates
        if member_id not in busy and (connector := session.get(Member, member_id)) is not None
    ][:room]
    if not connectors:
        return 0
    quoted = ctx.quote(need.community_id, need.text)
    message = texts.connector_ask(need.id, ctx.name(requester), quoted)
    for connector in connectors:
        member_id = connector.id
        session.add(
            ConnectorAsk(
                community_id=need.community_id,
                need_id=need.id,
                member_id=member_id,
                created_at=ctx.now(),
            )
        )
        ctx.say(session, [connector], message, about=[requester])
    return len(connectors)


def _reach_now(ctx: Context, session: Session, community_id: str) -> list[tuple[int, int]]:
    """`reach`, read again only once an introduction or a referral has happened since.

    Reading it means going through every introduction the community ever made (200 ms at
    a million members), and every need nobody fits asks for it; it changes only with help
    given (counted in NeedCount) and referrals made.
    """
    introduced = (
        sa_select(func.coalesce(func.sum(NeedCount.introduced), 0))
        .where(col(NeedCount.community_id) == community_id)
        .scalar_subquery()
    )
    referred = (
        sa_select(func.count())
        .select_from(Referral)
        .where(col(Referral.community_id) == community_id)
        .scalar_subquery()
    )
    found = session.execute(sa_select(introduced, referred)).one()
    key = (int(found[0]), int(found[1]))
    kept = ctx.reach_kept.get(community_id)
    if kept is not None and kept[0] == key:
        return kept[1]
    ranked = reach(session, community_id)
    ctx.reach_kept[community_id] = (key, ranked)
    return ranked


def _my_connector_ask(session: Session, me: Member, inv: Invocation) -> ConnectorAsk | Message:
    number = parse_id(inv.args)
    if number is None:
        return texts.bad_number(inv.command, inv.args.strip()[:40] or "nothing")
    mine = session.exec(
        select(ConnectorAsk).where(ConnectorAsk.need_id == number, ConnectorAsk.member_id == me.id)
    ).first()
    if mine is None:
        return texts.connector_ask_not_yours()
    return mine


def suggest(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'I'll suggest someone': say how to name them."""
    mine = _my_connector_ask(session, me, inv)
    if isinstance(mine, Message):
        return mine
    if mine.status == CONNECTOR_PENDING:
        mine.status, mine.answered_at = CONNECTOR_SUGGESTING, ctx.now()
        session.add(mine)
    return texts.suggest_how(mine.need_id)


def nobody(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """'I don't know anyone': thank them; nothing else happens."""
    mine = _my_connector_ask(session, me, inv)
    if isinstance(mine, Message):
        return mine
    if mine.status == CONNECTOR_PENDING:
        mine.status, mine.answered_at = CONNECTOR_NOBODY, ctx.now()
        session.add(mine)
    return texts.nobody_thanks()


def refer_wait(ctx: Context, session: Session, me: Member) -> Message | None:
    """The kind refusal when this member has referred enough people this hour."""
    when = col(Referral.created_at)
    times = session.exec(
        select(when)
        .where(Referral.connector_id == me.id, when > ctx.now() - HOUR)
        .order_by(when.desc())
        .limit(REFERRALS_PER_HOUR)
    ).all()
    if len(times) < REFERRALS_PER_HOUR:
        return None
    wait = max(min(times) + HOUR - ctx.now(), HOUR / 60)
    return texts.refers_too_fast(REFERRALS_PER_HOUR, wait)


def refer(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """`/refer N @member`: ask the member privately about need N, saying who thought of them."""
    number = parse_id(inv.args.split()[0]) if inv.args.split() else None
    if inv.target is None or number is None:
        return texts.refer_usage()
    if inv.target.user_id == me.user_id:
        return texts.refer_self()
    need = locked(session, Need, number)
    if need is None or need.community_id != me.community_id:
        return texts.not_found("need", str(number))
    if need.status not in (NEED_OPEN, NEED_UNMET):
        return texts.already_handled(need.id)
    requester = session.get(Member, need.requester_id)
    if requester is None:
        return texts.not_found("need", str(number))
    if requester.user_id == inv.target.user_id:
        return texts.refer_requester()
    one_at_a_time(session, me)
    too_fast = refer_wait(ctx, session, me)
    if too_fast is not None:
        return too_fast
    target = ensure_member(session, inv.target, ctx.now())
    name = ctx.name(target)
    if session.exec(
        select(Ask.id).where(Ask.need_id == need.id, Ask.member_id == target.id)
    ).first():
        return texts.refer_already(name)
    # Members after the need, as every ask takes them: limits hold across processes.
    target = locked(session, Member, target.id) or target
    if not is_available(ctx, target):
        return texts.refer_paused(name)
    load = open_load(ctx, session, [target.id]).get(target.id, 0)
    if load >= ctx.settings.max_open_asks or asked_enough(
        ctx, session, [target.id], need.requester_id
    ):
        return texts.refer_busy(name)
    ask = Ask(
        need_id=need.id,
        member_id=target.id,
        community_id=need.community_id,
        origin=ORIGIN_REFERRAL,
        created_at=ctx.now(),
        expires_at=ctx.now() + ctx.settings.ask_timeout,
    )
    session.add(ask)
    session.flush()
    session.add(
        Referral(
            community_id=need.community_id,
            need_id=need.id,
            connector_id=me.id,
            member_id=target.id,
            ask_id=ask.id,
            created_at=ctx.now(),
        )
    )
    if need.status == NEED_UNMET:  # someone is asked: the need waits no more
        need.status = NEED_OPEN
        need.waiting_since = None
        session.add(need)
    mine = session.exec(
        select(ConnectorAsk).where(ConnectorAsk.need_id == need.id, ConnectorAsk.member_id == me.id)
    ).first()
    if mine is not None and mine.status != CONNECTOR_SUGGESTING:
        mine.status, mine.answered_at = CONNECTOR_SUGGESTING, ctx.now()
        session.add(mine)
    target.last_asked_at = ctx.now()
    session.add(target)
    quoted = ctx.quote(need.community_id, need.text)
    message = texts.referred_ask(ask.id, ctx.name(me), ctx.name(requester), quoted)
    ctx.say(session, [target], message, ask=ask, about=[requester, me])
    keep_name_current(session, target, inv.target)
    return texts.refer_sent(name, need.id)


def referral_counts(session: Session, member: Member) -> tuple[int, int]:
    """How many people this member thought of, and how many of those went on to help."""
    return _referrals(session, col(Referral.connector_id) == member.id)


def community_referrals(session: Session, community_id: str) -> tuple[int, int]:
    """Referrals made in a community, and how many led to help."""
    return _referrals(session, col(Referral.community_id) == community_id)


def _referrals(session: Session, which: ColumnElement[bool]) -> tuple[int, int]:
    """These referrals counted, and how many of them led the member thought of to help."""
    made, helped = session.execute(
        select(func.count(), func.count(col(Need.id)))
        .select_from(Referral)
        .outerjoin(
            Need,
            (col(Need.id) == col(Referral.need_id))
            & (col(Need.helper_id) == col(Referral.member_id)),
        )
        .where(which)
    ).one()
    return int(made), int(helped)


def forget_connections(
    session: Session, me: Member, my_need_ids: list[int], ask_ids: set[int]
) -> None:
    """/forgetme: the referrals, connector asks and pulse answers that are theirs go."""
    from bot.models import Pulse, PulseAnswer, PulseRecipient

    for referral in session.exec(
        select(Referral).where(
            or_(
                Referral.connector_id == me.id,
                Referral.member_id == me.id,
                col(Referral.need_id).in_(my_need_ids),
                col(Referral.ask_id).in_(ask_ids),
            )
        )
    ):
        session.delete(referral)
    for asked in session.exec(
        select(ConnectorAsk).where(
            or_(ConnectorAsk.member_id == me.id, col(ConnectorAsk.need_id).in_(my_need_ids))
        )
    ):
        session.delete(asked)
    for answer in session.exec(
        select(PulseAnswer).where(
            or_(PulseAnswer.member_id == me.id, col(PulseAnswer.need_id).in_(my_need_ids))
        )
    ):
        session.delete(answer)
    for reached in session.exec(select(PulseRecipient).where(PulseRecipient.member_id == me.id)):
        session.delete(reached)
    for sent in session.exec(select(Pulse).where(Pulse.admin_id == me.id)):
        sent.admin_id = None  # the pulse stays the community's; who sent it is forgotten
        session.add(sent)
    session.flush()
