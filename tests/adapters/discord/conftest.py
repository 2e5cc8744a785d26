"""Fixtures: a fake Discord on port 0, the real core on SQLite, and the adapter running between."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from tests.adapters.discord.fake import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A local Discord, listening on a free port."""
    discord = FakeDiscord()
    await discord.start()
    yield discord
    await discord.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite database in the test's own directory."""
    db = Store.connect(f"sqlite:///{tmp_path / 'whuffie.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """Time the test can move."""
    return ManualClock()


def settings_for(fake: FakeDiscord, **overrides: Any) -> tuple[Settings, DiscordSettings]:
    """The core's settings and Discord's, pointing the bot at the fake Discord.

    Overrides named `discord_…` are Discord's (`discord_shard_count` is its `shard_count`),
    the others the core's.
    """
    values: dict[str, Any] = {
        "token": fake.token,
        "api_base": fake.api_base,
        "gateway_url": fake.gateway_url,
    }
    core = {k: v for k, v in overrides.items() if not k.startswith("discord_")}
    own = {k.removeprefix("discord_"): v for k, v in overrides.items() if k.startswith("discord_")}
    return Settings(**core), DiscordSettings(**(values | own))


@contextlib.asynccontextmanager
async def running(adapter: DiscordAdapter, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    """Run the adapter until its shards (all, or its shard group) are in; stop it on the way out."""
    task = asyncio.create_task(adapter.run())
    connected = asyncio.create_task(fake.connected(adapter.settings.shard_ids))
    try:
        await asyncio.wait({task, connected}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            connected.cancel()
            task.result()  # the adapter stopped: raise why
            raise AssertionError("the adapter stopped before connecting")
        connected.result()
        yield adapter
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def bot_on(
    fake: FakeDiscord, store: Store, clock: ManualClock, **settings: Any
) -> AsyncIterator[DiscordAdapter]:
    """The whole bot (real core, real adapter) serving the fake Discord."""
    config, discord = settings_for(fake, **settings)
    core = Whuffie(config, store, clock)
    adapter = DiscordAdapter(core, discord)
    core.attach(adapter.port)
    async with running(adapter, fake):
        yield adapter
