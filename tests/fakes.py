"""Hand-written fakes: a port that records what the core says, and can be made to fail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.app import Whuffie
from bot.clock import ManualClock
from bot.port import Actor, Invocation, Message, Undeliverable
from bot.settings import Settings
from bot.store import Store

COMMUNITY = "fake:T1"


@dataclass
class Sent:
    """One DM the core sent."""

    to: tuple[str, ...]
    message: Message
    ref: str


@dataclass
class RecordingPort:
    """Records DMs and edits; fails on demand like a real platform would."""

    platform: str = "fake"
    sent: list[Sent] = field(default_factory=list)
    edits: list[tuple[str, Message]] = field(default_factory=list)
    admins: set[str] = field(default_factory=set)
    left: set[str] = field(default_factory=set)  # members who left the community
    closed_dms: set[str] = field(default_factory=set)  # members the platform cannot reach
    failures: int = 0  # the next N sends raise a transient error

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """Record a DM, or fail as asked."""
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform unavailable")
        if any(u in self.closed_dms for u in user_ids):
            raise Undeliverable("DMs closed")
        ref = f"m{len(self.sent) + 1}"
        self.sent.append(Sent(tuple(user_ids), message, ref))
        return ref

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Record an edit."""
        self.edits.append((ref, message))

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Admins are listed by the test."""
        return user_id in self.admins

    async def is_member(self, community: str, user_id: str) -> bool:
        """Everyone is a member, except those the test has made leave."""
        return user_id not in self.left

    def mention(self, user_id: str) -> str:
        """A mention in the platform's syntax, so tests can tell it from member text."""
        return f"<@{user_id}>"

    def escape(self, text: str) -> str:
        """Visible escaping, so tests can check member text went through it."""
        return text.replace("<", "&lt;").replace(">", "&gt;")

    def to(self, user_id: str) -> list[Message]:
        """Every DM that reached this member, oldest first."""
        return [s.message for s in self.sent if user_id in s.to]

    def last_to(self, user_id: str) -> Message:
        """The newest DM to this member."""
        return self.to(user_id)[-1]


class Community:
    """The core with a recording port, a frozen clock and members who type commands."""

    def __init__(
        self, store: Store, settings: Settings | None = None, clock: ManualClock | None = None
    ) -> None:
        self.clock = clock or ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), frozen=True)
        self.port = RecordingPort()
        self.core = Whuffie(settings or Settings(), store, self.clock)
        self.core.attach(self.port)

    async def say(
        self, user: str, command: str, args: str = "", target: str | None = None
    ) -> Message:
        """`user` types `/command args`; owed messages are delivered afterwards."""
        actor = Actor("fake", COMMUNITY, user, user.title())
        tgt = Actor("fake", COMMUNITY, target, target.title()) if target else None
        reply = await self.core.handle(Invocation(actor, command, args, tgt))
        await self.core.flush()
        return reply


@contextmanager
def two_processes(
    url: str, settings: Settings | None = None
) -> Iterator[tuple[Community, Community]]:
    """Two cores with stores of their own on one database and one clock, like two processes."""
    with several_processes(url, 2, settings) as (a, b):
        yield a, b


@contextmanager
def several_processes(
    url: str, count: int, settings: Settings | None = None
) -> Iterator[list[Community]]:
    """`count` cores, each with a store (a connection pool) of its own, on one database and
    one clock; the first one's port is where they all send, as one workspace would be."""
    stores = [Store.connect(url) for _ in range(count)]
    stores[0].upgrade()
    first = Community(stores[0], settings)
    cores = [first, *(Community(s, settings, clock=first.clock) for s in stores[1:])]
    try:
        yield cores
    finally:
        for store in stores:
            store.dispose()
