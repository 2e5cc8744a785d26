"""Benchmark: how long the bot takes to notice a silent database, with the default timeouts.

Run on a PostgreSQL server (a fresh schema is made and dropped):

    .venv/bin/python -m tests.bench_silence [postgresql://postgres@127.0.0.1:5432/test]

Prints the time from start to a clear error when the database accepts connections and
never answers, the time from a member's command to the "try again in a minute" reply when
the database goes silent mid-run, and the time of the first command after it answers again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from urllib.parse import quote

from sqlalchemy import create_engine, text

from bot import texts
from bot.port import Actor, Invocation
from bot.settings import Settings
from bot.store import Store, Timeouts
from tests.fakes import COMMUNITY, Community
from tests.proxy import SilentProxy
from whuffie.cli import CliError, open_store


async def timed(c: Community, user: str, command: str, args: str = "") -> tuple[float, str]:
    """Seconds from a member's command to the bot's reply, and the reply."""
    actor = Actor("fake", COMMUNITY, user, user.title())
    started = time.perf_counter()
    reply = await c.core.handle(Invocation(actor, command, args))
    return time.perf_counter() - started, reply.text


async def at_start(base: str) -> float:
    """Seconds until opening the store on a black hole gives up."""
    hole = await SilentProxy.to(None, silent=True)
    settings = Settings(database_url=hole.url_for(base))
    started = time.perf_counter()
    try:
        await asyncio.to_thread(open_store, settings)
    except CliError:
        pass
    finally:
        await hole.close()
    return time.perf_counter() - started


async def mid_run(url: str) -> tuple[float, float, float]:
    """Seconds to the "try again" reply, for a second command, and after the database is back."""
    proxy = await SilentProxy.to(url)
    store = Store.connect(proxy.url_for(url), Timeouts())
    try:
        await asyncio.to_thread(store.upgrade)
        c = Community(store)
        await c.say("ann", "offer", "terraform")
        proxy.silent = True
        first, reply = await timed(c, "bob", "need", "terraform help")
        assert reply == texts.database_away().text, reply
        second, _ = await timed(c, "bob", "profile")
        proxy.silent = False
        back, reply = await timed(c, "bob", "need", "terraform help")
        assert "privately asked" in reply, reply
        return first, second, back
    finally:
        store.dispose()
        await proxy.close()


def main() -> None:
    """Parse the arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("WHUFFIE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test"),
    )
    base: str = parser.parse_args().url
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        start = asyncio.run(at_start(base))
        first, second, back = asyncio.run(mid_run(url))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    defaults = Timeouts()
    print(
        f"timeouts: connect {defaults.connect} s, statement {defaults.statement} s, "
        f"keepalive {defaults.keepalive} s (the defaults)"
    )
    print(f"silent at start: clear error after {start:.1f} s")
    print(f'silent mid-run: "try again in a minute" after {first:.1f} s')
    print(f"silent mid-run, the next command: {second:.1f} s")
    print(f"database back: the next command worked in {back:.2f} s")


if __name__ == "__main__":
    main()
