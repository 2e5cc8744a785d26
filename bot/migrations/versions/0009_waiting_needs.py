"""waiting needs and favours returned

- need.waiting_since / first_waited_at: a need nobody could take waits, and is asked again
  when someone who fits is free; kept so /helpstats can say how long needs waited.
- need.nobody_offers: nobody in the community offers anything that fits it (an unmet topic).
- need.checkin_at (indexed): when the requester is next told that it still waits.
- need.status gains the value "closed" (closed by its requester while waiting).
- member.favour_lines: whether asks may say "X helped you before" (on unless turned off).

Columns are added without rebuilding `need` (0005's triggers stay). Needs already waiting
count as waiting since they were posted, with their check-in 14 days after that.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_CHECKIN = timedelta(days=14)


def upgrade() -> None:
    op.add_column("need", sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("need", sa.Column("first_waited_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "need", sa.Column("nobody_offers", sa.Boolean(), nullable=False, server_default="0")
    )
    op.add_column("need", sa.Column("checkin_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_need_checkin_at"), "need", ["checkin_at"], unique=False)
    op.add_column(
        "member", sa.Column("favour_lines", sa.Boolean(), nullable=False, server_default="1")
    )
    need = sa.table(
        "need",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("waiting_since", sa.DateTime(timezone=True)),
        sa.column("first_waited_at", sa.DateTime(timezone=True)),
        sa.column("checkin_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(need.c.id, need.c.created_at).where(need.c.status == "unmet")
    ).all()
    for need_id, created_at in waiting:
        bind.execute(
            need.update()
            .where(need.c.id == need_id)
            .values(
                waiting_since=created_at,
                first_waited_at=created_at,
                checkin_at=created_at + FIRST_CHECKIN,
            )
        )


def downgrade() -> None:
    op.drop_column("member", "favour_lines")
    op.drop_index(op.f("ix_need_checkin_at"), table_name="need")
    op.drop_column("need", "checkin_at")
    op.drop_column("need", "nobody_offers")
    op.drop_column("need", "first_waited_at")
    op.drop_column("need", "waiting_since")
