"""How the community helps itself: the figures admins see in /helpstats."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from bot import texts
from bot.context import Context
from bot.models import NEED_UNMET, Community, Member, Need, Skill, Thanks
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

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        data = asdict(self)
        data["unmet_topics"] = [{"topic": t, "needs": n} for t, n in self.unmet_topics]
        return data


def compute(session: Session, community_id: str) -> Stats:
    """Every figure DESIGN.md lists, from the who-helped-whom data."""
    with_profile = session.exec(
        select(func.count(func.distinct(Skill.member_id))).where(Skill.community_id == community_id)
    ).one()
    needs = session.exec(select(Need).where(Need.community_id == community_id)).all()
    introduced = [n for n in needs if n.introduced_at is not None]
    resolved = [n for n in needs if n.resolved_at is not None]
    hours = [
        (n.introduced_at - n.created_at).total_seconds() / 3600
        for n in introduced
        if n.introduced_at is not None
    ]
    unmet = Counter(n.topic or "(no topic)" for n in needs if n.status == NEED_UNMET)
    intros_by_helper = Counter(n.helper_id for n in introduced if n.helper_id is not None)
    busiest_share = None
    if intros_by_helper:
        top = max(1, math.ceil(len(intros_by_helper) / 10))
        busiest = sum(c for _, c in intros_by_helper.most_common(top))
        busiest_share = busiest / sum(intros_by_helper.values())
    # A pay-it-forward link: a member who was helped and later helped someone else.
    first_helped: dict[int, Any] = {}
    for n in introduced:
        if n.helper_id is not None and n.introduced_at is not None:
            when = first_helped.get(n.requester_id)
            if when is None or n.introduced_at < when:
                first_helped[n.requester_id] = n.introduced_at
    forward = {
        n.helper_id
        for n in introduced
        if n.helper_id in first_helped
        and n.introduced_at is not None
        and n.introduced_at > first_helped[n.helper_id]
    }
    thanks_given = session.exec(
        select(func.count()).select_from(Thanks).where(Thanks.community_id == community_id)
    ).one()
    return Stats(
        community=community_id,
        members_with_profile=with_profile,
        needs_posted=len(needs),
        needs_introduced=len(introduced),
        needs_resolved=len(resolved),
        share_matched=len(introduced) / len(needs) if needs else None,
        median_hours_to_intro=statistics.median(hours) if hours else None,
        unmet_topics=sorted(unmet.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        helpers=len(intros_by_helper),
        busiest_tenth_share=busiest_share,
        pay_it_forward=len(forward),
        thanks_given=thanks_given,
    )


def communities(session: Session) -> list[str]:
    """Every community the bot knows, for the shell's `whuffie stats`."""
    return list(session.exec(select(Community.id).order_by(col(Community.id))))


def helpstats(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """The admin figures, for admins only (checked before this runs)."""
    return texts.helpstats(compute(session, me.community_id))
