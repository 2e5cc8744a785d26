"""Injected time: the real clock in production, a movable one in tests and the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (what the store keeps, on every database)."""
    return datetime.now(UTC)


class Clock(Protocol):
    """A source of aware UTC time."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        return utcnow()


class ManualClock:
    """Real time plus an offset that `advance` moves, so timeouts can be made to fire."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._start = start or utcnow()
        self._frozen = frozen
        self._real_start = utcnow()
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current time, moved on by every `advance` so far."""
        elapsed = timedelta() if self._frozen else utcnow() - self._real_start
        return self._start + elapsed + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self._offset += delta
