"""One in-memory matcher per community, kept in step with the database's skills."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.models import NEED_RESOLVED, Community, Need, Skill
from matching import Matcher

if TYPE_CHECKING:
    from matching.semantic import Embedder


class Matchers:
    """Builds a community's matcher on first use and reloads it when another process changed it.

    Each community row carries a `profile_version`, bumped by every skill change. A matcher
    whose version differs from the row's is rebuilt, so a new `/offer` made in another
    process is matchable here at the next match.
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        # The meaning model is read-only: one copy serves every community of the process.
        self._embedder = embedder
        self._matchers: dict[str, tuple[int, Matcher]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, community_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(community_id, threading.Lock())

    @contextmanager
    def using(self, session: Session, community_id: str) -> Iterator[Matcher]:
        """The community's current matcher, held exclusively for the block."""
        version = _version(session, community_id)
        with self._lock(community_id):
            cached = self._matchers.get(community_id)
            if cached is None or cached[0] != version:
                if self._embedder is None:
                    # Loaded on first use, so commands that match nothing start fast.
                    from matching.semantic import shared_embedder

                    self._embedder = shared_embedder()
                cached = (version, _build(session, community_id, self._embedder))
                self._matchers[community_id] = cached
            yield cached[1]

    def changed(
        self, session: Session, community_id: str, change: Callable[[Matcher], None]
    ) -> None:
        """Bump the community's version and apply the same change to the cached matcher."""
        # One atomic increment: two processes bumping at once each get their own number.
        new = session.exec(
            update(Community)
            .where(col(Community.id) == community_id)
            .values(profile_version=col(Community.profile_version) + 1)
            .returning(col(Community.profile_version))
        ).scalar_one_or_none()
        if new is None:
            return
        old = new - 1
        with self._lock(community_id):
            cached = self._matchers.get(community_id)
            if cached is not None and cached[0] == old:
                change(cached[1])
                self._matchers[community_id] = (old + 1, cached[1])
            else:
                self._matchers.pop(community_id, None)

    def rebuild(self, session: Session, community_id: str) -> None:
        """Bump the version so every process rebuilds from the database (after /forgetme)."""
        self.changed(session, community_id, lambda m: None)
        self.forget(community_id)

    def forget(self, community_id: str) -> None:
        """Drop a cached matcher (after a failed transaction, it may be ahead of the database)."""
        with self._lock(community_id):
            self._matchers.pop(community_id, None)


def _version(session: Session, community_id: str) -> int:
    # A column query reads the database, not a row object the session may hold from earlier.
    version = session.exec(
        select(Community.profile_version).where(Community.id == community_id)
    ).first()
    return version or 0


def _build(session: Session, community_id: str, embedder: Embedder) -> Matcher:
    matcher = Matcher(embedder=embedder)
    skills: dict[str, list[str]] = defaultdict(list)
    for member_id, name in session.exec(
        select(Skill.member_id, Skill.name)
        .where(Skill.community_id == community_id)
        .order_by(col(Skill.id))
    ):
        skills[str(member_id)].append(name)
    matcher.add_members(skills.items())
    # Oldest first, with their real dates, so recent help counts more after a rebuild too.
    for helper_id, text, resolved_at in session.exec(
        select(Need.helper_id, Need.text, Need.resolved_at)
        .where(
            Need.community_id == community_id,
            Need.status == NEED_RESOLVED,
            col(Need.helper_id).is_not(None),
        )
        .order_by(col(Need.resolved_at), col(Need.id))
    ):
        at = resolved_at.timestamp() if resolved_at else None
        matcher.record_help(str(helper_id), text, at=at)
    return matcher
