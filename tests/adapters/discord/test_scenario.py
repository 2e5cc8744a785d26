"""The whole flow on Discord: the real core on SQLite, the real client, a fake Discord."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Guild, Interaction, Message, User

NEED = "my slow postgres query"


async def run(fake: FakeDiscord, guild: Guild, user: User, name: str, **options: object) -> str:
    """`user` types `/name` in `guild`; the private answer's text, once it has arrived."""
    interaction = await fake.answered(await fake.slash(guild, user, name, **options))
    assert all(reply.ephemeral for reply in interaction.replies)
    return interaction.text


async def press(fake: FakeDiscord, user: User, message: Message, label: str) -> Interaction:
    """`user` presses a button and the bot answers them privately."""
    interaction = await fake.answered(await fake.press(user, message, label))
    assert all(reply.ephemeral for reply in interaction.replies)
    return interaction


async def dm(fake: FakeDiscord, user: User, count: int = 1) -> Message:
    """The `count`-th DM `user` received, once it has arrived."""
    await fake.until(lambda: len(fake.dms(user)) >= count)
    return fake.dms(user)[count - 1]


def makers(fake: FakeDiscord) -> tuple[Guild, User, User, User]:
    """A guild with an owner, a requester (alice), a helper (bob) and an admin (ada)."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice, bob = fake.join(guild, "alice"), fake.join(guild, "bob")
    ada = fake.join(guild, "ada", manage_guild=True)
    return guild, alice, bob, ada


async def test_a_need_is_met_from_offer_to_thanks(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/offer, /need, the ask DM, a button accept, two intros, the follow-up, /done, thanks."""
    guild, alice, bob, ada = makers(fake)
    async with bot_on(fake, store, clock) as adapter:
        assert "Added to your profile" in await run(fake, guild, bob, "offer", skills="postgres")

        posted = await run(fake, guild, alice, "need", text=NEED)
        assert "I've privately asked one member who knows" in posted

        ask = await dm(fake, bob)
        assert f"<@{alice.id}> could use a hand" in ask.content
        assert f"> {NEED}" in ask.content
        assert ask.labels == ["I can help", "Not this time"]

        accepted = await press(fake, bob, ask, "I can help")
        assert "introduced you both" in accepted.text
        intro_to_alice, intro_to_bob = await dm(fake, alice), await dm(fake, bob, 2)
        for intro in (intro_to_alice, intro_to_bob):
            assert f"<@{alice.id}>, meet <@{bob.id}>!" in intro.content
            assert "Pay it forward" in intro.content
            assert intro.allowed_mentions == {"parse": []}
        assert intro_to_alice.channel_id != intro_to_bob.channel_id
        await fake.until(lambda: ask.edits)
        assert ask.buttons == [], "the ask answered loses its buttons"
        assert "You said yes" in ask.content

        clock.advance(adapter.core.settings.followup_after + timedelta(minutes=1))
        await adapter.core.tick()
        followup = await dm(fake, alice, 2)
        assert "Did it help?" in followup.content
        assert followup.labels == ["It helped", "Not yet"]

        done = await run(fake, guild, alice, "done", message="thanks, the index fixed it!")
        assert f"passed your thanks to <@{bob.id}>" in done
        thanks = await dm(fake, bob, 3)
        assert f"<@{alice.id}> marked their need as resolved thanks to you" in thanks.content
        assert "> thanks, the index fixed it!" in thanks.content

        assert "for the community's admins" in await run(fake, guild, alice, "helpstats")
        stats = await run(fake, guild, ada, "helpstats")
    assert "Needs posted: 1 · introduced: 1 · resolved: 1" in stats


async def test_closed_dms_pass_the_ask_to_the_next_candidate(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A helper whose DMs are closed (50007) is skipped at once for the next one."""
    guild, alice, bob, _ = makers(fake)
    carol = fake.join(guild, "carol")
    fake.dms_closed.add(bob.id)
    async with bot_on(fake, store, clock, asks_at_once=1) as adapter:
        await run(fake, guild, bob, "offer", skills="postgres, query tuning")
        await run(fake, guild, carol, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text="tuning a postgres query")
        ask = await dm(fake, carol)
        assert ask.labels == ["I can help", "Not this time"]
        bob_channel = next(c for c, u in fake.dm_channels.items() if u == bob.id)
        assert ("POST", f"/api/v10/channels/{bob_channel}/messages") in fake.requests
        assert fake.dms(bob) == []
        await adapter.core.tick()
    assert fake.dms(alice) == [], "alice is not told anything bad while carol is asked"


async def test_nobody_reachable_is_told_to_the_requester_at_once(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """When every candidate's DMs are closed, the requester hears now, not after a timeout."""
    guild, alice, bob, _ = makers(fake)
    fake.dms_closed.add(bob.id)
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text=NEED)
        told = await dm(fake, alice)
    assert "Everyone I could ask is busy this time" in told.content


async def test_a_button_sent_before_a_restart_still_works(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A process that never saw the ask DM still handles its button."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text=NEED)
        ask = await dm(fake, bob)
    await fake.until(lambda: not fake.sessions)  # the first client is gone
    async with bot_on(fake, store, clock):
        accepted = await press(fake, bob, ask, "I can help")
        intro = await dm(fake, alice)
    assert len(fake.identified) == 2
    assert "introduced you both" in accepted.text
    assert f"<@{alice.id}>, meet <@{bob.id}>!" in intro.content


async def test_everyone_in_a_need_pings_nobody(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """`@everyone` in a need reaches the helper as words, with mentions disabled."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text="@everyone my postgres is on fire")
        ask = await dm(fake, bob)
    assert ask.allowed_mentions == {"parse": []}
    assert "@everyone" not in ask.content
    assert "@\u200beveryone my postgres is on fire" in ask.content


async def test_a_thank_you_names_a_member_through_the_member_option(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/thanks takes a member option; the thank-you reaches them by DM."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on(fake, store, clock):
        sent = await run(fake, guild, alice, "thanks", member=bob, message="you saved my week")
        thanks = await dm(fake, bob)
    assert f"Delivered privately to <@{bob.id}>" in sent
    assert f"<@{alice.id}> wanted to thank you" in thanks.content
    assert "> you saved my week" in thanks.content


async def test_a_button_on_a_private_answer_works_in_the_guild(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/forgetme answers with a confirm button; pressing it forgets the member."""
    guild, alice, _, _ = makers(fake)
    async with bot_on(fake, store, clock):
        await run(fake, guild, alice, "offer", skills="figma")
        asked = await fake.answered(await fake.slash(guild, alice, "forgetme"))
        [question] = asked.replies
        assert question.labels == ["Yes, forget me"]
        confirmed = await press(fake, alice, question, "Yes, forget me")
        profile = await run(fake, guild, alice, "profile")
    assert "I've forgotten everything about you" in confirmed.text
    assert "none yet" in profile


async def test_pause_takes_a_number_of_days(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/pause with the integer option pauses for that many days."""
    guild, alice, _, _ = makers(fake)
    async with bot_on(fake, store, clock):
        paused = await run(fake, guild, alice, "pause", days=7)
    expected = (clock.now() + timedelta(days=7)).strftime("%a %d %b %Y")
    assert f"You're paused until {expected}" in paused
