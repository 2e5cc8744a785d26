"""Settings from the environment and a `.env` file, read when the bot starts (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///whuffie.db"


class SettingsError(ValueError):
    """A setting is present but unusable; the message says which and why."""


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number above zero from `name`, or `default` when it is empty."""
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


def cache_dir(env: Mapping[str, str]) -> Path | None:
    """WHUFFIE_CACHE_DIR: where built matchers are kept between starts; None when `off`.

    By default the user's cache folder (`$XDG_CACHE_HOME/whuffie`, else `~/.cache/whuffie`).
    """
    raw = env.get("WHUFFIE_CACHE_DIR", "").strip()
    if raw.lower() == "off":
        return None
    if raw:
        return Path(raw).expanduser().absolute()
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "whuffie"


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
    # A need that waits this long (nobody who fits was free) is brought back to its
    # requester honestly: keep it open, or close it.
    waiting_checkin: timedelta = timedelta(days=14)
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
    # A community that uninstalled the bot keeps its data this long, then it is deleted.
    uninstalled_grace: timedelta = timedelta(days=30)
    # The shared HTTP server (health, the dashboard, and whatever a platform serves).
    port: int = 3000
    # The admin dashboard, served on PORT: off, it is not served and /helpstats links nowhere.
    dashboard: bool = True
    # Signs dashboard links; empty: a key the bot makes once and keeps in the database.
    dashboard_secret: str = field(default="", repr=False)
    dashboard_link_valid: timedelta = timedelta(hours=24)
    # Where admins' browsers reach PORT (behind a proxy: its https address); empty: localhost.
    public_url: str = ""
    # Where built matchers are kept between starts, so a restart loads one instead of
    # building it again; None: never kept (each start builds them from the database).
    cache_dir: Path | None = None

    @property
    def dashboard_base_url(self) -> str:
        """The address dashboard links start with, without a trailing slash."""
        return (self.public_url or f"http://localhost:{self.port or 3000}").rstrip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        admins = _admins(env)
        database_url = env.get("WHUFFIE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        return cls(
            database_url=database_url,
            admins=admins,
            asks_at_once=positive_int(env, "WHUFFIE_ASKS_AT_ONCE", 3),
            max_open_asks=positive_int(env, "WHUFFIE_MAX_OPEN_ASKS", 3),
            ask_timeout=_hours(env, "WHUFFIE_ASK_TIMEOUT_HOURS", 24),
            needs_per_hour=positive_int(env, "WHUFFIE_NEEDS_PER_HOUR", 5),
            thanks_per_hour=positive_int(env, "WHUFFIE_THANKS_PER_HOUR", 10),
            thanks_to_one_member_per_day=positive_int(
                env, "WHUFFIE_THANKS_TO_ONE_MEMBER_PER_DAY", 3
            ),
            asks_per_hour=positive_int(env, "WHUFFIE_ASKS_PER_HOUR", 5),
            asks_from_one_member_per_day=positive_int(
                env, "WHUFFIE_ASKS_FROM_ONE_MEMBER_PER_DAY", 3
            ),
            followup_after=_hours(env, "WHUFFIE_FOLLOWUP_HOURS", 72),
            waiting_checkin=timedelta(days=positive_int(env, "WHUFFIE_WAITING_CHECKIN_DAYS", 14)),
            tick_seconds=positive_int(env, "WHUFFIE_TICK_SECONDS", 30),
            outbox_lease=timedelta(seconds=positive_int(env, "WHUFFIE_OUTBOX_LEASE_SECONDS", 30)),
            db_connect_timeout=positive_int(env, "WHUFFIE_DB_CONNECT_TIMEOUT", 5),
            db_statement_timeout=positive_int(env, "WHUFFIE_DB_STATEMENT_TIMEOUT", 10),
            db_keepalive=positive_int(env, "WHUFFIE_DB_KEEPALIVE", 10),
            outbox_retention=timedelta(days=positive_int(env, "WHUFFIE_OUTBOX_RETENTION_DAYS", 30)),
            uninstalled_grace=timedelta(
                days=positive_int(env, "WHUFFIE_UNINSTALLED_GRACE_DAYS", 30)
            ),
            port=_port(env),
            dashboard=_on_off(env, "WHUFFIE_DASHBOARD", True),
            dashboard_secret=_secret(env),
            dashboard_link_valid=_hours(env, "WHUFFIE_DASHBOARD_LINK_HOURS", 24),
            public_url=_public_url(env),
            cache_dir=cache_dir(env),
        )
