"""Favours come back, in the console: the conversation a community sees, end to end."""

from __future__ import annotations

import pytest

from tests.adapters.test_console import blocks, console

SCRIPT = """\
cat: /offer design
ann: /offer python packaging, python
bob: /offer python
bob: /need design review of my landing page
cat: /accept 1
bob: /done thank you!
cat: /need a python packaging question
bob: /profile
bob: /profile favours off
cat: /need python venv trouble
"""


def test_a_favour_comes_back_in_a_console_session(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cat helped bob: cat's need goes to bob first, with one gentle line he can turn off."""
    monkeypatch.setenv("WHUFFIE_ASKS_AT_ONCE", "1")
    got = blocks(console(sqlite_url, SCRIPT))

    def said(header: str, *words: str) -> str:
        return next(t for h, t in got if h == header and all(w in t for w in words))

    first = said("dm bob", "a python packaging question")
    assert "cat helped you with 'design review of my landing page' in " in first
    assert "a chance to return the favour" in first and "(/accept 2)" in first
    assert not [t for h, t in got if h == "dm ann"]
    profile = said("reply bob", "Favour notes: on")
    assert "(/profile favours off)" in profile
    assert "won't mention past favours" in said("reply bob", "Done")
    second = said("dm bob", "python venv trouble")
    assert "favour" not in second and "(/accept 3)" in second
