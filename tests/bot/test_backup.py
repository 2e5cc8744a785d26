"""`whuffie db backup`: a consistent copy of a live database, with every committed row."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from tests.test_cli import whuffie

SKILLS = 200


def _open_community(path: Path) -> sqlite3.Connection:
    """A migrated database in WAL mode, with one member, kept open like the running bot."""
    store = Store.connect(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    live = sqlite3.connect(path, check_same_thread=False)
    live.execute("PRAGMA journal_mode=WAL")
    # The bot's own connections checkpoint now and then; here nothing does, so every row
    # written below stays in the write-ahead log, where copying the file alone misses it.
    live.execute("PRAGMA wal_autocheckpoint=0")
    now = datetime(2026, 1, 5, tzinfo=UTC).isoformat(" ")
    with live:
        live.execute(
            "INSERT INTO community (id, platform, profile_version, created_at)"
            " VALUES ('console', 'console', 0, ?)",
            (now,),
        )
        live.execute(
            "INSERT INTO member (community_id, user_id, display_name, paused, expired_streak,"
            " created_at) VALUES ('console', 'ann', 'Ann', 0, 0, ?)",
            (now,),
        )
    return live


def _add_skill(live: sqlite3.Connection, n: int) -> None:
    with live:
        live.execute(
            "INSERT INTO skill (member_id, community_id, name, norm, created_at)"
            " VALUES (1, 'console', ?, ?, '2026-01-05 00:00:00')",
            (f"skill {n}", f"skill {n}"),
        )


def _skills(path: Path) -> list[str]:
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in copy.execute("SELECT norm FROM skill ORDER BY id")]
    finally:
        copy.close()


def test_a_backup_of_a_live_database_has_every_committed_row(tmp_path: Path) -> None:
    """While the bot writes, `whuffie db backup` copies all it committed, consistently."""
    database = tmp_path / "whuffie.db"
    live = _open_community(database)
    for n in range(SKILLS):
        _add_skill(live, n)
    stop = threading.Event()
    written = [SKILLS]

    def keep_writing() -> None:
        while not stop.is_set():
            _add_skill(live, written[0])
            written[0] += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        done = whuffie(
            "db",
            "backup",
            str(tmp_path / "copy.db"),
            env={"WHUFFIE_DATABASE_URL": f"sqlite:///{database}"},
        )
    finally:
        stop.set()
        writer.join()
        live.close()
    assert done.returncode == 0, done.stderr
    kept = _skills(tmp_path / "copy.db")
    # Every skill committed before the backup began, and then a prefix of those written
    # during it: a snapshot, never a mix.
    assert SKILLS <= len(kept) <= written[0]
    assert kept == [f"skill {n}" for n in range(len(kept))]
    assert str(tmp_path / "copy.db") in done.stdout


def test_a_backup_never_overwrites_the_database_itself(tmp_path: Path) -> None:
    """Naming the live file as the copy is refused, and the database is left as it was."""
    database = tmp_path / "whuffie.db"
    _open_community(database).close()
    done = whuffie(
        "db", "backup", str(database), env={"WHUFFIE_DATABASE_URL": f"sqlite:///{database}"}
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert _skills(database) == []


@pytest.mark.postgres
def test_postgresql_is_backed_up_with_pg_dump(pg_url: str, tmp_path: Path) -> None:
    """On PostgreSQL the command says to use pg_dump, and writes nothing."""
    done = whuffie("db", "backup", str(tmp_path / "copy.db"), env={"WHUFFIE_DATABASE_URL": pg_url})
    assert done.returncode == 2
    assert "pg_dump" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "copy.db").exists()
