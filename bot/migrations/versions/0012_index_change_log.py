"""index change log: processes follow each other's profile and history changes

- index_change: one row per skill offered or removed, need resolved or member forgotten,
  numbered by the community's profile_version, so another process applies what is new to
  its matcher instead of rebuilding it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_index_change_community_version", "index_change", ["community_id", "version"]
    )


def downgrade() -> None:
    op.drop_index("ix_index_change_community_version", table_name="index_change")
    op.drop_table("index_change")
