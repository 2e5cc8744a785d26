"""Settings from the environment and a `.env` file, read when the bot starts (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

DEFAULT_DATABASE_URL = "sqlite:///whuffie.db"


class SettingsError(ValueError):
    """A setting is present but unusable; the message says which and why."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def _port(env: Mapping[str, str]) -> int:
    """PORT: 1 to 65535, or 0 for any free port (tests, and a second process on one machine)."""
    raw = env.get("PORT", "").strip()
    if not raw:
        return 3000
    if not raw.isdecimal() or int(raw) > 65535:
        raise SettingsError(f"PORT must be a port number from 0 to 65535, not {raw!r}")
    return int(raw)


def _hours(env: Mapping[str, str], name: str, default: float) -> timedelta:
    raw = env.get(name, "").strip()
    if not raw:
        return timedelta(hours=default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of hours, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return timedelta(hours=value)


def _on_off(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise SettingsError(f"{name} must be on or off, not {raw!r}")


def _secret(env: Mapping[str, str]) -> str:
    """WHUFFIE_DASHBOARD_SECRET: long enough that nobody guesses it (never echoed)."""
    raw = env.get("WHUFFIE_DASHBOARD_SECRET", "").strip()
    if raw and len(raw) < 32:
        raise SettingsError(
            "WHUFFIE_DASHBOARD_SECRET must be at least 32 characters (e.g. the output of "
            "`openssl rand -hex 32`), or left empty so the bot makes one itself"
        )
    return raw


def _public_url(env: Mapping[str, str]) -> str:
    raw = env.get("WHUFFIE_PUBLIC_URL", "").strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(
            f"WHUFFIE_PUBLIC_URL must start with https:// (or http://), not {raw[:60]!r}"
        )
    return raw


def _shard_count(env: Mapping[str, str]) -> int | None:
    """DISCORD_SHARD_COUNT, or None when empty: Discord's recommendation then."""
    return _int(env, "DISCORD_SHARD_COUNT", 0) or None


def _shard_ids(
    env: Mapping[str, str], count: int | None, database_url: str
) -> tuple[int, ...] | None:
    """This process's shards from `0-3` or `0,2,4` (or both mixed), checked against the count."""
    raw = env.get("DISCORD_SHARD_IDS", "").strip()
    if not raw:
        return None
    if count is None:
        raise SettingsError(
            "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT, the total number of shards over "
            "all processes (the same in each)"
        )
    ids: set[int] = set()
    for part in raw.split(","):
        first, dash, last = (piece.strip() for piece in part.partition("-"))
        if not first.isdecimal() or (dash and not last.isdecimal()):
            raise SettingsError(
                f"DISCORD_SHARD_IDS lists shard numbers like 0-3 or 0,2,4, not {raw!r}"
            )
        low, high = int(first), int(last) if dash else int(first)
        if low > high:
            raise SettingsError(f"DISCORD_SHARD_IDS has a range that runs backwards: {part!r}")
        if high >= count:
            raise SettingsError(
                f"DISCORD_SHARD_IDS has shard {high}, but with DISCORD_SHARD_COUNT={count} "
                f"shards are numbered 0 to {count - 1}"
            )
        ids.update(range(low, high + 1))
    if len(ids) < count and database_url.startswith("sqlite"):
        # Processes on separate SQLite files would split each community's data in two, and
        # on one file they could both deliver the same message.
        raise SettingsError(
            f"DISCORD_SHARD_IDS={raw} leaves the other shards to other processes, which must "
            "share one PostgreSQL database with this one: set WHUFFIE_DATABASE_URL "
            "(see README: Running on PostgreSQL)"
        )
    return tuple(sorted(ids))


def _admins(env: Mapping[str, str]) -> frozenset[str]:
    """WHUFFIE_ADMINS: `platform:community:user_id` entries, each an admin of one community.

    The community part is the one the platform's adapter names (a Slack workspace or
    Enterprise organisation id, a Discord server id), so an entry matches the string
    `<community>:<user_id>` of one member in one community and nowhere else.
    """
    entries = [a.strip() for a in env.get("WHUFFIE_ADMINS", "").split(",") if a.strip()]
    shapes = "slack:<workspace id>:<user id> or discord:<server id>:<user id>"
    for entry in entries:
        parts = entry.split(":")
        if len(parts) == 2 and all(parts):
            # The old platform-wide form: admin of every workspace or server the bot is in.
            raise SettingsError(
                f"WHUFFIE_ADMINS entry {entry!r} names no community; an admin is an admin "
                f"of one community, so write {shapes}"
            )
        if len(parts) != 3 or not all(parts):
            raise SettingsError(
                f"WHUFFIE_ADMINS entries look like platform:community:user_id ({shapes}), "
                f"not {entry!r}"
            )
    return frozenset(entries)


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with. Secrets are never printed (see `__repr__`)."""

    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    admins: frozenset[str] = frozenset()  # "platform:community:user_id", e.g. slack:T1:U2
    asks_at_once: int = 3
    max_open_asks: int = 3
    ask_timeout: timedelta = timedelta(hours=24)
    # Fair limits, counted from the database over a rolling window so they hold across
    # processes; sized so that a member's ordinary day never meets them.
    needs_per_hour: int = 5  # needs one member may post
    thanks_per_hour: int = 10  # /thanks one member may send
    thanks_to_one_member_per_day: int = 3  # /thanks from one member to the same member
    asks_per_hour: int = 5  # asks one helper may receive, whoever needs help
    asks_from_one_member_per_day: int = 3  # asks to one helper about one member's needs
    followup_after: timedelta = timedelta(days=3)
    tick_seconds: int = 30
    # How long a message being sent is reserved for its sender, who renews it while sending;
    # a process killed mid-send holds it back no longer than this.
    outbox_lease: timedelta = timedelta(seconds=30)
    # Seconds to wait for the database: to connect, for one statement, and of silence on an
    # open connection (TCP keepalives). A database silent for longer is noticed (see README).
    db_connect_timeout: int = 5
    db_statement_timeout: int = 10
    db_keepalive: int = 10
    # Delivered messages hold members' words: deleted this long after they were written.
    outbox_retention: timedelta = timedelta(days=30)
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_api_base_url: str = ""
    port: int = 3000
    discord_token: str = field(default="", repr=False)
    discord_guild_id: str = ""
    discord_api_base: str = ""
    discord_gateway_url: str = ""
    discord_shard_count: int | None = None  # None: as many as Discord recommends
    discord_shard_ids: tuple[int, ...] | None = None  # None: every shard
    # The admin dashboard, served on PORT: off, it is not served and /helpstats links nowhere.
    dashboard: bool = True
    # Signs dashboard links; empty: a key the bot makes once and keeps in the database.
    dashboard_secret: str = field(default="", repr=False)
    dashboard_link_valid: timedelta = timedelta(hours=24)
    # Where admins' browsers reach PORT (behind a proxy: its https address); empty: localhost.
    public_url: str = ""

    @property
    def dashboard_base_url(self) -> str:
        """The address dashboard links start with, without a trailing slash."""
        return (self.public_url or f"http://localhost:{self.port or 3000}").rstrip("/")

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when a bot token and either Socket Mode or HTTP signing are set."""
        return bool(self.slack_bot_token and (self.slack_app_token or self.slack_signing_secret))

    @property
    def discord_enabled(self) -> bool:
        """Discord runs when a bot token is set."""
        return bool(self.discord_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        admins = _admins(env)
        database_url = env.get("WHUFFIE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        shard_count = _shard_count(env)
        return cls(
            database_url=database_url,
            admins=admins,
            asks_at_once=_int(env, "WHUFFIE_ASKS_AT_ONCE", 3),
            max_open_asks=_int(env, "WHUFFIE_MAX_OPEN_ASKS", 3),
            ask_timeout=_hours(env, "WHUFFIE_ASK_TIMEOUT_HOURS", 24),
            needs_per_hour=_int(env, "WHUFFIE_NEEDS_PER_HOUR", 5),
            thanks_per_hour=_int(env, "WHUFFIE_THANKS_PER_HOUR", 10),
            thanks_to_one_member_per_day=_int(env, "WHUFFIE_THANKS_TO_ONE_MEMBER_PER_DAY", 3),
            asks_per_hour=_int(env, "WHUFFIE_ASKS_PER_HOUR", 5),
            asks_from_one_member_per_day=_int(env, "WHUFFIE_ASKS_FROM_ONE_MEMBER_PER_DAY", 3),
            followup_after=_hours(env, "WHUFFIE_FOLLOWUP_HOURS", 72),
            tick_seconds=_int(env, "WHUFFIE_TICK_SECONDS", 30),
            outbox_lease=timedelta(seconds=_int(env, "WHUFFIE_OUTBOX_LEASE_SECONDS", 30)),
            db_connect_timeout=_int(env, "WHUFFIE_DB_CONNECT_TIMEOUT", 5),
            db_statement_timeout=_int(env, "WHUFFIE_DB_STATEMENT_TIMEOUT", 10),
            db_keepalive=_int(env, "WHUFFIE_DB_KEEPALIVE", 10),
            outbox_retention=timedelta(days=_int(env, "WHUFFIE_OUTBOX_RETENTION_DAYS", 30)),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            slack_app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            slack_api_base_url=env.get("SLACK_API_BASE_URL", "").strip(),
            port=_port(env),
            discord_token=env.get("DISCORD_TOKEN", "").strip(),
            discord_guild_id=env.get("DISCORD_GUILD_ID", "").strip(),
            discord_api_base=env.get("DISCORD_API_BASE", "").strip(),
            discord_gateway_url=env.get("DISCORD_GATEWAY_URL", "").strip(),
            discord_shard_count=shard_count,
            discord_shard_ids=_shard_ids(env, shard_count, database_url),
            dashboard=_on_off(env, "WHUFFIE_DASHBOARD", True),
            dashboard_secret=_secret(env),
            dashboard_link_valid=_hours(env, "WHUFFIE_DASHBOARD_LINK_HOURS", 24),
            public_url=_public_url(env),
        )
