"""What the fake Discord holds: users, guilds, messages and interactions, as plain data."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

EPOCH_ISO = "2024-01-01T00:00:00+00:00"
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
EPHEMERAL = 1 << 6

# Snowflakes with 19 digits, as real ones have; consecutive ids fall on alternate shards,
# since a guild's shard is (id >> 22) % shards.
_ids = itertools.count(1_100_000_000_000_000_000, (1 << 22) + 1)


def snowflake() -> int:
    """A fresh, unique id."""
    return next(_ids)


@dataclass
class User:
    """A Discord account."""

    id: int
    name: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        """The user object as Discord sends it."""
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
        }


@dataclass
class Guild:
    """A server, with its @everyone role (id = guild id) and its members' roles."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, int] = field(default_factory=dict)  # role id → permission bits
    members: dict[int, list[int]] = field(default_factory=dict)  # user id → role ids

    def permissions(self, user_id: int) -> int:
        """A member's guild-wide permission bits."""
        bits = self.roles.get(self.id, 0)
        for role in self.members.get(user_id, []):
            bits |= self.roles[role]
        return bits


@dataclass
class Message:
    """A message the bot sent: in a DM, or as an interaction reply (ephemeral or not)."""

    id: int
    channel_id: int
    author: User
    content: str
    components: list[dict[str, Any]]
    flags: int
    allowed_mentions: dict[str, Any] | None
    answers: int | None = None  # the interaction this message answers, if it is a reply
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The buttons on the message, in order."""
        return [c for row in self.components for c in row.get("components", []) if c["type"] == 2]

    @property
    def labels(self) -> list[str]:
        """The button labels, in order."""
        return [b["label"] for b in self.buttons]

    @property
    def ephemeral(self) -> bool:
        """Whether only the member who acted can see it."""
        return bool(self.flags & EPHEMERAL)

    def payload(self) -> dict[str, Any]:
        """The message object as Discord sends it."""
        return {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0,
            "author": self.author.payload(),
            "content": self.content,
            "components": self.components,
            "flags": self.flags,
            "embeds": [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": EPOCH_ISO,
            "edited_timestamp": EPOCH_ISO if self.edits else None,
        }


@dataclass
class Interaction:
    """One interaction the fake dispatched, and how the bot answered it."""

    id: int
    token: str
    payload: dict[str, Any]
    sent_at: float
    callbacks: list[int] = field(default_factory=list)  # response types, in order
    replies: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None  # the modal the bot opened in answer, if any

    @property
    def deferred(self) -> bool:
        """Whether the bot answered "thinking…" first."""
        return 5 in self.callbacks

    @property
    def text(self) -> str:
        """Every reply's text, joined."""
        return "\n".join(reply.content for reply in self.replies)
