"""The console chat stops cleanly when a service manager or a terminal asks it to."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

# Bounded waits guard against a hung process; they are not timing checks.
WAIT_SECONDS = 30.0


async def _console(tmp_path: Path) -> asyncio.subprocess.Process:
    """`whuffie run` with no platform credentials: the console chat on SQLite, on pipes."""
    env = {
        **os.environ,
        "WHUFFIE_DATABASE_URL": f"sqlite:///{tmp_path / 'whuffie.db'}",
        "SLACK_BOT_TOKEN": "",
        "SLACK_APP_TOKEN": "",
        "DISCORD_TOKEN": "",
        "PORT": "0",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _read_until(process: asyncio.subprocess.Process, needle: str) -> str:
    """The console's output up to the first line that holds `needle`."""
    assert process.stdout is not None
    seen = ""
    while needle not in seen:
        line = await asyncio.wait_for(process.stdout.readline(), WAIT_SECONDS)
        assert line, f"the console ended before saying {needle!r}: {seen!r}"
        seen += line.decode()
    return seen


def _in_read_on_stdin(pid: int) -> bool:
    """Tell whether the process sits in `read` on its standard input (Linux's own account)."""
    # "<number> <first argument> …": read is 0 on x86-64 and 63 on arm64; stdin is 0x0.
    number, _, rest = Path(f"/proc/{pid}/syscall").read_text().partition(" ")
    return number in {"0", "63"} and rest.startswith("0x0 ")


async def _reading_stdin(process: asyncio.subprocess.Process) -> None:
    """Wait until the console waits for a line."""
    for _ in range(600):
        if _in_read_on_stdin(process.pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the console never waited for input")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_console_stops_cleanly_on_a_stop_signal(tmp_path: Path, signum: int) -> None:
    """A stop signal while the console waits for input: exit 0, no traceback, nothing lost."""
    process = await _console(tmp_path)
    assert process.stdin is not None
    process.stdin.write(b"/offer postgres\n")
    await process.stdin.drain()
    await _read_until(process, "postgres")
    await _reading_stdin(process)

    process.send_signal(signum)
    _, stderr = await asyncio.wait_for(process.communicate(), WAIT_SECONDS)

    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    with sqlite3.connect(tmp_path / "whuffie.db") as db:
        assert db.execute("SELECT name FROM skill").fetchall() == [("postgres",)]
