"""Connectors on Discord: nobody fits, a connector is asked and `/refer`s a member by option."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Message, User
from tests.adapters.discord.test_scenario import makers, press, run

PITCH = "someone to review my pitch deck for investors"


async def dm_saying(fake: FakeDiscord, user: User, words: str) -> Message:
    """The first DM to `user` that says `words`, once it has arrived.

    Found by what it says, not by its place: on a busy machine a reply the interaction
    window missed comes as a DM too.
    """
    await fake.until(lambda: any(words in m.content for m in fake.dms(user)))
    return next(m for m in fake.dms(user) if words in m.content)


async def test_a_connector_refers_a_member_without_a_profile_who_then_helps(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """bob helped alice; nobody fits carol's need, so bob is asked whom he knows; he picks
    dana in the member option; dana, with no profile, says yes and both are introduced."""
    guild, alice, bob, _ = makers(fake)
    carol, dana = fake.join(guild, "carol"), fake.join(guild, "dana")
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text="my slow postgres query")
        await press(fake, bob, await dm_saying(fake, bob, "my slow postgres query"), "I can help")

        posted = await run(fake, guild, carol, "need", text=PITCH)
        assert "also asked a member who knows many people" in posted
        connector_ask = await dm_saying(fake, bob, "Do you know someone who could help")
        assert connector_ask.labels == ["I'll suggest someone", "I don't know anyone"]
        how = await press(fake, bob, connector_ask, "I'll suggest someone")
        assert "/refer 2 @member" in how.text

        sent = await run(fake, guild, bob, "refer", need=2, member=dana)
        assert f"Thank you for thinking of <@{dana.id}>" in sent
        referred = await dm_saying(fake, dana, f"<@{bob.id}> thought of you")
        assert referred.allowed_mentions == {"parse": []}
        accepted = await press(fake, dana, referred, "I can help")
        assert "introduced you both" in accepted.text
        await dm_saying(fake, carol, f"<@{carol.id}>, meet <@{dana.id}>!")

        mirror = await run(fake, guild, bob, "profile")
        assert "thought of 1 person for others' needs, and 1 of them went on to help" in mirror


async def test_refer_of_someone_who_left_asks_nobody(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A member picked in the option who has left the server is not asked."""
    guild, alice, bob, _ = makers(fake)
    gone = fake.join(guild, "gone")
    async with bot_on(fake, store, clock):
        await run(fake, guild, alice, "need", text=PITCH)
        fake.leave(guild, gone)
        assert "can't find that person" in await run(fake, guild, bob, "refer", need=1, member=gone)
        assert fake.dms(gone) == []
