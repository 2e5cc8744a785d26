"""A Discord-only `whuffie run` serves the dashboard on PORT: the link /helpstats gives opens."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import aiohttp

from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.discord.test_run import STARTUP_SECONDS, environment, read_until, stop
from tests.processes import start_bot


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_discord_only_serves_the_dashboard_link_from_helpstats(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """The server owner's /helpstats link opens the page from the running bot, a forged one
    does not; no Slack HTTP mode is needed for it."""
    owner = fake.add_user("olga")
    guild = fake.add_guild("makers", owner)
    port = _free_port()
    process = await start_bot(tmp_path, environment(tmp_path, fake, PORT=str(port)))
    try:
        await asyncio.wait_for(fake.connected(), STARTUP_SECONDS)
        await asyncio.wait_for(read_until(process, "Serving HTTP on port"), STARTUP_SECONDS)
        stats = await fake.answered(await fake.slash(guild, owner, "helpstats"))
        found = re.search(rf"http://localhost:{port}(/dashboard/\S+)", stats.text)
        assert found, stats.text
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}{found.group(1)}") as page:
                assert page.status == 200
                assert "How this community helps itself" in await page.text()
            forged = found.group(1)[:-3] + "abc"
            async with http.get(f"http://127.0.0.1:{port}{forged}") as refused:
                assert refused.status == 403
    finally:
        logged = await stop(process)
    assert "Traceback" not in logged
