"""The Slack load harness runs end to end: both apps served, loaded, drained and reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUARD_SECONDS = 600  # a hang guard only: nothing here is timed


def test_the_slack_load_harness_reports_both_apps(tmp_path: Path) -> None:
    """A tiny run: every request acknowledged is done, and each figure is reported.

    The database is named as the README does, relative to where the command is typed: both
    apps serve from that file, not from one of their own.
    """
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench_slack",
            "--database",
            "sqlite:///load.db",
            "--members",
            "40",
            "--seconds",
            "1",
            "--concurrency",
            "2",
            "--json",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        check=False,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    [run] = report["runs"]
    for app in ("bare_bolt", "whuffie"):
        figures = run[app]
        assert figures["drained"], f"{app}: acknowledged work was left undone"
        assert figures["requests"] > 0
        assert figures["sustained_per_s"] > 0
        assert figures["ack_p99_ms"] > 0
    assert run["whuffie"]["calls"]["respond"] >= run["whuffie"]["requests"]
    assert run["whuffie"]["calls"]["chat.postMessage"] > 0
    assert run["whuffie_share_of_bare"] > 0
