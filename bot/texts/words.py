"""Small words shared by every feature's messages: quotes, plurals, days, waits."""

from __future__ import annotations

from datetime import datetime, timedelta


def quote(safe_text: str) -> str:
    """A member's words (already escaped for the platform) as a quote block."""
    return "\n".join(f"> {line}" for line in safe_text.splitlines() or [""])


def plural(n: int, word: str) -> str:
    """`1 day`, `2 days`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def day(when: datetime) -> str:
    """A date as members read it: `Mon 02 Mar 2026`."""
    return when.strftime("%a %d %b %Y")


def in_about(wait: timedelta) -> str:
    """When something may be done again: `in about 5 minutes`."""
    minutes = max(1, round(wait.total_seconds() / 60))
    if minutes < 90:
        return f"in about {plural(minutes, 'minute')}"
    return f"in about {plural(round(minutes / 60), 'hour')}"
