"""`whuffie run` serves Slack when its credentials are set: the real process, end to end."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from urllib.parse import parse_qsl

from tests.adapters.slack.conftest import BOB
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed import SlackSender
from tests.processes import start_bot

STARTUP_SECONDS = 30.0


async def test_whuffie_run_answers_slack_over_socket_mode(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Started with Slack tokens, the bot connects, answers `/offer`, and stops cleanly."""
    env = {
        **os.environ,
        "WHUFFIE_DATABASE_URL": f"sqlite:///{tmp_path / 'whuffie.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "",
        "SLACK_API_BASE_URL": fake_slack.api_url,
        "DISCORD_TOKEN": "",
    }
    process = await start_bot(tmp_path, env)
    try:
        await asyncio.wait_for(fake_slack.socket_connected(), STARTUP_SECONDS)
        response_url = fake_slack.response_url()
        body = SlackSender("unused", fake_slack).command_body(
            BOB, "/offer", "postgres", response_url
        )
        acked = await fake_slack.socket_send(
            {"envelope_id": "run-1", "type": "slash_commands", "payload": dict(parse_qsl(body))}
        )
        await asyncio.wait_for(acked, 3)
        for _ in range(600):  # the reply follows the ack; a loaded machine may take seconds
            if fake_slack.replies_to(response_url):
                break
            await asyncio.sleep(0.05)
        [reply] = fake_slack.replies_to(response_url)
        assert "postgres" in reply.shown_text()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0
    assert "Traceback" not in stderr.decode()
    assert "connected through Socket Mode" in stderr.decode()
