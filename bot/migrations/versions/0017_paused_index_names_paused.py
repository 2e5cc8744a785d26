"""the paused members' index names `paused` too, so SQLite chooses it

- ix_member_paused: on (community_id, paused), still only of paused members. SQLite keeps
  no statistics and chose another index on community_id, reading every member: an index
  matching one more of the query's terms is the one it prefers.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_member_paused", table_name="member")
    op.create_index(
        "ix_member_paused",
        "member",
        ["community_id", "paused"],
        postgresql_where=sa.text("paused"),
        sqlite_where=sa.text("paused = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_member_paused", table_name="member")
    op.create_index(
        "ix_member_paused",
        "member",
        ["community_id"],
        postgresql_where=sa.text("paused"),
        sqlite_where=sa.text("paused = 1"),
    )
