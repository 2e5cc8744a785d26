"""The dashboard's figures: the /helpstats numbers over time, and who helped whom.

Members appear by display name only; a need appears by its topic, never by its words.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from bot.models import NEED_OPEN, NEED_UNMET, Member, Need
from bot.usecases.stats import Stats, compute

WEEKS = 26  # half a year of weeks on the charts
# Figures of the golden rule at work, shown as tiles when the community's stats have them:
# (the name in `Stats`, what the tile says).
GOLDEN_RULE = (
    ("favours_returned", "favours returned"),
    ("referrals_made", "referrals made by connectors"),
    ("referrals_helped", "referrals that led to help"),
    ("needs_waiting", "needs waiting for someone"),
    ("helped_after_waiting", "helped after waiting"),
    ("pulse_answers", "answers to the community pulse"),
)
NETWORK_MEMBERS = 60  # the most involved members drawn; more would be a hairball on a phone
# Needs with no helper yet: asks are out, or nobody could take it so far.
WAITING_STATUSES = (NEED_OPEN, NEED_UNMET)


@dataclass(frozen=True)
class Week:
    """One week's flow of needs, by the day each thing happened."""

    start: date
    posted: int = 0
    introduced: int = 0
    resolved: int = 0
    matched: int = 0  # of the needs posted this week, how many found a helper (so far)
    median_hours: float | None = None  # time to introduction of this week's introductions
    slow_hours: float | None = None  # the slowest tenth starts here (90th percentile)

    @property
    def share_matched(self) -> float | None:
        """The share of this week's needs that found a helper."""
        return self.matched / self.posted if self.posted else None


@dataclass(frozen=True)
class Person:
    """A member in the help network."""

    member_id: int
    name: str
    given: int  # introductions as the helper
    received: int  # introductions as the one helped
    reach: int  # different members they helped or were helped by
    connector: bool = False


@dataclass(frozen=True)
class Link:
    """Help from one member to another, `times` times."""

    helper: int
    helped: int
    times: int


@dataclass
class Board:
    """Everything the dashboard page shows for one community."""

    stats: Stats
    weeks: list[Week]
    people: list[Person]
    links: list[Link]
    members_in_network: int  # all members who gave or got help (the drawing may show fewer)
    helper_counts: list[int]  # introductions per helper, busiest first
    chain: list[str]  # the longest pay-it-forward chain, by display name
    waiting: list[tuple[str, int, int]]  # (topic, needs waiting, longest wait in days)
    extra: dict[str, int] = field(default_factory=dict)  # further counts, where they exist


def week_start(at: datetime) -> date:
    """The Monday of the week `at` falls in (UTC)."""
    day = at.date()
    return day - timedelta(days=day.weekday())


def _percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def weeks(session: Session, community_id: str, now: datetime) -> list[Week]:
    """The last WEEKS weeks (from the first need, if later), oldest first."""
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    oldest = session.exec(
        select(func.min(Need.created_at)).where(Need.community_id == community_id)
    ).one()
    if oldest is None:
        return []
    first = max(first, week_start(oldest))
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    rows = session.exec(
        select(Need.created_at, Need.introduced_at, Need.resolved_at, Need.micros_to_intro).where(
            Need.community_id == community_id,
            or_(
                col(Need.created_at) >= since,
                col(Need.introduced_at) >= since,
                col(Need.resolved_at) >= since,
            ),
        )
    )
    posted: Counter[date] = Counter()
    matched: Counter[date] = Counter()
    introduced: Counter[date] = Counter()
    resolved: Counter[date] = Counter()
    hours: defaultdict[date, list[float]] = defaultdict(list)
    for created, intro, done, micros in rows:
        if created >= since:
            posted[week_start(created)] += 1
            matched[week_start(created)] += intro is not None
        if intro is not None and intro >= since:
            introduced[week_start(intro)] += 1
            if micros is not None:
                hours[week_start(intro)].append(micros / 3_600_000_000)
        if done is not None and done >= since:
            resolved[week_start(done)] += 1
    out = []
    day = first
    while day <= week_start(now):
        times = hours.get(day, [])
        out.append(
            Week(
                start=day,
                posted=posted[day],
                introduced=introduced[day],
                resolved=resolved[day],
                matched=matched[day],
                median_hours=statistics.median(times) if times else None,
                slow_hours=_percentile(times, 0.9) if times else None,
            )
        )
        day += timedelta(weeks=1)
    return out


def network(session: Session, community_id: str) -> tuple[list[Person], list[Link], int]:
    """Who helped whom: the most involved members, the help between them, and how many in all.

    A connector is a member whose help reached the most different people: the top tenth by
    reach, and at least three people.
    """
    pairs = session.exec(
        select(Need.helper_id, Need.requester_id, func.count())
        .where(
            Need.community_id == community_id,
            col(Need.helper_id).is_not(None),
            col(Need.introduced_at).is_not(None),
        )
        .group_by(col(Need.helper_id), col(Need.requester_id))
    ).all()
    given: Counter[int] = Counter()
    received: Counter[int] = Counter()
    neighbours: defaultdict[int, set[int]] = defaultdict(set)
    for helper, helped, times in pairs:
        if helper is None or helper == helped:
            continue
        given[helper] += times
        received[helped] += times
        neighbours[helper].add(helped)
        neighbours[helped].add(helper)
    everyone = set(neighbours)
    shown = sorted(everyone, key=lambda m: (-(given[m] + received[m]), m))[:NETWORK_MEMBERS]
    names = dict(
        session.exec(select(Member.id, Member.display_name).where(col(Member.id).in_(shown))).all()
    )
    reach = {m: len(neighbours[m]) for m in everyone}
    ranked = sorted(everyone, key=lambda m: (-reach[m], -given[m], m))
    top = max(1, math.ceil(len(ranked) / 10)) if ranked else 0
    connectors = {m for m in ranked[:top] if reach[m] >= 3}
    people = [
        Person(
            member_id=m,
            name=names.get(m) or "a member",
            given=given[m],
            received=received[m],
            reach=reach[m],
            connector=m in connectors,
        )
        for m in shown
        if m in names
    ]
    kept = {p.member_id for p in people}
    links = [
        Link(helper, helped, times)
        for helper, helped, times in pairs
        if helper in kept and helped in kept and helper != helped
    ]
    return people, links, len(everyone)


def longest_chain(session: Session, community_id: str) -> list[str]:
    """The longest pay-it-forward chain: A helped B, then B helped C, then C helped D…

    Each step happens after the one before it, and nobody appears twice.
    """
    rows = session.exec(
        select(Need.helper_id, Need.requester_id, Need.introduced_at)
        .where(
            Need.community_id == community_id,
            col(Need.helper_id).is_not(None),
            col(Need.introduced_at).is_not(None),
        )
        .order_by(col(Need.introduced_at), col(Need.id))
    ).all()
    # The longest chain known so far that ends with each member having been helped.
    ending: dict[int, list[int]] = {}
    best: list[int] = []
    for helper, helped, _at in rows:
        if helper is None or helper == helped:
            continue
        before = ending.get(helper, [helper])
        if helped in before:
            continue
        chain = [*before, helped]
        if len(chain) > len(ending.get(helped, [])):
            ending[helped] = chain
        if len(chain) > len(best):
            best = chain
    if len(best) < 3:  # one helping another is not yet a chain
        return []
    names = dict(
        session.exec(select(Member.id, Member.display_name).where(col(Member.id).in_(best))).all()
    )
    return [names.get(m) or "a member" for m in best]


def waiting(session: Session, community_id: str, now: datetime) -> list[tuple[str, int, int]]:
    """Needs still waiting for a helper, by topic: how many, and the longest wait in days."""
    rows = session.exec(
        select(Need.topic, func.count(), func.min(Need.created_at))
        .where(Need.community_id == community_id, col(Need.status).in_(WAITING_STATUSES))
        .group_by(col(Need.topic))
    ).all()
    out = [
        (topic or "(no topic)", count, max(0, (now - oldest).days))
        for topic, count, oldest in rows
        if oldest is not None
    ]
    return sorted(out, key=lambda t: (-t[1], -t[2], t[0]))[:12]


def helper_counts(session: Session, community_id: str) -> list[int]:
    """Introductions per helper, busiest first."""
    counts = session.exec(
        select(func.count())
        .where(
            Need.community_id == community_id,
            col(Need.helper_id).is_not(None),
            col(Need.introduced_at).is_not(None),
        )
        .group_by(col(Need.helper_id))
    ).all()
    return sorted(counts, reverse=True)


def golden_rule(figures: dict[str, object]) -> dict[str, int]:
    """The golden-rule counts these stats hold, by what their tiles say."""
    return {
        label: value
        for name, label in GOLDEN_RULE
        if isinstance(value := figures.get(name), int) and not isinstance(value, bool)
    }


def board(session: Session, community_id: str, now: datetime) -> Board:
    """Every figure of one community's dashboard."""
    people, links, involved = network(session, community_id)
    stats = compute(session, community_id)
    return Board(
        stats=stats,
        weeks=weeks(session, community_id, now),
        people=people,
        links=links,
        members_in_network=involved,
        helper_counts=helper_counts(session, community_id),
        chain=longest_chain(session, community_id),
        waiting=waiting(session, community_id, now),
        extra=golden_rule(stats.as_dict()),
    )
