"""figures for /helpstats kept or indexed, and the tick's due pauses indexed

Members with a profile are counted by triggers on `skill` (member.skill_count, and
community.members_with_profile when a member's count moves between 0 and 1): counting
distinct skill owners took seconds at a million members. need.micros_to_intro (the time from
need to introduction, exact to the microsecond) is kept by triggers on `need` and indexed, so
the median is read in index order. Triggers keep the figures right whatever path writes the
rows. A later SQLite batch migration that rebuilds `skill` or `need` must create them again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_MICROS = (
    "(CAST(strftime('%s', {t}.introduced_at) AS INTEGER)"
    " - CAST(strftime('%s', {t}.created_at) AS INTEGER)) * 1000000"
    " + CAST(substr({t}.introduced_at, 21, 6) AS INTEGER)"
    " - CAST(substr({t}.created_at, 21, 6) AS INTEGER)"
)
POSTGRES_MICROS = "(extract(epoch FROM {t}.introduced_at - {t}.created_at) * 1000000)::bigint"

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER need_timed_insert AFTER INSERT ON need
    WHEN NEW.introduced_at IS NOT NULL BEGIN
        UPDATE need SET micros_to_intro = {SQLITE_MICROS.format(t="NEW")} WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER need_timed_update AFTER UPDATE OF introduced_at, created_at ON need BEGIN
        UPDATE need SET micros_to_intro = CASE WHEN NEW.introduced_at IS NULL THEN NULL
            ELSE {SQLITE_MICROS.format(t="NEW")} END
         WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER skill_counted_insert AFTER INSERT ON skill BEGIN
        UPDATE member SET skill_count = skill_count + 1 WHERE id = NEW.member_id;
        UPDATE community SET members_with_profile = members_with_profile + 1
         WHERE id = NEW.community_id
           AND (SELECT skill_count FROM member WHERE id = NEW.member_id) = 1;
    END
    """,
    """
    CREATE TRIGGER skill_counted_delete AFTER DELETE ON skill BEGIN
        UPDATE member SET skill_count = skill_count - 1 WHERE id = OLD.member_id;
        UPDATE community SET members_with_profile = members_with_profile - 1
         WHERE id = OLD.community_id
           AND (SELECT skill_count FROM member WHERE id = OLD.member_id) = 0;
    END
    """,
]

# Each UPDATE of the member row waits for any other transaction changing that member's
# skills, so two processes adding a first skill at once still count the member once.
POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION need_timed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.micros_to_intro := CASE WHEN NEW.introduced_at IS NULL THEN NULL
            ELSE {POSTGRES_MICROS.format(t="NEW")} END;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER need_timed BEFORE INSERT OR UPDATE OF introduced_at, created_at ON need
        FOR EACH ROW EXECUTE FUNCTION need_timed()
    """,
    """
    CREATE FUNCTION skill_counted() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        n integer;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE member SET skill_count = skill_count + 1 WHERE id = NEW.member_id
                RETURNING skill_count INTO n;
            IF n = 1 THEN
                UPDATE community SET members_with_profile = members_with_profile + 1
                 WHERE id = NEW.community_id;
            END IF;
        ELSE
            UPDATE member SET skill_count = skill_count - 1 WHERE id = OLD.member_id
                RETURNING skill_count INTO n;
            IF n = 0 THEN
                UPDATE community SET members_with_profile = members_with_profile - 1
                 WHERE id = OLD.community_id;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER skill_counted AFTER INSERT OR DELETE ON skill
        FOR EACH ROW EXECUTE FUNCTION skill_counted()
    """,
]


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skill_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_member_paused_until"), ["paused_until"], unique=False)
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("members_with_profile", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("micros_to_intro", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "ix_need_community_intro",
            ["community_id", "micros_to_intro", "resolved_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_need_community_helper", ["community_id", "helper_id", "introduced_at"], unique=False
        )
        batch_op.create_index(
            "ix_need_community_requester",
            ["community_id", "requester_id", "introduced_at", "helper_id"],
            unique=False,
        )
    op.execute(
        "UPDATE member SET skill_count = "
        "(SELECT count(*) FROM skill WHERE skill.member_id = member.id)"
    )
    op.execute(
        "UPDATE community SET members_with_profile = (SELECT count(*) FROM member "
        "WHERE member.community_id = community.id AND member.skill_count > 0)"
    )
    dialect = op.get_bind().dialect.name
    micros = SQLITE_MICROS if dialect == "sqlite" else POSTGRES_MICROS
    op.execute(
        f"UPDATE need SET micros_to_intro = {micros.format(t='need')} "
        "WHERE introduced_at IS NOT NULL"
    )
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER skill_counted_insert")
        op.execute("DROP TRIGGER skill_counted_delete")
        op.execute("DROP TRIGGER need_timed_insert")
        op.execute("DROP TRIGGER need_timed_update")
    else:
        op.execute("DROP TRIGGER skill_counted ON skill")
        op.execute("DROP FUNCTION skill_counted()")
        op.execute("DROP TRIGGER need_timed ON need")
        op.execute("DROP FUNCTION need_timed()")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index("ix_need_community_requester")
        batch_op.drop_index("ix_need_community_helper")
        batch_op.drop_index("ix_need_community_intro")
        batch_op.drop_column("micros_to_intro")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("members_with_profile")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_paused_until"))
        batch_op.drop_column("skill_count")
