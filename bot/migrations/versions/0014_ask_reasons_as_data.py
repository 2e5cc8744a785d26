"""an ask's reasons as data, and how it came about

- ask.reasons (JSON): why the matcher chose the member (the skills that fit and how, past
  help), worded by the texts for whoever reads them; NULL on the asks before, whose
  `reason` keeps saying why in English.
- ask.origin: "match", "give" (the member chose the need) or "referral" (someone thought
  of them), which limits used to tell apart by the English reason; asks already there get
  theirs from it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The English reasons gives and referrals were stored with until now.
GIVE_REASON = "you offered to help from the open needs"
REFERRAL_REASON = "someone who knows them thought of them"


def upgrade() -> None:
    op.add_column("ask", sa.Column("reasons", sa.JSON(), nullable=True))
    op.add_column(
        "ask", sa.Column("origin", sa.String(length=20), nullable=False, server_default="match")
    )
    ask = sa.table("ask", sa.column("reason", sa.Text()), sa.column("origin", sa.String()))
    for reason, origin in ((GIVE_REASON, "give"), (REFERRAL_REASON, "referral")):
        op.execute(ask.update().where(ask.c.reason == reason).values(origin=origin))


def downgrade() -> None:
    op.drop_column("ask", "origin")
    op.drop_column("ask", "reasons")
