"""delivery health: a community whose installation the platform refuses

- community.inactive_since / inactive_reason: set when the platform refuses the bot itself
  there (uninstalled, token revoked); nothing is sent to it until it uses the bot again.
- outbox.status gains the value "dead" (given up after the last try): no schema change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("community") as batch_op:
        batch_op.add_column(sa.Column("inactive_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("inactive_reason", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("community") as batch_op:
        batch_op.drop_column("inactive_reason")
        batch_op.drop_column("inactive_since")
