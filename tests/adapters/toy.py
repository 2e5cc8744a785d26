"""A toy platform written against the port alone: what adding a platform takes, core untouched."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from bot.app import Whuffie
from bot.buttons import Press
from bot.port import Actor, Button, Invocation, Message, Port, Undeliverable

PLATFORM = "toy"
COMMUNITY = "toy:one"  # community ids are `platform:…`


class ToyAdapter:
    """Members, DMs and admins kept in memory; commands and presses handed to the core."""

    platform = PLATFORM

    def __init__(self, core: Whuffie) -> None:
        self.core = core
        self.sent: dict[str, tuple[list[str], Message]] = {}  # ref → (recipients, message)
        self.admins: set[str] = set()
        self.closed: set[str] = set()
        self._stopped = asyncio.Event()

    @property
    def port(self) -> Port:
        """The adapter is its own port."""
        return self

    async def run(self) -> None:
        """Serve until stopped."""
        await self._stopped.wait()

    async def stop(self) -> None:
        """Make `run` return."""
        self._stopped.set()

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """One message all recipients see (a group DM); nobody reachable is Undeliverable."""
        reachable = [u for u in user_ids if u not in self.closed]
        if not reachable:
            raise Undeliverable("DMs closed")
        ref = str(len(self.sent) + 1)
        self.sent[ref] = (reachable, message)
        return ref

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Replace the message in place."""
        self.sent[ref] = (self.sent[ref][0], message)

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Admins are whoever the toy says."""
        return user_id in self.admins

    async def is_member(self, community: str, user_id: str) -> bool:
        """Everyone belongs to the one community."""
        return True

    def mention(self, user_id: str) -> str:
        """A member by name."""
        return f"@{user_id}"

    def escape(self, text: str) -> str:
        """On the toy, `@everyone` and `<@id>` ping: break them with a zero-width space."""
        return re.sub(r"([@<])", "\\1\u200b", text)

    async def typed(self, user_id: str, command: str, args: str = "") -> Message:
        """A member typed `/command args`: the core answers, then delivers what it owes."""
        actor = Actor(PLATFORM, COMMUNITY, user_id, user_id)
        reply = await self.core.handle(Invocation(actor, command, args))
        await self.core.flush()
        return reply

    async def pressed(self, user_id: str, button: Button) -> Message:
        """A member pressed a button: only its command and argument come back."""
        press = Press(PLATFORM, user_id, user_id, button.command, button.arg, COMMUNITY)
        reply = await self.core.press(press)
        await self.core.flush()
        return reply
