"""Discord's own settings, read from the environment when the bot starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, positive_int


def _shard_count(env: Mapping[str, str]) -> int | None:
    """DISCORD_SHARD_COUNT, or None when empty: Discord's recommendation then."""
    return positive_int(env, "DISCORD_SHARD_COUNT", 0) or None


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


@dataclass(frozen=True)
class DiscordSettings:
    """The token, endpoints and shards. Secrets are never printed (see `__repr__`)."""

    token: str = field(default="", repr=False)
    guild_id: str = ""
    api_base: str = ""
    gateway_url: str = ""
    shard_count: int | None = None  # None: as many as Discord recommends
    shard_ids: tuple[int, ...] | None = None  # None: every shard

    @property
    def enabled(self) -> bool:
        """Discord runs when a bot token is set."""
        return bool(self.token)

    @classmethod
    def from_env(cls, env: Mapping[str, str], core: Settings | None = None) -> DiscordSettings:
        """Read the DISCORD_* settings; shard groups are checked against the core's database."""
        if core is not None:
            database_url = core.database_url
        else:
            database_url = env.get("WHUFFIE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        shard_count = _shard_count(env)
        return cls(
            token=env.get("DISCORD_TOKEN", "").strip(),
            guild_id=env.get("DISCORD_GUILD_ID", "").strip(),
            api_base=env.get("DISCORD_API_BASE", "").strip(),
            gateway_url=env.get("DISCORD_GATEWAY_URL", "").strip(),
            shard_count=shard_count,
            shard_ids=_shard_ids(env, shard_count, database_url),
        )

    def check(self) -> None:
        """Refuse a server id that cannot be one, before connecting."""
        if self.guild_id and not self.guild_id.isdigit():
            raise SettingsError(
                f"DISCORD_GUILD_ID must be a server id (digits), not {self.guild_id!r}"
            )
