"""How the community helps itself: the figures admins see in /helpstats."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from bot import texts
from bot.context import Context
from bot.dashboard import links
from bot.models import NEED_UNMET, OUT_DEAD, Community, Member, Need, Outbox, Thanks
from bot.port import Invocation, Message


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

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        data = asdict(self)
        data["unmet_topics"] = [{"topic": t, "needs": n} for t, n in self.unmet_topics]
        return data


def compute(session: Session, community_id: str) -> Stats:
    """Every figure DESIGN.md lists, from the who-helped-whom data.

    Each figure is an aggregate the database computes over an index, so the cost does not
    grow with building a Python object per need (a million members means 200k needs or more).
    """
    with_profile = session.exec(
        select(Community.members_with_profile).where(Community.id == community_id)
    ).first()
    in_community = Need.community_id == community_id
    # micros_to_intro is set exactly when introduced_at is, and is in the covering index.
    posted, n_introduced, n_resolved = session.execute(
        select(
            func.count(), func.count(col(Need.micros_to_intro)), func.count(col(Need.resolved_at))
        )
        .select_from(Need)
        .where(in_community)
    ).one()
    unmet: Counter[str] = Counter()
    for topic, count in session.execute(
        select(Need.topic, func.count())
        .where(in_community, Need.status == NEED_UNMET)
        .group_by(col(Need.topic))
    ):
        unmet[topic or "(no topic)"] += count
    intros_by_helper, pay_it_forward = _helpers(session, community_id)
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
    return Stats(
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


def _helpers(session: Session, community_id: str) -> tuple[list[int], int]:
    """Introductions per helper, busiest first, and how many helpers pay help forward.

    A pay-it-forward link is a member who was helped (introduced to a helper) and later helped
    someone: their latest introduction as a helper came after their first as a requester.
    """
    per_helper = (
        select(
            col(Need.helper_id).label("member_id"),
            func.count().label("intros"),
            func.max(col(Need.introduced_at)).label("latest"),
        )
        .where(
            Need.community_id == community_id,
            col(Need.introduced_at).is_not(None),
            col(Need.helper_id).is_not(None),
        )
        .group_by(col(Need.helper_id))
        .subquery()
    )
    helped = aliased(Need)
    was_helped_before = exists().where(
        col(helped.community_id) == community_id,
        col(helped.requester_id) == per_helper.c.member_id,
        col(helped.helper_id).is_not(None),
        col(helped.introduced_at) < per_helper.c.latest,
    )
    counts: list[int] = []
    forward = 0
    for intros, paid_forward in session.execute(select(per_helper.c.intros, was_helped_before)):
        counts.append(intros)
        forward += bool(paid_forward)
    counts.sort(reverse=True)
    return counts, forward


def communities(session: Session) -> list[str]:
    """Every community the bot knows, for the shell's `whuffie stats`."""
    return list(session.exec(select(Community.id).order_by(col(Community.id))))


def helpstats(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """The admin figures, for admins only (checked before this runs), and the dashboard link."""
    settings = ctx.settings
    link = None
    if settings.dashboard:
        link = links.link_for(session, settings, me.community_id, ctx.now())
    return texts.helpstats(compute(session, me.community_id), link, settings.dashboard_link_valid)
