"""requests already handled, so a replay does its work once

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seenrequest",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("forget_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("seenrequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seenrequest_forget_at"), ["forget_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seenrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seenrequest_forget_at"))
    op.drop_table("seenrequest")
