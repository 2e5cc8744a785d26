"""Benchmark: four helpers press "I can help" on one need at once, in four processes.

Run on a PostgreSQL server (a fresh schema is made and dropped):

    .venv/bin/python -m tests.bench_races [postgresql://postgres@127.0.0.1:5432/test] [--races 50]

Each of the four "processes" is a core with a connection pool of its own, as separate bot
processes would be. Prints the deadlocks PostgreSQL broke (seen by the drivers, and the
database's own counter), the replies that said something went wrong, introductions per
need, and the accept latency (from the button press to the reply) p50 and max.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, text

from bot import texts
from bot.port import Actor, Invocation
from bot.settings import Settings
from tests.fakes import COMMUNITY, Community, several_processes

HELPERS = ("ann", "ben", "cid", "dot")


def database_deadlocks(base: str) -> int:
    """PostgreSQL's own count of deadlocks in this database (all schemas)."""
    engine = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()
    engine.dispose()
    return int(found)


async def press(process: Community, user: str, ask: str) -> tuple[float, str]:
    """One accept; its latency in seconds and the reply's text."""
    actor = Actor("fake", COMMUNITY, user, user.title())
    started = time.perf_counter()
    reply = await process.core.handle(Invocation(actor, "accept", ask))
    return time.perf_counter() - started, reply.text


async def bench(url: str, races: int) -> dict[str, Any]:
    """Run the races; the figures."""
    lost: list[str] = []

    def seen(context: Any) -> None:
        code = getattr(context.original_exception, "sqlstate", None)
        if code in ("40P01", "40001"):
            lost.append(code)

    settings = Settings(asks_at_once=4, max_open_asks=races * 4 + 4, asks_per_hour=races * 4 + 4)
    with several_processes(url, 4, settings) as processes:
        first = processes[0]
        for p in processes:
            p.port = first.port
            p.core.attach(first.port)
            event.listen(p.core.store.engine, "handle_error", seen)
        for name in HELPERS:
            await first.say(name, "offer", "terraform")
        latencies: list[float] = []
        oops = wrong_intros = 0
        for race in range(races):
            words = f"terraform state lock number {race}"
            await first.say(f"req{race}", "need", words)
            asks = [
                next(b.arg for b in first.port.last_to(n).buttons if b.command == "accept")
                for n in HELPERS
            ]
            results = await asyncio.gather(
                *(press(p, n, a) for p, n, a in zip(processes, HELPERS, asks, strict=True))
            )
            await first.core.flush()
            latencies += [seconds for seconds, _ in results]
            oops += sum(1 for _, said in results if said == texts.oops().text)
            intros = [s for s in first.port.sent if len(s.to) == 2 and words in s.message.text]
            wrong_intros += len(intros) != 1
    return {
        "lost": len(lost),
        "oops": oops,
        "wrong_intros": wrong_intros,
        "p50": statistics.median(latencies),
        "max": max(latencies),
        "accepts": len(latencies),
    }


def main() -> None:
    """Parse the arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("WHUFFIE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test"),
    )
    parser.add_argument("--races", type=int, default=50)
    args = parser.parse_args()
    base: str = args.url
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    before = database_deadlocks(base)
    try:
        figures = asyncio.run(bench(url, args.races))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    time.sleep(1.5)  # PostgreSQL publishes its counters about once a second
    after = database_deadlocks(base)
    print(f"races: {args.races} (4 helpers each, 4 processes), accepts: {figures['accepts']}")
    print(f"deadlocks seen by the drivers: {figures['lost']}")
    print(f"deadlocks counted by PostgreSQL in the database (any client): {after - before}")
    print(f'replies "something went wrong": {figures["oops"]}')
    print(f"needs without exactly one introduction: {figures['wrong_intros']}")
    print(f"accept latency: p50 {figures['p50'] * 1000:.0f} ms, max {figures['max'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
