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


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with. Secrets are never printed (see `__repr__`)."""

    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    admins: frozenset[str] = frozenset()  # "platform:user_id"
    asks_at_once: int = 3
    max_open_asks: int = 3
    ask_timeout: timedelta = timedelta(hours=24)
    followup_after: timedelta = timedelta(days=3)
    tick_seconds: int = 30
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_api_base_url: str = ""
    port: int = 3000
    discord_token: str = field(default="", repr=False)
    discord_guild_id: str = ""
    discord_api_base: str = ""
    discord_gateway_url: str = ""

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
        admins = frozenset(a.strip() for a in env.get("WHUFFIE_ADMINS", "").split(",") if a.strip())
        for admin in admins:
            if ":" not in admin:
                raise SettingsError(
                    f"WHUFFIE_ADMINS entries look like platform:user_id, not {admin!r}"
                )
        return cls(
            database_url=env.get("WHUFFIE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            admins=admins,
            asks_at_once=_int(env, "WHUFFIE_ASKS_AT_ONCE", 3),
            max_open_asks=_int(env, "WHUFFIE_MAX_OPEN_ASKS", 3),
            ask_timeout=_hours(env, "WHUFFIE_ASK_TIMEOUT_HOURS", 24),
            followup_after=_hours(env, "WHUFFIE_FOLLOWUP_HOURS", 72),
            tick_seconds=_int(env, "WHUFFIE_TICK_SECONDS", 30),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            slack_app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            slack_api_base_url=env.get("SLACK_API_BASE_URL", "").strip(),
            port=_int(env, "PORT", 3000),
            discord_token=env.get("DISCORD_TOKEN", "").strip(),
            discord_guild_id=env.get("DISCORD_GUILD_ID", "").strip(),
            discord_api_base=env.get("DISCORD_API_BASE", "").strip(),
            discord_gateway_url=env.get("DISCORD_GATEWAY_URL", "").strip(),
        )
