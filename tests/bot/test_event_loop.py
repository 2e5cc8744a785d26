"""Matching runs off the event loop, so a big community never stalls the bot for others."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from matching import Matcher
from tests.bot.conftest import ask_id
from tests.fakes import Community


def on_event_loop() -> bool:
    """True when called from the thread that runs the event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def test_match_and_explain_never_run_on_the_event_loop(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every match and fit of /need, /needs, an accept and /done runs in a worker thread."""
    calls: list[tuple[str, bool]] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, on_event_loop()))
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(Matcher, "match", spy("match", Matcher.match))
    monkeypatch.setattr(Matcher, "explain", spy("explain", Matcher.explain))
    monkeypatch.setattr(Matcher, "explain_each", spy("explain_each", Matcher.explain_each))
    await community.say("ann", "offer", "python, pitch decks")
    await community.say("bob", "need", "python help")
    await community.say("cat", "need", "pitch deck review")
    await community.say("ann", "needs")
    await community.say("ann", "accept", ask_id(community, "ann"))
    await community.say("bob", "done", "thanks")
    assert {name for name, _ in calls} == {"match", "explain_each"}
    assert not [c for c in calls if c[1]], "a match ran on the event loop"
