"""connectors, referrals and the community pulse

- referral: who thought of whom for which need, and the ask it became.
- connectorask: a well-connected member asked whether they know someone, and their answer.
- pulse, pulserecipient, pulseanswer: a community check-in, whom it reached, what came back.
- member.pulse_off: the member asked for no more check-ins.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("pulse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_admin_id"), ["admin_id"], unique=False)
        batch_op.create_index(
            "ix_pulse_community_started", ["community_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pulse_summary_at"), ["summary_at"], unique=False)

    op.create_table(
        "connectorask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["need.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("need_id", "member_id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("connectorask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connectorask_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connectorask_need_id"), ["need_id"], unique=False)

    op.create_table(
        "pulseanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("skills", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["need.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pulse_id"],
            ["pulse.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("pulseanswer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pulseanswer_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pulseanswer_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pulseanswer_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "pulserecipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pulse_id"],
            ["pulse.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pulse_id", "member_id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("pulserecipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pulserecipient_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pulserecipient_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.String(length=200), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ask_id"],
            ["ask.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["need.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("need_id", "member_id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_community_connector", ["community_id", "connector_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_connector_id"), ["connector_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referral_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_need_id"), ["need_id"], unique=False)

    # A plain ADD COLUMN: a batch rebuild of `member` on SQLite would break the triggers of
    # migration 0005 that name it.
    op.add_column(
        "member",
        sa.Column("pulse_off", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("member", "pulse_off")

    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_need_id"))
        batch_op.drop_index(batch_op.f("ix_referral_member_id"))
        batch_op.drop_index(batch_op.f("ix_referral_connector_id"))
        batch_op.drop_index("ix_referral_community_connector")

    op.drop_table("referral")
    with op.batch_alter_table("pulserecipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulserecipient_pulse_id"))
        batch_op.drop_index(batch_op.f("ix_pulserecipient_member_id"))

    op.drop_table("pulserecipient")
    with op.batch_alter_table("pulseanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulseanswer_pulse_id"))
        batch_op.drop_index(batch_op.f("ix_pulseanswer_member_id"))
        batch_op.drop_index(batch_op.f("ix_pulseanswer_community_id"))

    op.drop_table("pulseanswer")
    with op.batch_alter_table("connectorask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectorask_need_id"))
        batch_op.drop_index(batch_op.f("ix_connectorask_member_id"))

    op.drop_table("connectorask")
    with op.batch_alter_table("pulse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_summary_at"))
        batch_op.drop_index("ix_pulse_community_started")
        batch_op.drop_index(batch_op.f("ix_pulse_admin_id"))

    op.drop_table("pulse")
