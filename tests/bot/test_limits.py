"""Fair limits: nobody can take every open need, flood one member, or loop asks at a helper."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.settings import Settings
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community, two_processes


def asks_to(community: Community, user: str) -> int:
    """How many ask DMs (with an "I can help" button) reached a member."""
    return sum(1 for m in community.port.to(user) if any(b.command == "accept" for b in m.buttons))


def intros(community: Community, user: str) -> int:
    """How many introductions a member was part of."""
    return sum(1 for s in community.port.sent if len(s.to) == 2 and user in s.to)


async def test_a_member_cannot_take_20_open_needs_with_give(community: Community) -> None:
    """/give takes at most as many open needs as a member may hold asks, then says why, kindly."""
    for n in range(20):
        await community.say(f"req{n:02}", "need", f"help with topic {n}")
    replies = [(await community.say("mallory", "give", str(n + 1))).text for n in range(20)]
    limit = Settings().max_open_asks
    assert intros(community, "mallory") == limit
    assert "already helping" in replies[limit]
    assert "went wrong" not in replies[-1]


async def test_a_give_counts_like_an_open_ask(community: Community) -> None:
    """A member holding unanswered asks can take fewer open needs with /give."""
    await community.say("ann", "offer", "python")
    for n in range(2):
        await community.say(f"py{n}", "need", "python help")
    assert asks_to(community, "ann") == 2
    await community.say("bob", "need", "knitting help")
    await community.say("cat", "need", "baking help")
    assert "thank" in (await community.say("ann", "give", "3")).text.lower()
    reply = await community.say("ann", "give", "4")
    assert "already helping" in reply.text
    assert intros(community, "ann") == 1


async def test_a_resolved_give_frees_a_place(community: Community) -> None:
    """Once a requester closes a need taken with /give, the helper may take another."""
    settings = Settings(max_open_asks=1)
    community = Community(community.core.store, settings)
    await community.say("bob", "need", "knitting help")
    await community.say("cat", "need", "baking help")
    await community.say("ann", "give", "1")
    assert "already helping" in (await community.say("ann", "give", "2")).text
    await community.say("bob", "done", "thanks!")
    await community.say("ann", "give", "2")
    assert intros(community, "ann") == 2


async def test_200_thanks_send_at_most_a_few_dms_to_one_member(community: Community) -> None:
    """200 /thanks in a row reach the member a few times, and the sender is told kindly."""
    replies = [
        (await community.say("mallory", "thanks", f"thanks #{n}", target="ann")).text
        for n in range(200)
    ]
    limit = Settings().thanks_to_one_member_per_day
    assert len(community.port.to("ann")) == limit
    assert "today" in replies[limit] and "went wrong" not in replies[-1]
    community.clock.advance(timedelta(days=1))
    await community.say("mallory", "thanks", "one more, a day later", target="ann")
    assert len(community.port.to("ann")) == limit + 1


async def test_thanks_to_many_members_slow_down_after_an_hour_s_worth(
    community: Community,
) -> None:
    """One member thanking everyone in sight is asked to slow down, then may go on."""
    limit = Settings().thanks_per_hour
    for n in range(limit):
        await community.say("mallory", "thanks", "thank you!", target=f"m{n:02}")
    reply = await community.say("mallory", "thanks", "thank you!", target="zed")
    assert "in the last hour" in reply.text
    assert not community.port.to("zed")
    community.clock.advance(timedelta(hours=1))
    await community.say("mallory", "thanks", "thank you!", target="zed")
    assert len(community.port.to("zed")) == 1


async def test_posting_needs_fast_is_asked_to_slow_down(community: Community) -> None:
    """A member posting need after need is asked kindly to wait, then may post again."""
    limit = Settings().needs_per_hour
    for n in range(limit):
        await community.say("bob", "need", f"thing {n}")
        await community.say("bob", "done")
    reply = await community.say("bob", "need", "one more thing")
    assert "in the last hour" in reply.text
    community.clock.advance(timedelta(minutes=61))
    assert "in the last hour" not in (await community.say("bob", "need", "one more thing")).text


async def test_the_hourly_need_limit_holds_across_processes(database_url: str) -> None:
    """Needs posted through two bot processes are counted together."""
    with two_processes(database_url) as (a, b):
        limit = Settings().needs_per_hour
        for n in range(limit):
            first = a if n % 2 else b
            await first.say("bob", "need", f"thing {n}")
            await first.say("bob", "done")
        assert "in the last hour" in (await a.say("bob", "need", "more")).text
        assert "in the last hour" in (await b.say("bob", "need", "more")).text


async def test_a_need_done_loop_does_not_flood_one_helper(community: Community) -> None:
    """Posting and closing needs over and over asks the same helper only a few times a day."""
    await community.say("ann", "offer", "python")
    for n in range(50):
        await community.say("bob", "need", f"python help, round {n}")
        await community.say("bob", "done")
        community.clock.advance(timedelta(minutes=15))
    per_day = Settings().asks_from_one_member_per_day  # 50 rounds take 12.5 hours
    assert asks_to(community, "ann") == per_day
    assert len(community.port.edits) <= per_day


async def test_a_helper_is_asked_only_so_often_in_an_hour(community: Community) -> None:
    """Many members' needs in one hour reach one helper a limited number of times."""
    await community.say("ann", "offer", "python")
    for n in range(20):
        await community.say(f"req{n:02}", "need", "python help")
        if asks_to(community, "ann"):
            await community.say("ann", "decline", ask_id(community, "ann"))
    assert asks_to(community, "ann") == Settings().asks_per_hour


async def test_limits_do_not_get_in_the_way_of_a_normal_day(store: Store) -> None:
    """A few needs, asks and thank-yous in an hour go through as before."""
    community = Community(store)
    await community.say("ann", "offer", "python")
    for who in ("bob", "cat"):
        await community.say(who, "need", "python help")
        await community.say("ann", "accept", ask_id(community, "ann"))
        await community.say(who, "done", "great!")
        await community.say(who, "thanks", "and thanks again", target="ann")
    assert intros(community, "ann") == 2


@pytest.mark.postgres
async def test_thanks_sent_all_at_once_through_two_processes_stay_within_the_limit(
    pg_url: str,
) -> None:
    """A burst of /thanks split over two bot processes still reaches the member a few times."""
    with two_processes(pg_url) as (a, b):
        await a.say("ann", "profile")
        await b.say("mallory", "profile")
        await asyncio.gather(
            *(
                (a if n % 2 else b).say("mallory", "thanks", f"thanks #{n}", target="ann")
                for n in range(20)
            )
        )
        delivered = len(a.port.to("ann")) + len(b.port.to("ann"))
        assert delivered == Settings().thanks_to_one_member_per_day


@pytest.mark.postgres
async def test_needs_posted_all_at_once_through_two_processes_stay_within_the_limit(
    pg_url: str,
) -> None:
    """A burst of needs split over two bot processes is held to the hourly limit."""
    with two_processes(pg_url) as (a, b):
        await a.say("bob", "profile")
        await b.say("bob", "profile")
        await asyncio.gather(
            *((a if n % 2 else b).say("bob", "need", f"thing {n}") for n in range(12))
        )
        with a.core.store.engine.connect() as conn:
            posted = conn.execute(text("SELECT count(*) FROM need")).scalar()
        assert posted == Settings().needs_per_hour
