"""How the community helps itself: the figures admins see in /helpstats."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from bot import texts
from bot.clock import utcnow
from bot.context import Context
from bot.dashboard import links
from bot.models import NEED_UNMET, OUT_DEAD, Community, Member, Need, NeedCount, Outbox, Thanks
from bot.port import Invocation, Message
from bot.usecases.pulse import answers_in
from bot.usecases.referrals import community_referrals


@dataclass(frozen=True)
class Stats:
    """One community's figures."""

    community: str
    members_with_profile: int
    needs_posted: int
    needs_introduced: int
    needs_resolved: int
    share_matched: float | None
    median_hours_to_intro: float | None
    unmet_topics: list[tuple[str, int]]
    helpers: int
    busiest_tenth_share: float | None
    pay_it_forward: int
    thanks_given: int
    # Delivery health: messages given up after their last try, and why nothing is sent at all.
    messages_given_up: int = 0
    installation_refused: str | None = None
    # Waiting needs: how many wait now, the ones waiting longest, and those that waited and
    # then found a helper, with the median of how long they waited (days).
    needs_waiting: int = 0
    longest_waiting: list[Waiting] = field(default_factory=list)
    helped_after_waiting: int = 0
    median_days_waited: float | None = None
    # The golden rule at work: introductions where the helper had once been helped by the
    # requester, and the most helps in a row, each given by the one helped just before.
    favours_returned: int = 0
    longest_chain: int = 0
    # Connectors and the pulse: referrals made, those whose member went on to help, answers.
    referrals_made: int = 0
    referrals_helped: int = 0
    pulse_answers: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        data = asdict(self)
        data["unmet_topics"] = [{"topic": t, "needs": n} for t, n in self.unmet_topics]
        data["longest_waiting"] = [w.as_dict() for w in self.longest_waiting]
        return data


@dataclass(frozen=True)
class Waiting:
    """A need still waiting for someone: its number, its topic and since when."""

    need_id: int
    topic: str
    since: datetime
    days: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "need": self.need_id,
            "topic": self.topic,
            "waiting_since": self.since.isoformat(),
            "days": self.days,
        }


def compute(session: Session, community_id: str, now: datetime | None = None) -> Stats:
    """Every figure DESIGN.md lists, from the who-helped-whom data.

    Each figure is an aggregate the database computes over an index, so the cost does not
    grow with building a Python object per need (a million members means 200k needs or more);
    who helped whom is read from the helpers' tallies (bot/tallies.py), not the needs.
    """
    now = now or utcnow()
    with_profile = session.exec(
        select(Community.members_with_profile).where(Community.id == community_id)
    ).first()
    in_community = Need.community_id == community_id
    # Counted as needs change (NeedCount), a few rows rather than every need.
    posted, n_introduced, n_resolved = (
        int(n or 0)
        for n in session.execute(
            select(
                func.sum(NeedCount.posted),
                func.sum(NeedCount.introduced),
                func.sum(NeedCount.resolved),
            ).where(NeedCount.community_id == community_id)
        ).one()
    )
    # Unmet topics: what waiting needs ask for that nobody in the community offers.
    unmet: Counter[str] = Counter()
    for topic, count in session.execute(
        select(Need.topic, func.count())
        .where(in_community, Need.status == NEED_UNMET, col(Need.nobody_offers))
        .group_by(col(Need.topic))
    ):
        unmet[topic or "(no topic)"] += count
    intros_by_helper, pay_it_forward, favours_returned = _helpers(session, community_id)
    busiest_share = None
    if intros_by_helper:
        top = max(1, math.ceil(len(intros_by_helper) / 10))
        busiest_share = sum(intros_by_helper[:top]) / sum(intros_by_helper)
    thanks_given = session.exec(
        select(func.count()).select_from(Thanks).where(Thanks.community_id == community_id)
    ).one()
    given_up = session.exec(
        select(func.count())
        .select_from(Outbox)
        .where(Outbox.community_id == community_id, Outbox.status == OUT_DEAD)
    ).one()
    community = session.get(Community, community_id)
    waited = _waited(session, community_id, now)
    referrals_made, referrals_helped = community_referrals(session, community_id)
    return Stats(
        needs_waiting=waited.now,
        longest_waiting=waited.longest,
        helped_after_waiting=waited.helped,
        median_days_waited=waited.median_days,
        favours_returned=favours_returned,
        longest_chain=_longest_chain(session, community_id),
        referrals_made=referrals_made,
        referrals_helped=referrals_helped,
        pulse_answers=answers_in(session, community_id),
        messages_given_up=given_up,
        installation_refused=community.inactive_reason if community is not None else None,
        community=community_id,
        members_with_profile=with_profile or 0,
        needs_posted=posted,
        needs_introduced=n_introduced,
        needs_resolved=n_resolved,
        share_matched=n_introduced / posted if posted else None,
        median_hours_to_intro=_median_hours_to_intro(session, community_id, n_introduced),
        unmet_topics=sorted(unmet.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        helpers=len(intros_by_helper),
        busiest_tenth_share=busiest_share,
        pay_it_forward=pay_it_forward,
        thanks_given=thanks_given,
    )


def _median_hours_to_intro(session: Session, community_id: str, introduced: int) -> float | None:
    """The median of need-to-introduction times: the middle one or two, in index order."""
    if not introduced:
        return None
    micros = col(Need.micros_to_intro)
    middle = list(
        session.exec(
            select(micros)
            .where(Need.community_id == community_id, micros.is_not(None))
            .order_by(micros)
            .offset((introduced - 1) // 2)
            .limit(2 - introduced % 2)
        )
    )
    # The same arithmetic as on the times themselves, so the figure is exactly the same.
    hours = [timedelta(microseconds=us).total_seconds() / 3600 for us in middle if us is not None]
    return statistics.median(hours)


def _helpers(session: Session, community_id: str) -> tuple[list[int], int, int]:
    """Introductions per helper, busiest first; how many helpers pay help forward; and how
    many introductions returned a favour.

    A pay-it-forward link is a member who was helped (introduced to a helper) and later helped
    someone: their latest introduction as a helper came after their first as a requester.
    Each is read from the helpers' tallies (bot/tallies.py), from one index.
    """
    counts: list[int] = []
    forward = returned = 0
    for given, favours, first, last in session.execute(
        select(
            Member.helps_given, Member.favours_given, Member.first_helped_at, Member.last_helped_at
        ).where(Member.community_id == community_id, col(Member.helps_given) > 0)
    ):
        counts.append(given)
        returned += favours
        forward += first is not None and last is not None and last > first
    counts.sort(reverse=True)
    return counts, forward, returned


@dataclass(frozen=True)
class _Waited:
    now: int
    longest: list[Waiting]
    helped: int
    median_days: float | None


# Waiting needs named in /helpstats, longest waiting first.
LONGEST_SHOWN = 3


def _as_utc(when: datetime) -> datetime:
    """SQLite hands back naive times; every time the store keeps is UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _waited(session: Session, community_id: str, now: datetime) -> _Waited:
    """Needs waiting now (the longest first), and how long needs waited before help came."""
    waiting = (Need.community_id == community_id, Need.status == NEED_UNMET)
    count = session.exec(select(func.count()).select_from(Need).where(*waiting)).one()
    since = func.coalesce(col(Need.first_waited_at), col(Need.created_at))
    longest = [
        Waiting(need_id, topic or "(no topic)", _as_utc(at), (now - _as_utc(at)).days)
        for need_id, topic, at in session.execute(
            select(Need.id, Need.topic, since)
            .where(*waiting)
            .order_by(since, col(Need.id))
            .limit(LONGEST_SHOWN)
        )
    ]
    waits = [
        (_as_utc(introduced) - _as_utc(first)).total_seconds() / 86400
        for first, introduced in session.execute(
            select(Need.first_waited_at, Need.introduced_at).where(
                Need.community_id == community_id,
                col(Need.first_waited_at).is_not(None),
                col(Need.introduced_at).is_not(None),
            )
        )
    ]
    median = statistics.median(waits) if waits else None
    return _Waited(count, longest, len(waits), median)


def _longest_chain(session: Session, community_id: str) -> int:
    """The most helps in a row, each given by the member helped just before (A→B, B→C, …),
    from the members' tallies (bot/tallies.py): one index probe."""
    longest = session.exec(
        select(func.max(col(Member.chain))).where(Member.community_id == community_id)
    ).one()
    return longest or 0


def communities(session: Session) -> list[str]:
    """Every community the bot knows, for the shell's `whuffie stats`."""
    return list(session.exec(select(Community.id).order_by(col(Community.id))))


def helpstats(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """The admin figures, for admins only (checked before this runs), and the dashboard link."""
    settings = ctx.settings
    link = None
    if settings.dashboard:
        link = links.link_for(session, settings, me.community_id, ctx.now())
    figures = compute(session, me.community_id, ctx.now())
    return texts.helpstats(figures, link, settings.dashboard_link_valid)
