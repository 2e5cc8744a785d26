"""Shard groups: two processes share one bot token's shards and one database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import discord
import pytest

from adapters.discord import DiscordAdapter
from bot.clock import ManualClock
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Guild
from tests.adapters.discord.test_scenario import NEED, dm, press, run


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A local Discord that wants the bot on two shards."""
    discord = FakeDiscord(shards=2)
    await discord.start()
    yield discord
    await discord.close()


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Store, Store]]:
    """Each process's own connection to the one database (SQLite file, then PostgreSQL)."""
    first, second = Store.connect(database_url), Store.connect(database_url)
    first.upgrade()
    yield first, second
    first.dispose()
    second.dispose()


def guilds_on_each_shard(fake: FakeDiscord, count: int = 1) -> list[Guild]:
    """`count` servers on shard 0, then `count` on shard 1."""
    owner = fake.add_user("olga")
    guilds = [fake.add_guild(f"server-{i}", owner) for i in range(2 * count)]
    return sorted(guilds, key=lambda g: fake.shard_of(g.id))


def group_member(
    fake: FakeDiscord, stores: tuple[Store, Store], clock: ManualClock, shard: int
) -> contextlib.AbstractAsyncContextManager[DiscordAdapter]:
    """The process serving shard `shard` of 2, on its own connection to the database."""
    return bot_on(fake, stores[shard], clock, discord_shard_count=2, discord_shard_ids=(shard,))


def heard(adapter: DiscordAdapter) -> list[int]:
    """The ids of the interactions Discord delivers to this process, as they come."""
    seen: list[int] = []

    @adapter.client.event
    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        seen.append(interaction.id)

    return seen


async def test_each_process_serves_the_guilds_of_its_own_shard(
    fake: FakeDiscord, stores: tuple[Store, Store], clock: ManualClock
) -> None:
    """Each process logs in on its shard alone; a command goes to the process of its guild."""
    even, odd = guilds_on_each_shard(fake)
    alice, bob = fake.join(even, "alice"), fake.join(odd, "bob")
    async with group_member(fake, stores, clock, 0) as first:
        assert [i["shard"] for i in fake.identified] == [[0, 2]]
        async with group_member(fake, stores, clock, 1) as second:
            assert [i["shard"] for i in fake.identified] == [[0, 2], [1, 2]]
            to_first, to_second = heard(first), heard(second)
            on_odd = await fake.answered(await fake.slash(odd, bob, "offer", skills="postgres"))
            on_even = await fake.answered(await fake.slash(even, alice, "offer", skills="figma"))
    assert "Added to your profile: postgres" in on_odd.text
    assert "Added to your profile: figma" in on_even.text
    assert (to_first, to_second) == ([on_even.id], [on_odd.id])
    assert len(fake.identified) == 2, "nobody identified twice"


async def test_a_dm_button_works_for_a_guild_the_other_process_serves(
    fake: FakeDiscord, stores: tuple[Store, Store], clock: ManualClock
) -> None:
    """Discord sends DM presses through shard 0; the shared database knows the other's need."""
    _, odd = guilds_on_each_shard(fake)
    alice, bob = fake.join(odd, "alice"), fake.join(odd, "bob")
    async with (
        group_member(fake, stores, clock, 0) as first,
        group_member(fake, stores, clock, 1) as second,
    ):
        to_first, to_second = heard(first), heard(second)
        await run(fake, odd, bob, "offer", skills="postgres")
        await run(fake, odd, alice, "need", text=NEED)
        ask = await dm(fake, bob)
        accepted = await press(fake, bob, ask, "I can help")
        intro = await dm(fake, alice)
        await fake.until(lambda: ask.edits)
    assert accepted.id in to_first and accepted.id not in to_second
    assert len(to_second) == 2, "the guild's two commands went to the second process"
    assert "introduced you both" in accepted.text
    assert f"<@{alice.id}>, meet <@{bob.id}>!" in intro.content
    assert "You said yes" in ask.content and ask.buttons == []


# Only PostgreSQL locks the rows a process claims; SQLite serves one process (Settings refuse
# a shard group on it), and two processes on one SQLite file do send some messages twice.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_every_message_is_delivered_once_by_one_of_the_processes(
    fake: FakeDiscord, stores: tuple[Store, Store], clock: ManualClock
) -> None:
    """Both processes deliver and tick at once; each ask, intro and follow-up arrives once."""
    servers = [
        (g, fake.join(g, "helper"), fake.join(g, "asker")) for g in guilds_on_each_shard(fake, 3)
    ]
    async with (
        group_member(fake, stores, clock, 0) as first,
        group_member(fake, stores, clock, 1) as second,
    ):
        for guild, helper, _ in servers:
            await run(fake, guild, helper, "offer", skills="postgres")
        # Six needs at once: both processes answer, and deliver, side by side.
        await asyncio.gather(*(run(fake, g, asker, "need", text=NEED) for g, _, asker in servers))
        asks = [(helper, await dm(fake, helper)) for _, helper, _ in servers]
        await asyncio.gather(*(press(fake, helper, ask, "I can help") for helper, ask in asks))
        for _, _, asker in servers:
            await dm(fake, asker)
        # An introduction reaches the asker before the helper: let the sends in flight end
        # first, or three days pass mid-send and the other process rightly takes it over.
        await asyncio.gather(first.core.flush(), second.core.flush())
        clock.advance(first.core.settings.followup_after + timedelta(minutes=1))
        await asyncio.gather(first.core.tick(), second.core.tick())
    for _, helper, asker in servers:
        assert [m.labels for m in fake.dms(helper)] == [[], []], "an ask (answered), an intro"
        assert [m.labels for m in fake.dms(asker)] == [[], ["It helped", "Not yet"]]
    assert sum("Did it help?" in m.content for m in fake.messages.values()) == len(servers)
