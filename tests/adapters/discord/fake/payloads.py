"""The JSON shapes Discord sends: guilds, members, DM channels and interactions."""

from __future__ import annotations

import secrets
from typing import Any

from tests.adapters.discord.fake.model import EPOCH_ISO, Guild, User, snowflake

DM_CHANNEL, GUILD_TEXT = 1, 0


def member(guild: Guild, user: User, *, nested: bool = True) -> dict[str, Any]:
    """A guild member; `nested=False` leaves out the user, as in resolved option data."""
    payload: dict[str, Any] = {
        "roles": [str(r) for r in guild.members[user.id]],
        "joined_at": EPOCH_ISO,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "pending": False,
    }
    if nested:
        payload["user"] = user.payload()
    return payload


def guild(server: Guild, bot: User) -> dict[str, Any]:
    """A guild as GUILD_CREATE and GET /guilds/{id} carry it: roles, and the bot as member."""
    roles = [
        {
            "id": str(role),
            "name": "@everyone" if role == server.id else f"role-{role}",
            "permissions": str(bits),
            "position": 0 if role == server.id else 1,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        for role, bits in server.roles.items()
    ]
    return {
        "id": str(server.id),
        "name": server.name,
        "owner_id": str(server.owner_id),
        "roles": roles,
        "channels": [],
        "members": [member(server, bot)],
        "member_count": len(server.members),
        "large": False,
        "unavailable": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "joined_at": EPOCH_ISO,
    }


def dm_channel(channel_id: int, user: User) -> dict[str, Any]:
    """The DM channel between the bot and `user`."""
    return {
        "id": str(channel_id),
        "type": DM_CHANNEL,
        "last_message_id": None,
        "recipients": [user.payload()],
        "flags": 0,
    }


def interaction(application_id: int, user: User) -> dict[str, Any]:
    """What every interaction carries, wherever it happens."""
    return {
        "id": str(snowflake()),
        "application_id": str(application_id),
        "token": secrets.token_urlsafe(16),
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(user.id)},
        "attachment_size_limit": 8 * 1024 * 1024,
    }


def in_guild(application_id: int, server: Guild, user: User) -> dict[str, Any]:
    """An interaction in a guild's channel, by a member with their permissions."""
    channel = {"id": str(server.id), "type": GUILD_TEXT, "guild_id": str(server.id)}
    return interaction(application_id, user) | {
        "guild_id": str(server.id),
        "guild_locale": "en-US",
        "channel_id": str(server.id),
        "channel": channel | {"name": "general", "position": 0, "permission_overwrites": []},
        "member": member(server, user) | {"permissions": str(server.permissions(user.id))},
        "context": 0,
    }


def in_dm(application_id: int, channel_id: int, user: User) -> dict[str, Any]:
    """An interaction in the bot's DM with `user`."""
    return interaction(application_id, user) | {
        "channel_id": str(channel_id),
        "channel": dm_channel(channel_id, user),
        "user": user.payload(),
        "context": 1,
    }
