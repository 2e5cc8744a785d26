"""Several bot processes on one PostgreSQL: each piece of work is done once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.settings import Settings
from tests.fakes import Community, two_processes

pytestmark = pytest.mark.postgres


@pytest.fixture
def two(pg_url: str) -> Iterator[tuple[Community, Community]]:
    """Two processes on one PostgreSQL, sending through the same workspace."""
    with two_processes(pg_url, Settings(max_open_asks=1)) as (a, b):
        b.port = a.port
        b.core.attach(a.port)
        yield a, b


async def test_an_offer_in_one_process_is_matchable_in_the_other(
    two: tuple[Community, Community],
) -> None:
    """A new /offer made through process A is used by a /need handled in process B."""
    a, b = two
    await b.say("bob", "need", "warm-up so process B builds its matcher")
    await a.say("ann", "offer", "terraform")
    reply = await b.say("bob", "need", "terraform state is locked")
    assert "privately asked one member" in reply.text
    assert a.port.to("ann")


async def test_open_ask_limit_holds_across_processes(two: tuple[Community, Community]) -> None:
    """Two needs arriving at once in two processes never give one member two open asks."""
    a, b = two
    await a.say("ann", "offer", "terraform")
    await b.say("x", "profile")  # process B knows the community too
    await asyncio.gather(
        a.say("bob", "need", "terraform modules question"),
        b.say("cat", "need", "terraform providers question"),
    )
    asks = [m for m in a.port.to("ann") if m.buttons]
    assert len(asks) == 1


async def test_each_timeout_and_follow_up_is_handled_once(
    two: tuple[Community, Community],
) -> None:
    """Both processes tick at once; every expiry and follow-up happens exactly once."""
    a, b = two
    for name in ("ann", "ben"):
        await a.say(name, "offer", "terraform")
    await a.say("bob", "need", "terraform help")
    await a.say("ann", "accept", a.port.last_to("ann").buttons[0].arg)
    await a.say("cat", "need", "terraform drift")
    asked_for_cat = [m for m in a.port.sent if "terraform drift" in m.message.text]
    assert len(asked_for_cat) == 2
    a.clock.advance(timedelta(days=4))
    await asyncio.gather(a.core.tick(), b.core.tick())
    edits = [m.text for _, m in a.port.edits]
    assert len([t for t in edits if "closed without an answer" in t]) == 2
    assert len([m for m in a.port.sent if "busy this time" in m.message.text]) == 1  # cat
    assert len([m for m in a.port.sent if "Did it help?" in m.message.text]) == 1  # bob
