"""`whuffie bench-e2e`: the whole bot on a real database filled with a synthetic community.

The database is filled with bulk inserts (COPY on PostgreSQL), then a fresh child process
starts the core the way `whuffie run` does and measures what members and admins feel: the
first answered `/need` after start, memory, each command's latency (through `Whuffie.handle`
and the outbox), a tick with nothing due, and the shell's `whuffie stats --json`.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, or_, text, update
from sqlmodel import SQLModel, col

from bot import tallies, texts
from bot.models import (
    NEED_RESOLVED,
    NEED_UNMET,
    Ask,
    Community,
    ConnectorAsk,
    IndexChange,
    Member,
    Need,
    NeedCount,
    Outbox,
    Referral,
    Skill,
    Thanks,
)
from bot.port import Actor, Invocation, Message
from bot.settings import Settings, cache_dir
from bot.store import Store
from matching import normalize
from matching.synthetic import FILLER
from matching.synthetic import Community as Vocabulary

COMMUNITY = "bench:T1"
PLATFORM = "bench"
START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 20_000  # rows per insert statement batch, so memory stays flat at a million members
# Every row the fill writes is dated before this; every row a run writes (on the real clock), after.
FILLED_UNTIL = START + timedelta(days=190)


def _zipf_picker(rng: random.Random, n: int) -> Any:
    """Draw skill numbers by Zipf's law (s = 1): a few skills are very common."""
    cumulative = list(itertools.accumulate(1.0 / (k + 1) for k in range(n)))
    total = cumulative[-1]
    return lambda: min(n - 1, bisect.bisect_left(cumulative, rng.random() * total))


def _copy(
    store: Store, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows at once: COPY on PostgreSQL, executemany on SQLite."""
    if store.is_sqlite:
        stmt = insert(table)
        with store.engine.begin() as conn:
            it = iter(rows)
            while batch := list(itertools.islice(it, CHUNK)):
                conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in batch])
        return
    raw = store.engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        # Row triggers keep running figures one change at a time; a bulk load sets them itself
        # (a single transaction updating one community row per member grows quadratically).
        cursor.execute(f"ALTER TABLE {table.name} DISABLE TRIGGER USER")
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ALTER TABLE {table.name} ENABLE TRIGGER USER")
        raw.commit()
    finally:
        raw.close()


def fill(
    store: Store,
    members: int,
    *,
    seed: int = 7,
    community: str = COMMUNITY,
    platform: str = PLATFORM,
) -> dict[str, int]:
    """A community of `members` members (2–6 skills each) and members/5 resolved needs.

    Member `i` has the user id `U{i:07d}`; another platform's harness names its own community.
    """
    rng = random.Random(seed)
    vocab = Vocabulary(0, skills=min(50_000, max(2_000, members // 4)), seed=seed).skills
    norms = [normalize(s) for s in vocab]
    pick = _zipf_picker(rng, len(vocab))
    tables = SQLModel.metadata.tables
    with store.session() as session:
        if not store.is_sqlite:  # no running count to keep for rows about to go
            session.execute(text("ALTER TABLE skill DISABLE TRIGGER USER"))
        # Whatever points at a need or an ask goes before it (a run before this one left some).
        done: tuple[Any, ...] = (IndexChange, Outbox, Referral, ConnectorAsk, Ask, Thanks)
        done += (Need, NeedCount, Skill, Member)
        for model in done:
            session.execute(delete(model).where(col(model.community_id) == community))
        session.execute(delete(Community).where(col(Community.id) == community))
        session.add(Community(id=community, platform=platform, created_at=START))
        if not store.is_sqlite:
            session.execute(text("ALTER TABLE skill ENABLE TRIGGER USER"))
    with store.engine.connect() as conn:
        first_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM member")).scalar_one())
    first_id += 1
    owned: list[list[int]] = []
    for _ in range(members):
        chosen: set[int] = set()
        want = rng.randint(2, 6)
        while len(chosen) < want:
            chosen.add(pick())
        owned.append(sorted(chosen))

    # On SQLite the triggers count profiles as skills arrive; on PostgreSQL the load sets them.
    counted = store.is_sqlite
    skill_counts = [0 if counted else len({norms[s] for s in own if norms[s]}) for own in owned]

    _copy(
        store,
        tables["member"],
        (
            "id",
            "community_id",
            "user_id",
            "display_name",
            "paused",
            "expired_streak",
            "skill_count",
            "created_at",
        ),
        (
            (first_id + i, community, f"U{i:07d}", f"member {i}", False, 0, skill_counts[i], START)
            for i in range(members)
        ),
    )

    def skills() -> Iterable[tuple[Any, ...]]:
        for i, own in enumerate(owned):
            seen: set[str] = set()
            for s in own:
                if norms[s] and norms[s] not in seen:
                    seen.add(norms[s])
                    yield (first_id + i, community, vocab[s], norms[s], START)

    _copy(
        store,
        tables["skill"],
        ("member_id", "community_id", "name", "norm", "created_at"),
        skills(),
    )

    history = members // 5

    def needs() -> Iterable[tuple[Any, ...]]:
        for k in range(history):
            # A Pareto pick: a few members give much of the help.
            helper = min(members - 1, int((rng.paretovariate(1.0) - 1.0) * 50))
            requester = rng.randrange(members)
            if requester == helper:
                requester = (requester + 1) % members
            skill = vocab[rng.choice(owned[helper])]
            words = rng.sample(FILLER, 6)
            created = START + timedelta(days=180 * k / max(1, history))
            introduced = created + timedelta(minutes=rng.randrange(5, 48 * 60))
            yield (
                community,
                first_id + requester,
                " ".join([*words[:3], skill, *words[3:]]),
                skill[:200],
                NEED_RESOLVED,
                first_id + helper,
                created,
                introduced,
                introduced + timedelta(days=3),
                0,
                (introduced - created) // timedelta(microseconds=1),
            )

    # Needs still open, the newest last: what `/needs` looks through for a member who can help.
    still_open = min(2_000, max(20, members // 50))

    def open_needs() -> Iterable[tuple[Any, ...]]:
        for k in range(still_open):
            requester = rng.randrange(members)
            skill = vocab[rng.choice(owned[rng.randrange(members)])]
            words = rng.sample(FILLER, 6)
            created = START + timedelta(days=180, minutes=k)
            yield (
                community,
                first_id + requester,
                " ".join([*words[:3], skill, *words[3:]]),
                skill[:200],
                NEED_UNMET,
                None,
                created,
                None,
                None,
                0,
                None,
            )

    _copy(
        store,
        tables["need"],
        (
            "community_id",
            "requester_id",
            "text",
            "topic",
            "status",
            "helper_id",
            "created_at",
            "introduced_at",
            "resolved_at",
            "followups_sent",
            "micros_to_intro",
        ),
        itertools.chain(needs(), open_needs()),
    )
    if not counted:
        with store.session() as session:
            row = session.get(Community, community)
            assert row is not None
            row.members_with_profile = sum(1 for n in skill_counts if n)
            session.add(row)
            # What the triggers on `need` would have counted, as migration 0019 counts it.
            posted = history + still_open
            session.add(
                NeedCount(
                    community_id=community,
                    shard=0,
                    posted=posted,
                    introduced=history,
                    resolved=history,
                )
            )
    with store.session() as session:
        tallies.recount(session, community)  # who helped whom, as the migration counts it
    if not store.is_sqlite:
        with store.engine.begin() as conn:
            # COPY with explicit ids leaves the sequence behind; the next member needs a fresh id.
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('member', 'id'), max(id)) FROM member")
            )
        # What autovacuum does for a live database: rows just copied in are not yet marked
        # visible to all, so every index-only scan (/helpstats) would read the table too.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE member, skill, need"))
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return {
        "members": members,
        "skills": sum(len(o) for o in owned),
        "history": history,
        "open_needs": still_open,
    }


def reset(store: Store, community: str = COMMUNITY) -> None:
    """Take the community back to what `fill` left, so a run with `--no-fill` measures the same.

    A run's needs, asks and offers stay behind: run again on them, members would still hold
    the asks of the run before (as many as one may) and be passed over, and the same members
    would post more needs than they may. They go, and the fill's open needs wait again. The
    community is given a new epoch: no matcher kept from a run before (holding its offers) is
    served, so the first start builds from the filled community as after a fill.
    """
    later = FILLED_UNTIL
    with store.session() as session:
        if session.get(Community, community) is None:
            raise RuntimeError(f"nothing filled: {community} is not in this database")
        for model in (IndexChange, Outbox, Referral, ConnectorAsk, Ask, Thanks):
            session.execute(delete(model).where(col(model.community_id) == community))
        for dated in (Need, Skill):
            session.execute(
                delete(dated).where(
                    col(dated.community_id) == community, col(dated.created_at) > later
                )
            )
        session.execute(
            update(Need)
            .where(col(Need.community_id) == community, col(Need.status) != NEED_RESOLVED)
            .values(
                status=NEED_UNMET,
                helper_id=None,
                introduced_at=None,
                resolved_at=None,
                followup_at=None,
                followups_sent=0,
                waiting_since=None,
                first_waited_at=None,
                nobody_offers=False,
                checkin_at=None,
            )
        )
        session.execute(
            delete(Member).where(
                col(Member.community_id) == community, col(Member.created_at) > later
            )
        )
        # Only the members a run touched are written: a million rewritten rows would leave
        # as many dead ones behind for the next run to wade through.
        session.execute(
            update(Member)
            .where(
                col(Member.community_id) == community,
                or_(
                    col(Member.paused),
                    col(Member.paused_until).is_not(None),
                    col(Member.expired_streak) != 0,
                    col(Member.last_asked_at).is_not(None),
                    col(Member.pending_thanks).is_not(None),
                    col(Member.forget_asked_at).is_not(None),
                ),
            )
            .values(
                paused=False,
                paused_until=None,
                expired_streak=0,
                last_asked_at=None,
                pending_thanks=None,
                forget_asked_at=None,
            )
        )
        session.execute(
            update(Community)
            .where(col(Community.id) == community)
            .values(index_epoch=secrets.token_hex(8), inactive_since=None, inactive_reason=None)
        )


class BenchPort:
    """A platform that delivers everything at once, so only the bot's own work is timed."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.sent = 0
        self.recipients: list[str] = []  # everyone DM'd since the bench last cleared it

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """Count the DM."""
        self.sent += 1
        self.recipients.extend(user_ids)
        return f"m{self.sent}"

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Nothing to edit on a bench."""

    async def is_admin(self, community: str, user_id: str) -> bool:
        """The bench's first member administers the community."""
        return user_id == _user(0)

    async def is_member(self, community: str, user_id: str) -> bool:
        """Nobody leaves during a bench."""
        return True

    def mention(self, user_id: str) -> str:
        """A mention in a chat's usual syntax."""
        return f"<@{user_id}>"

    def escape(self, text: str) -> str:
        """Members' words are shown as typed."""
        return text


def _user(i: int) -> str:
    return f"U{i:07d}"


def _rss_mb() -> float:
    """The resident memory of this process now, in MB (Linux), else the peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def _settings(url: str, cache: str) -> Settings:
    """The settings of a bench process: its database, and where matchers are kept."""
    return Settings(database_url=url, cache_dir=cache_dir({"WHUFFIE_CACHE_DIR": cache}))


async def _settled(core: Any) -> None:
    """Wait (an hour at most) until the core's matchers are built, read and kept: what a
    restart loads is then whole, and no reading is cut short as the process ends."""
    for _ in range(36_000):
        if not core.ctx.matchers.busy():
            return
        await asyncio.sleep(0.1)


async def _first_need(core: Any, i: int, topic: str) -> int:
    """Member `i` asks about `topic` until really answered (not "give me a few seconds"),
    as one would; how many times they were asked to wait."""
    warming = texts.warming_up().text
    early_replies = 0
    while True:
        actor = Actor(PLATFORM, COMMUNITY, _user(i), f"member {i}")
        answer = await core.handle(Invocation(actor, "need", f"how do i debug {topic}"))
        await core.flush()
        if answer.text != warming:
            return early_replies
        early_replies += 1


async def _restart(url: str, members: int, started: float, cache: str) -> dict[str, Any]:
    """Start the core again, as after a deploy: the time to its first answered /need."""
    from bot.app import Whuffie

    store = Store.connect(url)
    core = Whuffie(_settings(url, cache), store)
    core.attach(BenchPort())
    core.start_matching()
    await _first_need(core, members // 2, "postgres")
    seconds = time.time() - started
    await _settled(core)
    store.dispose()
    return {
        "restart_to_first_need_s": round(seconds, 2),
        "restart_matcher_loads": core.ctx.matchers.loads,
        "restart_matcher_builds": core.ctx.matchers.builds,
    }


async def _measure(
    url: str, members: int, commands: int, started: float, cache: str
) -> dict[str, Any]:
    """Start the core as `whuffie run` would, then time what members and admins do."""
    from bot.app import Whuffie

    store = Store.connect(url)
    if store.is_sqlite:
        store.upgrade()
    core = Whuffie(_settings(url, cache), store)
    port = BenchPort()
    core.attach(port)
    core.start_matching()  # as `whuffie run` does
    rng = random.Random(11)
    people = rng.sample(range(1, members), min(members - 1, 4 * commands + 1))
    with store.session() as session:
        member_ids = {
            user_id: member_id
            for member_id, user_id in session.execute(
                text(
                    "SELECT id, user_id FROM member WHERE community_id = :c AND user_id IN :u"
                ).bindparams(bindparam("u", expanding=True), c=COMMUNITY),
                {"u": [_user(i) for i in people]},
            )
        }
        skills = dict(
            session.execute(
                text("SELECT member_id, name FROM skill WHERE member_id IN :m").bindparams(
                    bindparam("m", expanding=True)
                ),
                {"m": list(member_ids.values())},
            ).all()
        )
    topics = [skills.get(member_ids.get(_user(i), -1), "postgres") for i in people]
    who = iter(people)
    topic = iter(topics)

    async def say(i: int, command: str, args: str = "") -> float:
        actor = Actor(PLATFORM, COMMUNITY, _user(i), f"member {i}")
        t = time.perf_counter()
        await core.handle(Invocation(actor, command, args))
        await core.flush()
        return (time.perf_counter() - t) * 1000

    # Until the matcher is built a /need is answered "give me a few seconds": the member
    # asks again, as one would, until it is really answered.
    early_replies = await _first_need(core, next(who), next(topic))
    first_need = time.time() - started
    rss_after_start = _rss_mb()
    # What a build leaves to read in the background (the meaning of a big backlog of skills)
    # would slow every command timed meanwhile: they are timed once it is done, as they run
    # from then on; how long it took is reported.
    await _settled(core)
    settled = time.time() - started
    times: dict[str, list[float]] = {"need": [], "needs": [], "helpstats": [], "offer": []}
    for _ in range(commands):
        times["need"].append(await say(next(who), "need", f"help with {next(topic)} please"))
        times["needs"].append(await say(next(who), "needs"))
        times["helpstats"].append(await say(0, "helpstats"))
        times["offer"].append(await say(next(who), "offer", f"{next(topic)}, bench skill"))
    ticks = []
    for _ in range(commands):
        t = time.perf_counter()
        await core.tick()
        ticks.append((time.perf_counter() - t) * 1000)
    needers = [next(who) for _ in range(commands)]
    fresh = await _freshness(url, core, port, needers, members, cache)
    await _settled(core)  # the matcher is kept for the restart that follows
    store.dispose()
    return {
        "cold_start_to_first_need_s": round(first_need, 2),
        "asked_to_wait_first": early_replies,
        "background_work_done_s": round(settled, 2),
        "matcher_builds": core.ctx.matchers.builds,
        "matcher_loads": core.ctx.matchers.loads,
        "rss_after_first_need_mb": round(rss_after_start, 1),
        "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1),
        **{f"/{name}": _summary(ms) for name, ms in times.items()},
        "tick_nothing_due": _summary(ticks),
        **fresh,
    }


async def _freshness(
    url: str, reader: Any, port: BenchPort, needers: Sequence[int], members: int, cache: str
) -> dict[str, Any]:
    """Another process offers a skill nobody has; time this one's next /need about it.

    The other process is a second core with its own connection pool, as in `whuffie run`
    twice: this core learns of the offer only through the database. Its matcher is ready
    before anything is timed: here it shares this process, and building it meanwhile would
    slow this core's commands as no other process would.
    """
    from bot.app import Whuffie

    other = Store.connect(url)
    writer = Whuffie(_settings(url, cache), other)
    writer.attach(BenchPort())
    writer.start_matching()
    while not await writer.index_ready(COMMUNITY):
        pass
    token = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(6))
    times: list[float] = []
    found = 0
    try:
        for k, needer in enumerate(needers):
            skill = f"{token}{chr(97 + k % 26)}{k}ography"  # one nobody else offers
            # The last members: the first ones are the history's busiest helpers, often
            # holding as many open asks as a member may.
            offerer = _user(members - 1 - k)
            actor = Actor(PLATFORM, COMMUNITY, offerer, "offerer")
            await writer.handle(Invocation(actor, "offer", skill))
            port.recipients.clear()
            asking = Actor(PLATFORM, COMMUNITY, _user(needer), f"member {needer}")
            t = time.perf_counter()
            await reader.handle(Invocation(asking, "need", f"does anyone know {skill} well"))
            await reader.flush()
            times.append((time.perf_counter() - t) * 1000)
            found += offerer in port.recipients
    finally:
        await _settled(writer)
        other.dispose()
    return {
        "/need after an /offer elsewhere": _summary(times),
        "new_skill_seen": f"{found}/{len(needers)}",
    }


async def _load(
    url: str, members: int, seconds: float, seed: int, offers: float, cache: str
) -> tuple[int, float]:
    """One process of a throughput run: ready, wait for the start, then a closed loop of
    /need (and `offers` of /offer) from random members for `seconds`; the commands done and
    the CPU seconds the process used doing them."""
    from bot.app import Whuffie

    store = Store.connect(url)
    core = Whuffie(_settings(url, cache), store)
    core.attach(BenchPort())
    core.start_matching()
    while not await core.index_ready(COMMUNITY):
        pass
    vocab = Vocabulary(0, skills=min(50_000, max(2_000, members // 4)), seed=7).skills
    rng = random.Random(seed)
    print("ready", flush=True)
    sys.stdin.readline()  # the start, given to every process at once
    cpu = time.process_time()
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        i = rng.randrange(1, members)
        actor = Actor(PLATFORM, COMMUNITY, _user(i), f"member {i}")
        topic = rng.choice(vocab)
        if rng.random() < offers:
            invocation = Invocation(actor, "offer", f"{topic}, load skill {seed}")
        else:
            invocation = Invocation(actor, "need", f"help with {topic} please")
        await core.handle(invocation)
        await core.flush()
        done += 1
    cpu = time.process_time() - cpu  # this process's own CPU, its threads included
    await _settled(core)
    store.dispose()
    return done, cpu


def _throughput(
    url: str, members: int, processes: int, seconds: float, offers: float, cache: str
) -> tuple[float, float]:
    """Commands per second of `processes` bot processes on one database, all at once, and
    the bot processes' CPU milliseconds per command (the database server's not included):
    on a machine with no core to spare, a second process adds CPU, not throughput."""
    children = []
    for k in range(processes):
        command = [sys.executable, "-m", "bot.bench", "--load", "--database", url]
        command += ["--members", str(members), "--seconds", str(seconds)]
        command += ["--seed", str(100 + k), "--offers", str(offers), "--cache-dir", cache]
        children.append(
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        )
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("a load process failed to start")
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    done = 0
    cpu = 0.0
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError("a load process failed")
        count, used = out.strip().splitlines()[-1].split()
        done += int(count)
        cpu += float(used)
    return round(done / seconds, 1), round(cpu * 1000 / done, 1) if done else 0.0


def _stats_from_shell(url: str) -> float:
    """Wall time of `whuffie stats --json` for the bench community, start-up included."""
    env = {**os.environ, "WHUFFIE_DATABASE_URL": url}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--json", "--community", COMMUNITY],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"whuffie stats failed: {done.stderr.strip()[-500:]}")
    return round(time.perf_counter() - t, 2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command line of `whuffie bench-e2e`."""
    parser.add_argument("--members", type=int, default=100_000, help="community size (100000)")
    parser.add_argument(
        "--database",
        required=True,
        help="database URL to fill (sqlite:///bench.db, postgresql://…); "
        "the bench community's rows in it are replaced",
    )
    parser.add_argument("--commands", type=int, default=20, help="timed runs of each command")
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="reuse a database filled before (what earlier runs left in it is cleared)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--seconds",
        type=float,
        default=0.0,
        help="also run one and then two processes for this long each (80%% /need, 20%% /offer)"
        " and report commands per second",
    )
    parser.add_argument(
        "--cache-dir",
        default="",
        help="where the bot processes keep built matchers between starts (as"
        " WHUFFIE_CACHE_DIR: by default the user's cache folder; off: none)",
    )
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)  # a load child
    parser.add_argument("--restart", action="store_true", help=argparse.SUPPRESS)  # a child
    parser.add_argument("--seed", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--offers", type=float, default=0.2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child
    parser.add_argument("--started", type=float, default=0.0, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Fill the database, measure in a fresh process, and print the figures."""
    cache = args.cache_dir or os.environ.get("WHUFFIE_CACHE_DIR", "")
    cached = cache_dir({**os.environ, "WHUFFIE_CACHE_DIR": cache})
    cache = str(cached) if cached is not None else "off"  # the same folder for every child
    if args.load:
        count, cpu = asyncio.run(
            _load(args.database, args.members, args.seconds, args.seed, args.offers, cache)
        )
        print(count, cpu)
        return 0
    if args.measure:
        figures = asyncio.run(
            _measure(args.database, args.members, args.commands, args.started, cache)
        )
        print(json.dumps(figures))
        return 0
    if args.restart:
        figures = asyncio.run(_restart(args.database, args.members, args.started, cache))
        print(json.dumps(figures))
        return 0
    if args.members < 20 or args.commands < 1:
        print("whuffie bench-e2e: at least 20 members and one command run", file=sys.stderr)
        return 2
    store = Store.connect(args.database)
    store.upgrade()
    report: dict[str, Any] = {"members": args.members, "database": store.engine.dialect.name}
    if args.no_fill:
        reset(store)
    else:
        t = time.perf_counter()
        report.update(fill(store, args.members))
        report["fill_s"] = round(time.perf_counter() - t, 1)
    store.dispose()
    for mode in ("--measure", "--restart"):
        child = [sys.executable, "-m", "bot.bench", mode, "--database", args.database]
        child += ["--members", str(args.members), "--commands", str(args.commands)]
        child += ["--cache-dir", cache, "--started", repr(time.time())]
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"whuffie bench-e2e: a measuring process failed:\n{done.stderr}", file=sys.stderr)
            return 1
        report.update(json.loads(done.stdout.strip().splitlines()[-1]))
    report["whuffie_stats_json_s"] = _stats_from_shell(args.database)
    if args.seconds > 0:
        one, one_cpu = _throughput(args.database, args.members, 1, args.seconds, 0.2, cache)
        two, two_cpu = _throughput(args.database, args.members, 2, args.seconds, 0.2, cache)
        report["commands_per_s_1_process"] = one
        report["commands_per_s_2_processes"] = two
        report["cpu_ms_per_command_1_process"] = one_cpu
        report["cpu_ms_per_command_2_processes"] = two_cpu
        report["load_average"] = round(os.getloadavg()[0], 2)
        report["two_processes_over_one"] = round(two / one, 2) if one else None
    if args.json:
        print(json.dumps(report))
        return 0
    for key, value in report.items():
        if isinstance(value, dict):
            value = " · ".join(f"{k.removesuffix('_ms')} {v} ms" for k, v in value.items())
        print(f"{key:<28} {value}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bot.bench")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
