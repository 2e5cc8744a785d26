"""Who helped whom, tallied on each member as it happens: /helpstats reads a few index rows.

A member's tallies: the introductions they gave as a helper (how many, the latest, and how
many returned a favour: the requester had helped them before), the first time they were
helped, and the longest chain of helps in a row that ends with them being helped
(`chain`, reached at `chain_at`; `chain_before` is what it was before that moment, since a
help given at the same moment as one received does not follow it).

`introduced` counts one introduction in the same transaction; `recount` works every tally of
a community out again from its needs, for a history that changed in the past (a member
forgotten) or was written whole (the migration, the benchmark).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from bot.models import Member, Need

TALLIES = (
    "helps_given",
    "favours_given",
    "first_helped_at",
    "last_helped_at",
    "chain",
    "chain_at",
    "chain_before",
)


def introduced(session: Session, need: Need, helper_id: int, at: datetime) -> None:
    """Count a need introduced at `at` to its helper, in the helper's and the requester's tallies.

    Updates are atomic in the database: two introductions of one member at once in two
    processes both count. The helper's row is locked already; the requester's comes after it
    whatever their ids (bot/store.py): two members helping each other at the very same
    moment can deadlock, and `Store.run` runs the loser again.
    """
    earlier = aliased(Need)
    returned = session.exec(
        select(
            exists().where(
                col(earlier.community_id) == need.community_id,
                col(earlier.requester_id) == helper_id,
                col(earlier.helper_id) == need.requester_id,
                col(earlier.introduced_at) < at,
            )
        )
    ).one()
    chain, chain_at, chain_before = session.exec(
        select(Member.chain, Member.chain_at, Member.chain_before).where(Member.id == helper_id)
    ).one()
    reached = (chain if chain_at is None or _utc(chain_at) < _utc(at) else chain_before) + 1
    last = col(Member.last_helped_at)
    first = col(Member.first_helped_at)
    no_sync = {"synchronize_session": False}
    session.execute(
        update(Member)
        .where(col(Member.id) == helper_id)
        .values(
            helps_given=col(Member.helps_given) + 1,
            favours_given=col(Member.favours_given) + int(bool(returned)),
            last_helped_at=case((or_(last.is_(None), last < at), at), else_=last),
        )
        .execution_options(**no_sync)
    )
    session.execute(
        update(Member)
        .where(col(Member.id) == need.requester_id)
        .values(first_helped_at=case((or_(first.is_(None), first > at), at), else_=first))
        .execution_options(**no_sync)
    )
    session.execute(
        update(Member)
        .where(col(Member.id) == need.requester_id, col(Member.chain) < reached)
        .values(
            chain_before=case(
                (col(Member.chain_at) == at, col(Member.chain_before)), else_=col(Member.chain)
            ),
            chain=reached,
            chain_at=at,
        )
        .execution_options(**no_sync)
    )


def _utc(when: datetime) -> datetime:
    """SQLite hands back naive times; every time the store keeps is UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass
class _Tally:
    helps_given: int = 0
    favours_given: int = 0
    first_helped_at: datetime | None = None
    last_helped_at: datetime | None = None
    chain: int = 0
    chain_at: datetime | None = None
    chain_before: int = 0


def count(rows: list[tuple[datetime, int, int]]) -> dict[int, _Tally]:
    """Every member's tallies from (introduced at, requester, helper), in time order."""
    tallies: dict[int, _Tally] = {}
    first_between: dict[tuple[int, int], datetime] = {}  # (requester, helper) -> first time

    def of(member: int) -> _Tally:
        found = tallies.get(member)
        if found is None:
            found = tallies[member] = _Tally()
        return found

    i = 0
    while i < len(rows):
        at = rows[i][0]
        j = i
        while j < len(rows) and rows[j][0] == at:
            j += 1
        moment = rows[i:j]
        # Helps at one moment follow only what their helpers received before it.
        reached = []
        for _, requester, helper in moment:
            h = tallies.get(helper)
            before = 0 if h is None else (h.chain if h.chain_at != at else h.chain_before)
            reached.append((requester, before + 1))
        for (_, requester, helper), (_, length) in zip(moment, reached, strict=True):
            r, h = of(requester), of(helper)
            h.helps_given += 1
            h.last_helped_at = at
            earlier = first_between.get((helper, requester))
            h.favours_given += earlier is not None and earlier < at
            if r.first_helped_at is None:
                r.first_helped_at = at
            if length > r.chain:
                if r.chain_at != at:
                    r.chain_before = r.chain
                r.chain, r.chain_at = length, at
        for _, requester, helper in moment:
            first_between.setdefault((requester, helper), at)
        i = j
    return tallies


def _stored(values: Sequence[Any]) -> _Tally:
    """A member's tallies as read back, times in UTC like the counted ones."""
    plain: list[Any] = [_utc(v) if isinstance(v, datetime) else v for v in values]
    return _Tally(*plain)


def recount(conn: Connection | Session, community_id: str) -> int:
    """Work a community's tallies out again from its needs; the members whose tallies changed."""
    rows = [
        (_utc(at), requester, helper)
        for at, requester, helper in conn.execute(
            select(Need.introduced_at, Need.requester_id, Need.helper_id)
            .where(
                Need.community_id == community_id,
                col(Need.introduced_at).is_not(None),
                col(Need.helper_id).is_not(None),
            )
            .order_by(col(Need.introduced_at))
        )
    ]
    wanted = count(rows)
    columns = [getattr(Member, name) for name in TALLIES]
    stored = {
        member_id: _stored(values)
        for member_id, *values in conn.execute(
            select(col(Member.id), *columns).where(
                Member.community_id == community_id,
                or_(col(Member.helps_given) > 0, col(Member.first_helped_at).is_not(None)),
            )
        )
    }
    changed: list[dict[str, Any]] = []
    for member_id in stored.keys() | wanted.keys():
        tally = wanted.get(member_id, _Tally())
        if stored.get(member_id) != tally:
            changed.append({"member": member_id, **dict(zip(TALLIES, astuple(tally), strict=True))})
    if changed:
        table = SQLModel.metadata.tables["member"]
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("member"))
            .values({name: bindparam(name) for name in TALLIES}),
            changed,
        )
    return len(changed)
