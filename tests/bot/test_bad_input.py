"""Bad input gets a clear, friendly answer, loses nothing and never duplicates an intro."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.settings import Settings
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community


async def test_empty_need_explains_usage(community: Community) -> None:
    """`/need` with nothing says what to type."""
    reply = await community.say("bob", "need", "   ")
    assert "/need" in reply.text and "What do you need" in reply.text


async def test_huge_need_is_refused_with_the_limit(community: Community) -> None:
    """A 5,000-character need is refused with the limit, and nothing is asked."""
    await community.say("ann", "offer", "python")
    reply = await community.say("bob", "need", "python " + "x" * 4993)
    assert "5000 characters" in reply.text and "1000" in reply.text
    assert not community.port.sent


@pytest.mark.parametrize("ping", ["@everyone", "<!channel>", "<@U0123>"])
async def test_mentions_in_a_need_reach_the_helper_through_escape(
    community: Community, ping: str
) -> None:
    """Member text goes through the platform's escape before anyone sees it."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", f"{ping} python help please")
    ask = community.port.last_to("ann").text
    assert community.port.escape(ping) in ask
    if "<" in ping:
        assert ping not in ask


async def test_unicode_need_and_skill_round_trip(community: Community) -> None:
    """Accents, CJK and emoji are kept as typed."""
    await community.say("ann", "offer", "café latte art ☕, 日本語")
    await community.say("bob", "need", "help with café latte art ☕ please")
    assert "café latte art ☕" in community.port.last_to("ann").text


async def test_unknown_command_is_named(community: Community) -> None:
    """An unknown command says so and points to /help."""
    reply = await community.say("bob", "frobnicate")
    assert "/frobnicate" in reply.text and "/help" in reply.text


async def test_accepting_someone_elses_ask_is_refused(community: Community) -> None:
    """Pressing another member's button does nothing but explain."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    reply = await community.say("mallory", "accept", ask_id(community, "ann"))
    assert "meant for someone else" in reply.text
    assert not [s for s in community.port.sent if len(s.to) == 2]


async def test_double_accept_gives_one_introduction(community: Community) -> None:
    """A double click on 'I can help' introduces once."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    ask = ask_id(community, "ann")
    await community.say("ann", "accept", ask)
    again = await community.say("ann", "accept", ask)
    assert "already said yes" in again.text
    assert len([s for s in community.port.sent if len(s.to) == 2]) == 1


async def test_decline_after_accept_keeps_the_introduction(store: Store) -> None:
    """'Not this time' after 'I can help' is explained, and nobody else is asked."""
    community = Community(store, Settings(asks_at_once=1))
    await community.say("ann", "offer", "python")
    await community.say("ben", "offer", "python")
    await community.say("bob", "need", "python help")
    helper = next(u for u in ("ann", "ben") if community.port.to(u))
    ask = ask_id(community, helper)
    await community.say(helper, "accept", ask)
    sent_before = len(community.port.sent)
    reply = await community.say(helper, "decline", ask)
    assert "already said yes" in reply.text
    assert len(community.port.sent) == sent_before


@pytest.mark.parametrize("arg", ["", "abc", "99999", "-1"])
async def test_unknown_or_malformed_ask_ids(community: Community, arg: str) -> None:
    """Button commands typed with a bad id answer clearly."""
    reply = await community.say("ann", "accept", arg)
    assert "#" in reply.text or "needs a number" in reply.text


async def test_offer_without_skills_and_overlong_skill(community: Community) -> None:
    """`/offer` alone shows usage; a very long skill is refused with the limit."""
    assert "comma separated" in (await community.say("ann", "offer", " , ,")).text
    reply = await community.say("ann", "offer", "x" * 200)
    assert "60" in reply.text
    profile = await community.say("ann", "profile")
    assert "none yet" in profile.text


async def test_thanks_without_member_or_to_self(community: Community) -> None:
    """/thanks needs a member and words, and cannot thank yourself."""
    assert "Who and what for" in (await community.say("ann", "thanks", "great")).text
    reply = await community.say("ann", "thanks", "me!", target="ann")
    assert "to others" in reply.text
    assert not community.port.sent


async def test_pause_with_nonsense_days(community: Community) -> None:
    """`/pause soon` explains the number of days."""
    reply = await community.say("ann", "pause", "soon")
    assert "number of days" in reply.text


@pytest.mark.parametrize("arg", ["²", "9" * 30, "3000000000", "1e3", "#"])
async def test_ids_that_are_not_plain_numbers(community: Community, arg: str) -> None:
    """Odd digits, huge numbers and the like get the usage answer, never an error."""
    for command in ("accept", "decline", "give", "helped", "notyet"):
        reply = await community.say("ann", command, arg)
        assert "needs a number" in reply.text, (command, reply.text)


async def test_skills_are_escaped_when_repeated_to_others(community: Community) -> None:
    """A skill written with platform markup reaches others escaped, like any member text."""
    await community.say("ann", "offer", "<!channel> python")
    await community.say("bob", "need", "channel python help")
    ask = community.port.last_to("ann").text
    assert "<!channel>" not in ask and "&lt;!channel&gt;" in ask
    await community.say("ann", "accept", ask_id(community, "ann"))
    intro = community.port.sent[-1].message.text
    assert "<!channel>" not in intro


async def test_notyet_on_a_need_nobody_was_introduced_for(community: Community) -> None:
    """'Not yet' before any introduction says so instead of promising a check-in."""
    await community.say("bob", "need", "something")
    reply = await community.say("bob", "notyet", "1")
    assert "Nobody has been introduced" in reply.text


async def test_reading_commands_do_not_store_strangers(community: Community, store: Store) -> None:
    """/forgetme, /profile and /needs from someone new store nothing about them."""
    assert "nothing to forget" in (await community.say("zed", "forgetme")).text
    assert "none yet" in (await community.say("zed", "profile")).text
    await community.say("zed", "needs")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM member")).scalar() == 0
