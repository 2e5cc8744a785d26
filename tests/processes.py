"""Starting the real `whuffie run` as a subprocess, as a community manager would."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def start_bot(
    tmp_path: Path, env: dict[str, str], *options: str
) -> asyncio.subprocess.Process:
    """`python -m bot [options] run` in its own directory, its log on a pipe.

    Its health endpoints go on a free port (PORT=0) unless the test names one: tests never
    rely on a fixed port.
    """
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *options,
        "run",
        cwd=tmp_path,
        env={"PORT": "0", **env},
        stderr=asyncio.subprocess.PIPE,
    )
