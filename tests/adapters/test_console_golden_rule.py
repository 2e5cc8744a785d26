"""Connectors and the community pulse in the console, as a scripted conversation, on both
databases: every button is a typed command, and the check-in's text fields are typed too."""

from __future__ import annotations

import pytest

from tests.adapters.test_console import blocks, console

REFERRAL = """\
alice: /offer postgres
carol: /need help with a slow postgres query
alice: /accept 1
dave: /need someone to review my pitch deck for investors
alice: /suggest 2
alice: /refer 2 @bob
bob: /accept 2
alice: /profile
"""

PULSE = """\
!admin ada
ada: /offer community building
alice: /offer postgres
carol: /pause
dave: /pulse off
ada: /pulse
bob: /pulse
erin: /pulse
ada: /pulse
alice: /pulseneed 1 a review of my pitch deck
ada: /pulseoffer 1 pitch decks, storytelling
ada: /pulse
!wait 3d
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database of each kind."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


def test_a_connector_refers_a_member_without_a_profile_who_then_helps(url: str) -> None:
    """alice helped carol; nobody fits dave's need, so alice is asked whom she knows; she
    refers bob, who never said a word before; bob says yes and is introduced to dave."""
    got = blocks(console(url, REFERRAL))
    asked = [t for h, t in got if h == "dm alice" and "Do you know someone" in t]
    assert len(asked) == 1
    assert "(/suggest 2)" in asked[0] and "(/nobody 2)" in asked[0]
    told = next(t for h, t in got if h == "reply dave")
    assert "also asked a member who knows many people" in told
    referred = next(t for h, t in got if h == "dm bob")
    assert "alice thought of you" in referred and "(/accept 2)" in referred
    assert any(h == "dm dave,bob" and "dave, meet bob!" in t for h, t in got)
    mirror = [t for h, t in got if h == "reply alice"][-1]
    assert "You thought of 1 person for others' needs, and 1 of them went on to help" in mirror


def test_a_pulse_reaches_every_eligible_member_once_and_its_summary_arrives(url: str) -> None:
    """ada's /pulse reaches ada and alice (carol paused, dave opted out, bob and erin never
    seen: /pulse as a member stores nobody); alice's typed answer becomes a need, ada's
    becomes skills (and asks her about alice's need); a second /pulse is refused kindly; the
    summary reaches ada three days later."""
    got = blocks(console(url, PULSE))
    check_ins = [h for h, t in got if "what could you use help with this month" in t]
    assert check_ins == ["dm ada", "dm alice"]
    replies = [t for h, t in got if h == "reply bob"]
    assert "it's for admins" in replies[0]
    assert "(/pulseneed 1 <your words>)" in next(t for h, t in got if h == "dm alice")
    answered = next(t for h, t in got if h == "reply alice" and "check-in" in t)
    assert "Thank you for answering the check-in" in answered
    offered = next(t for h, t in got if h == "reply ada" and "Added to your profile: pitch" in t)
    assert "Thank you for answering the check-in" in offered
    assert any("room to breathe" in t for h, t in got if h == "reply ada")
    [summary] = [t for h, t in got if h == "dm ada" and "three days on" in t]
    assert "Answered: 2 of 2 members" in summary
    assert "New needs: 1 · new skills on profiles: 2" in summary
