"""`whuffie bench` on a small community: one JSON line per size with every figure."""

import json
import subprocess
import sys

import pytest

from matching import bench
from matching.synthetic import Community


def test_bench_reports_every_figure() -> None:
    """A run in a child process reports build, memory, latency and the naive baseline."""
    done = subprocess.run(
        [sys.executable, "-m", "matching.bench", "--members", "300", "--needs", "30", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["members"] == 300
    for key in ("build_s", "rss_mb", "p50_ms", "p99_ms", "cpu_p99_ms", "naive_p50_ms", "speedup"):
        assert row[key] > 0, key
    assert row["needs"] == 30
    assert row["answered"] > 0.8  # needs name their helpers' skills, typos and all


def test_bench_rejects_bad_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    """Sizes that are not numbers are refused with a hint."""
    assert bench.main(["--members", "ten"]) == 2
    assert "--members wants numbers" in capsys.readouterr().err


def test_synthetic_community_is_realistic() -> None:
    """Skills follow a long tail, a third are multi-word, and some needs carry typos."""
    community = Community(2000, seed=1)
    holders: dict[str, int] = {}
    for _, skills in community.profiles():
        for skill in skills:
            holders[skill] = holders.get(skill, 0) + 1
    counts = sorted(holders.values(), reverse=True)
    assert counts[0] > 20 * counts[len(counts) // 2]
    multi = sum(" " in s for s in community.skills) / len(community.skills)
    assert 0.2 < multi < 0.5
    needs = community.needs(200)
    assert 20 < sum(n.typo for n in needs) < 100
    assert community.needs(200) == needs  # the same seed, the same needs
