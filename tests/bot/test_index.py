"""The matcher's life in a process: built in the background, then kept fresh from the change log."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot import matchers as matchers_module
from bot.matchers import build, prune
from bot.models import Member, Skill
from bot.store import Store
from matching import Matcher, Reason
from matching.semantic import shared_embedder
from matching.transformer import shared_transformer
from tests.fakes import COMMUNITY, Community, two_processes

WARMING = "give me a few seconds"
QUERIES = [
    "terraform state is locked",
    "my postgres query is slow",
    "kubernetes pods keep restarting",
    "help with a pitch deck for investors",
    "rust borrow checker and lifetimes",
]


async def settled(c: Community, *pairs: tuple[str, str]) -> None:
    """Each (requester, need) is posted, accepted by the first asked member and resolved."""
    for requester, words in pairs:
        await c.say(requester, "need", words)
        asked = [s for s in c.port.sent if s.message.buttons and words in s.message.text]
        helper = asked[0].to[0]
        accept = next(b for b in asked[0].message.buttons if b.command == "accept")
        await c.say(helper, "accept", accept.arg)
        c.clock.advance(timedelta(minutes=7))
        await c.say(requester, "done", "thank you")


def ranking(matcher: Matcher) -> list[list[tuple[str, float, tuple[Reason, ...]]]]:
    """What the matcher answers for each test need: who, their score, and why."""
    return [[(c.member_id, c.score, c.reasons) for c in matcher.match(q)] for q in QUERIES]


def current(c: Community) -> Matcher:
    """The process's matcher for the test community, caught up with the log."""
    with (
        Session(c.core.store.engine) as session,
        c.core.ctx.matchers.using(session, COMMUNITY) as matcher,
    ):
        return matcher


def rebuilt(store: Store) -> Matcher:
    """A matcher built from scratch from the database."""
    return build(store.engine, COMMUNITY, shared_embedder(), shared_transformer())[1]


async def test_commands_answer_while_the_matcher_is_being_built(store: Store) -> None:
    """Right after a start, /offer and /profile answer; /need says "a few seconds", then works."""
    first = Community(store)
    await first.say("ann", "offer", "terraform")
    restarted = Community(store, clock=first.clock)
    gate = threading.Event()
    matchers = restarted.core.ctx.matchers
    matchers.before_build = lambda community: gate.wait(60)
    matchers.wait = 0.05  # the brief wait a command grants a build, kept short for the test
    restarted.core.start_matching()

    offered = await restarted.say("ben", "offer", "postgres")
    profile = await restarted.say("ann", "profile")
    early = await restarted.say("bob", "need", "terraform state is locked")

    assert "postgres" in offered.text
    assert "terraform" in profile.text
    assert WARMING in early.text
    assert not restarted.port.to("ann")  # nothing was asked, and the need was not kept
    gate.set()
    assert await asyncio.to_thread(matchers.wait_ready, store.engine, COMMUNITY, 60)
    later = await restarted.say("bob", "need", "terraform state is locked")
    assert "privately asked one member" in later.text
    assert restarted.port.to("ann")
    assert matchers.builds == 1


async def test_changes_elsewhere_are_applied_without_a_rebuild(database_url: str) -> None:
    """Offers, removals and resolved needs in process A reach B's matcher as a rebuild would."""
    with two_processes(database_url) as (a, b):
        b.port = a.port
        b.core.attach(a.port)
        for name, skills in [
            ("ann", "terraform, postgres"),
            ("ben", "postgres, kubernetes"),
            ("cat", "pitch decks, fundraising"),
        ]:
            await a.say(name, "offer", skills)
        await settled(a, ("dan", "postgres vacuum is slow"))
        await b.say("eve", "needs")  # B builds its matcher now
        assert b.core.ctx.matchers.builds == 1

        await a.say("fay", "offer", "rust, terraform")
        await a.say("ann", "unoffer", "postgres")
        await settled(a, ("gus", "kubernetes pods restarting"), ("hal", "rust lifetimes"))
        reply = await b.say("ivy", "need", "rust borrow checker question")

        assert "privately asked" in reply.text
        assert any("rust borrow checker" in m.text for m in a.port.to("fay"))
        assert b.core.ctx.matchers.builds == 1  # caught up, not rebuilt
        assert ranking(current(b)) == ranking(rebuilt(b.core.store))


async def test_a_forgotten_member_leaves_every_process(database_url: str) -> None:
    """After /forgetme in A, B never proposes them and ends up as a fresh build would."""
    with two_processes(database_url) as (a, b):
        b.port = a.port
        b.core.attach(a.port)
        await a.say("ann", "offer", "terraform")
        await a.say("ben", "offer", "terraform, rust")
        await settled(a, ("ann", "rust lifetimes question"))
        await b.say("eve", "needs")
        await a.say("ben", "forgetme")
        await a.say("ben", "forgetme", "confirm")
        reply = await b.say("cat", "need", "terraform rust modules")

        assert "privately asked one member" in reply.text
        assert not any("terraform rust" in m.text for m in a.port.to("ben"))
        for _ in range(1200):  # B rebuilds in the background; a bound, not a timing
            if b.core.ctx.matchers.builds == 2:
                break
            await asyncio.sleep(0.05)
        assert ranking(current(b)) == ranking(rebuilt(b.core.store))


async def test_a_failed_transaction_leaves_the_matcher_as_it_was(store: Store) -> None:
    """A change rolled back never reaches the matcher, and the matcher is not thrown away."""
    c = Community(store)
    await c.say("ann", "offer", "terraform")
    await c.say("bob", "needs")
    matchers = c.core.ctx.matchers

    def offer_then_fail(session: Session) -> None:
        ann = session.exec(select(Member.id).where(Member.user_id == "ann")).one()
        session.add(
            Skill(
                member_id=ann,
                community_id=COMMUNITY,
                name="postgres",
                norm="postgres",
                created_at=c.clock.now(),
            )
        )
        matchers.offered(session, COMMUNITY, ann, ["postgres"])
        raise RuntimeError("the transaction fails after the change")

    with contextlib.suppress(RuntimeError):
        await store.run(offer_then_fail)
    reply = await c.say("bob", "need", "slow postgres query")

    assert "privately asked" not in reply.text
    assert matchers.builds == 1
    assert ranking(current(c)) == ranking(rebuilt(store))


async def test_a_process_behind_a_pruned_log_rebuilds(database_url: str) -> None:
    """Changes pruned from the log before B read them: B notices the gap and rebuilds."""
    with two_processes(database_url) as (a, b):
        await a.say("ann", "offer", "terraform")
        await b.say("eve", "needs")
        for name in ("ben", "cat", "dan"):
            await a.say(name, "offer", f"terraform, {name}craft")
        pruned = await a.core.store.run(lambda s: prune(s, keep=1))
        current(b)  # B reads the log, finds a gap and starts a rebuild
        for _ in range(1200):  # a bound, not a timing
            if b.core.ctx.matchers.builds == 2:
                break
            await asyncio.sleep(0.05)

        assert pruned == 5  # every change but the newest
        assert b.core.ctx.matchers.builds == 2
        assert ranking(current(b)) == ranking(rebuilt(b.core.store))
        assert current(b).skills_of(str(await member_id(a, "dan"))) == ["dancraft", "terraform"]


async def member_id(c: Community, user: str) -> int:
    """A member's id in the database."""
    return await c.core.store.run(
        lambda s: s.exec(select(Member.id).where(Member.user_id == user)).one()
    )


async def test_a_big_community_answers_at_once_and_reads_its_skills_meaning_after(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the read-at-build size, a start answers by words first; meaning follows."""
    monkeypatch.setattr(matchers_module, "READ_AT_BUILD", 2)
    first = Community(store)
    for name, skills in [("ann", "terraform"), ("ben", "Kubernetes"), ("cat", "baking")]:
        await first.say(name, "offer", skills)
    restarted = Community(store, clock=first.clock)
    matchers = restarted.core.ctx.matchers
    read = threading.Event()
    done_reading = matchers._read_rest

    def reading(community_id: str, entry: Any) -> None:
        done_reading(community_id, entry)
        read.set()

    monkeypatch.setattr(matchers, "_read_rest", reading)
    restarted.core.start_matching()
    assert await asyncio.to_thread(matchers.wait_ready, store.engine, COMMUNITY, 60)
    by_words = await restarted.say("bob", "need", "terraform state is locked")
    assert "privately asked one member" in by_words.text
    assert await asyncio.to_thread(read.wait, 60)
    assert current(restarted).unread_skills(10) == []  # read in the background, not by a need
    by_meaning = await restarted.say("dan", "need", "pods stuck in CrashLoopBackOff")
    assert "privately asked one member" in by_meaning.text
    assert restarted.port.to("ben")
