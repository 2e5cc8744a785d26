"""The `whuffie` command line: help for every command, clear errors, stats from the shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def whuffie(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would."""
    full = {**os.environ, **(env or {})}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        full.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["run"],
        ["console"],
        ["db"],
        ["db", "upgrade"],
        ["db", "revision"],
        ["db", "backup"],
        ["stats"],
        ["import"],
        ["export"],
        ["eval"],
        ["bench"],
        ["discord", "invite-url"],
    ],
)
def test_every_command_has_help(args: list[str]) -> None:
    """`--help` works for each command and says what it does."""
    done = whuffie(*args, "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: whuffie" in done.stdout


def test_run_without_tokens_starts_the_console(sqlite_url: str) -> None:
    """`whuffie run` with no credentials is the console chat on SQLite."""
    done = whuffie("run", env={"WHUFFIE_DATABASE_URL": sqlite_url}, stdin="ann: /offer go\n")
    assert done.returncode == 0, done.stderr
    assert "console chat" in done.stderr
    # What would start each installed platform, as each platform says it (none hard-coded).
    assert "slack: SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET" in done.stderr
    assert "discord: DISCORD_TOKEN" in done.stderr
    assert "[reply ann]" in done.stdout


def test_stats_json_after_a_console_session(sqlite_url: str) -> None:
    """`whuffie stats --json` reports the console community's figures."""
    env = {"WHUFFIE_DATABASE_URL": sqlite_url}
    whuffie("console", env=env, stdin="ann: /offer go\nbob: /need go generics help\n")
    done = whuffie("stats", "--json", env=env)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures[0]["community"] == "console"
    assert figures[0]["members_with_profile"] == 1
    assert figures[0]["needs_posted"] == 1


def test_bad_database_url_is_a_clear_error_without_secrets() -> None:
    """An unreachable database is named (password hidden), with no traceback."""
    url = "postgresql+psycopg://bot:hunter2@127.0.0.1:1/nothing"
    done = whuffie("stats", env={"WHUFFIE_DATABASE_URL": url})
    assert done.returncode == 2
    assert "whuffie: " in done.stderr and "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr and "***" in done.stderr


def test_bad_setting_is_named() -> None:
    """A malformed setting says which one and why."""
    done = whuffie("stats", env={"WHUFFIE_ASKS_AT_ONCE": "lots"})
    assert done.returncode == 2
    assert "WHUFFIE_ASKS_AT_ONCE" in done.stderr


@pytest.mark.postgres
def test_postgres_needs_db_upgrade_first(pg_url: str) -> None:
    """On PostgreSQL, `run` asks for `db upgrade` instead of changing the schema itself."""
    done = whuffie("stats", env={"WHUFFIE_DATABASE_URL": pg_url})
    assert done.returncode == 2 and "whuffie db upgrade" in done.stderr
    assert whuffie("db", "upgrade", env={"WHUFFIE_DATABASE_URL": pg_url}).returncode == 0
    assert whuffie("stats", env={"WHUFFIE_DATABASE_URL": pg_url}).returncode == 0


@pytest.mark.parametrize(
    ("name", "value"), [("WHUFFIE_LOG_LEVEL", "LOUD"), ("WHUFFIE_LOG_FORMAT", "xml")]
)
def test_a_wrong_log_setting_is_named(sqlite_url: str, name: str, value: str) -> None:
    """A log level or format that does not exist is refused with the choices, no traceback."""
    done = whuffie("stats", env={"WHUFFIE_DATABASE_URL": sqlite_url, name: value})
    assert done.returncode == 2
    assert name in done.stderr and value in done.stderr
    assert "Traceback" not in done.stderr
