"""Benchmark: Slack under load, Whuffie's real Bolt app against a bare Bolt app, in one run.

    .venv/bin/python -m tests.bench_slack [--database sqlite:///load.db] [--database postgresql://…]

For each database: a community of `--members` members is written into it (as `whuffie
bench-e2e` does, under the workspace TBENCH), then a closed loop of `--concurrency` clients
sends signed `/need` requests for `--seconds`, first to a bare Bolt app that acknowledges and
posts one message, then to `whuffie run` in HTTP mode. Both serve on the same pinned CPU and
talk to the same local fake of Slack's Web API (its own process). A request counts once all
its work is done, after the ack too: the bare app's post, Whuffie's reply and every message it
owes. Sustained throughput is the requests acknowledged during the loop over the time until
their work was all done; the ratio of Whuffie's to the bare app's is the figure to watch.

Fair limits are raised for the run, so every `/need` asks the full number of members (a
community at rest would ask fewer): the figure is for the heaviest path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

TEAM = "TBENCH"
COMMUNITY = f"slack:{TEAM}"
SECRET = "bench-signing-secret-0123456789ab"
WHUFFIE_TOKEN = "xoxb-bench-whuffie"
BARE_TOKEN = "xoxb-bench-bare"
APPS = {WHUFFIE_TOKEN: "whuffie", BARE_TOKEN: "bare"}
ROOT = Path(__file__).resolve().parent.parent  # where `-m tests.bench_slack` is found
READY_SECONDS = 120.0
DRAIN_SECONDS = 300.0
# After its warm-up an app is left alone until it uses less than this share of a CPU (over a
# second), for at most SETTLE_SECONDS.
IDLE_CPU_SHARE = 0.05
SETTLE_SECONDS = 600.0
# Raised for the run: no member is spared an ask by a fair limit (see the docstring).
NO_LIMITS = {
    "WHUFFIE_MAX_OPEN_ASKS": "1000000",
    "WHUFFIE_NEEDS_PER_HOUR": "1000000",
    "WHUFFIE_ASKS_PER_HOUR": "1000000",
    "WHUFFIE_ASKS_FROM_ONE_MEMBER_PER_DAY": "1000000",
}


# -- the fake Slack Web API (its own process) ---------------------------------------------


class FakeSlack:
    """Answers the Web API methods both apps use, and counts them per app."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.ts = 0

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/respond/{app}/{n}", self.respond)
        app.router.add_get("/counts", self.report)
        app.router.add_post("/reset", self.reset)
        return app

    async def api(self, request: web.Request) -> web.Response:
        """One Web API call."""
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(args.get("token", ""))
        app = APPS.get(token)
        if app is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self.counts[app][method] += 1
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "team": "Bench",
                    "user": "bot",
                    "team_id": TEAM,
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                }
            )
        if method == "users.info":
            user = str(args.get("user", ""))
            profile = {"display_name": f"member {user}", "real_name": f"member {user}"}
            found = {"id": user, "team_id": TEAM, "name": user, "profile": profile}
            return web.json_response({"ok": True, "user": found})
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return web.json_response({"ok": True, "channel": {"id": "D" + users.replace(",", "-")}})
        if method in ("chat.postMessage", "chat.update"):
            self.ts += 1
            channel = str(args.get("channel", ""))
            return web.json_response({"ok": True, "channel": channel, "ts": f"{self.ts}.000100"})
        return web.json_response({"ok": True})

    async def respond(self, request: web.Request) -> web.Response:
        """A reply through a request's `response_url`."""
        await request.read()
        self.counts[request.match_info["app"]]["respond"] += 1
        return web.Response(text="ok")

    async def report(self, request: web.Request) -> web.Response:
        """Every count so far."""
        return web.json_response({app: dict(c) for app, c in self.counts.items()})

    async def reset(self, request: web.Request) -> web.Response:
        """Start counting afresh."""
        self.counts.clear()
        return web.json_response({"ok": True})


def serve_fake(port: int) -> None:
    """Run the fake Slack on `port` until killed."""
    web.run_app(FakeSlack().app(), host="127.0.0.1", port=port, access_log=None, print=None)


# -- the bare Bolt app (its own process) --------------------------------------------------


def serve_bare(port: int, api_url: str) -> None:
    """A Bolt app as its documentation writes one: ack, then post one message."""
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        token=BARE_TOKEN,
        signing_secret=SECRET,
        client=AsyncWebClient(token=BARE_TOKEN, base_url=api_url),
    )

    @bolt.command("/need")
    async def need(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_postMessage(channel=body["user_id"], text=f"Noted: {body['text']}")

    server = bolt.web_app(path="/slack/events", port=port)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    server.router.add_get("/healthz", healthz)
    web.run_app(server, host="127.0.0.1", port=port, access_log=None, print=None)


# -- the load -----------------------------------------------------------------------------


@dataclass
class Phase:
    """What one app did under the loop."""

    app: str
    database: str
    requests: int = 0
    refused: int = 0
    ack_seconds: list[float] = field(default_factory=list)
    loop_seconds: float = 0.0
    done_seconds: float = 0.0
    drained: bool = False
    cpu_seconds: float | None = None
    calls: dict[str, int] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        """The phase's figures, rounded for people."""
        acks = sorted(self.ack_seconds) or [0.0]
        p99 = acks[min(len(acks) - 1, round(0.99 * (len(acks) - 1)))]
        sustained = self.requests / self.done_seconds if self.done_seconds else 0.0
        return {
            "app": self.app,
            "database": self.database,
            "requests": self.requests,
            "refused": self.refused,
            "acks_per_s": round(self.requests / self.loop_seconds, 1) if self.loop_seconds else 0,
            "sustained_per_s": round(sustained, 1),
            "all_work_done_s": round(self.done_seconds, 2),
            "drained": self.drained,
            "ack_p50_ms": round(statistics.median(acks) * 1000, 1),
            "ack_p99_ms": round(p99 * 1000, 1),
            "ack_max_ms": round(acks[-1] * 1000, 1),
            "cpu_ms_per_request": round(1000 * self.cpu_seconds / self.requests, 2)
            if self.cpu_seconds is not None and self.requests
            else None,
            "calls": self.calls,
        }


def _signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={mac}",
    }


def _command(n: int, member: int, topic: str, fake: str, app: str) -> str:
    return urlencode(
        {
            "token": "unused",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": "CBENCH",
            "channel_name": "general",
            "user_id": f"U{member:07d}",
            "user_name": f"member{member}",
            "command": "/need",
            "text": f"help with {topic} please",
            "api_app_id": "ABENCH",
            "is_enterprise_install": "false",
            "response_url": f"{fake}/respond/{app}/{n}",
            "trigger_id": f"1.2.{n}",
        }
    )


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time a process has used so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Loop:
    """A closed loop of clients sending signed `/need` requests to one app."""

    def __init__(self, args: argparse.Namespace, fake: str, topics: list[str]) -> None:
        self.args = args
        self.fake = fake
        self.topics = topics
        self.serial = 0
        self.member = 0
        self.rng = random.Random(5)

    def next_request(self, app: str) -> str:
        """The next member's `/need`: each member asks once in a while, about a skill."""
        self.serial += 1
        self.member = self.member % (self.args.members - 1) + 1  # member 0 is left out
        return _command(self.serial, self.member, self.rng.choice(self.topics), self.fake, app)

    async def run(
        self, session: aiohttp.ClientSession, url: str, app: str, phase: Phase, seconds: float
    ) -> None:
        """Send requests from `concurrency` clients for `seconds`; record each ack."""
        deadline = time.monotonic() + seconds

        async def client() -> None:
            first = True
            while first or time.monotonic() < deadline:
                first = False
                body = self.next_request(app)
                started = time.perf_counter()
                async with session.post(url, data=body.encode(), headers=_signed(body)) as answer:
                    said = await answer.read()
                    took = time.perf_counter() - started
                phase.ack_seconds.append(took)
                # An ack with words in it is the app saying it is swamped: no work was taken.
                if answer.status == 200 and not said.strip():
                    phase.requests += 1
                else:
                    phase.refused += 1

        await asyncio.gather(*(client() for _ in range(self.args.concurrency)))


async def _counts(session: aiohttp.ClientSession, fake: str) -> dict[str, dict[str, int]]:
    async with session.get(f"{fake}/counts") as answer:
        result: dict[str, dict[str, int]] = await answer.json()
        return result


def _owed(database: str) -> int:
    """Messages Whuffie still owes (pending or being sent), read from its database."""
    from sqlalchemy import create_engine, text

    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


async def _drained(
    session: aiohttp.ClientSession, fake: str, app: str, database: str, acked: int
) -> bool:
    """Whether every acknowledged request's work is done."""
    counts = (await _counts(session, fake)).get(app, {})
    if app == "bare":
        return counts.get("chat.postMessage", 0) >= acked
    if counts.get("respond", 0) < acked:
        return False
    return await asyncio.to_thread(_owed, database) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pinned(cpu: int | None) -> Any:
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


async def _wait_ready(session: aiohttp.ClientSession, url: str, process: Any) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the app exited with {process.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(url) as answer:
                if answer.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {READY_SECONDS:.0f} s")


def _stop(process: Any) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _phase(
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
    loop: Loop,
    fake: str,
    app: str,
    database: str,
    workdir: Path,
) -> Phase:
    """Start one app pinned to the CPU, warm it up, run the loop, wait for its work."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    if app == "bare":
        command = [sys.executable, "-m", "tests.bench_slack", "--serve-bare", str(port)]
        command += ["--api", f"{fake}/api/"]
        env["PYTHONPATH"] = str(ROOT)
    else:
        command = [sys.executable, "-m", "bot", "run"]
        env.update(
            NO_LIMITS,
            WHUFFIE_DATABASE_URL=database,
            SLACK_BOT_TOKEN=WHUFFIE_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_BASE_URL=f"{fake}/api/",
            PORT=str(port),
            WHUFFIE_LOG_LEVEL="WARNING",
            # A matcher kept by an earlier run would name the members of a community since
            # written again, under new ids: each run builds and keeps its own.
            WHUFFIE_CACHE_DIR=str(workdir / f"matchers-{port}"),
        )
    log = (workdir / f"{app}.log").open("w")
    process = await asyncio.to_thread(
        subprocess.Popen,
        command,
        env=env,
        cwd=workdir,  # no .env of the caller's is read
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_pinned(args.cpu),
    )
    phase = Phase(app, "-" if app == "bare" else database.split(":", 1)[0])
    try:
        base = f"http://127.0.0.1:{port}"
        await _wait_ready(session, f"{base}/healthz", process)
        url = f"{base}/slack/events"
        await _warm_up(session, loop, url, fake, app, database)
        await _settled(process.pid)
        async with session.post(f"{fake}/reset"):
            pass
        cpu_before = _cpu_seconds(process.pid)
        started = time.monotonic()
        await loop.run(session, url, app, phase, args.seconds)
        phase.loop_seconds = time.monotonic() - started
        phase.drained = await _until_drained(
            session, fake, app, database, phase.requests, DRAIN_SECONDS
        )
        phase.done_seconds = time.monotonic() - started
        cpu_after = _cpu_seconds(process.pid)
        if cpu_before is not None and cpu_after is not None:
            phase.cpu_seconds = cpu_after - cpu_before
        phase.calls = (await _counts(session, fake)).get(app, {})
    except RuntimeError as exc:  # an app that would not start: its own words say why
        log.flush()
        tail = (workdir / f"{app}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{exc}\n{tail}") from None
    finally:
        _stop(process)
        log.close()
    return phase


async def _warm_up(
    session: aiohttp.ClientSession, loop: Loop, url: str, fake: str, app: str, database: str
) -> None:
    """One request per client, again until the app really works: Whuffie asks someone.

    Whuffie builds its matcher in the background after it starts and meanwhile answers
    "give me a few seconds": a loop measured then would time those answers, not `/need`.
    """
    async with session.post(f"{fake}/reset"):
        pass  # counts from an earlier phase must not pass for this one's
    deadline = time.monotonic() + READY_SECONDS
    while True:
        warm = Phase(app, "-")
        await loop.run(session, url, app, warm, 0.0)
        await _until_drained(session, fake, app, database, warm.requests, READY_SECONDS)
        if app == "bare" or (await _counts(session, fake)).get(app, {}).get("chat.postMessage"):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{app} asked nobody within {READY_SECONDS:.0f} s")
        await asyncio.sleep(0.5)


async def _settled(pid: int) -> None:
    """Wait until the app is idle: what it does once after a start (reading its backlog of
    skills in the background, say) is not what it sustains, and would be timed as if it were.
    """
    deadline = time.monotonic() + SETTLE_SECONDS
    before = _cpu_seconds(pid)
    while before is not None and time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        now = _cpu_seconds(pid)
        if now is None or now - before < IDLE_CPU_SHARE:
            return
        before = now


async def _until_drained(
    session: aiohttp.ClientSession, fake: str, app: str, database: str, acked: int, limit: float
) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await _drained(session, fake, app, database, acked):
            return True
        await asyncio.sleep(0.05)
    return False


def _fill(database: str, members: int) -> list[str]:
    """Write the community into the database; the skills members will ask about."""
    from sqlalchemy import text

    from bot.bench import fill
    from bot.store import Store

    store = Store.connect(database)
    try:
        store.upgrade()
        with store.session() as session:
            session.execute(text("DELETE FROM seenrequest"))
        fill(store, members, community=COMMUNITY, platform="slack")
        with store.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT DISTINCT name FROM skill WHERE community_id = :c LIMIT 2000"),
                {"c": COMMUNITY},
            )
            return [name for (name,) in rows]
    finally:
        store.dispose()


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="slack-load-") as scratch:
        return await _run_in(args, Path(scratch))


def _absolute(url: str) -> str:
    """A SQLite URL with a relative path, made absolute: the apps run in another folder."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    return (
        url
        if path.is_absolute()
        else parsed.set(database=str(path.resolve())).render_as_string(hide_password=False)
    )


async def _run_in(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """The whole run, with the apps' logs (and the default SQLite file) in `workdir`."""
    databases = [_absolute(url) for url in args.database or [f"sqlite:///{workdir / 'load.db'}"]]
    fake_port = _free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    fake_process = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, "-m", "tests.bench_slack", "--serve-fake", str(fake_port)],
        cwd=ROOT,
    )
    results: list[dict[str, Any]] = []
    try:
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=args.concurrency + 8)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            await _wait_ready(session, f"{fake}/counts", fake_process)
            for database in databases:
                topics = await asyncio.to_thread(_fill, database, args.members)
                loop = Loop(args, fake, topics)
                bare = await _phase(args, session, loop, fake, "bare", database, workdir)
                whuffie = await _phase(args, session, loop, fake, "whuffie", database, workdir)
                b, w = bare.figures(), whuffie.figures()
                ratio = w["sustained_per_s"] / b["sustained_per_s"] if b["sustained_per_s"] else 0
                results.append(
                    {
                        "database": whuffie.database,
                        "bare_bolt": b,
                        "whuffie": w,
                        "whuffie_share_of_bare": round(ratio, 3),
                        "met": ratio >= 0.25 and w["ack_p99_ms"] <= 3000 and whuffie.drained,
                    }
                )
    finally:
        _stop(fake_process)
    return {
        "members": args.members,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "cpu": args.cpu,
        "runs": results,
    }


def _print(report: dict[str, Any]) -> None:
    print(
        f"{report['members']} members, {report['concurrency']} clients, "
        f"{report['seconds']} s of load, apps pinned to CPU {report['cpu']}"
    )
    for run in report["runs"]:
        for key in ("bare_bolt", "whuffie"):
            f = run[key]
            print(
                f"  {run['database']:<10} {key:<9} {f['requests']:>6} requests  "
                f"acks {f['acks_per_s']:>7}/s  sustained {f['sustained_per_s']:>7}/s  "
                f"ack p50 {f['ack_p50_ms']} ms p99 {f['ack_p99_ms']} ms max {f['ack_max_ms']} ms  "
                f"cpu {f['cpu_ms_per_request']} ms/request  drained {f['drained']}  "
                f"calls {f['calls']}"
            )
        print(
            f"  {run['database']:<10} Whuffie sustains {100 * run['whuffie_share_of_bare']:.0f}% "
            f"of bare Bolt: {'met' if run['met'] else 'NOT met'} (target >= 25%, p99 ack <= 3 s)"
        )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the harness (or one of its servers)."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench_slack", description=__doc__)
    parser.add_argument(
        "--database",
        action="append",
        help="database URL to fill and serve from (repeatable; default a fresh SQLite file); "
        "the bench workspace's rows in it are replaced",
    )
    parser.add_argument("--members", type=int, default=10_000, help="community size (10000)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of load (20)")
    parser.add_argument("--concurrency", type=int, default=32, help="clients in the loop (32)")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    parser.add_argument(
        "--cpu",
        type=int,
        default=cpus[-1] if cpus else None,
        help="the CPU both apps are pinned to (the last one)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--serve-fake", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return 0
    if args.serve_bare:
        serve_bare(args.serve_bare, args.api)
        return 0
    if args.members < 20:
        parser.error("at least 20 members")
    report = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0 if all(run["met"] for run in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
