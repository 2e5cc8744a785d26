"""The one small port through which the core talks back to a chat platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

ButtonStyle = Literal["primary", "secondary", "danger"]


@dataclass(frozen=True)
class Button:
    """A button on a message; pressing it is the same as typing `/command arg`."""

    label: str
    command: str
    arg: str = ""
    style: ButtonStyle = "secondary"

    @property
    def typed(self) -> str:
        """The console line that presses this button, e.g. `/accept 7`."""
        return f"/{self.command} {self.arg}".rstrip()


@dataclass(frozen=True)
class Message:
    """A neutral message: plain text (light markdown: *bold*, > quotes) and buttons."""

    text: str
    buttons: tuple[Button, ...] = field(default=())


@dataclass(frozen=True)
class Actor:
    """Who typed a command or pressed a button, as the adapter knows them."""

    platform: str
    community: str
    user_id: str
    display_name: str


@dataclass(frozen=True)
class Invocation:
    """A neutral command: `/offer postgres` or a button press both become one of these.

    `target` is the member a command names (the `@member` of `/thanks`), already resolved
    by the adapter from the platform's own mention syntax or typed option.
    """

    actor: Actor
    command: str
    args: str = ""
    target: Actor | None = None


class Undeliverable(Exception):
    """The platform will never deliver to this member (DMs closed, account gone, a bot)."""


class InstallationBroken(Exception):
    """The platform refuses the bot itself in this community (uninstalled, token revoked).

    No retry helps until an admin reinstalls it: the outbox stops sending there.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Port(Protocol):
    """What the core needs from a platform adapter; everything else is the adapter's business."""

    platform: str

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """DM one member, or introduce several (a group DM where the platform has one).

        Returns an opaque reference that `update_message` accepts. Raises `Undeliverable`
        when the platform will never deliver it to this member, `InstallationBroken` when it
        refuses the bot itself; any other exception means "try again later".
        """
        ...

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Replace a message the bot sent earlier (e.g. an ask that has been taken care of)."""
        ...

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Tell whether this member administers the community on the platform itself."""
        ...

    async def is_member(self, community: str, user_id: str) -> bool:
        """Tell whether this person still belongs to the community on the platform itself."""
        ...

    def mention(self, user_id: str) -> str:
        """Render a member so the platform shows their name (no ping is implied)."""
        ...

    def escape(self, text: str) -> str:
        """Make a member's own words safe to repeat: they must never ping or break a message."""
        ...
