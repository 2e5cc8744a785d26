"""A bound on work acknowledged but not yet done, so acks never run far ahead of the work."""

from __future__ import annotations

import asyncio

# Requests acknowledged and still being worked on, per process. At the bound a new one waits
# (briefly) for room, then is told kindly to try again: the work in hand stays bounded.
BACKLOG_LIMIT = 100


class Backlog:
    """Counts the requests in hand; `admit` waits for room, `done` frees it."""

    def __init__(self, limit: int = BACKLOG_LIMIT) -> None:
        self.limit = limit
        self.held = 0
        self._places = asyncio.Semaphore(limit)

    def resize(self, limit: int) -> None:
        """Change the bound while nothing is in hand (tests, tuning)."""
        if self.held:
            raise RuntimeError("the backlog can be resized only while nothing is in hand")
        self.limit = max(1, limit)
        self._places = asyncio.Semaphore(self.limit)

    async def admit(self, within: float) -> bool:
        """Take a place, waiting up to `within` seconds for one; False if none came."""
        try:
            await asyncio.wait_for(self._places.acquire(), within)
        except TimeoutError:
            return False
        self.held += 1
        return True

    def done(self) -> None:
        """Give a place back: one waiting request may go on."""
        self.held -= 1
        self._places.release()
