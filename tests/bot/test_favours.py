"""Favours come back: who was once helped by someone is asked first when that someone needs
help, with one gentle line they can turn off (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community

LINE = "<@cat> helped you with 'design review of my landing page' in January"


async def cat_helped_bob(community: Community) -> None:
    """cat helps bob in January; ann and bob both offer python, ann the closer skill."""
    await community.say("cat", "offer", "design")
    await community.say("ann", "offer", "python packaging, python")
    await community.say("bob", "offer", "python")
    await community.say("bob", "need", "design review of my landing page")
    await community.say("cat", "accept", ask_id(community, "cat"))
    await community.say("bob", "done", "thank you!")
    community.clock.advance(timedelta(days=40))


def asks_to(community: Community, user: str) -> list[str]:
    """The texts of the asks DM'd to a member."""
    return [
        m.text for m in community.port.to(user) if any(b.command == "accept" for b in m.buttons)
    ]


async def test_who_was_helped_is_asked_first_with_one_gentle_line(store: Store) -> None:
    """cat needs python help: bob, whom cat once helped, is asked before ann, and told why."""
    community = Community(store, Settings(asks_at_once=1))
    await cat_helped_bob(community)
    await community.say("cat", "need", "a python packaging question")
    [ask] = asks_to(community, "bob")
    assert LINE in ask
    assert "a chance to return the favour" in ask
    assert "No pressure" in ask
    assert not asks_to(community, "ann")
    await community.say("bob", "accept", ask_id(community, "bob"))
    assert set(community.port.sent[-1].to) == {"cat", "bob"}


async def test_others_asked_at_the_same_time_hear_no_favour(community: Community) -> None:
    """Asked alongside bob, ann's ask says nothing about favours: she owes none."""
    await cat_helped_bob(community)
    await community.say("cat", "need", "a python packaging question")
    assert LINE in asks_to(community, "bob")[0]
    [ann_ask] = asks_to(community, "ann")
    assert "favour" not in ann_ask


async def test_favour_lines_can_be_turned_off_in_the_profile(store: Store) -> None:
    """bob turns the lines off: he is still asked, with no word about the favour."""
    community = Community(store, Settings(asks_at_once=1))
    await cat_helped_bob(community)
    profile = await community.say("bob", "profile")
    assert "Favour notes: on" in profile.text
    assert [b.typed for b in profile.buttons] == ["/profile favours off"]
    off = await community.say("bob", "profile", "favours off")
    assert "won't mention" in off.text
    assert "Favour notes: off" in (await community.say("bob", "profile")).text
    await community.say("cat", "need", "a python packaging question")
    [ask] = asks_to(community, "bob")
    assert "favour" not in ask and "helped you" not in ask
    on = await community.say("bob", "profile", "favours on")
    assert "gently" in on.text


async def test_a_paused_member_is_not_asked_for_a_favour(store: Store) -> None:
    """Favours never cross a pause: bob is paused, so ann is asked, with no favour line."""
    community = Community(store, Settings(asks_at_once=1))
    await cat_helped_bob(community)
    await community.say("bob", "pause")
    await community.say("cat", "need", "a python packaging question")
    assert not asks_to(community, "bob")
    [ask] = asks_to(community, "ann")
    assert "favour" not in ask


async def test_a_waiting_need_asked_again_carries_the_favour_line(community: Community) -> None:
    """bob, paused when cat needed help, resumes: the ask about cat's waiting need says why."""
    await community.say("cat", "offer", "design")
    await community.say("bob", "need", "design review of my landing page")
    await community.say("cat", "accept", ask_id(community, "cat"))
    await community.say("bob", "offer", "rust")
    await community.say("bob", "pause")
    await community.say("cat", "need", "a rust lifetimes question")
    await community.say("bob", "resume")
    [ask] = asks_to(community, "bob")
    assert LINE in ask
