"""The HTTP endpoint under attack: junk, replays and slow bodies change nothing and leak nothing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp
import pytest
from sqlalchemy import event

from adapters.slack import SlackAdapter, SlackSettings
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB, Chat, start_slack, stop_slack
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed import SlackSender, signature

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MALFORMED = [
    pytest.param("payload=notjson", FORM, id="payload-not-json"),
    pytest.param("{x", JSON, id="broken-json"),
    pytest.param("[]", JSON, id="json-list"),
    pytest.param("payload=%5B%5D", FORM, id="payload-list"),
    pytest.param("\xff\xfe", FORM, id="not-utf8"),
]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The log records that carry a traceback."""
    return [r.getMessage() for r in caplog.records if r.exc_info or r.exc_text]


async def post_raw(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST bytes as they are (no signing), returning the status."""

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as a,
    ):
        await a.read()
        return a.status


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_an_unsigned_malformed_body_gets_401_without_a_traceback(
    adapter: SlackAdapter,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
) -> None:
    """Junk without a valid signature is refused as unauthorised, quietly, with no work done."""
    assert adapter.http_url is not None
    calls_at_start = len(fake_slack.calls)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    status = await post_raw(adapter.http_url, body.encode("latin-1"), headers)
    await adapter.idle()
    assert status == 401
    assert len(fake_slack.calls) == calls_at_start
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Slack-Request-Timestamp": "abc"}, id="timestamp-abc"),
        pytest.param({"X-Slack-Request-Timestamp": "-12"}, id="timestamp-negative"),
        pytest.param({"X-Slack-Request-Timestamp": "12.5"}, id="timestamp-float"),
        pytest.param({"X-Slack-Request-Timestamp": "9" * 5000}, id="timestamp-5000-digits"),
        pytest.param({"X-Slack-Signature": ""}, id="signature-empty"),
    ],
)
async def test_a_bad_signature_header_gets_401_without_a_traceback(
    adapter: SlackAdapter,
    slack: SlackSender,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
) -> None:
    """A timestamp that is not a number, or a missing signature, is refused as unauthorised."""
    calls_at_start = len(fake_slack.calls)
    answer = await slack.command(ALICE, "/need", "my slow query", headers=headers)
    await adapter.idle()
    assert answer.status == 401
    assert len(fake_slack.calls) == calls_at_start
    assert tracebacks(caplog) == []


async def test_a_request_without_signature_headers_gets_401(
    adapter: SlackAdapter, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """No timestamp and no signature at all: refused, nothing done."""
    assert adapter.http_url is not None
    calls_at_start = len(fake_slack.calls)
    status = await post_raw(adapter.http_url, b"payload=notjson", {"Content-Type": FORM})
    assert status == 401
    assert len(fake_slack.calls) == calls_at_start
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(("body", "content_type"), MALFORMED[:4])
async def test_a_signed_malformed_body_gets_400_without_a_traceback(
    adapter: SlackAdapter,
    slack: SlackSender,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
) -> None:
    """A correctly signed body that is not a Slack payload is a bad request, and does nothing."""
    calls_at_start = len(fake_slack.calls)
    answer = await slack.post(body, content_type)
    await adapter.idle()
    assert answer.status == 400
    assert len(fake_slack.calls) == calls_at_start
    assert tracebacks(caplog) == []


async def replay(slack: SlackSender, body: str, times: int) -> list[int]:
    """Send one signed request `times` times, byte for byte (same timestamp, same signature)."""
    stamp = int(time.time())
    answers = [await slack.post(body, FORM, timestamp=stamp) for _ in range(times)]
    return [a.status for a in answers]


async def test_a_replayed_need_is_posted_once(
    chat: Chat, slack: SlackSender, fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    """A signed /need captured and sent five times asks the helper once and answers once."""
    await chat.type(BOB, "/offer", "postgres")
    response_url = fake_slack.response_url()
    body = slack.command_body(ALICE, "/need", "my slow postgres query", response_url)
    assert await replay(slack, body, 5) == [200] * 5
    await adapter.idle()
    assert len(fake_slack.messages_in(BOB)) == 1
    assert len(fake_slack.replies_to(response_url)) == 1


async def test_a_need_is_told_from_a_replay_in_its_own_transaction(
    chat: Chat, slack: SlackSender, fake_slack: FakeSlack, adapter: SlackAdapter, store: Store
) -> None:
    """A signed /need, its reply and its ask: the command, one claim, one record, no more."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(BOB, "/need", "a second pair of eyes on my slides")  # the matcher is built
    commits = 0

    def counted(_connection: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(store.engine, "commit", counted)
    try:
        response_url = fake_slack.response_url()
        body = slack.command_body(ALICE, "/need", "my slow postgres query", response_url)
        assert await replay(slack, body, 1) == [200]
        await adapter.idle()
    finally:
        event.remove(store.engine, "commit", counted)
    assert len(fake_slack.messages_in(BOB)) == 1
    assert len(fake_slack.replies_to(response_url)) == 1
    assert commits == 3


async def test_a_replayed_thank_you_is_delivered_once(
    chat: Chat, slack: SlackSender, fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    """A signed /thanks sent five times gives Bob one thank-you DM."""
    response_url = fake_slack.response_url()
    body = slack.command_body(ALICE, "/thanks", f"<@{BOB}|bob> you saved my week", response_url)
    assert await replay(slack, body, 5) == [200] * 5
    await adapter.idle()
    assert len(fake_slack.messages_in(BOB)) == 1
    assert len(fake_slack.replies_to(response_url)) == 1


async def test_a_replayed_button_press_acts_once(
    chat: Chat, slack: SlackSender, fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    """Pressing "I can help" replayed five times introduces the two members once."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/need", "my slow postgres query")
    [ask] = fake_slack.messages_in(BOB)
    [button] = [b for b in ask.buttons() if b["text"]["text"] == "I can help"]
    response_url = fake_slack.response_url()
    body = slack.press_body(BOB, button, ask, response_url)
    assert await replay(slack, body, 5) == [200] * 5
    await adapter.idle()
    assert len(fake_slack.messages_in(ALICE, BOB)) == 1
    assert len(fake_slack.replies_to(response_url)) == 1


@pytest.fixture
async def second_worker(
    settings: Settings, slack_settings: SlackSettings, store: Store, fake_slack: FakeSlack
) -> AsyncIterator[SlackAdapter]:
    """Another HTTP worker process on the same database, as behind a load balancer."""
    own_store = Store.connect(settings.database_url)
    worker = await start_slack(Whuffie(settings, own_store, clock=ManualClock()), slack_settings)
    yield worker
    await stop_slack(worker)
    own_store.dispose()


async def test_a_need_replayed_to_two_workers_is_posted_once(
    chat: Chat,
    slack: SlackSender,
    fake_slack: FakeSlack,
    adapter: SlackAdapter,
    second_worker: SlackAdapter,
) -> None:
    """The same signed /need sent to two workers sharing one database is posted once."""
    assert second_worker.http_url is not None
    await chat.type(BOB, "/offer", "postgres")
    response_url = fake_slack.response_url()
    body = slack.command_body(ALICE, "/need", "my slow postgres query", response_url)
    stamp = int(time.time())
    other = SlackSender(second_worker.http_url, fake_slack)
    answers = await asyncio.gather(
        slack.post(body, FORM, timestamp=stamp), other.post(body, FORM, timestamp=stamp)
    )
    assert [a.status for a in answers] == [200, 200]
    await adapter.idle()
    await second_worker.idle()
    assert len(fake_slack.messages_in(BOB)) == 1
    assert len(fake_slack.replies_to(response_url)) == 1


@pytest.mark.postgres
async def test_two_workers_on_postgresql_post_a_replayed_need_once(
    fake_slack: FakeSlack, settings: Settings, slack_settings: SlackSettings, pg_url: str
) -> None:
    """On PostgreSQL, four workers each handed the same signed /need post it once."""
    pg_settings = replace(settings, database_url=pg_url)
    stores = [Store.connect(pg_url) for _ in range(4)]
    stores[0].upgrade()
    workers = [await start_slack(Whuffie(pg_settings, s), slack_settings) for s in stores]
    try:
        senders = [SlackSender(str(w.http_url), fake_slack) for w in workers]
        offer = await senders[0].command(BOB, "/offer", "postgres")
        assert offer.status == 200
        await workers[0].idle()
        response_url = fake_slack.response_url()
        body = senders[0].command_body(ALICE, "/need", "my slow postgres query", response_url)
        stamp = int(time.time())
        answers = await asyncio.gather(*(s.post(body, FORM, timestamp=stamp) for s in senders))
        assert [a.status for a in answers] == [200] * 4
        for worker in workers:
            await worker.idle()
        assert len(fake_slack.messages_in(BOB)) == 1
        assert len(fake_slack.replies_to(response_url)) == 1
    finally:
        for worker in workers:
            await worker.stop()
        for s in stores:
            s.dispose()


async def test_the_same_command_typed_twice_runs_twice(
    chat: Chat, fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    """Two genuine requests with the same words are two requests: only exact replays are dropped."""
    await chat.type(BOB, "/offer", "postgres")
    await chat.type(ALICE, "/thanks", f"<@{BOB}|bob> thank you")
    await chat.type(ALICE, "/thanks", f"<@{BOB}|bob> thank you")
    assert len(fake_slack.messages_in(BOB)) == 2


async def test_a_slow_body_is_cut_off(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    """A client that announces a body and then trickles it is answered 408 and let go."""
    assert adapter.http_url is not None
    adapter.body_timeout = 0.2
    url = urlsplit(adapter.http_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: 1000\r\n"
        f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0=00\r\n\r\n"
    )
    writer.write(head.encode() + b"command=%2Fneed&text=")
    await writer.drain()
    try:
        status_line = await asyncio.wait_for(reader.readline(), 30)
    finally:
        writer.close()
    assert status_line.split()[1] == b"408"
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_an_oversized_body_is_refused(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    """A body far larger than anything Slack sends is refused before it is checked."""
    assert adapter.http_url is not None
    body = b"text=" + b"a" * (2 * 1024 * 1024)
    status = await post_raw(adapter.http_url, body, {"Content-Type": FORM})
    assert status == 413
    assert fake_slack.calls_to("chat.postMessage") == []


MARKER = "zebra-marker-7731"


async def test_no_member_words_reach_any_log_even_at_debug(
    chat: Chat,
    slack: SlackSender,
    fake_slack: FakeSlack,
    adapter: SlackAdapter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With every logger at DEBUG, a member's words never show in a log line, good or bad."""
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "aiohttp", "adapters", "bot", "whuffie"):
        caplog.set_level(logging.DEBUG, logger=name)
    await chat.type(BOB, "/offer", f"postgres, {MARKER}")
    await slack.command(ALICE, "/need", f"my {MARKER} query", secret="not-the-secret")
    await slack.command(ALICE, "/need", f"my {MARKER} query", timestamp=int(time.time()) - 600)
    stamp = str(int(time.time()))
    body = slack.command_body(ALICE, "/need", f"{MARKER} postgres", fake_slack.response_url())
    headers = {"X-Slack-Signature": signature(slack.secret, stamp, body)}
    await slack.post(body + "x", FORM, timestamp=int(stamp), headers=headers)
    await slack.post(f"payload=%7B{MARKER}", FORM)
    await slack.post(f"{{{MARKER}", JSON, headers={"X-Slack-Request-Timestamp": MARKER})
    await chat.type(ALICE, "/need", f"my {MARKER} postgres query")
    [ask] = fake_slack.messages_in(BOB)
    await chat.press(BOB, ask, "I can help")
    await chat.type(ALICE, "/thanks", f"<@{BOB}|bob> {MARKER} thanks")
    await slack.event(
        {"type": "message", "user": ALICE, "text": MARKER, "channel": "DUALICE"}, "Ev0MARK"
    )
    await adapter.idle()
    assert any(MARKER in str(c.args) for c in fake_slack.calls)  # the words did travel
    assert caplog.records  # and the libraries did log
    leaked = [
        f"{r.name}: {r.getMessage()[:80]}"
        for r in caplog.records
        if MARKER in r.getMessage() or MARKER in (caplog.handler.format(r) or "")
    ]
    assert leaked == []
