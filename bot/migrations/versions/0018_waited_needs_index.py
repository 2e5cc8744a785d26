"""needs that waited have an index of their own, so /helpstats never reads every need

- ix_need_community_waited: on (community_id, first_waited_at, introduced_at), only of
  needs that ever waited: how long they waited before help came is read from it alone.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_need_community_waited",
        "need",
        ["community_id", "first_waited_at", "introduced_at"],
        postgresql_where=sa.text("first_waited_at IS NOT NULL"),
        sqlite_where=sa.text("first_waited_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_need_community_waited", table_name="need")
