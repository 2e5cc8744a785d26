"""Fixtures for core tests."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.fakes import Community


@pytest.fixture
def community(store: Store) -> Community:
    """A community on a fresh store (SQLite and PostgreSQL)."""
    return Community(store)


def ask_id(community: Community, user: str) -> str:
    """The id of the newest ask DM'd to a member, as its accept button carries it."""
    message = community.port.last_to(user)
    accept = next(b for b in message.buttons if b.command == "accept")
    return accept.arg
