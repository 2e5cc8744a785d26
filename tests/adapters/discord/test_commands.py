"""The application commands synced to Discord match the command table, options typed."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.commands import COMMANDS
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord

STRING, INTEGER, USER = 3, 4, 6
KINDS = {"text": STRING, "integer": INTEGER, "member": USER}


async def test_commands_synced_globally_match_the_table(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Every command of the table is synced with its help text and typed options."""
    async with bot_on(fake, store, clock):
        synced = {c["name"]: c for c in fake.commands[None]}
    assert list(synced) == [c.name for c in COMMANDS]
    for spec in COMMANDS:
        command = synced[spec.name]
        assert command["description"] == spec.description
        options = command.get("options", [])
        assert [(o["name"], o["type"], o.get("required", False)) for o in options] == [
            (o.name, KINDS[o.kind], o.required) for o in spec.options
        ]
        assert [o["description"] for o in options] == [o.description for o in spec.options]
        assert command["contexts"] == [0], "guild-only: a community is a guild"


async def test_pause_days_must_be_positive(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Discord itself refuses `/pause 0` or a negative number of days."""
    async with bot_on(fake, store, clock):
        pause = next(c for c in fake.commands[None] if c["name"] == "pause")
    assert pause["options"][0]["min_value"] == 1


async def test_guild_id_syncs_to_that_guild_only(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """With DISCORD_GUILD_ID the commands go to that guild at once, not globally."""
    owner = fake.add_user("olga")
    guild = fake.add_guild("dev", owner)
    async with bot_on(fake, store, clock, discord_guild_id=str(guild.id)):
        pass
    assert None not in fake.commands
    assert [c["name"] for c in fake.commands[guild.id]] == [c.name for c in COMMANDS]
