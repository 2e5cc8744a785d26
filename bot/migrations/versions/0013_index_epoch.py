"""index epoch: a token made with each community row, named by matcher snapshots

- community.index_epoch: random, so a snapshot of a community's matcher kept on disk is never
  taken for a community deleted and made again under the same id, or one of another database.
  Rows inserted without one get '' and are never served a snapshot.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "community",
        sa.Column("index_epoch", sa.String(length=32), nullable=False, server_default=""),
    )
    community = sa.table("community", sa.column("id", sa.String), sa.column("index_epoch"))
    bind = op.get_bind()
    for (community_id,) in bind.execute(sa.select(community.c.id)).all():
        bind.execute(
            community.update()
            .where(community.c.id == community_id)
            .values(index_epoch=secrets.token_hex(8))
        )


def downgrade() -> None:
    with op.batch_alter_table("community") as batch:
        batch.drop_column("index_epoch")
