"""`whuffie run` serves Discord when DISCORD_TOKEN is set, and Slack beside it: the real process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot.commands import COMMANDS
from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.slack.conftest import BOB
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed import SlackSender
from tests.processes import start_bot

STARTUP_SECONDS = 30.0


def environment(tmp_path: Path, fake: FakeDiscord, **extra: str) -> dict[str, str]:
    """The process environment for `whuffie run` against the fake Discord."""
    return {
        **os.environ,
        "WHUFFIE_DATABASE_URL": f"sqlite:///{tmp_path / 'whuffie.db'}",
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "SLACK_BOT_TOKEN": "",
        "SLACK_APP_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        **extra,
    }


async def read_until(process: asyncio.subprocess.Process, words: str) -> str:
    """What the process logged, up to and including the line with `words`."""
    assert process.stderr is not None
    seen = ""
    while words not in seen:
        line = await process.stderr.readline()
        assert line, f"the process ended before logging {words!r}:\n{seen}"
        seen += line.decode()
    return seen


async def stop(process: asyncio.subprocess.Process) -> str:
    """Ctrl-C, as at a terminal; the rest of what it logged."""
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    return stderr.decode()


async def test_whuffie_run_serves_discord(fake: FakeDiscord, tmp_path: Path) -> None:
    """Started with a Discord token, the bot connects, answers `/offer`, and stops cleanly."""
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice = fake.join(guild, "alice")
    # Verbose, so that the check that the token is never logged covers every log line.
    process = await start_bot(tmp_path, environment(tmp_path, fake), "--verbose")
    try:
        await asyncio.wait_for(fake.connected(), STARTUP_SECONDS)
        offer = await fake.answered(await fake.slash(guild, alice, "offer", skills="postgres"))
        logged = await asyncio.wait_for(read_until(process, "Discord: @"), STARTUP_SECONDS)
    finally:
        logged_at_exit = await stop(process)
    assert "Added to your profile: postgres" in offer.text
    assert "Discord: @whuffie in 1 server(s) over 1 shard(s)" in logged
    assert process.returncode == 0
    assert "Traceback" not in logged + logged_at_exit
    assert f"Synced {len(COMMANDS)} commands" in logged, (
        "verbose: the informational lines are there too"
    )
    assert fake.token not in logged + logged_at_exit, "the token never reaches a log"


async def test_whuffie_run_serves_slack_and_discord_together(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """With both platforms' credentials, one process and one database serve both."""
    slack = FakeSlack()
    slack.add_user(BOB, "Bob")
    await slack.start()
    guild = fake.add_guild("makers", fake.add_user("olga"))
    alice = fake.join(guild, "alice")
    env = environment(
        tmp_path,
        fake,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_BASE_URL=slack.api_url,
    )
    process = await start_bot(tmp_path, env)
    try:
        await asyncio.wait_for(fake.connected(), STARTUP_SECONDS)
        await asyncio.wait_for(slack.socket_connected(), STARTUP_SECONDS)
        on_discord = await fake.answered(await fake.slash(guild, alice, "offer", skills="figma"))
        response_url = slack.response_url()
        body = SlackSender("unused", slack).command_body(BOB, "/offer", "postgres", response_url)
        acked = await slack.socket_send(
            {"envelope_id": "run-1", "type": "slash_commands", "payload": dict(parse_qsl(body))}
        )
        await asyncio.wait_for(acked, 3)
        for _ in range(600):  # the reply follows the ack; a loaded machine may take seconds
            if slack.replies_to(response_url):
                break
            await asyncio.sleep(0.05)
    finally:
        logged = await stop(process)
        await slack.stop()
    assert "Added to your profile: figma" in on_discord.text
    [on_slack] = slack.replies_to(response_url)
    assert "postgres" in on_slack.shown_text()
    assert process.returncode == 0
    assert "Traceback" not in logged
    assert (tmp_path / "whuffie.db").exists()


async def test_whuffie_run_explains_a_refused_token(fake: FakeDiscord, tmp_path: Path) -> None:
    """A wrong DISCORD_TOKEN: a sentence saying what to fix, no traceback, exit status 2."""
    process = await start_bot(tmp_path, environment(tmp_path, fake, DISCORD_TOKEN="wrong"))
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 2
    assert "Discord refused DISCORD_TOKEN" in stderr.decode()
    assert "Traceback" not in stderr.decode()


@pytest.mark.postgres
async def test_whuffie_run_serves_a_shard_group(pg_url: str, tmp_path: Path) -> None:
    """Two `whuffie run` on one PostgreSQL, shard 0 and shard 1 of 2: every server answered."""
    fake = FakeDiscord(shards=2)
    await fake.start()
    owner = fake.add_user("olga")
    guilds = sorted((fake.add_guild(n, owner) for n in "ab"), key=lambda g: fake.shard_of(g.id))
    members = [fake.join(g, "alice") for g in guilds]
    env = environment(tmp_path, fake, WHUFFIE_DATABASE_URL=pg_url, DISCORD_SHARD_COUNT="2")
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", cwd=tmp_path, env=env
    )
    assert await asyncio.wait_for(upgrade.wait(), STARTUP_SECONDS) == 0
    processes = [await start_bot(tmp_path, env | {"DISCORD_SHARD_IDS": str(i)}) for i in (0, 1)]
    try:
        await asyncio.wait_for(fake.connected(), STARTUP_SECONDS)
        answers = [
            await fake.answered(await fake.slash(g, m, "offer", skills="postgres"))
            for g, m in zip(guilds, members, strict=True)
        ]
        ready = [
            await asyncio.wait_for(read_until(p, "Discord: @"), STARTUP_SECONDS) for p in processes
        ]
    finally:
        logged = [await stop(p) for p in processes]
        await fake.close()
    assert all("Added to your profile: postgres" in a.text for a in answers)
    assert "in 1 server(s) over shard(s) 0 of 2" in ready[0]
    assert "in 1 server(s) over shard(s) 1 of 2" in ready[1]
    assert sorted(tuple(i["shard"]) for i in fake.identified) == [(0, 2), (1, 2)]
    assert [p.returncode for p in processes] == [0, 0]
    assert "Traceback" not in "".join(ready + logged)


async def test_whuffie_run_refuses_a_shard_group_on_sqlite(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Shards left to other processes with the SQLite default: a sentence, exit status 2."""
    env = environment(tmp_path, fake, DISCORD_SHARD_COUNT="2", DISCORD_SHARD_IDS="1")
    process = await start_bot(tmp_path, env)
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 2
    assert "must share one PostgreSQL database" in stderr.decode()
    assert fake.identified == [], "nothing connected to Discord"
