"""help tallies: who helped whom, counted on each member as it happens

- member.helps_given, favours_given, first_helped_at, last_helped_at: the introductions a
  member gave (how many, how many returned a favour, the latest) and when they were first
  helped, in an index with the community, so /helpstats reads the helpers' rows alone.
- member.chain, chain_at, chain_before: the longest chain of helps in a row ending with the
  member being helped, indexed so its maximum is one index probe.

Existing introductions are counted here, community by community, as bot/tallies.py does.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("helps_given", "favours_given", "chain", "chain_before")
TIMES = ("first_helped_at", "last_helped_at", "chain_at")


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch rebuild of `member` on SQLite would break the triggers of
    # migration 0005 that name it.
    for name in COUNTS:
        op.add_column(
            "member", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )
    for name in TIMES:
        op.add_column("member", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_member_community_helps",
        "member",
        ["community_id", "helps_given", "favours_given", "first_helped_at", "last_helped_at"],
    )
    op.create_index("ix_member_community_chain", "member", ["community_id", "chain"])
    conn = op.get_bind()
    for (community_id,) in conn.execute(sa.text("SELECT id FROM community")).all():
        _count(conn, community_id)


def _count(conn: sa.Connection, community_id: str) -> None:
    """One community's tallies from its introductions, in time order."""
    rows = conn.execute(
        sa.text(
            "SELECT introduced_at, requester_id, helper_id FROM need WHERE community_id = :c "
            "AND introduced_at IS NOT NULL AND helper_id IS NOT NULL ORDER BY introduced_at"
        ),
        {"c": community_id},
    ).all()
    tallies: dict[int, dict[str, Any]] = {}
    first_between: dict[tuple[int, int], Any] = {}

    def of(member: int) -> dict[str, Any]:
        if member not in tallies:
            tallies[member] = {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(TIMES)}
        return tallies[member]

    i = 0
    while i < len(rows):
        at = rows[i][0]
        j = i
        while j < len(rows) and rows[j][0] == at:
            j += 1
        moment = rows[i:j]
        reached = []
        for _, requester, helper in moment:
            h = tallies.get(helper)
            before = 0 if h is None else (h["chain"] if h["chain_at"] != at else h["chain_before"])
            reached.append(before + 1)
        for (_, requester, helper), length in zip(moment, reached, strict=True):
            r, h = of(requester), of(helper)
            h["helps_given"] += 1
            h["last_helped_at"] = at
            earlier = first_between.get((helper, requester))
            h["favours_given"] += int(earlier is not None and earlier < at)
            if r["first_helped_at"] is None:
                r["first_helped_at"] = at
            if length > r["chain"]:
                if r["chain_at"] != at:
                    r["chain_before"] = r["chain"]
                r["chain"], r["chain_at"] = length, at
        for _, requester, helper in moment:
            first_between.setdefault((requester, helper), at)
        i = j
    if tallies:
        names = (*COUNTS, *TIMES)
        conn.execute(
            sa.text(
                "UPDATE member SET "
                + ", ".join(f"{n} = :{n}" for n in names)
                + " WHERE id = :member"
            ),
            [{"member": m, **t} for m, t in tallies.items()],
        )


def downgrade() -> None:
    op.drop_index("ix_member_community_chain", table_name="member")
    op.drop_index("ix_member_community_helps", table_name="member")
    for name in (*TIMES, *COUNTS):
        op.drop_column("member", name)

