"""Members answering one need at the same moment, in several processes on one PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot import texts
from bot.models import Community
from bot.settings import Settings
from bot.store import Store, locked
from tests.bot.conftest import ask_id
from tests.fakes import Community as Process
from tests.fakes import several_processes

pytestmark = pytest.mark.postgres

HELPERS = ("ann", "ben", "cid", "dot")
RACES = 8
# PostgreSQL's codes for a transaction it aborted to break a deadlock or a serialisation race.
LOST_A_RACE = {"40P01", "40001"}


class Races:
    """Four processes on one database, sending through one workspace; counts lost races."""

    def __init__(self, processes: list[Process]) -> None:
        self.processes = processes
        self.lost: list[str] = []
        first = processes[0]
        for p in processes:
            p.port = first.port
            p.core.attach(first.port)
            event.listen(p.core.store.engine, "handle_error", self._seen)

    def _seen(self, context: Any) -> None:
        code = getattr(context.original_exception, "sqlstate", None)
        if code in LOST_A_RACE:
            self.lost.append(code)

    @property
    def first(self) -> Process:
        """The process the setup goes through."""
        return self.processes[0]

    def intros_for(self, words: str) -> int:
        """Introductions sent about the need with these words."""
        return len([s for s in self.first.port.sent if len(s.to) == 2 and words in s.message.text])


@pytest.fixture
def races(pg_url: str) -> Iterator[Races]:
    """Four helpers who can all help with terraform, four processes."""
    settings = Settings(asks_at_once=4, max_open_asks=RACES * 4, asks_per_hour=RACES * 4)
    with several_processes(pg_url, 4, settings) as processes:
        yield Races(processes)


async def offers(races: Races) -> None:
    """Every helper offers terraform."""
    for name in HELPERS:
        await races.first.say(name, "offer", "terraform")


def no_oops(replies: list[str]) -> None:
    """Nobody was told that something went wrong."""
    assert texts.oops().text not in replies


async def test_four_helpers_saying_yes_at_once_get_one_introduction(races: Races) -> None:
    """Four helpers press "I can help" at once in four processes: one intro, no errors."""
    await offers(races)
    for race in range(RACES):
        words = f"terraform state lock number {race}"
        await races.first.say(f"req{race}", "need", words)
        asks = [ask_id(races.first, name) for name in HELPERS]
        pressing = zip(races.processes, HELPERS, asks, strict=True)
        replies = await asyncio.gather(*(p.say(name, "accept", a) for p, name, a in pressing))
        texts_ = [r.text for r in replies]
        no_oops(texts_)
        assert texts_.count(texts.accept_thanks().text) == 1
        assert races.intros_for(words) == 1
    assert races.lost == []


async def test_a_yes_and_a_give_at_once_get_one_introduction(races: Races) -> None:
    """One asked helper says yes while another member gives from /needs: one intro."""
    await offers(races)
    await races.first.say("eve", "offer", "cooking")
    for race in range(RACES):
        words = f"terraform drift number {race}"
        reply = await races.first.say(f"req{race}", "need", words)
        number = reply.text.split("need #", 1)[1].split(")", 1)[0]
        ann = ask_id(races.first, "ann")
        replies = await asyncio.gather(
            races.processes[0].say("ann", "accept", ann),
            races.processes[1].say("eve", "give", number),
        )
        texts_ = [r.text for r in replies]
        no_oops(texts_)
        assert texts_.count(texts.accept_thanks().text) == 1
        assert races.intros_for(words) == 1
    assert races.lost == []


async def test_a_late_yes_and_the_tick_at_once_get_one_introduction(races: Races) -> None:
    """A helper says yes just as the tick expires the asks in another process: one intro."""
    await offers(races)
    for race in range(RACES):
        words = f"terraform modules number {race}"
        for name in HELPERS:  # asks left to expire pause a member: each race starts afresh
            await races.first.say(name, "resume")
        await races.first.say(f"req{race}", "need", words)
        ann = ask_id(races.first, "ann")
        races.first.clock.advance(timedelta(hours=25))
        late, *_ = await asyncio.gather(
            races.processes[0].say("ann", "accept", ann),
            races.processes[1].core.tick(),
            races.processes[2].core.tick(),
        )
        assert late.text != texts.oops().text
        assert races.intros_for(words) == 1
    assert races.lost == []


async def test_a_transaction_that_loses_a_deadlock_runs_again(pg_url: str) -> None:
    """Two transactions lock two rows in opposite orders: both finish, the loser on a retry.

    Commands, ticks and deliveries all run through `Store.run`, so none is lost to a race.
    """
    store = Store.connect(pg_url)
    await asyncio.to_thread(store.upgrade)
    now = datetime.now(UTC)

    def communities(session: Session) -> None:
        session.add_all([Community(id=c, platform="fake", created_at=now) for c in ("a", "b")])

    await store.run(communities)
    both_hold_one = threading.Barrier(2, timeout=30)
    tries: list[str] = []

    def take(first: str, second: str) -> Callable[[Session], str]:
        def work(session: Session) -> str:
            tries.append(first)
            locked(session, Community, first)
            if len(tries) <= 2:  # the first time only: make sure each holds one row
                both_hold_one.wait()
            locked(session, Community, second)
            return first

        return work

    try:
        done = await asyncio.gather(store.run(take("a", "b")), store.run(take("b", "a")))
    finally:
        store.dispose()
    assert sorted(done) == ["a", "b"]
    assert len(tries) == 3  # PostgreSQL aborted one of the two, which then ran again
