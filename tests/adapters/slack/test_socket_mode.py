"""Socket Mode: with an app-level token, Slack's requests come over a websocket instead."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from adapters.slack import SlackAdapter, SlackSettings
from bot.app import Whuffie
from tests.adapters.slack.conftest import ALICE, start_slack, stop_slack
from tests.adapters.slack.fake_slack import APP_TOKEN, FakeSlack
from tests.adapters.slack.signed import SlackSender


@pytest.fixture
async def socket_adapter(
    core: Whuffie, socket_settings: SlackSettings
) -> AsyncIterator[SlackAdapter]:
    """The adapter connected to the fake's websocket, taking no events over HTTP."""
    slack = await start_slack(core, socket_settings)
    yield slack
    await stop_slack(slack)


async def test_a_slash_command_over_socket_mode_is_acked_and_answered(
    socket_adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    """A command envelope is acknowledged at once and answered through its response URL."""
    assert socket_adapter.http_url is None
    [connect] = fake_slack.calls_to("apps.connections.open")
    assert connect.token == APP_TOKEN
    fake_slack.delay = 2.0
    sender = SlackSender("unused", fake_slack)
    response_url = fake_slack.response_url()
    payload = dict(parse_qsl(sender.command_body(ALICE, "/profile", "", response_url)))
    started = asyncio.get_running_loop().time()
    acked = await fake_slack.socket_send(
        {
            "envelope_id": "e0a1b2c3-socket-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
    )
    ack = await asyncio.wait_for(acked, 3)
    assert asyncio.get_running_loop().time() - started < 3.0
    assert ack["envelope_id"] == "e0a1b2c3-socket-1"
    await socket_adapter.idle()
    assert len(fake_slack.replies_to(response_url)) == 1
