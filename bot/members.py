"""Finding communities and members, creating them the first time they speak."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.models import Community, Member
from bot.port import Actor


def ensure_community(session: Session, actor: Actor, now: datetime) -> Community:
    """The actor's community, created on first use."""
    community = session.get(Community, actor.community)
    if community is None:
        try:
            with session.begin_nested():
                community = Community(id=actor.community, platform=actor.platform, created_at=now)
                session.add(community)
        except IntegrityError:  # another process created it at the same moment
            community = session.get(Community, actor.community)
    assert community is not None
    return community


def find_member(session: Session, community_id: str, user_id: str) -> Member | None:
    """A member by their platform id, if the bot knows them."""
    return session.exec(_member(), params={"community": community_id, "user": user_id}).first()


@functools.cache
def _member() -> SelectOfScalar[Member]:
    """Built once: every command runs it."""
    return select(Member).where(
        Member.community_id == bindparam("community"), Member.user_id == bindparam("user")
    )


def _name(actor: Actor) -> str:
    return (actor.display_name or actor.user_id)[:200]


def ensure_member(session: Session, actor: Actor, now: datetime) -> Member:
    """The actor as a member, created on first use (`keep_name_current` renames them)."""
    ensure_community(session, actor, now)
    member = find_member(session, actor.community, actor.user_id)
    name = _name(actor)
    if member is None:
        try:
            with session.begin_nested():
                member = Member(
                    community_id=actor.community,
                    user_id=actor.user_id,
                    display_name=name,
                    created_at=now,
                )
                session.add(member)
        except IntegrityError:
            member = find_member(session, actor.community, actor.user_id)
        assert member is not None
    return member


def keep_name_current(session: Session, member: Member, actor: Actor) -> None:
    """Store the member's display name as the platform shows it now, if it changed.

    Called at the end of a command: writing the row locks it, and the store's lock order
    takes member rows after needs and asks.
    """
    name = _name(actor)
    if not name or member.display_name == name:
        return
    state = inspect(member)
    if member in session.deleted or state.deleted or state.was_deleted:  # /forgetme confirmed
        return
    member.display_name = name
    session.add(member)
