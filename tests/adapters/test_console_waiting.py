"""Waiting needs in the console: the conversation a community sees, end to end."""

from __future__ import annotations

import pytest

from tests.adapters.test_console import blocks, console

SCRIPT = """\
bob: /offer python
bob: /pause
alice: /need python packaging trouble
bob: /resume
carol: /need review my python script
bob: /accept 1
dana: /need help with kubernetes upgrades
erin: /offer kubernetes
frank: /need a terraform modules question
!wait 15d
frank: /keep 4
frank: /close 4
"""


def test_waiting_needs_in_a_console_session(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A need waits, and is asked again on /resume, when the helper frees up, on /offer;
    after two weeks its requester is told, and keeps it open or closes it."""
    monkeypatch.setenv("WHUFFIE_MAX_OPEN_ASKS", "1")
    got = blocks(console(sqlite_url, SCRIPT))

    def said(header: str, *words: str) -> str:
        return next(t for h, t in got if h == header and all(w in t for w in words))

    assert "Your need waits" in said("reply alice", "need #1")
    assert "sent it to you privately" in said("reply bob", "Welcome back")
    assert "(/accept 1)" in said("dm bob", "python packaging trouble")
    assert "Your need waits" in said("reply carol", "need #2")
    # bob said yes to alice: he is free for carol's need, which waited for him.
    assert "(/accept 2)" in said("dm bob", "review my python script")
    assert "Your need waits" in said("reply dana", "need #3")
    assert "waiting for someone like you" in said("reply erin", "kubernetes")
    assert "(/accept 3)" in said("dm erin", "kubernetes upgrades")
    checkin = said("dm frank", "has been waiting")
    assert "Your need #4 has been waiting 14 days" in checkin
    assert "(/keep 4)" in checkin and "(/close 4)" in checkin
    assert "stays open" in said("reply frank", "#4 stays open")
    assert "Closed need #4" in said("reply frank", "Closed")
