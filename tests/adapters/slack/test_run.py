"""`whuffie run` serves Slack when its credentials are set: the real process, end to end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp

from tests.adapters.slack.conftest import ALICE, BOB
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed import SlackSender
from tests.processes import start_bot

STARTUP_SECONDS = 30.0


def socket_mode_env(fake_slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    """`whuffie run` on SQLite in `tmp_path`, in Socket Mode on the fake Slack."""
    return {
        **os.environ,
        "WHUFFIE_DATABASE_URL": f"sqlite:///{tmp_path / 'whuffie.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "",
        "SLACK_API_BASE_URL": fake_slack.api_url,
        "DISCORD_TOKEN": "",
    }


async def test_whuffie_run_answers_slack_over_socket_mode(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Started with Slack tokens, the bot connects, answers `/offer`, and stops cleanly."""
    process = await start_bot(tmp_path, socket_mode_env(fake_slack, tmp_path))
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


async def start_serving(fake_slack: FakeSlack, tmp_path: Path) -> asyncio.subprocess.Process:
    """`whuffie run` in Socket Mode on the fake Slack, once connected."""
    process = await start_bot(tmp_path, socket_mode_env(fake_slack, tmp_path))
    await asyncio.wait_for(fake_slack.socket_connected(), STARTUP_SECONDS)
    return process


async def type_command(fake_slack: FakeSlack, user: str, command: str, text: str) -> str:
    """A member types a slash command; Slack hears the ack. Returns the command's response URL."""
    response_url = fake_slack.response_url()
    body = SlackSender("unused", fake_slack).command_body(user, command, text, response_url)
    acked = await fake_slack.socket_send(
        {"envelope_id": response_url, "type": "slash_commands", "payload": dict(parse_qsl(body))}
    )
    await asyncio.wait_for(acked, 3)
    return response_url


async def until(condition: Callable[[], object], what: str) -> None:
    """Wait for something the bot does (bounded: 15 s)."""
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def outbox_statuses(tmp_path: Path) -> list[str]:
    """The status of every message the bot owed, from its database."""
    with sqlite3.connect(tmp_path / "whuffie.db") as db:
        return [status for (status,) in db.execute("SELECT status FROM outbox ORDER BY id")]


async def test_sigterm_mid_work_finishes_what_was_acknowledged(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Stopped by SIGTERM while asking a helper: the ask still goes out, and it exits 0."""
    process = await start_serving(fake_slack, tmp_path)
    try:
        offered = await type_command(fake_slack, BOB, "/offer", "postgres")
        await until(lambda: fake_slack.replies_to(offered), "the reply to /offer")
        fake_slack.slow("chat.postMessage", 1.0)
        needed = await type_command(fake_slack, ALICE, "/need", "my slow postgres query")
        await until(lambda: fake_slack.calls_to("chat.postMessage"), "the ask is being sent")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0
    assert "Traceback" not in stderr.decode()
    assert fake_slack.replies_to(needed), "Alice heard back"
    [ask] = fake_slack.messages_in(BOB)
    assert "my slow postgres query" in ask.shown_text()
    assert outbox_statuses(tmp_path) == ["sent"]


async def test_sigterm_hands_back_a_send_that_would_not_finish(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Slack hangs on a DM at shutdown: the process still exits 0, the DM is owed, not claimed."""
    process = await start_serving(fake_slack, tmp_path)
    try:
        offered = await type_command(fake_slack, BOB, "/offer", "postgres")
        await until(lambda: fake_slack.replies_to(offered), "the reply to /offer")
        fake_slack.slow("chat.postMessage", 600)
        await type_command(fake_slack, ALICE, "/need", "my slow postgres query")
        await until(lambda: fake_slack.calls_to("chat.postMessage"), "the ask is being sent")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "Traceback" not in stderr.decode()
    assert outbox_statuses(tmp_path) == ["pending"], "owed to the next start, held by nobody"


async def test_a_deployed_bot_reports_health_and_logs_json_lines(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """With WHUFFIE_LOG_FORMAT=json every log line is JSON, lifecycle lines are INFO, and the
    health endpoints answer on PORT."""
    env = {
        **socket_mode_env(fake_slack, tmp_path),
        "WHUFFIE_LOG_FORMAT": "json",
        "WHUFFIE_LOG_LEVEL": "",
        "PORT": "0",
    }
    process = await start_bot(tmp_path, env)
    assert process.stderr is not None
    lines: list[dict[str, str]] = []
    port = None
    try:
        while port is None or not any("Socket Mode" in line["message"] for line in lines):
            raw = await asyncio.wait_for(process.stderr.readline(), STARTUP_SECONDS)
            assert raw, f"the bot stopped early: {lines}"
            lines.append(json.loads(raw))
            if lines[-1]["message"].startswith("Serving HTTP on port"):
                port = int(lines[-1]["message"].split()[4].rstrip(":"))
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as live:
                assert live.status == 200
            async with http.get(f"http://127.0.0.1:{port}/readyz") as ready:
                assert ready.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = await asyncio.wait_for(process.communicate(), 15)
    lines += [json.loads(raw) for raw in rest.decode().splitlines()]
    assert process.returncode == 0

    def level_of(words: str) -> str:
        return next(line["level"] for line in lines if words in line["message"])

    assert level_of("Whuffie is running") == "INFO"
    assert level_of("connected through Socket Mode") == "INFO"
    assert level_of("Whuffie is stopping") == "INFO"
