"""Migrations: every released schema upgrades to today's with its data, safely, twice at once."""

from __future__ import annotations

import importlib.util
import multiprocessing
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select
from sqlmodel import SQLModel

from bot.models import described_by_models
from bot.store import MIGRATIONS, Store, alembic_config, write_revision
from bot.usecases.stats import compute
from tests.fakes import COMMUNITY, Community

RELEASED = Path(__file__).parent / "released"
FIRST_RELEASE = "first release of 0001 (outbox without claimed_by)"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# What a community had stored before an upgrade, in the first release's columns. Ids are left
# to the database (a fresh one counts from 1), so its own counters stay right for new rows.
SEED: list[tuple[str, dict[str, Any]]] = [
    (
        "community",
        {"id": "console", "platform": "console", "profile_version": 2, "created_at": NOW},
    ),
    *(
        (
            "member",
            {
                "community_id": "console",
                "user_id": name,
                "display_name": name.title(),
                "paused": False,
                "expired_streak": 0,
                "created_at": NOW,
            },
        )
        for name in ("ann", "bob")
    ),
    (
        "skill",
        {
            "member_id": 1,
            "community_id": "console",
            "name": "PostgreSQL",
            "norm": "postgresql",
            "created_at": NOW,
        },
    ),
    (
        "need",
        {
            "community_id": "console",
            "requester_id": 2,
            "text": "my slow postgres query",
            "topic": "postgres",
            "status": "introduced",
            "helper_id": 1,
            "created_at": NOW,
            "introduced_at": NOW + timedelta(hours=1),
            "followup_at": NOW + timedelta(days=3),
            "followups_sent": 0,
        },
    ),
    (
        "ask",
        {
            "need_id": 1,
            "member_id": 1,
            "community_id": "console",
            "reason": "you offered PostgreSQL",
            "status": "accepted",
            "created_at": NOW,
            "expires_at": NOW + timedelta(days=1),
            "answered_at": NOW + timedelta(hours=1),
            "message_ref": "m1",
        },
    ),
    (
        "thanks",
        {
            "community_id": "console",
            "from_member_id": 2,
            "to_member_id": 1,
            "need_id": 1,
            "text": "thank you!",
            "created_at": NOW,
        },
    ),
    (
        "outbox",
        {
            "community_id": "console",
            "kind": "dm",
            "recipients": ["ann", "bob"],
            "member_ids": [1, 2],
            "text": "ann, meet bob!",
            "buttons": [{"label": "It helped", "command": "helped", "arg": "1"}],
            "ask_id": 1,
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": NOW,
            "created_at": NOW,
            "sent_at": NOW,
        },
    ),
]


def _revisions() -> list[str]:
    """Every revision on main, oldest first: each was released."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _create_first_release(engine: Engine) -> None:
    """Build a database with 0001 as it was first released, taken from git history."""
    spec = importlib.util.spec_from_file_location(
        "released_0001", RELEASED / "0001_initial_schema_first_release.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn)
        with Operations.context(context):
            module.upgrade()
        context.stamp(ScriptDirectory.from_config(alembic_config(engine)), "0001")


def _seed(engine: Engine) -> None:
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as conn:
        for name, row in SEED:
            conn.execute(insert(tables.tables[name]).values(**row))


def _plain(value: Any) -> Any:
    """Compare datetimes as UTC wall time: SQLite keeps no offset, PostgreSQL does."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def _stored(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    tables = MetaData()
    tables.reflect(engine)
    found = []
    with engine.connect() as conn:
        for name in dict.fromkeys(n for n, _ in SEED):
            table = tables.tables[name]
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                found.append((name, {k: _plain(v) for k, v in row._mapping.items()}))
    return found


@pytest.fixture
def empty(database_url: str) -> Iterator[Store]:
    """A store on an empty database, not yet migrated."""
    store = Store.connect(database_url)
    yield store
    store.dispose()


@pytest.mark.parametrize("released", [FIRST_RELEASE, *_revisions()])
async def test_a_database_from_any_release_upgrades_with_its_data(
    empty: Store, released: str
) -> None:
    """A community that ran any released version upgrades to today's schema, keeping it all."""
    if released == FIRST_RELEASE:
        _create_first_release(empty.engine)
    else:
        command.upgrade(alembic_config(empty.engine), released)
    _seed(empty.engine)
    before = _stored(empty.engine)
    expected = [(n, {k: _plain(v) for k, v in row.items()}) for n, row in SEED]
    for (name, row), (kept_name, kept) in zip(expected, before, strict=True):
        assert name == kept_name and row.items() <= kept.items()

    empty.upgrade()

    assert empty.is_current()
    with empty.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": described_by_models})
        assert compare_metadata(context, SQLModel.metadata) == []
    after = _stored(empty.engine)
    for (name, row), (kept_name, kept) in zip(before, after, strict=True):
        assert name == kept_name and row.items() <= kept.items()
    # And the bot works on it: a new need is asked, introduced and its messages sent.
    community = Community(empty)
    await community.say("cat", "offer", "python")
    reply = await community.say("dan", "need", "python help")
    assert "privately asked one member" in reply.text


def test_migrations_and_models_agree(store: Store) -> None:
    """`alembic check`: the models hold nothing that no migration creates."""
    command.check(alembic_config(store.engine))


def test_the_next_migration_is_written_from_the_models(tmp_path: Path) -> None:
    """`whuffie db revision -m ...` numbers the next migration and fills it from the models."""
    location = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, location, ignore=shutil.ignore_patterns("__pycache__"))
    newest = _revisions()[-1]
    extra = Table("badge", SQLModel.metadata, Column("id", Integer, primary_key=True))
    try:
        written = write_revision("badges for helpers", location=location)
    finally:
        SQLModel.metadata.remove(extra)
    assert written.name == f"{int(newest) + 1:04d}_badges_for_helpers.py"
    text = written.read_text()
    assert f"down_revision: str | None = {newest!r}" in text
    assert "op.create_table('badge'" in text
    assert "sqlmodel" not in text


def _upgrade_in_a_process(url: str, start: Any, errors: Any) -> None:
    store = Store.connect(url)
    start.wait()
    try:
        store.upgrade()
    except Exception as exc:
        errors.put(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        store.dispose()


@pytest.mark.parametrize("run", range(10))
def test_two_upgrades_at_once_both_succeed(database_url: str, run: int) -> None:
    """Two `whuffie db upgrade` started together on a fresh database: both end up to date."""
    forked = multiprocessing.get_context("fork")
    start = forked.Barrier(2)
    errors = forked.Queue()
    workers = [
        forked.Process(target=_upgrade_in_a_process, args=(database_url, start, errors))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert all(w.exitcode == 0 for w in workers)
    store = Store.connect(database_url)
    try:
        assert store.is_current()
    finally:
        store.dispose()


def test_introductions_before_the_tallies_are_counted_in_them(empty: Store) -> None:
    """/helpstats after the upgrade that brought the help tallies counts the help before it."""
    command.upgrade(alembic_config(empty.engine), "0015")
    _seed(empty.engine)  # ann helped bob

    empty.upgrade()

    with empty.session() as session:
        stats = compute(session, "console", NOW)
    assert (stats.helpers, stats.longest_chain, stats.busiest_tenth_share) == (1, 1, 1.0)


async def test_needs_stored_before_their_counts_are_counted_in_them(empty: Store) -> None:
    """/helpstats after the upgrade that counts needs as they change counts the needs from
    before it, and those posted after it."""
    command.upgrade(alembic_config(empty.engine), "0018")
    _seed(empty.engine)  # one need, introduced

    empty.upgrade()

    with empty.session() as session:
        stats = compute(session, "console", NOW)
    assert (stats.needs_posted, stats.needs_introduced, stats.needs_resolved) == (1, 1, 0)
    community = Community(empty)
    await community.say("dan", "need", "python help")
    with empty.session() as session:
        stats = compute(session, COMMUNITY, NOW)
    assert (stats.needs_posted, stats.needs_introduced, stats.needs_resolved) == (1, 0, 0)
