"""The community pulse through the core, on SQLite and PostgreSQL: who gets it, what answers
become, the admin's summary, and the quiet period between two pulses."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.buttons import Press
from bot.models import Need, Skill
from bot.port import Message
from bot.usecases.pulse import PULSE_EVERY, SUMMARY_AFTER
from bot.usecases.stats import compute
from tests.fakes import COMMUNITY, Community


async def press(c: Community, user: str, command: str, arg: str) -> str:
    """`user` presses the button `command arg` in a DM (a text field's words after the arg)."""
    reply: Message = await c.core.press(Press("fake", user, user.title(), command, arg))
    await c.core.flush()
    return reply.text


def pulses_to(c: Community, user: str) -> list[Message]:
    """The check-in DMs a member received."""
    return [m for m in c.port.to(user) if any(b.command == "pulseneed" for b in m.buttons)]


async def a_community(c: Community) -> None:
    """ada (admin), alice and bob with skills, carol paused, dave opted out, erin paused for
    a day (over by the time of the pulse), and fay who only ever thanked someone."""
    c.port.admins.add("ada")
    await c.say("ada", "profile")
    await c.say("ada", "offer", "community building")
    await c.say("alice", "offer", "postgres")
    await c.say("bob", "offer", "figma")
    await c.say("carol", "pause")
    await c.say("dave", "pulse", "off")
    await c.say("erin", "pause", "1")
    await c.say("fay", "thanks", "great session", target="alice")
    c.clock.advance(timedelta(days=2))
    await c.core.tick()


async def test_a_pulse_reaches_every_eligible_member_once_and_its_answers_count(
    community: Community,
) -> None:
    """Everyone known, not paused and not opted out, gets exactly one check-in; answers become
    a need (asked as usual) and skills; three days on the admin gets the summary, once."""
    c = community
    await a_community(c)
    reply = await c.say("ada", "pulse")
    assert "on its way to 5 members" in reply.text
    for user in ("ada", "alice", "bob", "erin", "fay"):
        [dm] = pulses_to(c, user)
        assert "what could you use help with this month" in dm.text
        assert [b.typed for b in dm.buttons] == ["/pulseneed 1", "/pulseoffer 1", "/pulsestop 1"]
    for user in ("carol", "dave"):
        assert pulses_to(c, user) == []

    answered = await press(c, "bob", "pulseneed", "1 help with a slow postgres query")
    assert "Thank you for answering" in answered and "privately asked one member" in answered
    assert "slow postgres query" in c.port.last_to("alice").text  # asked as any need is
    await press(c, "fay", "pulseneed", "someone who speaks Icelandic")  # no number: refused
    await press(c, "fay", "pulseneed", "1 someone who speaks Icelandic")
    await press(c, "erin", "pulseneed", "1 a review of my pitch deck")
    offered = await press(c, "erin", "pulseoffer", "1 kubernetes, terraform")
    assert "Added to your profile: kubernetes, terraform" in offered
    await press(c, "alice", "pulseoffer", "1 postgres, indexing")  # one new skill
    assert "meant for someone else" in await press(c, "carol", "pulseneed", "1 anything")
    assert "wasn't sent to you" in (await c.say("carol", "pulseneed", "1 anything")).text
    with c.core.store.session() as session:
        needs = session.exec(select(Need.text).order_by(col(Need.id))).all()
        skills = session.exec(select(Skill.name).where(Skill.community_id == COMMUNITY)).all()
    assert needs == [
        "help with a slow postgres query",
        "someone who speaks Icelandic",
        "a review of my pitch deck",
    ]
    assert {"kubernetes", "terraform", "indexing"} <= set(skills)

    c.clock.advance(SUMMARY_AFTER - timedelta(minutes=1))
    await c.core.tick()
    assert not any("check-in, three days on" in m.text for m in c.port.to("ada"))
    c.clock.advance(timedelta(minutes=2))
    await c.core.tick()
    await c.core.tick()
    [summary] = [m for m in c.port.to("ada") if "check-in, three days on" in m.text]
    assert "Answered: 4 of 5 members" in summary.text
    assert "New needs: 3 · new skills on profiles: 3" in summary.text
    assert "Most asked for:" in summary.text and "postgres (1)" in summary.text
    nobody = summary.text.split("Asked for, but nobody offers: ")[1]
    assert "postgres" not in nobody and "pitch deck" in nobody
    with c.core.store.session() as session:
        assert compute(session, COMMUNITY).as_dict()["pulse_answers"] == 5
    assert "Check-in answers (/pulse): 5" in (await c.say("ada", "helpstats")).text


async def test_a_second_pulse_within_two_weeks_is_refused_kindly(community: Community) -> None:
    """The same admin or another: told when the next one can go; after 14 days it goes."""
    c = community
    await a_community(c)
    c.port.admins.add("alice")
    await c.say("ada", "pulse")
    c.clock.advance(PULSE_EVERY - timedelta(hours=1))
    for admin in ("ada", "alice"):
        refused = await c.say(admin, "pulse")
        assert "let's give people room to breathe" in refused.text
        assert "The next one can go out on" in refused.text
    assert len(pulses_to(c, "bob")) == 1
    c.clock.advance(timedelta(hours=2))
    assert "on its way" in (await c.say("alice", "pulse")).text
    assert len(pulses_to(c, "bob")) == 2


async def test_pulse_is_for_admins_and_anyone_can_opt_out_or_in(community: Community) -> None:
    """A member's /pulse is refused; /pulse off, the "No more check-ins" button and /pulse on
    choose whether they get the next one."""
    c = community
    await a_community(c)
    refused = await c.say("bob", "pulse")
    assert "it's for admins" in refused.text and "/pulse off" in refused.text
    assert "`/pulse off` and `/pulse on`" in (await c.say("bob", "pulse", "maybe")).text
    await c.say("ada", "pulse")
    assert "no more community check-ins" in await press(c, "bob", "pulsestop", "1")
    assert "next community check-in" in (await c.say("dave", "pulse", "on")).text
    c.clock.advance(PULSE_EVERY + timedelta(hours=1))
    await c.say("ada", "pulse")
    assert len(pulses_to(c, "bob")) == 1
    assert len(pulses_to(c, "dave")) == 1


async def test_a_member_who_answered_a_pulse_can_be_forgotten(community: Community) -> None:
    """/forgetme after answering (and for the admin who sent it) leaves no trace behind."""
    c = community
    await a_community(c)
    await c.say("ada", "pulse")
    await press(c, "bob", "pulseneed", "1 a review of my pitch deck")
    for who in ("bob", "ada"):
        await c.say(who, "forgetme")
        assert "forgotten everything" in (await c.say(who, "forgetme", "confirm")).text
    c.clock.advance(SUMMARY_AFTER + timedelta(minutes=1))
    await c.core.tick()  # the admin is gone: no summary, no failure
    with c.core.store.session() as session:
        assert compute(session, COMMUNITY).pulse_answers == 0
