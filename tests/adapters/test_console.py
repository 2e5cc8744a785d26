"""The console, end to end: a scripted session through the real `whuffie console` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

SCRIPT = """\
alice: /offer PostgreSQL, query tuning, python
bob: /offer pitch decks, fundraising
dave: /offer figma
carol: /need feedback on my seed pitch deck
bob: /need help with a slow postgres query
alice: /accept {ask}
!wait 4d
bob: /done thanks, the index fixed it!
"""


def console(database_url: str, script: str, *args: str) -> str:
    """Pipe a script into `whuffie console` on a database; return what it printed."""
    env = {**os.environ, "WHUFFIE_DATABASE_URL": database_url}
    env.pop("SLACK_BOT_TOKEN", None)
    env.pop("DISCORD_TOKEN", None)
    if database_url.startswith("postgresql"):
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, capture_output=True
        )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def blocks(transcript: str) -> list[tuple[str, str]]:
    """The transcript as (header, text) blocks."""
    found = re.findall(r"^\[([^\]]+)\]\n(.*?)(?=^\[|^\(|\Z)", transcript, re.S | re.M)
    return [(h, t.strip()) for h, t in found]


def test_scripted_session_shows_every_step(sqlite_url: str) -> None:
    """Offers, private replies, the ask, the intro with nudge, follow-up, thanks, pass it on."""
    out = console(sqlite_url, SCRIPT.format(ask=2))
    got = blocks(out)
    headers = [h for h, _ in got]
    assert headers[:3] == ["reply alice", "reply bob", "reply dave"]
    assert all("Added to your profile" in t for _, t in got[:3])
    assert "reply carol" in headers and "reply bob" in headers[3:]
    ask = next(t for h, t in got if h == "dm alice")
    assert "slow postgres query" in ask and "(/accept 2)" in ask and "(/decline 2)" in ask
    assert "PostgreSQL" in ask
    intro = next(t for h, t in got if h == "dm bob,alice")
    assert "slow postgres query" in intro and "PostgreSQL" in intro
    assert "Pay it forward" in intro
    followup = [t for h, t in got if h == "dm bob" and "Did it help?" in t]
    assert followup and "(/helped 2)" in followup[0]
    assert out.index("time passes") < out.index("Did it help?")
    thanks = [t for h, t in got if h == "dm alice" and "the index fixed it!" in t]
    assert thanks
    done = next(t for h, t in got if h == "reply bob" and "resolved" in t)
    assert "seed pitch deck" in done and "(/give 1)" in done


@pytest.mark.postgres
def test_same_conversation_on_postgresql(sqlite_url: str, pg_url: str) -> None:
    """The same script gives the same conversation on PostgreSQL as on SQLite."""
    assert console(pg_url, SCRIPT.format(ask=2)) == console(sqlite_url, SCRIPT.format(ask=2))


def test_console_controls_and_friendly_errors(sqlite_url: str) -> None:
    """`!as`, `!admin`, `/help`, gibberish and unknown commands all answer without a trace."""
    out = console(
        sqlite_url,
        "!as erin\n/help\n/offer figma\n/helpstats\n!admin erin\n/helpstats\n"
        "???\n/frobnicate\nerin: /accept 99\n!wait soon\n!quit\n/profile\n",
    )
    assert "(you are now erin)" in out
    assert "/offer postgres, pitch decks" in out  # the help lists commands with usage
    assert "[reply erin]\nThank you! Added to your profile: figma." in out
    assert "for the community's admins" in out
    assert "How this community helps itself" in out
    assert "`/frobnicate`" in out
    assert "can't find ask #99" in out
    assert "!wait 25h" in out  # a bad control shows the console help
    assert "Skills:" not in out  # nothing after !quit


def test_state_persists_between_runs(sqlite_url: str) -> None:
    """The embedded database keeps profiles between two console runs."""
    console(sqlite_url, "ann: /offer rust\n")
    assert "Skills: rust" in console(sqlite_url, "ann: /profile\n")
