"""forget a member by keys: whom a message is about, and a confirm that expires

- member.forget_asked_at: when /forgetme asked to confirm; the confirm counts for minutes only.
- outbox.about_member_ids: the members a message names besides its recipients, so /forgetme
  finds them by key (and redacts them) instead of searching the text.
- outbox.target_ref: the platform message an edit applies to, for an ask that no longer
  exists (a forgotten member's need: the helpers' asks are closed).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("forget_asked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(
            sa.Column("about_member_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("target_ref", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("target_ref")
        batch_op.drop_column("about_member_ids")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_column("forget_asked_at")
