"""Messages owed are recorded with the change and delivered after it, exactly once."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.conftest import ask_id
from tests.fakes import Community


async def test_failed_introduction_is_delivered_by_next_tick_exactly_once(
    community: Community,
) -> None:
    """The port fails while delivering an intro; the next tick delivers it once."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    ask = ask_id(community, "ann")
    community.port.failures = 1
    reply = await community.say("ann", "accept", ask)
    assert "introduced" in reply.text  # the accept itself is stored
    assert not [s for s in community.port.sent if len(s.to) == 2]
    community.clock.advance(timedelta(minutes=1))
    await community.core.tick()
    await community.core.tick()
    community.clock.advance(timedelta(hours=1))
    await community.core.tick()
    intros = [s for s in community.port.sent if len(s.to) == 2]
    assert len(intros) == 1
    assert "python help" in intros[0].message.text


async def test_undeliverable_ask_moves_to_next_candidate(community: Community) -> None:
    """A member the platform cannot reach is skipped for the next candidate."""
    community.core.settings.__dict__["asks_at_once"] = 1
    await community.say("ann", "offer", "python")
    await community.say("ben", "offer", "python")
    community.port.closed_dms = {"ann", "ben"} - {"ben"}
    await community.say("bob", "need", "python help")
    assert community.port.to("ben"), "ben is asked when ann cannot be reached"


async def test_nobody_reachable_tells_requester(community: Community) -> None:
    """When no candidate can be reached, the requester is told and nobody waits."""
    await community.say("ann", "offer", "python")
    community.port.closed_dms = {"ann"}
    await community.say("bob", "need", "python help")
    assert "busy this time" in community.port.last_to("bob").text
