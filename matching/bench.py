"""`whuffie bench`: build time, peak memory and match latency on synthetic communities.

Each size runs in a fresh child process, so one size's memory never pollutes the next.
The naive baseline runs on the same needs: rapidfuzz `process.extract` with
`token_set_ratio` over each member's joined skill string.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from matching.index import Matcher
from matching.semantic import shared_embedder
from matching.synthetic import Community
from matching.transformer import shared_transformer

DEFAULT_SIZES = "1000,10000,100000,1000000"
NAIVE_BUDGET = 20_000_000  # member-comparisons the naive baseline may spend per size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command line of `whuffie bench`."""
    parser.add_argument(
        "--members",
        default=DEFAULT_SIZES,
        help=f"community sizes, comma separated ({DEFAULT_SIZES})",
    )
    parser.add_argument("--needs", type=int, default=300, help="needs to time per size (300)")
    parser.add_argument("--json", action="store_true", help="one JSON line per size")
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child's own size


def run(args: argparse.Namespace) -> int:
    """Run every size in its own process and print one line per size."""
    if args.one is not None:
        print(json.dumps(measure(args.one, needs=args.needs, seed=args.seed)))
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in str(args.members).split(",") if s.strip()]
    except ValueError:
        print(f"whuffie bench: --members wants numbers like {DEFAULT_SIZES}", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 10 or args.needs < 1:
        print("whuffie bench: sizes start at 10 members, and at least one need", file=sys.stderr)
        return 2
    for size in sizes:
        child = [sys.executable, "-m", "matching.bench", "--one", str(size)]
        child += ["--needs", str(args.needs), "--seed", str(args.seed)]
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"whuffie bench: {size} members failed:\n{done.stderr}", file=sys.stderr)
            return 1
        row = json.loads(done.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(
                f"{row['members']:>9,} members  build {row['build_s']:7.2f} s  "
                f"(models {row['model_load_s']:.2f} s; skills read after, "
                f"{row['read_s']:.0f} s)  "
                f"peak {row['rss_mb']:7.1f} MB  p50 {row['p50_ms']:6.2f} ms  "
                f"p99 {row['p99_ms']:6.2f} ms (cpu p99 {row['cpu_p99_ms']:6.2f} ms)  "
                f"naive p50 {row['naive_p50_ms']:8.2f} ms  "
                f"speedup {row['speedup']:7.1f}x",
                flush=True,
            )
    return 0


def measure(size: int, *, needs: int, seed: int) -> dict[str, Any]:
    """Build one community's index, time its matches, then the naive baseline on the same needs."""
    community = Community(size, seed=seed)
    open_needs = community.needs(needs)
    history = list(community.history(min(100_000, max(10, size // 10))))

    started = time.perf_counter()
    embedder = shared_embedder()
    reader = shared_transformer()
    model_load_s = time.perf_counter() - started
    matcher = Matcher(embedder=embedder, reader=reader)
    # Past help first: members are not in any posting yet, so no posting moves.
    for helpers, text, at in history:
        matcher.record_helps(helpers, text, at)
    matcher.add_members(community.profiles())
    # Ready to answer: every past need embedded, the skills' meanings not read yet (the bot
    # reads them in the background, and keeps them in its snapshot for the next start).
    matcher.prepare(read=0)
    build_s = time.perf_counter() - started
    read = len(matcher.unread_skills(len(community.skills)))
    started = time.perf_counter()
    matcher.prepare()  # what the bot's background reading does, all at once
    read_s = time.perf_counter() - started

    for need in open_needs[:5]:  # warm caches the way a running bot has them warm
        matcher.match(need.text, exclude={need.asker})
    ours: list[float] = []
    cpu: list[float] = []  # this process's own time: what a busy shared machine cannot inflate
    answered = 0
    for need in open_needs:
        t, c = time.perf_counter(), time.process_time()
        found = matcher.match(need.text, exclude={need.asker}, limit=20)
        ours.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        answered += bool(found)
    rss_mb = _peak_rss_mb()
    del matcher

    from rapidfuzz import fuzz, process

    joined = [" ".join(skills) for _, skills in community.profiles()]
    naive_needs = open_needs[: max(20, min(needs, NAIVE_BUDGET // size))]
    naive: list[float] = []
    for need in naive_needs:
        t = time.perf_counter()
        process.extract(need.text, joined, scorer=fuzz.token_set_ratio, limit=20)
        naive.append((time.perf_counter() - t) * 1000)

    p50 = statistics.median(ours)
    naive_p50 = statistics.median(naive)
    return {
        "members": size,
        "build_s": round(build_s, 2),
        "model_load_s": round(model_load_s, 2),
        "read_s": round(read_s, 1),
        "skills_read": read,
        "rss_mb": round(rss_mb, 1),
        "p50_ms": round(p50, 3),
        "p99_ms": round(_percentile(ours, 99), 3),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p99_ms": round(_percentile(cpu, 99), 3),
        "naive_p50_ms": round(naive_p50, 2),
        "speedup": round(naive_p50 / p50, 2),
        "needs": len(ours),
        "naive_needs": len(naive),
        "answered": round(answered / len(ours), 3),
        "skills": len(community.skills),
        "history": len(history),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM on Linux)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Run as `python -m matching.bench`."""
    parser = argparse.ArgumentParser(prog="whuffie bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
