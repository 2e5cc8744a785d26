"""The port on Discord: DMs with buttons, introductions, edits, failures, admins, members."""

from __future__ import annotations

import pytest

from adapters.discord.community import community_of
from bot.clock import ManualClock
from bot.port import Button, InstallationBroken, Message, Undeliverable
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Guild

ASK = Message(
    "Hi! Someone could use a hand:\n> my slow query",
    (Button("I can help", "accept", "7", "primary"), Button("Not this time", "decline", "7")),
)


def community(guild: Guild) -> str:
    """The community string of a fake guild, as the adapter names it."""
    return community_of(guild.id)


async def test_a_dm_carries_the_text_and_persistent_buttons(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """One DM channel opened, one message, buttons whose ids name the command and its id."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    async with bot_on(fake, store, clock) as adapter:
        ref = await adapter.send_dm(community(guild), [str(bob.id)], ASK)
    [dm] = fake.dms(bob)
    assert dm.content == ASK.text
    assert dm.labels == ["I can help", "Not this time"]
    assert [b["custom_id"] for b in dm.buttons] == [
        "whuffie:accept:7",
        "whuffie:decline:7",
    ]
    assert [b["style"] for b in dm.buttons] == [1, 2]  # primary, secondary
    assert dm.allowed_mentions == {"parse": []}
    assert ref == f"{dm.channel_id}:{dm.id}"
    assert fake.requests.count(("POST", "/api/v10/users/@me/channels")) == 1


async def test_an_introduction_is_one_dm_to_each_side(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Bots cannot open group DMs: each side gets its own copy, and an edit reaches both."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice, bob = fake.join(guild, "alice"), fake.join(guild, "bob")
    intro = Message(f"<@{alice.id}>, meet <@{bob.id}>!")
    async with bot_on(fake, store, clock) as adapter:
        ref = await adapter.send_dm(community(guild), [str(alice.id), str(bob.id)], intro)
        await adapter.update_message(community(guild), ref, Message("Resolved — thank you."))
    [to_alice], [to_bob] = fake.dms(alice), fake.dms(bob)
    assert to_alice.channel_id != to_bob.channel_id
    assert to_alice.content == to_bob.content == "Resolved — thank you."
    assert to_alice.edits == to_bob.edits == 1


async def test_an_update_replaces_the_text_and_removes_the_buttons(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """An ask taken care of elsewhere loses its buttons, in place, and the core's bold shows."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    async with bot_on(fake, store, clock) as adapter:
        ref = await adapter.send_dm(community(guild), [str(bob.id)], ASK)
        await adapter.update_message(community(guild), ref, Message("*Taken care of* — thanks"))
    [dm] = fake.dms(bob)
    assert dm.content == "**Taken care of** — thanks"
    assert dm.buttons == []


async def test_closed_dms_are_undeliverable(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A member whose DMs are closed (50007) is reported as never reachable."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    fake.dms_closed.add(bob.id)
    async with bot_on(fake, store, clock) as adapter:
        with pytest.raises(Undeliverable):
            await adapter.send_dm(community(guild), [str(bob.id)], ASK)


async def test_an_introduction_reaches_the_side_that_can_be_reached(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """One side's closed DMs do not keep the other side from hearing."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice, bob = fake.join(guild, "alice"), fake.join(guild, "bob")
    fake.dms_closed.add(alice.id)
    async with bot_on(fake, store, clock) as adapter:
        await adapter.send_dm(community(guild), [str(alice.id), str(bob.id)], Message("Meet!"))
    assert fake.dms(alice) == []
    assert [m.content for m in fake.dms(bob)] == ["Meet!"]


async def test_a_rate_limit_delays_but_loses_nothing(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A 429 is waited out by discord.py: the DM arrives once."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    fake.rate_limited_sends = 2
    async with bot_on(fake, store, clock) as adapter:
        await adapter.send_dm(community(guild), [str(bob.id)], ASK)
    assert [m.content for m in fake.dms(bob)] == [ASK.text]
    assert (
        fake.requests.count(("POST", f"/api/v10/channels/{fake.dms(bob)[0].channel_id}/messages"))
        == 3
    )


async def test_a_long_message_is_split_within_discords_limit(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Over 2000 characters: several messages at paragraph breaks, buttons on the last."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    paragraphs = [f"Paragraph {i}: " + " ".join(["words"] * 60) for i in range(12)]
    long = Message("\n\n".join(paragraphs), ASK.buttons)
    async with bot_on(fake, store, clock) as adapter:
        ref = await adapter.send_dm(community(guild), [str(bob.id)], long)
    sent = fake.dms(bob)
    assert len(sent) == 3
    assert all(len(m.content) <= 2000 for m in sent)
    assert [m.content.split(":")[0] for m in sent] == ["Paragraph 0", "Paragraph 5", "Paragraph 10"]
    assert [bool(m.buttons) for m in sent] == [False, False, True]
    assert ref.endswith(f":{sent[-1].id}")
    assert "\n\n".join(m.content for m in sent) == long.text.strip()


async def test_admins_are_members_who_can_manage_the_server(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Manage Server (or owning the guild) makes an admin; others and strangers are not."""
    olga = fake.add_user("olga")
    guild = fake.add_guild("makers", olga)
    ada, bob = fake.join(guild, "ada", manage_guild=True), fake.join(guild, "bob")
    stranger = fake.add_user("stranger")
    async with bot_on(fake, store, clock) as adapter:
        verdicts = {
            user.name: await adapter.is_admin(community(guild), str(user.id))
            for user in (olga, ada, bob, stranger)
        }
        elsewhere = await adapter.is_admin("slack:T1", str(ada.id))
    assert verdicts == {"olga": True, "ada": True, "bob": False, "stranger": False}
    assert elsewhere is False


async def test_admins_of_a_guild_the_client_has_not_seen_yet(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A guild joined a moment ago (not in the client's cache) is fetched, not guessed."""
    fake.add_guild("first", fake.add_user("olga"))
    async with bot_on(fake, store, clock) as adapter:
        late = fake.add_guild("late", fake.add_user("lena"))
        ada, bob = fake.join(late, "ada", manage_guild=True), fake.join(late, "bob")
        ada_is = await adapter.is_admin(community(late), str(ada.id))
        bob_is = await adapter.is_admin(community(late), str(bob.id))
    assert (ada_is, bob_is) == (True, False)
    assert ("GET", f"/api/v10/guilds/{late.id}") in fake.requests


async def test_membership_is_asked_of_discord_each_time(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A member is; one who left, a stranger, an unknown server or another platform are not."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob, stranger = fake.join(guild, "bob"), fake.add_user("stranger")
    async with bot_on(fake, store, clock) as adapter:
        before = await adapter.is_member(community(guild), str(bob.id))
        fake.leave(guild, bob)
        after = await adapter.is_member(community(guild), str(bob.id))
        others = [
            await adapter.is_member(community(guild), str(stranger.id)),
            await adapter.is_member("discord:900000000000000001", str(bob.id)),
            await adapter.is_member("slack:T1", str(bob.id)),
            await adapter.is_member(community(guild), "not-a-number"),
        ]
    assert (before, after) == (True, False)
    assert others == [False, False, False, False]


@pytest.mark.parametrize(
    ("status", "code", "refusal"),
    [
        (403, 50007, Undeliverable),  # the member's DMs are closed
        (404, 10013, Undeliverable),  # the member's account is gone
        (403, 50001, InstallationBroken),  # the bot lost its access (removed from the server)
        (401, 0, InstallationBroken),  # the bot's token no longer works
    ],
)
async def test_discord_refusals_tell_a_member_from_the_bot_itself(
    fake: FakeDiscord,
    store: Store,
    clock: ManualClock,
    status: int,
    code: int,
    refusal: type[Exception],
) -> None:
    """A member Discord cannot reach moves the ask on; a refused bot stops sending there."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    fake.failing_sends.append((status, code))
    async with bot_on(fake, store, clock) as adapter:
        with pytest.raises(refusal):
            await adapter.send_dm(community(guild), [str(bob.id)], ASK)
