"""Messages owed are recorded with the change and delivered after it, exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot import texts
from bot.models import ASK_UNDELIVERABLE, OUT_SENDING, Ask, Outbox
from bot.outbox import MAX_ATTEMPTS, Claimed, backoff, claim
from bot.port import Actor, Invocation, Message
from bot.settings import Settings
from bot.store import Store
from bot.usecases.stats import compute
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community, RecordingPort, two_processes


async def test_failed_introduction_is_delivered_by_next_tick_exactly_once(
    community: Community,
) -> None:
    """The port fails while delivering an intro; the next tick delivers it once."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    ask = ask_id(community, "ann")
    community.port.failures = 1
    reply = await community.say("ann", "accept", ask)
    assert "introduced" in reply.text  # the accept itself is stored
    assert not [s for s in community.port.sent if len(s.to) == 2]
    community.clock.advance(timedelta(minutes=1))
    await community.core.tick()
    await community.core.tick()
    community.clock.advance(timedelta(hours=1))
    await community.core.tick()
    intros = [s for s in community.port.sent if len(s.to) == 2]
    assert len(intros) == 1
    assert "python help" in intros[0].message.text


async def test_undeliverable_ask_moves_to_next_candidate(store: Store) -> None:
    """A member the platform cannot reach is skipped for the next candidate."""
    community = Community(store, Settings(asks_at_once=1))
    for name in ("ann", "ben"):
        await community.say(name, "offer", "python")
    community.port.closed_dms = {"ann", "ben"}
    await community.say("bob", "need", "python help")
    with store.session() as session:
        statuses = session.exec(select(Ask.status)).all()
    assert statuses == [ASK_UNDELIVERABLE, ASK_UNDELIVERABLE]
    assert "busy this time" in community.port.last_to("bob").text


async def test_nobody_reachable_tells_requester(community: Community) -> None:
    """When no candidate can be reached, the requester is told and nobody waits."""
    await community.say("ann", "offer", "python")
    community.port.closed_dms = {"ann"}
    await community.say("bob", "need", "python help")
    assert "busy this time" in community.port.last_to("bob").text


class GatedPort(RecordingPort):
    """A port whose sends wait at a gate, like a platform that answers slowly."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """Wait for the gate, then send."""
        await self.gate.wait()
        return await super().send_dm(community, user_ids, message)


async def claimed(store: Store) -> None:
    """Wait until a message is claimed and being sent (bounded: 10 s)."""
    for _ in range(200):
        with store.session() as session:
            if session.exec(select(Outbox).where(Outbox.status == OUT_SENDING)).first():
                return
        await asyncio.sleep(0.05)
    raise AssertionError("no message was claimed")


@pytest.fixture
def processes(database_url: str) -> Iterator[tuple[Community, Community]]:
    """Two processes on one database."""
    with two_processes(database_url) as pair:
        yield pair


async def renewed(store: Store, at: datetime) -> None:
    """Wait until the message being sent has had its lease renewed at `at` (bounded: 10 s)."""
    for _ in range(200):
        with store.session() as session:
            row = session.exec(select(Outbox).where(Outbox.status == OUT_SENDING)).first()
            if row is not None and row.claimed_at is not None and aware(row.claimed_at) >= at:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the lease was not renewed")


def aware(when: datetime) -> datetime:
    """SQLite hands datetimes back without their zone (they are stored in UTC)."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def test_a_slow_send_is_not_sent_again_by_another_process(database_url: str) -> None:
    """While one process is still sending, it renews its claim and other processes keep off."""
    lease = timedelta(seconds=0.3)  # renewed every 0.1 s of real time
    with two_processes(database_url, Settings(outbox_lease=lease)) as (a, b):
        slow = GatedPort()
        a.core.attach(slow)
        sending = asyncio.create_task(a.say("bob", "thanks", "you rock", target="ann"))
        await claimed(a.core.store)  # its send is waiting at the gate
        a.clock.advance(timedelta(minutes=10))
        await renewed(a.core.store, a.clock.now())
        await b.core.tick()
        slow.gate.set()
        await sending
    delivered = slow.to("ann") + b.port.to("ann")
    assert len([m for m in delivered if "you rock" in m.text]) == 1


async def test_a_late_failure_cannot_requeue_a_reclaimed_message(
    processes: tuple[Community, Community],
) -> None:
    """After a crashed claim is taken over, the first claimant's late answer changes nothing."""
    a, b = processes
    failing = GatedPort()
    failing.failures = 1
    a.core.attach(failing)
    sending = asyncio.create_task(a.say("bob", "thanks", "you rock", target="ann"))
    await claimed(a.core.store)
    a.clock.advance(timedelta(hours=1))  # past the lease: process A looks dead
    await b.core.tick()
    assert len(b.port.to("ann")) == 1
    failing.gate.set()  # A's send finally fails...
    await sending
    a.clock.advance(timedelta(hours=2))
    await b.core.tick()  # ...and that must not make the message due again
    assert len(b.port.to("ann")) == 1


async def test_a_long_outage_never_drops_an_introduction(community: Community) -> None:
    """Hours of failures: retries back off, and the introduction arrives in the end."""
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "python help")
    community.port.failures = 20
    await community.say("ann", "accept", ask_id(community, "ann"))
    for _ in range(60):
        community.clock.advance(timedelta(hours=1))
        await community.core.tick()
    intros = [s for s in community.port.sent if len(s.to) == 2]
    assert len(intros) == 1


async def test_a_crash_mid_delivery_holds_back_only_the_message_being_sent(
    processes: tuple[Community, Community],
) -> None:
    """A process dies while sending: every other owed message goes out at once, that one soon."""
    a, b = processes
    stuck = GatedPort()  # its sends never finish: the process dies mid-send
    a.core.attach(stuck)
    for n, name in enumerate(("bob", "cid", "dan", "eve", "fay")):
        await a.core.handle(
            Invocation(
                Actor("fake", COMMUNITY, name, name.title()),
                "thanks",
                f"thank you {n}",
                Actor("fake", COMMUNITY, "ann", "Ann"),
            )
        )
    sending = asyncio.create_task(a.core.flush())
    await claimed(a.core.store)
    sending.cancel()  # like kill -9: nothing of process A runs any more
    await asyncio.gather(sending, return_exceptions=True)
    await b.core.tick()
    assert len(b.port.to("ann")) == 4, "the messages A had not started are not held back"
    a.clock.advance(timedelta(minutes=1))
    await b.core.tick()
    thanked = sorted(m.text for m in b.port.to("ann"))
    assert len(thanked) == 5 and len(set(thanked)) == 5
    with a.core.store.session() as session:
        assert not session.exec(select(Outbox).where(Outbox.status == OUT_SENDING)).all()


async def test_a_message_that_never_goes_through_is_given_up_and_shown_to_admins(
    community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    """Tries are capped: then the message is dead, the log says so once, and stats count it."""
    community.port.failures = 1000
    await community.say("bob", "thanks", "you rock", target="ann")
    for _ in range(60):
        community.clock.advance(timedelta(hours=1))
        await community.core.tick()
    with community.core.store.session() as session:
        [row] = session.exec(select(Outbox)).all()
        figures = compute(session, COMMUNITY)
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert community.port.failures == 1000 - MAX_ATTEMPTS, "no try after the last"
    assert sum("given up after" in r.getMessage() for r in caplog.records) == 1
    assert figures.messages_given_up == 1
    assert "gave up on after many tries: 1" in texts.helpstats(figures).text


def test_retries_back_off_with_jitter_up_to_an_hour() -> None:
    """Waits double from 10 s to an hour, each a random half to whole of that."""
    waits = [backoff(n) for n in range(1, 12)]
    assert timedelta(seconds=5) <= waits[0] <= timedelta(seconds=10)
    assert timedelta(minutes=30) <= waits[-1] <= timedelta(hours=1)
    assert len({backoff(5) for _ in range(20)}) > 1, "jittered"


async def test_delivered_messages_are_deleted_after_the_retention_period(
    community: Community,
) -> None:
    """Members' words are not kept forever: a delivered thank-you goes after 30 days."""
    await community.say("bob", "thanks", "you rock", target="ann")
    community.clock.advance(timedelta(days=29))
    await community.core.tick()
    with community.core.store.session() as session:
        assert [r.status for r in session.exec(select(Outbox))] == ["sent"]
    community.clock.advance(timedelta(days=2))
    await community.core.tick()
    with community.core.store.session() as session:
        assert session.exec(select(Outbox)).all() == []


class CountingGate(RecordingPort):
    """A port that holds every send until the test opens the gate, counting those waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = 0

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """Wait at the gate with the others, then send."""
        self.waiting += 1
        await self.gate.wait()
        return await super().send_dm(community, user_ids, message)


async def test_the_asks_of_a_need_go_out_together(community: Community) -> None:
    """Three members asked about one need are all being sent to at once, not one by one."""
    for name in ("ann", "ben", "cat"):
        await community.say(name, "offer", "python")
    port = CountingGate()
    community.core.attach(port)
    await community.core.handle(Invocation(Actor("fake", COMMUNITY, "bob", "Bob"), "need", "py"))
    sending = asyncio.create_task(community.core.flush())
    for _ in range(400):  # a hang guard only
        if port.waiting == 3:
            break
        await asyncio.sleep(0.025)
    at_once = port.waiting
    port.gate.set()
    assert await sending == 3
    assert at_once == 3, "the three asks were sent one after another"
    assert sorted(s.to for s in port.sent) == [("ann",), ("ben",), ("cat",)]


async def test_delivering_a_batch_takes_one_claim_and_one_record(community: Community) -> None:
    """The asks of a need are claimed together and marked sent together: two transactions."""
    for name in ("ann", "ben", "cat"):
        await community.say(name, "offer", "python")
    await community.core.handle(Invocation(Actor("fake", COMMUNITY, "bob", "Bob"), "need", "py"))
    commits = 0

    def counted(_connection: object) -> None:
        nonlocal commits
        commits += 1

    engine = community.core.store.engine
    event.listen(engine, "commit", counted)
    try:
        assert await community.core.flush() == 3
    finally:
        event.remove(engine, "commit", counted)
    assert commits == 2


async def test_messages_to_one_member_arrive_in_the_order_they_were_owed(
    community: Community,
) -> None:
    """Several thank-yous to one member, delivered together, reach them in order."""
    for n, name in enumerate(("bob", "cid", "dan", "eve", "fay")):
        await community.core.handle(
            Invocation(
                Actor("fake", COMMUNITY, name, name.title()),
                "thanks",
                f"thank you {n}",
                Actor("fake", COMMUNITY, "ann", "Ann"),
            )
        )
    await community.core.flush()
    got = [m.text for m in community.port.to("ann")]
    assert len(got) == 5
    assert [next(n for n in range(5) if f"thank you {n}" in t) for t in got] == list(range(5))


async def answered(community: Community, user: str, command: str, args: str = "") -> list[str]:
    """`user` types a command answered through `answer`; the replies their channel got."""
    got: list[str] = []

    async def send(reply: Message) -> None:
        got.append(reply.text)

    actor = Actor("fake", COMMUNITY, user, user.title())
    await community.core.answer(Invocation(actor, command, args), send)
    return got


async def test_a_command_its_reply_and_its_asks_take_three_transactions(
    community: Community,
) -> None:
    """The reply is forgotten with the claim of the asks: the command, a claim, a record."""
    for name in ("ann", "ben", "cat"):
        await community.say(name, "offer", "python")
    assert await community.core.index_ready(COMMUNITY)  # its matcher built beforehand
    commits = 0

    def counted(_connection: object) -> None:
        nonlocal commits
        commits += 1

    engine = community.core.store.engine
    event.listen(engine, "commit", counted)
    try:
        assert len(await answered(community, "bob", "need", "python help")) == 1
        assert await community.core.flush() == 3
    finally:
        event.remove(engine, "commit", counted)
    assert commits == 3


async def no_reply_owed(store: Store) -> None:
    """Wait until no reply is recorded as owed (a hang guard only: nothing here is timed)."""
    async with asyncio.timeout(30):
        while True:
            with store.session() as session:
                if not session.exec(select(Outbox).where(Outbox.kind == "reply")).all():
                    return
            await asyncio.sleep(0.01)


async def test_a_delivered_reply_is_not_sent_again_when_nothing_else_is_delivered(
    database_url: str,
) -> None:
    """No delivery follows the reply: it is forgotten all the same, and no process resends it."""
    with two_processes(database_url) as (a, b):
        a.core.sender.forget_replies_within = 0
        assert len(await answered(a, "bob", "profile")) == 1
        await no_reply_owed(a.core.store)
        a.clock.advance(timedelta(hours=1))  # any lease on it long gone
        await b.core.tick()
    assert not a.port.to("bob")


async def test_a_reply_delivered_just_before_a_stop_is_not_sent_again_after(
    database_url: str,
) -> None:
    """Stopped right after a reply went out, nothing of it is sent again by the next start."""
    with two_processes(database_url) as (a, b):
        assert len(await answered(a, "bob", "profile")) == 1
        await a.core.close()
        a.clock.advance(timedelta(hours=1))
        await b.core.tick()
    assert not a.port.to("bob")


async def test_replies_delivered_together_are_forgotten_together(database_url: str) -> None:
    """Several replies out at once: the next delivery forgets them all and delivers the rest."""
    with two_processes(database_url) as (a, b):
        for name in ("ann", "ben", "cat"):
            await a.say(name, "offer", "python")
        answers = await asyncio.gather(
            answered(a, "bob", "need", "python help"), answered(a, "dan", "offer", "rust")
        )
        assert [len(replies) for replies in answers] == [1, 1]
        assert await a.core.flush() == 3
        await no_reply_owed(a.core.store)
        a.clock.advance(timedelta(hours=1))
        await b.core.tick()
    assert not a.port.to("bob") and not a.port.to("dan")


async def test_two_processes_claiming_at_once_never_both_take_a_message(
    processes: tuple[Community, Community],
) -> None:
    """One process reads a message as due; another claims it meanwhile: only one sends it.

    The second claim runs while the first is between reading the due messages and marking
    them (forced with a hook on the first's connection), the narrowest window there is.
    """
    a, b = processes
    await a.say("ann", "offer", "python")  # the community and its member exist
    now = a.clock.now()
    with a.core.store.session() as session:
        session.add(
            Outbox(
                community_id=COMMUNITY,
                kind="dm",
                recipients=["ann"],
                text="hello",
                next_attempt_at=now,
                created_at=now,
            )
        )
    others: list[list[Claimed]] = []

    def b_claims() -> None:
        with b.core.store.session() as session:
            others.append(claim(b.core.ctx, session)[0])

    hooked = a.core.store.engine
    ran: list[threading.Thread] = []

    def between(conn: object, cursor: object, statement: str, *args: object) -> None:
        if ran or "FROM outbox" not in statement or "ORDER BY" not in statement:
            return
        thread = threading.Thread(target=b_claims)
        ran.append(thread)
        thread.start()
        thread.join(timeout=1.0)  # on SQLite it waits for this claim's write lock

    event.listen(hooked, "after_cursor_execute", between)
    try:
        with a.core.store.session() as session:
            mine, _ = claim(a.core.ctx, session)
    finally:
        event.remove(hooked, "after_cursor_execute", between)
    for thread in ran:
        thread.join(timeout=30)
    assert ran, "the hook never ran: the due query changed"
    claims = [item.id for item in mine] + [item.id for batch in others for item in batch]
    assert len(claims) == 1
