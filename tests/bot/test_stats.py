"""/helpstats: refused for members, every figure for admins."""

from __future__ import annotations

from datetime import timedelta

from bot.port import Actor, Invocation
from bot.settings import Settings
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community


async def test_helpstats_refused_for_a_member(community: Community) -> None:
    """A member who is no admin is told so, kindly."""
    reply = await community.say("ann", "helpstats")
    assert "for the community's admins" in reply.text


async def test_helpstats_for_an_admin_shows_every_figure(community: Community) -> None:
    """Profiles, needs, share matched, median time, unmet topics, concentration, links."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "offer", "design")
    await community.say("bob", "need", "python packaging help")
    community.clock.advance(timedelta(hours=2))
    await community.say("ann", "accept", ask_id(community, "ann"))
    await community.say("bob", "done", "thanks!")
    # bob was helped, then helps cat: a pay-it-forward link.
    await community.say("cat", "need", "design review of my landing page")
    community.clock.advance(timedelta(hours=4))
    await community.say("bob", "accept", ask_id(community, "bob"))
    await community.say("dan", "need", "help with kubernetes upgrades")
    community.port.admins.add("ann")
    text = (await community.say("ann", "helpstats")).text
    assert "Members with a profile: 2" in text
    assert "Needs posted: 3 · introduced: 2 · resolved: 1" in text
    assert "Share matched with a helper: 67%" in text
    assert "Median time from need to introduction: 3.0 h" in text
    assert "kubernetes upgrades (1)" in text
    assert "busiest 10% of helpers: 50%" in text
    assert "Pay-it-forward links (helped, then helped someone): 1" in text


async def test_whuffie_admins_setting_grants_helpstats(store: Store) -> None:
    """WHUFFIE_ADMINS names admins beyond the platform's own, one community at a time."""
    c = Community(store, Settings.from_env({"WHUFFIE_ADMINS": f"{COMMUNITY}:ann"}))
    reply = await c.say("ann", "helpstats")
    assert "How this community helps itself" in reply.text


async def test_an_admin_of_one_workspace_cannot_read_another_workspaces_stats(
    store: Store,
) -> None:
    """Listed as admin of T1, the same member id in T2 is told /helpstats is for admins."""
    c = Community(store, Settings.from_env({"WHUFFIE_ADMINS": f"{COMMUNITY}:ann"}))
    assert "How this community helps itself" in (await c.say("ann", "helpstats")).text
    elsewhere = Actor("fake", "fake:T2", "ann", "Ann")
    reply = await c.core.handle(Invocation(elsewhere, "helpstats"))
    assert "for the community's admins" in reply.text
    assert "How this community helps itself" not in reply.text
