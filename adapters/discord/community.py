"""A Whuffie community on Discord is one guild: `discord:<guild_id>`."""

from __future__ import annotations

PLATFORM = "discord"
_PREFIX = f"{PLATFORM}:"


def community_of(guild_id: int) -> str:
    """The community string of a guild, as the core stores it."""
    return f"{_PREFIX}{guild_id}"


def guild_id_of(community: str) -> int:
    """The guild id inside a community string; ValueError when it is not a Discord guild."""
    if not community.startswith(_PREFIX) or not community[len(_PREFIX) :].isdigit():
        raise ValueError(f"not a Discord community: {community!r}")
    return int(community[len(_PREFIX) :])
