"""Shared fixtures: a real database per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.store import Store

PG_ENV = "WHUFFIE_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server for tests; in CI it must be set and reachable."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{PG_ENV} must be set in CI: the PostgreSQL tests may not be skipped")
    return url or None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema of their own, dropped afterwards."""
    base = postgres_url()
    if base is None:
        pytest.skip(f"{PG_ENV} is not set (see README: running the tests)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path}/whuffie.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each store test runs on SQLite and on the real PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated, empty store."""
    s = Store.connect(database_url)
    s.upgrade()
    yield s
    s.dispose()
