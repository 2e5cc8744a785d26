"""repair databases created with the first release of 0001

0001 was edited after its first release: `outbox.claimed_by` was added to it, so a database
created by the first release says "up to date" and lacks the column. This adds what such a
database lacks and does nothing on any other. Released migrations are never edited again:
each change is a new migration.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("outbox")}
    if "claimed_by" not in columns:
        with op.batch_alter_table("outbox") as batch_op:
            batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # 0001 as it stands creates the column: dropping it here would leave a broken 0001 shape.
    pass
