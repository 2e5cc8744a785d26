"""need counts: how many needs were posted, introduced and resolved, kept as they change

- need_count: per community, running counts of needs posted, introduced and resolved, kept by
  triggers on `need`, so /helpstats reads a few rows instead of counting every need. On
  PostgreSQL each connection adds to a row of its own (one of SHARDS, by backend pid), so
  two processes posting needs at once do not wait for one another's row; statement
  triggers (one change per statement, however many needs it touches) keep deleting a whole
  community linear. SQLite, one process, keeps one row per community.

Existing needs are counted here.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARDS = 1024

_ADD = """
    ON CONFLICT (community_id, shard) DO UPDATE SET
        posted = need_count.posted + EXCLUDED.posted,
        introduced = need_count.introduced + EXCLUDED.introduced,
        resolved = need_count.resolved + EXCLUDED.resolved
"""

POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION need_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO need_count (community_id, shard, posted, introduced, resolved)
        SELECT community_id, pg_backend_pid() % {SHARDS}, count(*), count(introduced_at),
               count(resolved_at)
          FROM new_rows GROUP BY community_id
        {_ADD};
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE FUNCTION need_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO need_count (community_id, shard, posted, introduced, resolved)
        SELECT community_id, pg_backend_pid() % {SHARDS}, -count(*), -count(introduced_at),
               -count(resolved_at)
          FROM old_rows GROUP BY community_id
        {_ADD};
        RETURN NULL;
    END
    $$
    """,
    # Every update of a need runs it (a transition table allows no column list), but only
    # a change of introduced_at or resolved_at writes a count.
    f"""
    CREATE FUNCTION need_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO need_count (community_id, shard, posted, introduced, resolved)
        SELECT community_id, pg_backend_pid() % {SHARDS}, 0, sum(introduced), sum(resolved)
          FROM (SELECT community_id, count(introduced_at) AS introduced,
                       count(resolved_at) AS resolved
                  FROM new_rows GROUP BY community_id
                UNION ALL
                SELECT community_id, -count(introduced_at), -count(resolved_at)
                  FROM old_rows GROUP BY community_id) AS changes
         GROUP BY community_id
        HAVING sum(introduced) <> 0 OR sum(resolved) <> 0
        {_ADD};
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER need_counted_insert AFTER INSERT ON need
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION need_counted_insert()
    """,
    """
    CREATE TRIGGER need_counted_delete AFTER DELETE ON need
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION need_counted_delete()
    """,
    """
    CREATE TRIGGER need_counted_update AFTER UPDATE ON need
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION need_counted_update()
    """,
]

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER need_counted_insert AFTER INSERT ON need BEGIN
        INSERT OR IGNORE INTO need_count (community_id, shard, posted, introduced, resolved)
        VALUES (NEW.community_id, 0, 0, 0, 0);
        UPDATE need_count SET posted = posted + 1,
               introduced = introduced + (NEW.introduced_at IS NOT NULL),
               resolved = resolved + (NEW.resolved_at IS NOT NULL)
         WHERE community_id = NEW.community_id AND shard = 0;
    END
    """,
    """
    CREATE TRIGGER need_counted_delete AFTER DELETE ON need BEGIN
        UPDATE need_count SET posted = posted - 1,
               introduced = introduced - (OLD.introduced_at IS NOT NULL),
               resolved = resolved - (OLD.resolved_at IS NOT NULL)
         WHERE community_id = OLD.community_id AND shard = 0;
    END
    """,
    """
    CREATE TRIGGER need_counted_update AFTER UPDATE OF introduced_at, resolved_at ON need
    BEGIN
        UPDATE need_count SET
               introduced = introduced + (NEW.introduced_at IS NOT NULL)
                   - (OLD.introduced_at IS NOT NULL),
               resolved = resolved + (NEW.resolved_at IS NOT NULL) - (OLD.resolved_at IS NOT NULL)
         WHERE community_id = NEW.community_id AND shard = 0;
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "need_count",
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("posted", sa.BigInteger(), nullable=False),
        sa.Column("introduced", sa.BigInteger(), nullable=False),
        sa.Column("resolved", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "shard"),
    )
    op.execute(
        "INSERT INTO need_count (community_id, shard, posted, introduced, resolved) "
        "SELECT community_id, 0, count(*), count(introduced_at), count(resolved_at) "
        "FROM need GROUP BY community_id"
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("insert", "delete", "update"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER need_counted_{name}")
        else:
            op.execute(f"DROP TRIGGER need_counted_{name} ON need")
            op.execute(f"DROP FUNCTION need_counted_{name}()")
    op.drop_table("need_count")
