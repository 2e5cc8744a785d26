"""`kill -9` of a real `whuffie run` on PostgreSQL: what was owed is delivered after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import SystemClock
from bot.context import Context
from bot.members import ensure_member
from bot.outbox import SEND_AT_ONCE
from bot.port import Actor, Message
from bot.settings import Settings
from bot.store import Store
from tests.adapters.slack.conftest import ALICE, BOB
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, TEAM_ID, FakeSlack, Posted
from tests.adapters.slack.test_run import type_command
from tests.processes import start_bot

pytestmark = pytest.mark.postgres

STARTUP_SECONDS = 30.0
KILLS = 10
# The lease a killed process's message waits out: short here so the test is quick; to measure
# with the product's default, run it with WHUFFIE_CRASH_LEASE_SECONDS=30 and `-s`.
LEASE_SECONDS = int(os.environ.get("WHUFFIE_CRASH_LEASE_SECONDS", "2"))
# Each chat.postMessage takes this long; a process sends a batch at a time, so it sends about
# three a second, and a kill finds a batch in flight.
POST_SECONDS = 0.3 * SEND_AT_ONCE
# Owed DMs to start with (what the lease waits let through, and the batch each kill holds
# back); each round tops them up when few are left, so no kill ever finds nothing to send.
OWED = max(200, int(KILLS * LEASE_SECONDS * SEND_AT_ONCE / POST_SECONDS) + KILLS * SEND_AT_ONCE)


@pytest.fixture
async def processes() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Bot processes a test starts; any still running at its end (a failure) are killed."""
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.communicate()


@pytest.fixture
async def database(pg_url: str, tmp_path: Path) -> AsyncIterator[Store]:
    """A PostgreSQL schema brought up to date by `whuffie db upgrade`, as an operator would."""
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", cwd=tmp_path, env=environ(pg_url, None)
    )
    assert await asyncio.wait_for(upgrade.wait(), STARTUP_SECONDS) == 0
    store = Store.connect(pg_url)
    yield store
    store.dispose()


def environ(pg_url: str, fake: FakeSlack | None) -> dict[str, str]:
    """`whuffie run` on PostgreSQL and the fake Slack, ticking every second."""
    return {
        **os.environ,
        "WHUFFIE_DATABASE_URL": pg_url,
        "WHUFFIE_TICK_SECONDS": "1",
        "WHUFFIE_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "",
        "SLACK_API_BASE_URL": fake.api_url if fake else "",
        "DISCORD_TOKEN": "",
    }


async def serving(
    fake: FakeSlack, pg_url: str, tmp_path: Path, started: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    """A fresh `whuffie run`, once Slack has its new Socket Mode connection."""
    fake.reset_socket()
    process = await start_bot(tmp_path, environ(pg_url, fake))
    started.append(process)
    await asyncio.wait_for(fake.socket_connected(), STARTUP_SECONDS)
    return process


async def kill(process: asyncio.subprocess.Process) -> None:
    """`kill -9`: nothing of the process runs any more."""
    process.kill()
    await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == -signal.SIGKILL


async def until(condition: Callable[[], object], what: str, within: float = 60.0) -> None:
    """Wait for something the bot does (bounded)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


def statuses(store: Store) -> Counter[str]:
    """How many outbox rows are in each state."""
    with store.session() as session:
        return Counter(s for (s,) in session.execute(text("SELECT status FROM outbox")))


def unsent(store: Store) -> int:
    """How many owed messages are not sent yet."""
    return sum(n for status, n in statuses(store).items() if status != "sent")


def sending(store: Store) -> set[int]:
    """The messages claimed by a sender right now."""
    with store.session() as session:
        rows = session.execute(text("SELECT id FROM outbox WHERE status = 'sending'"))
        return {i for (i,) in rows}


def sent(store: Store, ids: set[int]) -> bool:
    """Tell whether all these messages are marked sent."""
    with store.session() as session:
        rows = session.execute(text("SELECT id, status FROM outbox")).all()
    return all(status == "sent" for i, status in rows if i in ids)


def owe(store: Store, fake: FakeSlack, count: int, first: int = 0) -> list[str]:
    """`count` DMs owed to as many members, as the core records them; their texts."""
    ctx = Context(settings=Settings(), clock=SystemClock())
    texts = [f"owed message {n:03d}" for n in range(first, first + count)]
    with store.session() as session:
        for n, words in enumerate(texts, start=first):
            user = f"UM{n:03d}"
            fake.add_user(user, f"Member {n}")
            actor = Actor("slack", f"slack:{TEAM_ID}", user, f"Member {n}")
            ctx.say(session, [ensure_member(session, actor, datetime.now(UTC))], Message(words))
    return texts


async def test_kill_9_during_delivery_loses_nothing_and_strands_nothing(
    fake_slack: FakeSlack,
    database: Store,
    pg_url: str,
    tmp_path: Path,
    processes: list[asyncio.subprocess.Process],
) -> None:
    """Ten `kill -9` mid-delivery: every owed DM arrives, twice only if it was in flight."""
    owed = owe(database, fake_slack, OWED)
    fake_slack.slow("chat.postMessage", POST_SECONDS)
    in_flight_at_kill: set[int] = set()
    delays: list[float] = []
    after_kill: list[float] = []
    killed = time.monotonic()
    for _ in range(KILLS):
        process = await serving(fake_slack, pg_url, tmp_path, processes)
        started = time.monotonic()
        stranded = set(in_flight_at_kill)
        await until(partial(sent, database, stranded), "the stranded message is delivered")
        if stranded:
            delays.append(time.monotonic() - started)
            after_kill.append(time.monotonic() - killed)
        calls = len(fake_slack.calls_to("chat.postMessage"))
        if unsent(database) < 2 * SEND_AT_ONCE:
            # However fast the lease waits let the bot send, every kill finds sends to stop.
            owed += owe(database, fake_slack, 4 * SEND_AT_ONCE, first=len(owed))

        def another_send(before: int = calls) -> bool:
            return len(fake_slack.calls_to("chat.postMessage")) > before

        await until(another_send, "a send")
        await kill(process)
        killed = time.monotonic()
        now_sending = sending(database)
        # The messages it was sending at once, one per conversation; never a queue behind them.
        assert len(now_sending) <= SEND_AT_ONCE, "a killed process holds back one batch at most"
        in_flight_at_kill |= now_sending
    process = await serving(fake_slack, pg_url, tmp_path, processes)
    started = time.monotonic()
    await until(lambda: sent(database, in_flight_at_kill), "the last stranded message")
    delays.append(time.monotonic() - started)
    after_kill.append(time.monotonic() - killed)
    drain = max(120.0, len(owed) * POST_SECONDS)
    await until(lambda: set(statuses(database)) == {"sent"}, "everything owed is delivered", drain)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 0
    posted = Counter(m.text for m in fake_slack.posted.values())
    missing = [t for t in owed if posted[t] == 0]
    twice = sum(posted[t] - 1 for t in owed)
    assert missing == []
    assert twice <= len(in_flight_at_kill) <= KILLS * SEND_AT_ONCE
    print(
        f"\n{KILLS} x kill -9 while delivering {len(owed)} owed DMs (lease {LEASE_SECONDS} s, "
        f"tick 1 s): delivered {len(owed) - len(missing)}/{len(owed)}, stuck 0, "
        f"sent twice {twice} (in flight at a kill: {len(in_flight_at_kill)}); "
        f"a stranded DM went out {statistics.median(delays):.1f} s after the restart "
        f"(median; max {max(delays):.1f} s), {statistics.median(after_kill):.1f} s after the "
        f"kill (median; max {max(after_kill):.1f} s)"
    )


async def test_kill_9_before_the_reply_goes_out_still_answers_the_member(
    fake_slack: FakeSlack,
    database: Store,
    pg_url: str,
    tmp_path: Path,
    processes: list[asyncio.subprocess.Process],
) -> None:
    """Killed after `/offer` was stored but before its reply was shown: the reply comes by DM."""
    process = await serving(fake_slack, pg_url, tmp_path, processes)
    offered = await type_command(fake_slack, BOB, "/offer", "postgres")
    await until(lambda: fake_slack.replies_to(offered), "the reply to Bob")
    fake_slack.slow("respond", 600)
    alice = await type_command(fake_slack, ALICE, "/offer", "figma")
    await until(lambda: alice in fake_slack.responding, "Alice's reply is on its way")
    await kill(process)
    with database.session() as session:
        skills = session.execute(text("SELECT name FROM skill")).scalars().all()
    assert sorted(skills) == ["figma", "postgres"], "the change was committed"
    assert not fake_slack.replies_to(alice)
    fake_slack.slow("respond", 0)
    process = await serving(fake_slack, pg_url, tmp_path, processes)
    try:
        await until(lambda: fake_slack.messages_in(ALICE), "Alice hears back")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    [reply] = fake_slack.messages_in(ALICE)
    assert "figma" in reply.shown_text()
    assert process.returncode == 0
    assert statuses(database) == Counter(), "a delivered reply is not kept"


async def test_kill_9_in_the_middle_of_a_tick_moves_the_need_on_once(
    fake_slack: FakeSlack,
    database: Store,
    pg_url: str,
    tmp_path: Path,
    processes: list[asyncio.subprocess.Process],
) -> None:
    """Killed while its tick expires an ask: after a restart the next helper is asked, once."""
    for user, name in [(ALICE, "Alice"), (BOB, "Bob"), ("UCAROL", "Carol")]:
        fake_slack.add_user(user, name)
    # No message here is killed mid-send: the default lease, so a loaded machine's slow lease
    # renewal never sends a reply twice.
    env = {
        **environ(pg_url, fake_slack),
        "WHUFFIE_ASKS_AT_ONCE": "1",
        "WHUFFIE_OUTBOX_LEASE_SECONDS": "30",
    }
    fake_slack.reset_socket()
    process = await start_bot(tmp_path, env)
    processes.append(process)
    await asyncio.wait_for(fake_slack.socket_connected(), STARTUP_SECONDS)
    for helper in (BOB, "UCAROL"):
        offered = await type_command(fake_slack, helper, "/offer", "postgres")
        await until(partial(fake_slack.replies_to, offered), "the offer is taken")
    words = "my postgres query is slow"
    await type_command(fake_slack, ALICE, "/need", words)
    helpers = {BOB, "UCAROL"}

    def asks_to(user: str) -> list[Posted]:
        return [m for m in fake_slack.messages_in(user) if words in m.shown_text()]

    await until(lambda: any(asks_to(u) for u in helpers), "the first ask")
    [first] = [u for u in helpers if asks_to(u)]
    [second] = helpers - {first}

    # Hold the first helper's row, so the tick that expires their ask stops inside its
    # transaction, holding the need and the ask; then make the ask overdue.
    holder = database.engine.connect()
    holding = holder.begin()
    me = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
    holder.execute(text("SELECT id FROM member WHERE user_id = :u FOR UPDATE"), {"u": first}).all()
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE ask SET expires_at = now() - interval '1 minute'"))

    def tick_waits_on_us() -> bool:
        with database.engine.connect() as conn:
            query = "SELECT count(*) FROM pg_stat_activity WHERE :me = ANY(pg_blocking_pids(pid))"
            return bool(conn.execute(text(query), {"me": me}).scalar_one())

    await until(tick_waits_on_us, "the tick stops on the held row")
    await kill(process)
    holding.rollback()
    holder.close()
    assert not asks_to(second), "the killed tick asked nobody"

    process = await serving(fake_slack, pg_url, tmp_path, processes)
    try:
        await until(lambda: asks_to(second), "the next helper is asked")
        await until(lambda: set(statuses(database)) <= {"sent"}, "everything owed is delivered")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 0
    assert len(asks_to(second)) == 1, "asked once, not once per tick"
    with database.session() as session:
        asks = session.execute(
            text("SELECT m.user_id, a.status FROM ask a JOIN member m ON m.id = a.member_id")
        ).all()
    assert sorted(asks) == sorted([(first, "expired"), (second, "pending")])
    [closed] = asks_to(first)
    assert "postgres" in closed.shown_text()
    assert not closed.buttons(), "the expired ask can no longer be answered"
