"""Requests remembered once: a replay is recognised, and old keys are swept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.seen import forget_old, remember
from bot.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def test_a_request_key_is_new_only_once(store: Store) -> None:
    """The first delivery is new; the same key again is not."""
    later = NOW + timedelta(minutes=10)
    assert await store.run(lambda s: remember(s, "slack:v0=abc", later)) is True
    assert await store.run(lambda s: remember(s, "slack:v0=abc", later)) is False
    assert await store.run(lambda s: remember(s, "slack:v0=def", later)) is True


async def test_keys_past_their_time_are_swept(store: Store) -> None:
    """Once a replay could no longer pass, its key is dropped and the table stays small."""
    await store.run(lambda s: remember(s, "old", NOW - timedelta(seconds=1)))
    await store.run(lambda s: remember(s, "fresh", NOW + timedelta(minutes=5)))
    assert await store.run(lambda s: forget_old(s, NOW)) == 1
    assert await store.run(lambda s: remember(s, "fresh", NOW + timedelta(minutes=5))) is False
