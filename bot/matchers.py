"""One in-memory matcher per community: built in the background, then kept in step with the
change log that every process writes, so an /offer anywhere costs nobody a rebuild."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Engine, bindparam, delete, false, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.models import (
    INDEX_ADD_SKILL,
    INDEX_FORGET,
    INDEX_HELP,
    INDEX_REMOVE_SKILL,
    NEED_RESOLVED,
    Community,
    IndexChange,
)
from matching import Matcher, normalize, snapshot

if TYPE_CHECKING:
    from matching.semantic import Embedder

log = logging.getLogger(__name__)

# How long a command waits for a matcher still being built before it asks the member to try
# again in a few seconds: short enough that nobody sits in silence.
WAIT_FOR_BUILD = 5.0
# A community with at most this many skills to read has them read before its matcher answers
# (well under a second); a larger one answers at once and has them read right after, in
# batches, while its needs are matched by words and the cheap model meanwhile.
READ_AT_BUILD = 300
READ_BATCH = 64
# Changes kept in the log per community: enough for any process that is running to catch up.
KEEP_CHANGES = 100_000
# Changes applied since a matcher's snapshot after which a fresher one is written: a restart
# then replays at most about this many, and never finds the log pruned past its snapshot.
REFRESH_AFTER = 10_000
# Where processes fork, a snapshot is written by a child holding a still copy of the matcher
# in use, while the process goes on serving with it: nothing waits for the file.
FORKS = hasattr(os, "fork")
# Session keys: the versions this transaction wrote, and members it is forgetting.
_WRITTEN = "whuffie.index.written"
_LEAVING = "whuffie.index.leaving"
_OFFERED = "whuffie.index.offered"
_CAUGHT_UP = "whuffie.index.caught_up"


class Warming(RuntimeError):
    """The community's matcher is still being built: try again in a few seconds."""


@dataclass
class _Entry:
    """One community's matcher and how far along the change log it is."""

    lock: threading.Lock = field(default_factory=threading.Lock)  # held while used or changed
    matcher: Matcher | None = None
    version: int = 0  # the last change applied
    ready: threading.Event = field(default_factory=threading.Event)
    building: bool = False
    again: bool = False  # a rebuild was asked for while one ran: its snapshot may be too old
    saved: int = 0  # the version of the newest snapshot on disk this process knows of
    epoch: str = ""  # the community row's the matcher was built from
    refreshing: bool = False  # a fresher snapshot is being written


class Matchers:
    """The matchers of every community this process serves.

    A matcher is built from one consistent snapshot of the database (history first, then
    profiles), in a background thread with its own connection, so commands that do not match
    anything never wait for it. Once built it is kept in a file under `cache_dir`, one per
    database and community: the next start loads it and applies the log since, which costs
    a fraction of a build. Every skill change, resolved need and forgotten member is
    written to `index_change` in the same transaction, numbered by the community's
    `profile_version`; before each use a matcher applies what is new since its version —
    changes made here and in every other process alike, and only once they are committed, so
    a transaction that fails leaves the matcher as it was.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        reader: Embedder | None = None,
        wait: float = WAIT_FOR_BUILD,
        before_build: Any = None,
        cache_dir: Path | None = None,
    ) -> None:
        # The meaning models are read-only: one copy serves every community of the process.
        self._embedder = embedder
        self._reader = reader
        self._entries: dict[str, _Entry] = {}
        self._guard = threading.Lock()
        self._engine: Engine | None = None
        self._queue: list[tuple[str, str]] = []  # (community, job)
        self._worker: threading.Thread | None = None
        self.wait = wait
        # Called in the building thread before each build (tests hold a build with it).
        self.before_build = before_build
        self.builds = 0  # how many full builds this process made
        self.loads = 0  # how many matchers it loaded from their snapshot instead
        self.cache_dir = cache_dir  # None: matchers are never kept between starts
        self._fingerprint = ""

    # -- building --------------------------------------------------------------------------

    def start(self, engine: Engine, community_ids: Iterable[str] | None = None) -> None:
        """Build these communities' matchers (all in the database by default) in the background."""
        self._engine = engine
        if community_ids is None:
            with Session(engine) as session:
                community_ids = list(session.exec(select(Community.id).order_by(col(Community.id))))
        for community_id in community_ids:
            self._schedule(community_id, again=False)

    def _entry(self, community_id: str) -> _Entry:
        with self._guard:
            return self._entries.setdefault(community_id, _Entry())

    def _schedule(self, community_id: str, *, again: bool = True) -> None:
        """Queue a (re)build; with `again`, the one under way (its snapshot may be too old)
        is followed by another."""
        entry = self._entry(community_id)
        with self._guard:
            if entry.building:
                entry.again = entry.again or again
                return
            entry.building = True
            self._queue.append((community_id, _BUILD))
            self._start_worker()

    def _schedule_refresh(self, community_id: str) -> None:
        """Queue writing a fresher snapshot of the community's matcher."""
        entry = self._entry(community_id)
        with self._guard:
            if entry.refreshing or entry.building:
                return
            entry.refreshing = True
            self._queue.append((community_id, _REFRESH))
            self._start_worker()

    def _start_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="whuffie-index", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            with self._guard:
                if not self._queue:
                    self._worker = None
                    return
                community_id, job = self._queue.pop(0)
            entry = self._entry(community_id)
            if job == _REFRESH:
                try:
                    self._refresh(community_id, entry)
                except Exception:
                    log.exception("could not refresh the matcher snapshot of %s", community_id)
                with self._guard:
                    entry.refreshing = False
                continue
            while True:
                try:
                    self._build(community_id, entry)
                except Exception:
                    log.exception(
                        "could not build the matcher of %s; trying at next use", community_id
                    )
                with self._guard:
                    if not entry.again:
                        entry.building = False
                        break
                    entry.again = False
            self._read_rest(community_id, entry)

    def _read_rest(self, community_id: str, entry: _Entry) -> None:
        """Read the meaning of the skills a build left, a batch at a time, while it answers.

        The model runs outside the lock: matching goes on between batches, and a batch whose
        skills were dropped meanwhile (or whose matcher was replaced) is simply not used.
        """
        while True:
            with entry.lock:
                matcher = entry.matcher
                model = matcher.skill_model if matcher is not None else None
                items = matcher.unread_skills(READ_BATCH) if matcher is not None else []
            if matcher is None or model is None or not items:
                return
            vectors = model.embed([text for _, text in items])
            with entry.lock:
                if entry.matcher is not matcher:
                    return
                matcher.read_skills(items, vectors)
                more = bool(matcher.unread_skills(1))
            if not more and self._path(community_id) is not None:
                self._keep_read(community_id, entry, matcher)

    def _keep_read(self, community_id: str, entry: _Entry, reading: Matcher) -> None:
        """Keep what the background reading found in the snapshot, so no start reads it
        again: the matcher in use where processes fork, else the snapshot on disk, brought up
        to date, takes the vectors the matcher in use has."""
        if FORKS:
            self._save_from_child(community_id, entry)
            return
        restored = self._restore(community_id, read=0)
        if restored is None:
            return
        with entry.lock:
            if entry.matcher is not reading:
                return
            restored.matcher.read_skills_from(reading)
        self._save(community_id, restored.matcher, restored.version, restored.epoch)
        entry.saved = max(entry.saved, restored.version)

    def _build(self, community_id: str, entry: _Entry) -> None:
        if self.before_build is not None:
            self.before_build(community_id)
        if self._embedder is None:
            from matching.semantic import shared_embedder

            self._embedder = shared_embedder()
        if self._reader is None:
            self._reader = _load_reader()
        assert self._engine is not None
        started = time.perf_counter()
        # Only a process's first matcher may come from a snapshot: a rebuild is asked for
        # because the log cannot bring the one it has up to date.
        restored = self._restore(community_id) if entry.matcher is None else None
        if restored is not None:
            version, matcher = restored.version, restored.matcher
            how = f"loaded, with {restored.applied} change(s) since"
        else:
            version, matcher, epoch = build(
                self._engine, community_id, self._embedder, self._reader
            )
            if not FORKS:  # written before it serves: a matcher in use changes under the lock
                self._save(community_id, matcher, version, epoch)
            how = "built"
        with entry.lock:
            # A newer matcher may have caught up further than this snapshot: it catches up
            # from the snapshot's version at its next use.
            entry.matcher, entry.version = matcher, version
            entry.saved = version if restored is None else restored.saved
            entry.epoch = epoch if restored is None else restored.epoch
            if restored is None:
                self.builds += 1
            else:
                self.loads += 1
        entry.ready.set()
        log.info(
            "matcher of %s ready: %d profiles %s in %.1f s",
            community_id,
            len(matcher),
            how,
            time.perf_counter() - started,
        )
        if restored is None and FORKS:
            self._save_from_child(community_id, entry)
        elif restored is not None and restored.applied >= REFRESH_AFTER:
            self._schedule_refresh(community_id)

    # -- snapshots -------------------------------------------------------------------------

    def _path(self, community_id: str) -> Path | None:
        """The snapshot file of a community of this database, or None when none is kept."""
        if self.cache_dir is None or self._engine is None:
            return None
        key = f"{_database(self._engine)}\0{community_id}".encode()
        return self.cache_dir / f"matcher-{hashlib.sha256(key).hexdigest()[:32]}.snapshot"

    def _fingerprinted(self) -> str:
        if not self._fingerprint:
            # The build's queries decide what a matcher holds as much as the matcher's code.
            self._fingerprint = snapshot.fingerprint(
                self._embedder, Path(__file__).read_bytes(), reader=self._reader
            )
        return self._fingerprint

    def _meta(self, community_id: str, version: int, epoch: str) -> dict[str, Any]:
        return {
            "community": community_id,
            "epoch": epoch,
            "fingerprint": self._fingerprinted(),
            "version": version,
        }

    def _save(self, community_id: str, matcher: Matcher, version: int, epoch: str) -> None:
        """Keep a matcher at `version` of the community row `epoch` for the next start."""
        path = self._path(community_id)
        if path is None or not epoch:
            return
        meta = self._meta(community_id, version, epoch)
        started = time.perf_counter()
        try:
            snapshot.save(path, matcher, self._embedder, meta)
        except Exception as exc:
            # Only the type and the system's reason: never the contents being written.
            reason = exc.strerror if isinstance(exc, OSError) else None
            self._not_kept(community_id, reason or type(exc).__name__)
            return
        self._kept(community_id, version, started)

    def _save_from_child(self, community_id: str, entry: _Entry) -> None:
        """Keep the matcher in use for the next start, written by a forked child from its
        copy of memory: the matcher is held only for the fork itself."""
        path = self._path(community_id)
        if path is None or not entry.epoch:
            return
        started = time.perf_counter()
        with entry.lock:  # still while the child's copy is taken
            matcher, version = entry.matcher, entry.version
            assert matcher is not None
            meta = self._meta(community_id, version, entry.epoch)
            child = os.fork()
            if child == 0:  # pragma: no cover - the child leaves through os._exit
                code = 1
                try:
                    snapshot.save(path, matcher, self._embedder, meta)
                    code = 0
                finally:
                    # Never back into the parent's code: no cleanup, no traceback (it could
                    # show what was being written), only whether the file is there.
                    os._exit(code)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            self._not_kept(community_id, "the writing process failed")
            return
        entry.saved = max(entry.saved, version)
        self._kept(community_id, version, started)

    def _not_kept(self, community_id: str, reason: str) -> None:
        log.warning(
            "could not keep the matcher of %s under %s (%s): the next start builds it",
            community_id,
            self.cache_dir,
            reason,
        )

    def _kept(self, community_id: str, version: int, started: float) -> None:
        """A snapshot at `version` was written: unless someone was forgotten since."""
        if self._forgotten_since(community_id, version):
            # Someone left while it was built from the database as it was before: their
            # words must not wait on disk for the rebuild.
            self._discard(community_id)
            return
        log.info(
            "matcher of %s kept at version %d in %.1f s",
            community_id,
            version,
            time.perf_counter() - started,
        )

    def _restore(self, community_id: str, read: int = READ_AT_BUILD) -> _Restored | None:
        """The community's matcher from its snapshot, brought up to date from the log (and
        up to `read` skills' meanings read); None when there is no usable snapshot."""
        path = self._path(community_id)
        if path is None or not path.exists():
            return None
        assert self._engine is not None
        try:
            meta, matcher = snapshot.load(path, self._embedder, self._fingerprinted())
        except snapshot.Unusable as why:
            log.info("matcher snapshot of %s not used: %s", community_id, why)
            return None
        with Session(self._engine) as session:
            caught = replay(session, community_id, matcher, meta)
        if caught is None:
            log.info("matcher snapshot of %s is out of date: building it", community_id)
            self._discard(community_id)  # it may hold a forgotten member's words
            return None
        _prepare(matcher, read)
        return _Restored(matcher, caught[0], caught[1], meta["version"], meta["epoch"])

    def _refresh(self, community_id: str, entry: _Entry) -> None:
        """Write a fresher snapshot: from the matcher in use where processes fork, else from
        the one on disk and the log, never touching the matcher in use (commands hold it)."""
        if FORKS:
            self._save_from_child(community_id, entry)
            return
        restored = self._restore(community_id)
        if restored is not None:
            self._save(community_id, restored.matcher, restored.version, restored.epoch)
            entry.saved = max(entry.saved, restored.version)

    def _forgotten_since(self, community_id: str, version: int) -> bool:
        """Whether a member of the community was forgotten after `version`."""
        assert self._engine is not None
        with Session(self._engine) as session:
            found = session.exec(
                select(IndexChange.id)
                .where(
                    IndexChange.community_id == community_id,
                    col(IndexChange.version) > version,
                    IndexChange.kind == INDEX_FORGET,
                )
                .limit(1)
            ).first()
        return found is not None

    def _discard(self, community_id: str) -> None:
        """Delete the community's snapshot (a member was forgotten, or it is out of date)."""
        path = self._path(community_id)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()

    def warming(self) -> bool:
        """Whether some community's first matcher is still being built."""
        with self._guard:
            return any(e.building and e.matcher is None for e in self._entries.values())

    def busy(self) -> bool:
        """Whether a matcher is being built, read or written to its snapshot in the
        background."""
        with self._guard:
            return (
                bool(self._queue)
                or self._worker is not None
                or any(e.building or e.refreshing for e in self._entries.values())
            )

    def ready(self, community_id: str) -> bool:
        """Whether the community's matcher can answer now."""
        entry = self._entries.get(community_id)
        return entry is not None and entry.ready.is_set()

    def ensure(self, engine: Engine, community_id: str) -> bool:
        """Whether the community's matcher is ready; if it is not, have it built."""
        entry = self._entry(community_id)
        if entry.ready.is_set():
            return True
        if self._engine is None:
            self._engine = engine
        if entry.matcher is None:
            self._schedule(community_id, again=False)
        return False

    def wait_ready(self, engine: Engine, community_id: str, timeout: float | None = None) -> bool:
        """Start the community's matcher if needed and wait for it (at most `timeout` s)."""
        if self.ensure(engine, community_id):
            return True
        return self._entry(community_id).ready.wait(self.wait if timeout is None else timeout)

    # -- using -----------------------------------------------------------------------------

    @contextmanager
    def using(self, session: Session, community_id: str) -> Iterator[Matcher]:
        """The community's current matcher, held exclusively for the block.

        Raises `Warming` when it is still being built: a command waits for it before its
        transaction starts (`Whuffie.index_ready`), never while holding the database.
        """
        bind = session.get_bind()
        assert isinstance(bind, Engine)
        if not self.ensure(bind, community_id):
            raise Warming(community_id)
        entry = self._entry(community_id)
        with entry.lock:
            matcher = entry.matcher
            assert matcher is not None
            # Once per transaction: a /need reads the matcher twice (its topic, its
            # candidates), and what others commit meanwhile may as well wait for the next one.
            caught_up = session.info.setdefault(_CAUGHT_UP, set())
            if community_id not in caught_up:
                self._catch_up(session, community_id, entry)
                caught_up.add(community_id)
            # Skills offered in this very transaction count for it (needs waiting for them
            # are asked about at once), and are taken back after: only a commit keeps them.
            lent = []
            for member, skill in session.info.get(_OFFERED, {}).get(community_id, []):
                if normalize(skill) not in {normalize(s) for s in matcher.skills_of(member)}:
                    matcher.add_skill(member, skill)
                    lent.append((member, skill))
            try:
                yield matcher
            finally:
                for member, skill in reversed(lent):
                    matcher.remove_skill(member, skill)

    def _catch_up(self, session: Session, community_id: str, entry: _Entry) -> None:
        """Apply the committed changes since the matcher's version, in order."""
        own = session.info.get(_WRITTEN, {}).get(community_id)
        # This transaction's own changes (from `own` on) count once it commits.
        changes = session.exec(
            _changes_since(own is not None),
            params={"community": community_id, "version": entry.version, "own": own},
        )
        matcher = entry.matcher
        assert matcher is not None
        for change in changes:
            if change.version > entry.version + 1:
                # Changes are missing (pruned, or taken with a forgotten member): only the
                # database has the whole picture. Until the rebuild, this one serves.
                self._schedule(community_id, again=False)
                return
            apply(matcher, change)
            entry.version = change.version
            if change.kind == INDEX_FORGET:
                self._discard(community_id)  # their words must not wait on disk for the rebuild
                self._schedule(community_id)
        if entry.version - entry.saved >= REFRESH_AFTER:
            entry.saved = entry.version  # asked once; the refresh writes at least this far
            self._schedule_refresh(community_id)

    def forget(self, community_id: str) -> None:
        """Drop a community's matcher (the community itself is gone)."""
        self._discard(community_id)
        with self._guard:
            entry = self._entries.get(community_id)
            if entry is not None and not entry.building:
                del self._entries[community_id]

    def leaving(self, session: Session) -> set[str]:
        """Members this transaction is forgetting: never to be asked in it."""
        return set(session.info.get(_LEAVING, ()))

    # -- changing --------------------------------------------------------------------------

    def offered(
        self, session: Session, community_id: str, member_id: int, names: Sequence[str]
    ) -> None:
        """A member offered these skills (each already stored in this transaction)."""
        self._log(session, community_id, [_Change(INDEX_ADD_SKILL, member_id, n) for n in names])
        offered = session.info.setdefault(_OFFERED, {}).setdefault(community_id, [])
        offered.extend((str(member_id), n) for n in names)

    def unoffered(self, session: Session, community_id: str, member_id: int, name: str) -> None:
        """A member removed one skill."""
        self._log(session, community_id, [_Change(INDEX_REMOVE_SKILL, member_id, name)])

    def helped(
        self,
        session: Session,
        community_id: str,
        member_id: int,
        need_id: int | None,
        words: str,
        at: float,
    ) -> None:
        """A member helped resolve a need with these words, at `at` (epoch seconds)."""
        change = _Change(INDEX_HELP, member_id, words, need_id, at)
        self._log(session, community_id, [change])

    def leave(self, session: Session, member_id: int) -> None:
        """A member is being forgotten: nobody asks them again in this transaction."""
        session.info.setdefault(_LEAVING, set()).add(str(member_id))

    def forgot(
        self, session: Session, community_id: str, member_id: int, need_ids: Iterable[int]
    ) -> None:
        """A member was forgotten: their words leave the log and this process's snapshot too,
        and every process rebuilds."""
        self._discard(community_id)
        needs = list(need_ids)
        session.execute(
            delete(IndexChange).where(
                col(IndexChange.community_id) == community_id,
                or_(
                    col(IndexChange.member_id) == member_id,
                    col(IndexChange.need_id).in_(needs) if needs else false(),
                ),
            )
        )
        self._log(session, community_id, [_Change(INDEX_FORGET, member_id)])

    def _log(self, session: Session, community_id: str, changes: list[_Change]) -> None:
        # One atomic increment, holding the community row until commit: versions become
        # visible in the order they were taken, so nobody skips one still being written.
        version = session.exec(
            update(Community)
            .where(col(Community.id) == community_id)
            .values(profile_version=col(Community.profile_version) + 1)
            .returning(col(Community.profile_version))
        ).scalar_one_or_none()
        if version is None:
            return
        written = session.info.setdefault(_WRITTEN, {})
        written[community_id] = min(written.get(community_id, version), version)
        for c in changes:
            session.add(
                IndexChange(
                    community_id=community_id,
                    version=version,
                    kind=c.kind,
                    member_id=c.member_id,
                    need_id=c.need_id,
                    text=c.text,
                    at=c.at,
                )
            )
        session.flush()


class _Restored(NamedTuple):
    """A matcher loaded from its snapshot and brought up to date."""

    matcher: Matcher
    version: int  # the version it is at now
    applied: int  # changes applied since its snapshot
    saved: int  # the version of its snapshot
    epoch: str  # the community row's


_BUILD = "build"
_REFRESH = "refresh"


def _database(engine: Engine) -> str:
    """The database an engine opens, as one string (no password): snapshots of two
    databases never share a file."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=os.path.abspath(url.database or ""))
    return url.render_as_string(hide_password=True)


def replay(
    session: Session, community_id: str, matcher: Matcher, meta: dict[str, Any]
) -> tuple[int, int] | None:
    """Apply the log since a snapshot's version to its matcher: the version reached and how
    many changes that took, or None when the log cannot bring it up to the database.

    That is when the snapshot is of another community row (deleted and made again), or
    newer than the database (restored from a backup), or when changes are missing (pruned,
    an import that logs none) or a member was forgotten since (their words are in it).
    """
    row = session.get(Community, community_id)
    version = meta.get("version")
    if (
        row is None
        or not row.index_epoch
        or meta.get("epoch") != row.index_epoch
        or meta.get("community") != community_id
        or not isinstance(version, int)
        or version > row.profile_version
    ):
        return None
    changes = session.exec(
        select(IndexChange)
        .where(IndexChange.community_id == community_id, col(IndexChange.version) > version)
        .order_by(col(IndexChange.version), col(IndexChange.id))
    )
    applied = 0
    for change in changes:
        if change.version > version + 1 or change.kind == INDEX_FORGET:
            return None
        apply(matcher, change)
        version = change.version
        applied += 1
    # Versions are taken in order and the row was read first: every one up to it is here.
    return (version, applied) if version >= row.profile_version else None


@dataclass(frozen=True)
class _Change:
    kind: str
    member_id: int
    text: str = ""
    need_id: int | None = None
    at: float | None = None


@functools.cache
def _changes_since(up_to_own: bool) -> SelectOfScalar[IndexChange]:
    """The changes after a version; `up_to_own`: and before this transaction's own.

    Built once: every command that matches runs it.
    """
    version = col(IndexChange.version)
    query = select(IndexChange).where(
        IndexChange.community_id == bindparam("community"), version > bindparam("version")
    )
    if up_to_own:
        query = query.where(version < bindparam("own"))
    return query.order_by(version, col(IndexChange.id))


def prune(session: Session, keep: int = KEEP_CHANGES) -> int:
    """Delete changes older than the newest `keep` of their community; how many went.

    A process that far behind finds a gap in the log and rebuilds instead.
    """
    old = (
        select(IndexChange.id)
        .join(Community, col(Community.id) == col(IndexChange.community_id))
        .where(col(IndexChange.version) <= col(Community.profile_version) - keep)
    )
    done = session.execute(delete(IndexChange).where(col(IndexChange.id).in_(old)))
    return int(getattr(done, "rowcount", 0) or 0)


def apply(matcher: Matcher, change: IndexChange) -> None:
    """Apply one logged change to a matcher."""
    member = str(change.member_id)
    if change.kind == INDEX_ADD_SKILL:
        matcher.add_skill(member, change.text)
    elif change.kind == INDEX_REMOVE_SKILL:
        matcher.remove_skill(member, change.text)
    elif change.kind == INDEX_HELP:
        matcher.record_help(member, change.text, at=change.at)
    elif change.kind == INDEX_FORGET:
        # Until the rebuild (their needs' words live in others' history), never propose them.
        for skill in matcher.skills_of(member):
            matcher.remove_skill(member, skill)


def _load_reader() -> Embedder | None:
    """The reading model, or None (matching by words and the static model) when missing."""
    from matching.semantic import ModelMissing
    from matching.transformer import shared_transformer

    try:
        return shared_transformer()
    except ModelMissing:
        log.warning("the reading model is not installed: skills are matched without it")
        return None


def build(
    engine: Engine, community_id: str, embedder: Embedder | None, reader: Embedder | None = None
) -> tuple[int, Matcher, str]:
    """A community's matcher from one consistent snapshot of the database, the version it
    holds, and the community row's epoch."""
    matcher = Matcher(embedder=embedder, reader=reader)
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if not sqlite:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            raw: Any = conn.connection.dbapi_connection
            if sqlite:
                # pysqlite starts transactions only to write: this one must hold one snapshot.
                raw.execute("BEGIN")
            mark = "?" if sqlite else "%s"
            cursor = raw.cursor()
            cursor.execute(
                f"SELECT profile_version, index_epoch FROM community WHERE id = {mark}",
                (community_id,),
            )
            found = cursor.fetchone()
            version, epoch = (int(found[0]), str(found[1])) if found else (0, "")
            # History first: a member's activity is known before their skills are posted,
            # so each posting is sorted once instead of reordered at every help.
            # On PostgreSQL the rows stay on the server until read: a million members'
            # skills never sit in this process twice.
            streamed = cursor if sqlite else raw.cursor(name="whuffie_history")
            streamed.execute(
                "SELECT helper_id, text, resolved_at FROM need"
                f" WHERE community_id = {mark} AND status = {mark} AND helper_id IS NOT NULL"
                " ORDER BY resolved_at, id",
                (community_id, NEED_RESOLVED),
            )
            matcher.load_history((h, words, _epoch(at)) for h, words, at in _rows(streamed))
            streamed = cursor if sqlite else raw.cursor(name="whuffie_skills")
            streamed.execute(
                f"SELECT member_id, name FROM skill WHERE community_id = {mark}"
                " ORDER BY member_id, id",
                (community_id,),
            )
            matcher.add_skill_rows(_rows(streamed))
    _prepare(matcher, READ_AT_BUILD)
    return version, matcher, epoch


def _prepare(matcher: Matcher, read: int) -> None:
    """Embed what the cheap model needs, and every skill's meaning if no more than `read`
    wait (else none: the background reads them without holding up the first answers)."""
    matcher.prepare(read=read if len(matcher.unread_skills(read + 1)) <= read else 0)


def _rows(cursor: Any) -> Iterator[tuple[Any, ...]]:
    """A cursor's rows in batches, so a million rows never sit in memory at once."""
    while batch := cursor.fetchmany(10_000):
        yield from batch


def _epoch(value: Any) -> float | None:
    """A stored timestamp as epoch seconds (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    return float(value.timestamp())
