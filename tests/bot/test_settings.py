"""The core's settings from the environment, and clear words for a wrong value."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_fair_limits_are_read_and_checked() -> None:
    """Each fair limit comes from its setting; a nonsense value says which one to fix."""
    settings = Settings.from_env(
        {
            "WHUFFIE_NEEDS_PER_HOUR": "2",
            "WHUFFIE_THANKS_PER_HOUR": "4",
            "WHUFFIE_THANKS_TO_ONE_MEMBER_PER_DAY": "1",
            "WHUFFIE_ASKS_PER_HOUR": "6",
            "WHUFFIE_ASKS_FROM_ONE_MEMBER_PER_DAY": "2",
        }
    )
    assert (
        settings.needs_per_hour,
        settings.thanks_per_hour,
        settings.thanks_to_one_member_per_day,
        settings.asks_per_hour,
        settings.asks_from_one_member_per_day,
    ) == (2, 4, 1, 6, 2)
    with pytest.raises(SettingsError, match="WHUFFIE_NEEDS_PER_HOUR"):
        Settings.from_env({"WHUFFIE_NEEDS_PER_HOUR": "0"})


def test_the_matcher_cache_is_in_the_users_cache_folder_unless_set() -> None:
    """WHUFFIE_CACHE_DIR: a folder of one's own, `off`, or by default the user's cache."""
    home = Path.home()
    assert Settings.from_env({}).cache_dir == home / ".cache" / "whuffie"
    assert Settings.from_env({"XDG_CACHE_HOME": "/var/cache"}).cache_dir == Path(
        "/var/cache/whuffie"
    )
    assert Settings.from_env({"WHUFFIE_CACHE_DIR": "/srv/whuffie"}).cache_dir == Path(
        "/srv/whuffie"
    )
    assert Settings.from_env({"WHUFFIE_CACHE_DIR": "~/w"}).cache_dir == home / "w"
    assert Settings.from_env({"WHUFFIE_CACHE_DIR": "OFF"}).cache_dir is None


def test_database_timeouts_have_defaults_and_can_be_set() -> None:
    """Connect, statement and keepalive timeouts: sane defaults, whole seconds when set."""
    default = Settings.from_env({})
    assert (default.db_connect_timeout, default.db_statement_timeout, default.db_keepalive) == (
        5,
        10,
        10,
    )
    chosen = Settings.from_env(
        {
            "WHUFFIE_DB_CONNECT_TIMEOUT": "3",
            "WHUFFIE_DB_STATEMENT_TIMEOUT": "30",
            "WHUFFIE_DB_KEEPALIVE": "20",
        }
    )
    assert (chosen.db_connect_timeout, chosen.db_statement_timeout, chosen.db_keepalive) == (
        3,
        30,
        20,
    )
    with pytest.raises(SettingsError, match="WHUFFIE_DB_STATEMENT_TIMEOUT must be"):
        Settings.from_env({"WHUFFIE_DB_STATEMENT_TIMEOUT": "soon"})


def test_admins_are_listed_per_community() -> None:
    """`slack:T123:U456` and `discord:<server>:<user>` name one member of one community."""
    settings = Settings.from_env(
        {"WHUFFIE_ADMINS": " slack:T123:U456 , discord:812345678901234567:812345678901234568"}
    )
    assert settings.admins == frozenset(
        {"slack:T123:U456", "discord:812345678901234567:812345678901234568"}
    )


@pytest.mark.parametrize("entry", ["slack:U123", "discord:812345678901234568"])
def test_a_platform_wide_admin_is_refused_at_start(entry: str) -> None:
    """The old `slack:U123` form would make someone an admin of every workspace: refused."""
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"WHUFFIE_ADMINS": entry})
    said = str(raised.value)
    assert f"WHUFFIE_ADMINS entry {entry!r} names no community" in said
    assert "slack:<workspace id>:<user id>" in said
    assert "discord:<server id>:<user id>" in said


@pytest.mark.parametrize("entry", ["ann", "slack::U1", "slack:T1:", "slack:T1:U1:extra"])
def test_a_malformed_admin_entry_says_what_it_should_look_like(entry: str) -> None:
    """Anything but three non-empty parts is refused with the expected shape."""
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"WHUFFIE_ADMINS": entry})
    assert "platform:community:user_id" in str(raised.value)


@pytest.mark.parametrize(("raw", "port"), [("", 3000), ("8080", 8080), ("0", 0)])
def test_port_may_be_any_free_one(raw: str, port: int) -> None:
    """PORT 0 asks for any free port (a second process on one machine, and tests)."""
    assert Settings.from_env({"PORT": raw}).port == port


@pytest.mark.parametrize("raw", ["-1", "65536", "http"])
def test_a_port_that_cannot_be_is_refused(raw: str) -> None:
    """A PORT outside 0-65535 is named in the error."""
    with pytest.raises(SettingsError, match="PORT"):
        Settings.from_env({"PORT": raw})


def test_the_waiting_checkin_is_read_and_checked() -> None:
    """WHUFFIE_WAITING_CHECKIN_DAYS: 14 by default, a whole positive number of days."""
    assert Settings.from_env({}).waiting_checkin == timedelta(days=14)
    assert Settings.from_env({"WHUFFIE_WAITING_CHECKIN_DAYS": "3"}).waiting_checkin == timedelta(
        days=3
    )
    with pytest.raises(SettingsError, match="WHUFFIE_WAITING_CHECKIN_DAYS must be positive"):
        Settings.from_env({"WHUFFIE_WAITING_CHECKIN_DAYS": "0"})
