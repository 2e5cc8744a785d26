"""A database that stops answering: noticed in seconds, told kindly, and recovered from."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.store import Store, Timeouts
from tests.fakes import Community
from tests.proxy import SilentProxy

pytestmark = pytest.mark.postgres

# Only a guard against a test that would otherwise hang: nothing here is timed.
GUARD_SECONDS = 120
QUICK = Timeouts(connect=1, statement=1, keepalive=2)


@pytest.fixture
async def proxy(pg_url: str) -> AsyncIterator[SilentProxy]:
    """A proxy in front of the test database, forwarding for now."""
    proxy = await SilentProxy.to(pg_url)
    yield proxy
    await proxy.close()


async def test_whuffie_run_on_a_silent_database_exits_with_a_clear_error(tmp_path: Path) -> None:
    """The database accepts connections and never answers: `whuffie run` says so and exits."""
    hole = await SilentProxy.to(None, silent=True)
    env = {
        **os.environ,
        "WHUFFIE_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{hole.port}/test",
        "WHUFFIE_DB_CONNECT_TIMEOUT": "2",
        "SLACK_BOT_TOKEN": "",
        "DISCORD_TOKEN": "",
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), GUARD_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    finally:
        await hole.close()
    said = stderr.decode()
    assert process.returncode == 2
    assert "cannot use the database" in said
    assert "did not answer within 2 seconds" in said
    assert "Traceback" not in said


async def test_a_silent_database_mid_run_asks_members_to_try_again_then_recovers(
    pg_url: str, proxy: SilentProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """The database goes silent: "try again in a minute", logged once; then it works again."""
    store = Store.connect(proxy.url_for(pg_url), QUICK)
    try:
        await asyncio.to_thread(store.upgrade)  # the proxy runs on this event loop
        c = Community(store)
        await c.say("ann", "offer", "terraform")
        proxy.silent = True
        with caplog.at_level(logging.WARNING, logger="bot.store"):
            first = await asyncio.wait_for(c.say("bob", "need", "terraform help"), GUARD_SECONDS)
            second = await asyncio.wait_for(c.say("ann", "profile"), GUARD_SECONDS)
        assert first.text == texts.database_away().text
        assert second.text == texts.database_away().text
        assert first.text != texts.oops().text
        silent_lines = [r for r in caplog.records if "not answering" in r.getMessage()]
        assert len(silent_lines) == 1
        proxy.silent = False
        again = await asyncio.wait_for(c.say("bob", "need", "terraform help"), GUARD_SECONDS)
        assert "privately asked one member" in again.text
        assert c.port.to("ann")
    finally:
        store.dispose()
