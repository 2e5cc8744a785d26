"""The client: logs in, connects every shard, answers interactions privately and in time."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import DiscordAdapter
from adapters.discord.client import shard_list
from adapters.discord.community import community_of
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.port import Message
from bot.settings import SettingsError
from bot.store import Store
from tests.adapters.discord.conftest import bot_on, running, settings_for
from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.discord.fake.gateway import INVALID_SESSION

DISCORDS_API = Route.BASE
DISCORDS_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


async def test_a_command_is_answered_privately(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """`/offer` gets the core's answer at once, visible to the member alone, pinging nobody."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice = fake.join(guild, "alice")
    async with bot_on(fake, store, clock):
        offer = await fake.answered(await fake.slash(guild, alice, "offer", skills="postgres"))
    assert offer.callbacks == [4], "answered in the first response, not deferred"
    [reply] = offer.replies
    assert reply.ephemeral
    assert "Added to your profile: postgres" in reply.content
    assert reply.allowed_mentions == {"parse": []}


async def test_a_slow_answer_is_deferred_then_followed_up(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A core slower than Discord waits: the member sees "thinking…", then the answer."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    admin = fake.join(guild, "ada", manage_guild=True)
    fake.member_delay = 1.2  # the admin check is slow...
    fake.interaction_window = 1.0  # ...and slower than the interaction lives
    async with bot_on(fake, store, clock) as adapter:
        adapter.client.defer_after = 0.05
        stats = await fake.answered(await fake.slash(guild, admin, "helpstats"))
    assert stats.callbacks == [5]
    [reply] = stats.replies
    assert reply.ephemeral
    assert "**How this community helps itself**" in reply.content


async def test_a_refused_token_is_a_clear_error(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A wrong DISCORD_TOKEN stops the adapter with a message saying so, not a traceback."""
    settings, discord = settings_for(fake, discord_token="not-the-token")
    adapter = DiscordAdapter(Whuffie(settings, store, clock), discord)
    with pytest.raises(SettingsError, match="DISCORD_TOKEN"):
        async with running(adapter, fake):
            pass


async def test_the_gateway_setting_wins_over_discords_answer(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """With DISCORD_GATEWAY_URL set, the client connects there, whatever /gateway/bot says."""
    fake.advertised_gateway = "ws://127.0.0.1:9/nowhere"
    async with bot_on(fake, store, clock):
        pass
    assert len(fake.identified) == 1


async def test_without_the_setting_the_advertised_gateway_is_used(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """With no DISCORD_GATEWAY_URL, the client asks Discord where its gateway is."""
    async with bot_on(fake, store, clock, discord_gateway_url=""):
        pass
    assert ("GET", "/api/v10/gateway/bot") in fake.requests
    assert len(fake.identified) == 1


async def test_a_session_discord_ends_is_identified_again_at_the_same_gateway(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """A fresh identify after Discord invalidates a session goes to DISCORD_GATEWAY_URL too."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice = fake.join(guild, "alice")
    async with bot_on(fake, store, clock):
        [session] = fake.sessions
        await session.send(INVALID_SESSION, False)
        await fake.until(lambda: len(fake.identified) == 2 and fake.sessions[-1].ready.is_set())
        offer = await fake.answered(await fake.slash(guild, alice, "offer", skills="figma"))
    assert "Added to your profile: figma" in offer.replies[0].content


async def test_a_preset_shard_count_still_uses_the_advertised_gateway(
    store: Store, clock: ManualClock
) -> None:
    """With DISCORD_SHARD_COUNT but no DISCORD_GATEWAY_URL, the shards go where Discord says."""
    fake = FakeDiscord(shards=2, max_concurrency=2)
    await fake.start()
    try:
        async with bot_on(fake, store, clock, discord_gateway_url="", discord_shard_count=2):
            pass
    finally:
        await fake.close()
    assert ("GET", "/api/v10/gateway/bot") in fake.requests
    assert sorted(tuple(i["shard"]) for i in fake.identified) == [(0, 2), (1, 2)]
    assert DiscordWebSocket.DEFAULT_GATEWAY == DISCORDS_GATEWAY, "put back once stopped"


async def test_two_bots_in_one_process_each_talk_to_their_own_discord(
    tmp_path: Path, clock: ManualClock
) -> None:
    """Endpoints belong to a client: two bots at once each answer and DM through their own."""
    fakes = [FakeDiscord(), FakeDiscord()]
    stores = [Store.connect(f"sqlite:///{tmp_path / f'bot{i}.db'}") for i in (1, 2)]
    async with contextlib.AsyncExitStack() as stack:
        for fake, store in zip(fakes, stores, strict=True):
            store.upgrade()
            stack.callback(store.dispose)
            await fake.start()
            stack.push_async_callback(fake.close)
        guilds = [f.add_guild("makers", f.add_user("olga")) for f in fakes]
        members = [f.join(g, "alice") for f, g in zip(fakes, guilds, strict=True)]
        adapters = [
            await stack.enter_async_context(bot_on(f, s, clock))
            for f, s in zip(fakes, stores, strict=True)
        ]
        for fake, guild, member, adapter in zip(fakes, guilds, members, adapters, strict=True):
            offer = await fake.answered(await fake.slash(guild, member, "offer", skills="figma"))
            assert "Added to your profile: figma" in offer.replies[0].content
            await adapter.send_dm(community_of(guild.id), [str(member.id)], Message("hello"))
            assert [m.content for m in fake.dms(member)] == ["hello"]
        assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == (DISCORDS_API, DISCORDS_GATEWAY)


async def test_each_shard_serves_its_own_guilds(store: Store, clock: ManualClock) -> None:
    """Two shards connect together and each answers the guilds Discord routes through it."""
    fake = FakeDiscord(shards=2, max_concurrency=2)
    await fake.start()
    owner = fake.add_user("olga")
    guilds = [fake.add_guild("even", owner), fake.add_guild("odd", owner)]
    assert {fake.shard_of(g.id) for g in guilds} == {0, 1}
    members = [fake.join(g, f"member-{i}") for i, g in enumerate(guilds)]
    try:
        started = time.monotonic()
        async with bot_on(fake, store, clock):
            connect_seconds = time.monotonic() - started
            answers = [
                await fake.answered(await fake.slash(g, m, "profile"))
                for g, m in zip(guilds, members, strict=True)
            ]
    finally:
        await fake.close()
    assert sorted(tuple(i["shard"]) for i in fake.identified) == [(0, 2), (1, 2)]
    assert all("Your profile" in a.text for a in answers)
    assert connect_seconds < 4, "shards in different identify buckets need not wait 5 s"


async def test_a_long_answer_comes_in_parts_with_the_buttons_last(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """An answer over 2000 characters: a first reply, then followups, each private."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    bob = fake.join(guild, "bob")
    async with bot_on(fake, store, clock):
        await fake.answered(await fake.slash(guild, bob, "offer", skills="postgres"))
        for name in ("alice", "carol", "dave"):
            member = fake.join(guild, name)
            text = f"postgres help for {name}: " + " ".join(["the query is slow"] * 50)
            await fake.answered(await fake.slash(guild, member, "need", text=text))
        needs = await fake.slash(guild, bob, "needs")
        await fake.until(lambda: needs.replies and needs.replies[-1].buttons)
    assert needs.callbacks == [4]
    assert len(needs.replies) >= 2
    assert all(r.ephemeral and len(r.content) <= 2000 for r in needs.replies)
    assert [bool(r.buttons) for r in needs.replies] == [False] * (len(needs.replies) - 1) + [True]
    assert needs.replies[-1].labels == [f"I can help with #{n}" for n in (3, 2, 1)]


def test_a_shard_group_is_named_as_a_person_would_write_it() -> None:
    """The ready line names a group's shards in short: runs as ranges, the rest one by one."""
    assert shard_list([8, 0, 1, 2, 3, 5]) == "0-3, 5, 8"
    assert shard_list([1]) == "1"
