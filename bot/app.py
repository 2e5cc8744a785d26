"""The core's front door: adapters hand it neutral commands and it talks back through ports."""

from __future__ import annotations

from bot.clock import Clock, SystemClock
from bot.port import Invocation, Message, Port
from bot.settings import Settings


class Whuffie:
    """The bot itself: one per process, shared by every adapter that runs in it."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.ports: dict[str, Port] = {}

    def attach(self, port: Port) -> None:
        """Register the port of one platform; messages for its communities go through it."""
        self.ports[port.platform] = port

    async def handle(self, invocation: Invocation) -> Message:
        """Run one command or button press; return the private reply for whoever sent it.

        Messages owed to others are stored in the outbox in the same transaction; call
        `flush()` after answering to deliver them.
        """
        raise NotImplementedError

    async def flush(self) -> int:
        """Deliver what the outbox holds now; return how many messages went out."""
        raise NotImplementedError

    async def tick(self) -> None:
        """Expire overdue asks, send due follow-ups and retry undelivered messages."""
        raise NotImplementedError
