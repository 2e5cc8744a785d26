"""The golden rule in /helpstats and `whuffie stats --json`: favours returned, waiting needs
and how long they waited, and the longest pay-it-forward chain, on a known history."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

from bot.store import Store
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community


async def known_history(community: Community) -> None:
    """ann helps bob, bob helps cat, cat helps frank after his need waited 3 days, bob
    returns ann's favour; eve's and gil's needs wait for skills nobody offers."""
    c = community
    await c.say("ann", "offer", "python")
    await c.say("bob", "offer", "design")
    await c.say("cat", "offer", "rust")
    await c.say("bob", "need", "python packaging help")
    c.clock.advance(timedelta(hours=1))
    await c.say("ann", "accept", ask_id(c, "ann"))  # ann → bob
    await c.say("cat", "need", "design review of my landing page")
    c.clock.advance(timedelta(hours=1))
    await c.say("bob", "accept", ask_id(c, "bob"))  # bob → cat
    await c.say("eve", "need", "help with kubernetes upgrades")  # nobody offers it
    await c.say("cat", "pause")
    await c.say("frank", "need", "a rust macro question")  # cat is paused: it waits
    c.clock.advance(timedelta(days=1))
    await c.say("gil", "need", "help with terraform modules")  # nobody offers it
    c.clock.advance(timedelta(days=2))
    await c.say("cat", "resume")  # frank's need is asked again, 3 days on
    await c.say("cat", "accept", ask_id(c, "cat"))  # cat → frank: a chain of 3
    await c.say("ann", "need", "design feedback on my slides")
    await c.say("bob", "accept", ask_id(c, "bob"))  # bob → ann: a favour returned
    c.clock.advance(timedelta(days=2))


async def test_golden_rule_figures_in_helpstats(community: Community) -> None:
    """Each new figure, as an admin reads it."""
    await known_history(community)
    community.port.admins.add("ann")
    text = (await community.say("ann", "helpstats")).text
    assert "Favours returned (helped someone who once helped them): 1" in text
    assert "Longest pay-it-forward chain (A helped B, B helped C, …): 3 helps in a row" in text
    assert "Needs that waited, then found a helper: 1 (median wait 3.0 days)" in text
    assert (
        "Needs waiting for someone: 2 · waiting longest: #3 kubernetes upgrades (5 days), "
        "#5 terraform modules (4 days)"
    ) in text
    unmet = text.split("Unmet topics (nobody here offers them yet): ")[1].split("\n")[0]
    assert "kubernetes" in unmet and "terraform" in unmet and "rust" not in unmet


async def test_golden_rule_figures_in_stats_json(
    community: Community, database_url: str, store: Store
) -> None:
    """`whuffie stats --json` gives the same figures from the shell."""
    await known_history(community)
    env = {**os.environ, "WHUFFIE_DATABASE_URL": database_url}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "stats", "--json", "--community", COMMUNITY],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [figures] = json.loads(done.stdout)
    assert figures["favours_returned"] == 1
    assert figures["longest_chain"] == 3
    assert figures["helped_after_waiting"] == 1
    assert figures["median_days_waited"] == 3.0
    assert figures["needs_waiting"] == 2
    waiting: list[dict[str, Any]] = figures["longest_waiting"]
    assert [w["need"] for w in waiting] == [3, 5]
    started = community.clock.now() - timedelta(days=5)
    assert waiting[0]["waiting_since"] == started.isoformat()
    assert {t["topic"].split()[0] for t in figures["unmet_topics"]} == {"kubernetes", "terraform"}
