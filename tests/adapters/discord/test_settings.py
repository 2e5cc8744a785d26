"""Discord's settings from the environment: shard groups, and clear words for a wrong value."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.discord.settings import DiscordSettings
from bot.settings import Settings, SettingsError

POSTGRES = "postgresql+psycopg://whuffie@db.example.org/whuffie"


def shards(count: str, ids: str, database: str = POSTGRES) -> DiscordSettings:
    """Settings with these shard settings, on a shared database unless told otherwise."""
    env = {"DISCORD_SHARD_COUNT": count, "DISCORD_SHARD_IDS": ids, "WHUFFIE_DATABASE_URL": database}
    return DiscordSettings.from_env(env, Settings.from_env(env))


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("", "", (None, None)),
        ("4", "", (4, None)),
        ("4", "0-1", (4, (0, 1))),
        ("6", "0,2,4", (6, (0, 2, 4))),
        (" 8 ", " 4 - 5, 7, 4 ", (8, (4, 5, 7))),
        ("2", "1", (2, (1,))),
    ],
)
def test_shard_settings_are_read(count: str, ids: str, expected: tuple[object, object]) -> None:
    """A range, a list, both mixed, spaces and repeats: this process's shards, in order."""
    settings = shards(count, ids)
    assert (settings.shard_count, settings.shard_ids) == expected


@pytest.mark.parametrize(
    ("count", "ids", "says"),
    [
        ("", "0-3", "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ("4", "4", "has shard 4, but with DISCORD_SHARD_COUNT=4 shards are numbered 0 to 3"),
        ("4", "2-7", "has shard 7"),
        ("4", "first", "like 0-3 or 0,2,4, not 'first'"),
        ("4", "0;1", "like 0-3 or 0,2,4, not '0;1'"),
        ("4", "0,,1", "like 0-3 or 0,2,4"),
        ("4", "-1", "like 0-3 or 0,2,4"),
        ("4", "1-", "like 0-3 or 0,2,4"),
        ("4", "0-1-2", "like 0-3 or 0,2,4"),
        ("4", "3-1", "a range that runs backwards: '3-1'"),
        ("four", "", "DISCORD_SHARD_COUNT must be a whole number, not 'four'"),
        ("0", "", "DISCORD_SHARD_COUNT must be positive"),
    ],
)
def test_wrong_shard_settings_say_what_to_fix(count: str, ids: str, says: str) -> None:
    """Ids without a count, ids past the count, garbage: a sentence naming the setting."""
    with pytest.raises(SettingsError) as raised:
        shards(count, ids)
    assert says in str(raised.value)


def test_a_shard_group_on_sqlite_is_refused() -> None:
    """Leaving shards to other processes needs the one PostgreSQL they all share."""
    with pytest.raises(SettingsError) as raised:
        shards("2", "1", database="sqlite:///whuffie.db")
    assert "DISCORD_SHARD_IDS=1 leaves the other shards to other processes" in str(raised.value)
    assert "WHUFFIE_DATABASE_URL" in str(raised.value)
    alone = DiscordSettings.from_env({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0-1"})
    assert alone.shard_ids == (0, 1), "one process with every shard is fine on SQLite"


def test_settings_stay_frozen_and_keep_secrets_out_of_repr() -> None:
    """Shard settings show in the repr (they are no secret); the token does not."""
    settings = DiscordSettings.from_env(
        {
            "DISCORD_TOKEN": "s3cret.token",
            "DISCORD_SHARD_COUNT": "2",
            "DISCORD_SHARD_IDS": "1",
            "WHUFFIE_DATABASE_URL": POSTGRES,
        }
    )
    shown = repr(settings)
    assert "s3cret.token" not in shown
    assert "shard_ids=(1,)" in shown
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.shard_count = 3  # type: ignore[misc]
