"""The help flow of one need, end to end through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import Community


async def offers(c: Community) -> None:
    """alice, bob and dave offer skills."""
    await c.say("alice", "offer", "PostgreSQL, query tuning, python")
    await c.say("bob", "offer", "pitch decks, fundraising")
    await c.say("dave", "offer", "figma")


async def test_offer_is_acknowledged_and_shown_in_profile(community: Community) -> None:
    """Offered skills are confirmed and listed in /profile."""
    reply = await community.say("alice", "offer", "PostgreSQL, query tuning")
    assert "PostgreSQL" in reply.text and "query tuning" in reply.text
    profile = await community.say("alice", "profile")
    assert "PostgreSQL, query tuning" in profile.text
    assert "happy to be asked" in profile.text


async def test_need_asks_the_right_member_privately_with_why(community: Community) -> None:
    """A need reaches the member whose skill fits, with the reason and two buttons."""
    await offers(community)
    reply = await community.say("bob", "need", "help with a slow postgres query")
    assert "privately asked one member" in reply.text
    assert "alice" not in reply.text.lower()  # no names before someone says yes
    ask = community.port.last_to("alice")
    assert "&gt;" not in ask.text and "slow postgres query" in ask.text
    assert "PostgreSQL" in ask.text
    assert [b.command for b in ask.buttons] == ["accept", "decline"]
    assert not community.port.to("dave")


async def test_accept_introduces_both_with_nudge_and_pass_on(community: Community) -> None:
    """After a yes, both sides get one introduction naming the need, the why and the nudge."""
    await offers(community)
    await community.say("carol", "need", "feedback on my seed pitch deck")
    await community.say("bob", "need", "help with a slow postgres query")
    reply = await community.say("alice", "accept", ask_id(community, "alice"))
    assert "introduced you" in reply.text
    intro = community.port.sent[-1]
    assert set(intro.to) == {"bob", "alice"}
    assert "slow postgres query" in intro.message.text
    assert "PostgreSQL" in intro.message.text
    assert "Pay it forward" in intro.message.text
    # bob offered pitch decks: carol's open need is the one to pass it on with.
    assert "seed pitch deck" in intro.message.text
    assert [b.command for b in intro.message.buttons] == ["give"]


async def test_follow_up_then_done_thanks_helper_and_suggests_pass_on(
    community: Community,
) -> None:
    """Three days on, bob is asked if it helped; /done sends his thanks to alice."""
    await offers(community)
    await community.say("carol", "need", "feedback on my seed pitch deck")
    await community.say("bob", "need", "help with a slow postgres query")
    await community.say("alice", "accept", ask_id(community, "alice"))
    community.clock.advance(timedelta(days=4))
    await community.core.tick()
    followup = community.port.last_to("bob")
    assert "Did it help?" in followup.text
    assert {b.command for b in followup.buttons} == {"helped", "notyet"}
    reply = await community.say("bob", "done", "thanks, the index fixed it!")
    assert "resolved" in reply.text
    assert "seed pitch deck" in reply.text  # pass it on to carol
    thanks = community.port.last_to("alice")
    assert "the index fixed it!" in thanks.text
    profile = await community.say("alice", "profile")
    assert "you helped 1 member" in profile.text


async def test_first_accept_wins_and_others_are_updated(community: Community) -> None:
    """Three members asked; the first yes is introduced and the others' asks are edited."""
    for name in ("ann", "ben", "cat"):
        await community.say(name, "offer", "kubernetes")
    reply = await community.say("dan", "need", "my k8s pods keep restarting")
    assert "3 members" in reply.text
    await community.say("ben", "accept", ask_id(community, "ben"))
    edited = [m.text for _, m in community.port.edits]
    assert sum("Already taken care of" in t for t in edited) == 2
    late = await community.say("cat", "accept", ask_id(community, "cat"))
    assert "already taken care of" in late.text
    intros = [s for s in community.port.sent if len(s.to) == 2]
    assert len(intros) == 1


async def test_decline_moves_to_next_candidate(store: Store) -> None:
    """'Not this time' asks the next member; when nobody is left, the requester is told."""
    community = Community(store, Settings(asks_at_once=1))
    await community.say("ann", "offer", "python")
    await community.say("ben", "offer", "python")
    await community.say("cat", "need", "a python packaging question")
    first = next(u for u in ("ann", "ben") if community.port.to(u))
    second = "ben" if first == "ann" else "ann"
    await community.say(first, "decline", ask_id(community, first))
    assert community.port.to(second), "the next candidate is asked"
    await community.say(second, "decline", ask_id(community, second))
    assert "Everyone I could ask is busy" in community.port.last_to("cat").text


async def test_three_silent_asks_pause_member_kindly(community: Community) -> None:
    """A member who lets three asks expire is paused, told how to come back, and not asked."""
    await community.say("ann", "offer", "rust")
    for i in range(3):
        await community.say(f"req{i}", "need", f"rust lifetimes question {i}")
        community.clock.advance(timedelta(hours=25))
        await community.core.tick()
    told = community.port.last_to("ann")
    assert "/resume" in told.text
    await community.say("req9", "need", "another rust question")
    assert len([m for m in community.port.to("ann") if m.buttons]) == 3
    await community.say("ann", "resume")
    # Back from the pause, ann is asked about the need that waited for her meanwhile.
    asked = [m for m in community.port.to("ann") if m.buttons]
    assert len(asked) == 4 and "another rust question" in asked[-1].text
    await community.say("req8", "need", "one more rust question")
    assert len([m for m in community.port.to("ann") if m.buttons]) == 5


async def test_no_candidate_is_told_honestly_and_recorded_unmet(community: Community) -> None:
    """Nobody offers the skill: the requester hears so, and admins see the topic."""
    await community.say("ann", "offer", "figma")
    reply = await community.say("bob", "need", "help with kubernetes upgrades")
    assert "nobody who can help with 'kubernetes upgrades' is available" in reply.text
    community.port.admins.add("ann")
    stats = await community.say("ann", "helpstats")
    assert "kubernetes" in stats.text


async def test_paused_member_is_not_asked(community: Community) -> None:
    """/pause keeps a member out of asks until /resume."""
    await community.say("ann", "offer", "figma")
    reply = await community.say("ann", "pause", "7")
    assert "paused until" in reply.text
    await community.say("bob", "need", "figma components help")
    assert not community.port.to("ann")


async def test_needs_lists_what_i_could_help_with_and_give_introduces(
    community: Community,
) -> None:
    """/needs shows matching open needs; pressing 'I can help' introduces at once."""
    await community.say("bob", "need", "review my pitch deck")
    await community.say("ann", "offer", "pitch decks")
    listed = await community.say("ann", "needs")
    assert "review my pitch deck" in listed.text
    give = listed.buttons[0]
    reply = await community.say("ann", give.command, give.arg)
    assert "introduced" in reply.text
    assert set(community.port.sent[-1].to) == {"bob", "ann"}


async def test_thanks_is_delivered_privately(community: Community) -> None:
    """/thanks @member delivers the words to that member only."""
    reply = await community.say("ann", "thanks", "you saved my launch", target="bob")
    assert "Delivered" in reply.text
    assert "you saved my launch" in community.port.last_to("bob").text
    assert community.port.sent[-1].to == ("bob",)


async def test_done_with_several_needs_asks_which_and_thanks_the_right_helper(
    community: Community,
) -> None:
    """Two open needs: /done asks which; the button sends the kept words to that helper."""
    await community.say("ann", "offer", "python")
    await community.say("cat", "offer", "golang")
    await community.say("bob", "need", "python help")
    await community.say("ann", "accept", ask_id(community, "ann"))
    await community.say("bob", "need", "golang help")
    await community.say("cat", "accept", ask_id(community, "cat"))
    which = await community.say("bob", "done", "you are a star")
    assert [b.typed for b in which.buttons] == ["/done 1", "/done 2"]
    reply = await community.say("bob", "done", "1")
    assert "passed your thanks to <@ann>" in reply.text
    assert "you are a star" in community.port.last_to("ann").text
    # The kept words were for that prompt only: resolving the other need later sends none.
    await community.say("bob", "done", "2")
    assert "you are a star" not in community.port.last_to("cat").text


async def test_a_second_click_on_it_helped_resolves_nothing_else(community: Community) -> None:
    """Double-clicking 'It helped' on one need never resolves another one."""
    await community.say("ann", "offer", "python, golang")
    await community.say("bob", "need", "python help")
    await community.say("ann", "accept", ask_id(community, "ann"))
    await community.say("bob", "need", "golang help")
    first = await community.say("bob", "helped", "1")
    assert "resolved" in first.text
    second = await community.say("bob", "helped", "1")
    assert "isn't one of your open needs" in second.text
    listed = await community.say("bob", "done")
    assert ("resolved" in listed.text and "#2" not in listed.text) or "golang" in listed.text


async def test_thanks_without_a_helper_is_not_silently_dropped(community: Community) -> None:
    """Resolving a need nobody was introduced for says where the thank-you went: nowhere."""
    await community.say("bob", "need", "a question nobody can answer yet")
    reply = await community.say("bob", "done", "thanks all")
    assert "had no one to go to" in reply.text
    assert "/thanks" in reply.text


async def test_a_changed_mind_after_declining_is_welcome(community: Community) -> None:
    """'I can help' after 'Not this time' introduces, while nobody else has said yes."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    ask = ask_id(community, "ann")
    await community.say("ann", "decline", ask)
    reply = await community.say("ann", "accept", ask)
    assert "introduced you" in reply.text
    assert [s.to for s in community.port.sent if len(s.to) == 2] == [("bob", "ann")]


async def test_a_need_in_other_words_is_asked_with_what_it_sounds_like(
    community: Community,
) -> None:
    """A need that never names the skill reaches its member, told what it sounds like."""
    await community.say("elena", "offer", "resume review, interview prep")
    await community.say("tomas", "offer", "plumbing, drywall")
    reply = await community.say("bob", "need", "can someone look at my CV before I apply?")
    assert "privately asked one member" in reply.text
    ask = community.port.last_to("elena")
    assert "<@bob>'s need about 'CV' sounds like your 'resume review'" in ask.text
    assert not community.port.to("tomas")
    await community.say("elena", "accept", ask_id(community, "elena"))
    assert "sounds like their 'resume review'" in community.port.sent[-1].message.text


async def test_nobody_is_asked_when_no_skill_fits(community: Community) -> None:
    """A need far from every offered skill asks nobody and says so honestly."""
    await offers(community)
    reply = await community.say("carol", "need", "our cat stopped eating since yesterday")
    assert "privately asked" not in reply.text
    assert not community.port.to("alice") and not community.port.to("bob")


async def test_a_free_helper_is_asked_even_when_many_who_fit_are_paused(
    community: Community,
) -> None:
    """Forty paused python helpers do not crowd out the one who is free to help."""
    for i in range(40):
        await community.say(f"p{i:02}", "offer", "python")
        await community.say(f"p{i:02}", "pause")
    await community.say("zed", "offer", "python")
    reply = await community.say("asker", "need", "help with a python script")
    assert "privately asked one member" in reply.text
    assert "python script" in community.port.last_to("zed").text


async def test_needs_lists_the_newest_needs_i_fit_newest_first(community: Community) -> None:
    """/needs shows the five newest open needs fitting my skills or my past help, newest
    first: not mine, not one I declined, not one about something I never offered."""
    await community.say("ann", "offer", "PostgreSQL, figma")
    await community.say("bob", "need", "my sourdough starter died")
    await community.say("ann", "give", "1")
    await community.say("bob", "done", "thanks")  # ann has helped with sourdough
    posted = [
        ("cat", "slow postgres query on a big table"),
        ("dan", "help me file my tax return"),
        ("eve", "figma components keep breaking"),
        ("fay", "sourdough starter smells odd"),
        ("gus", "postgres replication lag"),
        ("ann", "figma auto layout question"),
        ("hal", "knitting a scarf"),
        ("ida", "postgres vacuum never finishes"),
        ("jon", "figma prototype links"),
        ("kim", "figma variables for themes"),
    ]
    for who, text in posted:
        await community.say(who, "need", text)
        community.clock.advance(timedelta(minutes=1))
    ask = next(m for m in community.port.to("ann") if "slow postgres query" in m.text)
    decline = next(b for b in ask.buttons if b.command == "decline")
    await community.say("ann", "decline", decline.arg)

    listed = await community.say("ann", "needs")

    shown = [line for line in listed.text.splitlines() if line.startswith(">")]
    assert shown == [
        "> figma variables for themes",
        "> figma prototype links",
        "> postgres vacuum never finishes",
        "> postgres replication lag",
        "> sourdough starter smells odd",
    ]
    assert "you helped with a similar need before ('sourdough', 'starter')" in listed.text
