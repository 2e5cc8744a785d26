"""paused members indexed: every /need leaves them out without reading every member

- ix_member_paused: a partial index of the members whose pause is on, by community.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_member_paused",
        "member",
        ["community_id"],
        postgresql_where=sa.text("paused"),
        sqlite_where=sa.text("paused = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_member_paused", table_name="member")
