"""/helpstats figures on a known history: every figure exactly as the community's rows say."""

from __future__ import annotations

import asyncio
import math
import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from bot import tallies
from bot.models import (
    ASK_PENDING,
    NEED_INTRODUCED,
    NEED_OPEN,
    NEED_RESOLVED,
    NEED_UNMET,
    Ask,
    Community,
    Member,
    Need,
    Skill,
    Thanks,
)
from bot.store import Store
from bot.usecases.stats import Stats, Waiting, compute
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, two_processes
from tests.fakes import Community as FakeCommunity

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=30)


def _history(session: Session, community_id: str, seed: int, members: int, needs: int) -> None:
    """A seeded community: profiles, needs in every state, ties in times and in help counts."""
    rng = random.Random(seed)
    session.add(Community(id=community_id, platform="fake", created_at=START))
    people = [
        Member(community_id=community_id, user_id=f"u{i}", display_name=f"u{i}", created_at=START)
        for i in range(members)
    ]
    session.add_all(people)
    session.flush()
    for m in people:
        for k in rng.sample(range(12), rng.choice([0, 0, 1, 2, 3])):
            session.add(
                Skill(
                    member_id=m.id,
                    community_id=community_id,
                    name=f"Skill {k}",
                    norm=f"skill {k}",
                    created_at=START,
                )
            )
    topics = ["", "kubernetes", "design", "python", "rust", "ops", "sql", "go", "css"]
    topics += [f"topic {t}" for t in range(8)]
    for j in range(needs):
        requester = rng.choice(people)
        # Whole hours and repeated minutes make ties in durations and in "later".
        created = START + timedelta(hours=rng.randrange(200), minutes=rng.choice([0, 30]))
        status = rng.choice([NEED_OPEN, NEED_UNMET, NEED_UNMET, NEED_INTRODUCED, NEED_RESOLVED])
        need = Need(
            community_id=community_id,
            requester_id=requester.id,
            text=f"need {j}",
            topic=rng.choice(topics),
            status=status,
            created_at=created,
        )
        if status in (NEED_INTRODUCED, NEED_RESOLVED):
            need.introduced_at = created + timedelta(
                hours=rng.choice([0, 1, 2, 3, 30]), seconds=rng.choice([0, 0, 1, 7]) * 0.000_001
            )
            # A helper who has since left (/forgetme) leaves the introduction without a helper.
            helper = rng.choice([*people[: members // 3], None])
            need.helper_id = None if helper is None or helper is requester else helper.id
            if status == NEED_RESOLVED:
                need.resolved_at = need.introduced_at + timedelta(days=1)
            if j % 4 == 0:  # it waited before someone fitting was free
                need.first_waited_at = created - timedelta(hours=j % 5)
        if status == NEED_UNMET:
            # Some wait because nobody offers what they ask; the others for a busy helper.
            need.nobody_offers = j % 3 == 0
            need.first_waited_at = need.waiting_since = created + timedelta(minutes=j % 7)
        session.add(need)
    for _ in range(needs // 4):
        a, b = rng.sample(people, 2)
        session.add(
            Thanks(
                community_id=community_id,
                from_member_id=a.id,
                to_member_id=b.id,
                text="thanks",
                created_at=START,
            )
        )


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _introduced(n: Need) -> datetime:
    """When an introduced need was introduced (raw, as stored)."""
    assert n.introduced_at is not None
    return n.introduced_at


def _chains(introduced: list[Need]) -> int:
    """The most helps in a row, by trying every chain from every introduction."""
    memo: dict[int, int] = {}

    def after(n: Need) -> int:
        if n.id not in memo:
            memo[n.id] = 1 + max(
                (
                    after(m)
                    for m in introduced
                    if m.helper_id == n.requester_id and _utc(_introduced(m)) > _utc(_introduced(n))
                ),
                default=0,
            )
        return memo[n.id]

    return max((after(n) for n in introduced if n.helper_id is not None), default=0)


def _by_hand(session: Session, community_id: str, now: datetime = NOW) -> Stats:
    """Each figure computed the plain way, need by need, as the design defines it."""
    with_profile = len(
        set(session.exec(select(Skill.member_id).where(Skill.community_id == community_id)))
    )
    needs = session.exec(select(Need).where(Need.community_id == community_id)).all()
    introduced = [n for n in needs if n.introduced_at is not None]
    resolved = [n for n in needs if n.resolved_at is not None]
    hours = [
        (n.introduced_at - n.created_at).total_seconds() / 3600
        for n in introduced
        if n.introduced_at is not None
    ]
    waiting = [n for n in needs if n.status == NEED_UNMET]
    unmet = Counter(n.topic or "(no topic)" for n in waiting if n.nobody_offers)
    longest = sorted(waiting, key=lambda n: (_utc(n.first_waited_at or n.created_at), n.id))[:3]
    waited_days = [
        (_utc(n.introduced_at) - _utc(n.first_waited_at)).total_seconds() / 86400
        for n in introduced
        if n.first_waited_at is not None and n.introduced_at is not None
    ]
    helped = [n for n in introduced if n.helper_id is not None]
    returned = [
        n
        for n in helped
        if any(
            m.requester_id == n.helper_id
            and m.helper_id == n.requester_id
            and _utc(_introduced(m)) < _utc(_introduced(n))
            for m in helped
        )
    ]
    by_helper = Counter(n.helper_id for n in introduced if n.helper_id is not None)
    busiest = None
    if by_helper:
        top = max(1, math.ceil(len(by_helper) / 10))
        busiest = sum(c for _, c in by_helper.most_common(top)) / sum(by_helper.values())
    first_helped: dict[int, datetime] = {}
    for n in introduced:
        if n.helper_id is not None:
            first_helped[n.requester_id] = min(
                first_helped.get(n.requester_id, _introduced(n)), _introduced(n)
            )
    forward = {
        n.helper_id
        for n in introduced
        if n.helper_id in first_helped and _introduced(n) > first_helped[n.helper_id]
    }
    thanks = session.exec(
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
        helpers=len(by_helper),
        busiest_tenth_share=busiest,
        pay_it_forward=len(forward),
        thanks_given=thanks,
        needs_waiting=len(waiting),
        longest_waiting=[
            Waiting(
                n.id,
                n.topic or "(no topic)",
                _utc(n.first_waited_at or n.created_at),
                (now - _utc(n.first_waited_at or n.created_at)).days,
            )
            for n in longest
        ],
        helped_after_waiting=len(waited_days),
        median_days_waited=statistics.median(waited_days) if waited_days else None,
        favours_returned=len(returned),
        longest_chain=_chains(helped),
    )


def test_helpstats_figures_match_the_history_exactly(store: Store) -> None:
    """Every figure equals the one counted need by need, in each of several communities."""
    with store.session() as session:
        _history(session, "fake:big", seed=1, members=60, needs=400)
        _history(session, "fake:even", seed=2, members=25, needs=120)
        _history(session, "fake:small", seed=3, members=4, needs=5)
        session.add(Community(id="fake:empty", platform="fake", created_at=START))
        session.flush()
        for community_id in ("fake:big", "fake:even", "fake:small", "fake:empty"):
            tallies.recount(session, community_id)  # a history written whole, as migrated
    with store.session() as session:
        for community_id in ("fake:big", "fake:even", "fake:small", "fake:empty"):
            assert compute(session, community_id, NOW) == _by_hand(session, community_id)


def test_helpstats_figures_of_a_known_community(store: Store) -> None:
    """A seeded community's figures, as admins have always been shown them."""
    with store.session() as session:
        _history(session, "fake:big", seed=1, members=60, needs=400)
        session.flush()
        tallies.recount(session, "fake:big")
    with store.session() as session:
        stats = compute(session, "fake:big", NOW)
    assert stats == EXPECTED_BIG


def test_helpstats_of_an_empty_community(store: Store) -> None:
    """A community with no needs yet shows dashes, not errors."""
    with store.session() as session:
        session.add(Community(id="fake:empty", platform="fake", created_at=START))
    with store.session() as session:
        stats = compute(session, "fake:empty")
    assert stats == Stats(
        community="fake:empty",
        members_with_profile=0,
        needs_posted=0,
        needs_introduced=0,
        needs_resolved=0,
        share_matched=None,
        median_hours_to_intro=None,
        unmet_topics=[],
        helpers=0,
        busiest_tenth_share=None,
        pay_it_forward=0,
        thanks_given=0,
    )


EXPECTED_BIG = Stats(
    community="fake:big",
    members_with_profile=44,
    needs_posted=400,
    needs_introduced=154,
    needs_resolved=89,
    share_matched=0.385,
    median_hours_to_intro=2.0,
    unmet_topics=[
        ("rust", 5),
        ("topic 2", 5),
        ("(no topic)", 4),
        ("css", 4),
        ("topic 4", 4),
        ("design", 3),
        ("go", 3),
        ("kubernetes", 3),
        ("ops", 3),
        ("python", 3),
    ],
    helpers=20,
    busiest_tenth_share=0.15714285714285714,
    pay_it_forward=15,
    thanks_given=100,
    needs_waiting=164,
    longest_waiting=[
        Waiting(157, "topic 5", START + timedelta(hours=1, minutes=32), 29),
        Waiting(52, "ops", START + timedelta(hours=2, minutes=32), 29),
        Waiting(174, "kubernetes", START + timedelta(hours=2, minutes=35), 29),
    ],
    helped_after_waiting=42,
    median_days_waited=0.16666666674768518,
    favours_returned=4,
    longest_chain=7,
)


async def test_members_with_a_profile_follow_offers_removals_and_forgetting(
    community: FakeCommunity, store: Store
) -> None:
    """Offering, removing a last skill and /forgetme each move the count of profiles."""

    async def profiles() -> int:
        community.port.admins.add("admin")
        text = (await community.say("admin", "helpstats")).text
        return int(text.split("Members with a profile: ")[1].split("\n")[0])

    await community.say("ann", "offer", "python, sql, rust")
    await community.say("bob", "offer", "design")
    await community.say("ann", "offer", "go")
    assert await profiles() == 2
    await community.say("bob", "unoffer", "design")
    assert await profiles() == 1
    await community.say("cat", "offer", "css")
    await community.say("ann", "forgetme")
    await community.say("ann", "forgetme", "confirm")
    assert await profiles() == 1
    with store.session() as session:
        assert _by_hand(session, COMMUNITY).members_with_profile == 1


async def test_two_processes_offering_at_once_count_each_member_once(database_url: str) -> None:
    """First skills offered by one member in two processes at the same moment count once."""
    with two_processes(database_url) as (a, b):
        for i in range(6):
            await asyncio.gather(
                a.say(f"m{i}", "offer", "python"), b.say(f"m{i}", "offer", "kubernetes")
            )
        with a.core.store.session() as session:
            assert compute(session, COMMUNITY).members_with_profile == 6
            assert _by_hand(session, COMMUNITY).members_with_profile == 6


async def test_figures_kept_as_members_help_equal_those_counted_need_by_need(
    community: FakeCommunity, store: Store
) -> None:
    """Helps given through the commands, some at the same moment, a favour returned, chains
    of helps, a need helped twice after its helper left, members forgotten: at each step
    every figure equals the one counted need by need."""
    c = community
    skills = {"ann": "python", "bob": "design", "cat": "rust", "dan": "golang", "eve": "sql"}
    for member, skill in skills.items():
        await c.say(member, "offer", skill)

    async def helps(helper: str, requester: str) -> None:
        await c.say(requester, "need", f"help with {skills[helper]} please")
        await c.say(helper, "accept", ask_id(c, helper))

    def same() -> None:
        with store.session() as session:
            assert compute(session, COMMUNITY, NOW) == _by_hand(session, COMMUNITY)

    steps: list[tuple[str, str, timedelta]] = [
        ("ann", "bob", timedelta(hours=1)),
        ("bob", "cat", timedelta(0)),  # at the same moment: no chain of two yet
        ("cat", "dan", timedelta(hours=1)),
        ("bob", "ann", timedelta(hours=1)),  # returns ann's favour
        ("dan", "eve", timedelta(0)),
        ("eve", "fay", timedelta(minutes=5)),
        ("ann", "bob", timedelta(hours=2)),  # helped twice by the same member
        ("fay", "gus", timedelta(hours=1)),
    ]
    skills["fay"], skills["gus"] = "css", "ops"
    await c.say("fay", "offer", "css")
    for helper, requester, later in steps:
        await helps(helper, requester)
        c.clock.advance(later)
        same()
    for leaving in ("cat", "eve"):  # chains and favours through them are gone
        await c.say(leaving, "forgetme")
        await c.say(leaving, "forgetme", "confirm")
        same()
    with store.session() as session:
        stats = compute(session, COMMUNITY, NOW)
    # ann → bob, bob → ann (a favour returned), ann → bob again (another), fay → gus.
    assert (stats.helpers, stats.favours_returned, stats.longest_chain) == (3, 2, 3)


def _pending_ask(c: FakeCommunity, user: str) -> str:
    """The newest ask a member has not answered, whichever process delivered it."""
    with c.core.store.session() as session:
        found = session.exec(
            select(Ask.id)
            .join(Member, col(Member.id) == col(Ask.member_id))
            .where(Member.user_id == user, Ask.status == ASK_PENDING)
            .order_by(col(Ask.id).desc())
        ).first()
    assert found is not None
    return str(found)


async def test_needs_posted_introduced_and_resolved_at_once_in_two_processes_are_all_counted(
    database_url: str,
) -> None:
    """Needs posted, taken and resolved in two processes at once, then a member forgotten:
    /helpstats counts each need, as counting them one by one does."""
    with two_processes(database_url) as (a, b):
        await a.say("ann", "offer", "python")
        await a.say("bob", "offer", "design")
        for i in range(4):
            await asyncio.gather(
                a.say(f"p{i}", "need", "python packaging"),
                b.say(f"d{i}", "need", "help with design please"),
            )
            await asyncio.gather(
                a.say("ann", "accept", _pending_ask(a, "ann")),
                b.say("bob", "accept", _pending_ask(b, "bob")),
            )
            await asyncio.gather(a.say(f"p{i}", "done"), b.say(f"d{i}", "done"))
        await asyncio.gather(a.say("cat", "need", "rust"), b.say("dan", "need", "haskell"))
        await b.say("p0", "forgetme")
        await b.say("p0", "forgetme", "confirm")
        with a.core.store.session() as session:
            stats, by_hand = compute(session, COMMUNITY, NOW), _by_hand(session, COMMUNITY)
        counts = (stats.needs_posted, stats.needs_introduced, stats.needs_resolved)
        assert counts == (by_hand.needs_posted, by_hand.needs_introduced, by_hand.needs_resolved)
        assert stats.needs_posted >= 9
        assert stats.needs_resolved >= 7
