"""Delivering what the bot owes people, after commit, once, and never giving up on it."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import ColumnElement, and_, bindparam, delete, exists, func, insert, not_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.context import Context, button_data, button_of
from bot.models import (
    OUT_DEAD,
    OUT_FAILED,
    OUT_PENDING,
    OUT_SENDING,
    OUT_SENT,
    Ask,
    Community,
    Member,
    Outbox,
)
from bot.port import InstallationBroken, Message, Undeliverable
from bot.store import Store, locked
from bot.usecases import answers

log = logging.getLogger(__name__)

# A send that takes longer than this counts as failed (it is retried later).
SEND_TIMEOUT = timedelta(minutes=2)
# Retries back off from FIRST_BACKOFF up to MAX_BACKOFF, so a passing outage loses nothing;
# after MAX_ATTEMPTS tries (about a day) a message is given up ("dead") and shown to admins.
FIRST_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=1)
MAX_ATTEMPTS = 30
# At most this many messages are sent at once by one process (one per conversation): the
# most a process killed mid-send holds back, for one lease.
SEND_AT_ONCE = 8
# Due rows looked at to fill a batch, past later messages of the same conversations.
LOOK_AHEAD = 4 * SEND_AT_ONCE
# A reply delivered is forgotten with the next claim, or at most this long after: far within
# its lease, so no process takes it for one whose sender died.
FORGET_REPLIES_WITHIN = timedelta(seconds=1)


_OUTBOX = SQLModel.metadata.tables["outbox"]
_OWE_REPLY = insert(_OUTBOX).returning(_OUTBOX.c.id)


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, detached from its session, ready to send."""

    id: int
    token: str
    community_id: str
    kind: str
    recipients: tuple[str, ...]
    message: Message
    target_ref: str | None


def served(column: object, platforms: list[str]) -> ColumnElement[bool]:
    """Rows of communities whose platform this process serves (`slack:T1` → `slack`)."""
    c = col(column)
    return or_(*(or_(c == p, c.startswith(f"{p}:")) for p in platforms))


def _editable() -> ColumnElement[bool]:
    """An edit is due once the DM it edits is out (or will never be)."""
    dm = aliased(Outbox)
    in_flight = exists().where(
        col(dm.ask_id) == col(Outbox.target_ask_id), col(dm.status).in_((OUT_PENDING, OUT_SENDING))
    )
    return or_(Outbox.kind == "dm", not_(in_flight))


def _claimable() -> ColumnElement[bool]:
    """Due and waiting, or claimed by a sender that stopped renewing its lease (it died)."""
    return or_(
        and_(col(Outbox.status) == OUT_PENDING, col(Outbox.next_attempt_at) <= bindparam("now")),
        and_(
            col(Outbox.status) == OUT_SENDING,
            col(Outbox.claimed_at) < bindparam("stale_before"),
        ),
    )


@functools.lru_cache(maxsize=32)
def _due(platforms: tuple[str, ...]) -> SelectOfScalar[Outbox]:
    """The query for messages due, built once per set of platforms.

    Built afresh, its alias and subqueries would make SQLAlchemy compile it again at every
    claim, which under load costs more than running it.
    """
    return (
        select(Outbox)
        .where(_claimable(), served(Outbox.community_id, list(platforms)), _editable(), _active())
        .order_by(col(Outbox.id))
        .limit(LOOK_AHEAD)
        .with_for_update(skip_locked=True)
    )


def _conversation(row: Outbox) -> tuple[object, ...]:
    """Messages of one conversation go out one after another, in the order they were owed."""
    if row.kind == "update":
        return ("edit", row.target_ask_id, row.target_ref)
    return ("dm", *sorted(row.recipients))


def claim(
    ctx: Context,
    session: Session,
    limit: int = SEND_AT_ONCE,
    *,
    replied: Sequence[Claimed] = (),
) -> tuple[list[Claimed], bool]:
    """Take the next messages due for this process: at most `limit`, one per conversation.

    What is claimed is sent at once, all together: a process killed mid-send holds back the
    messages it was sending, for one short lease, and never a queue behind them. The flag
    says whether more were due than were taken. `replied`: replies delivered since the last
    claim, forgotten in the same transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        # The driver would begin the transaction at the first write, after the read: two
        # processes on one file could then both read a message as due and both send it.
        # Taking the write lock first makes the second read what the first claimed.
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    _forget_replies(session, items=replied)
    platforms = list(ctx.ports)
    if not platforms:
        return [], False
    now = ctx.now()
    rows = session.exec(
        _due(tuple(sorted(platforms))),
        params={"now": now, "stale_before": now - ctx.settings.outbox_lease},
    ).all()
    more = len(rows) == LOOK_AHEAD
    token = uuid.uuid4().hex  # one claim for the batch: renewed and checked together
    taken: list[Claimed] = []
    conversations: set[tuple[object, ...]] = set()
    for row in rows:
        conversation = _conversation(row)
        if conversation in conversations or len(taken) == limit:
            more = True  # waits for the message before it in its conversation, or for room
            continue
        if row.status == OUT_SENDING:  # its sender died mid-send: that was one try
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:  # one that kills every process sending it
                row.last_error = "its sender stopped mid-send every time"
                _give_up(ctx, session, row)
                more = True  # an ask given up moves on: its next messages may be owed now
                continue
        target_ref = None
        if row.kind == "update":
            ask = session.get(Ask, row.target_ask_id) if row.target_ask_id else None
            # An edit of an ask that is gone (/forgetme) carries its message's ref itself.
            target_ref = ask.message_ref if ask is not None else row.target_ref
            if target_ref is None:
                row.status, row.last_error = OUT_SENT, "nothing to edit: the DM never went out"
                session.add(row)
                continue
        conversations.add(conversation)
        row.status, row.claimed_at, row.claimed_by = OUT_SENDING, ctx.now(), token
        session.add(row)
        buttons = tuple(button_of(b) for b in row.buttons)
        taken.append(
            Claimed(
                id=row.id,
                token=token,
                community_id=row.community_id,
                kind=row.kind,
                recipients=tuple(row.recipients),
                message=Message(row.text, buttons),
                target_ref=target_ref,
            )
        )
    return taken, more


def _still_ours(item: Claimed) -> tuple[ColumnElement[bool], ...]:
    """The row of a claimed message, only while this process's claim on it still holds."""
    return (
        col(Outbox.id) == item.id,
        col(Outbox.claimed_by) == item.token,
        col(Outbox.status) == OUT_SENDING,
    )


def _renew(ctx: Context, session: Session, *, items: Sequence[Claimed]) -> None:
    """Keep the lease on messages still being sent, so no other process takes them over."""
    session.execute(
        update(Outbox)
        .where(
            col(Outbox.id).in_([item.id for item in items]),
            col(Outbox.claimed_by).in_({item.token for item in items}),
            col(Outbox.status) == OUT_SENDING,
        )
        .values(claimed_at=ctx.now())
    )


def _release(ctx: Context, session: Session, *, item: Claimed) -> None:
    """Hand a claimed message back unsent (shutting down): due again at once, no try spent."""
    session.execute(
        update(Outbox)
        .where(*_still_ours(item))
        .values(status=OUT_PENDING, claimed_at=None, next_attempt_at=ctx.now())
    )


def owe_reply(ctx: Context, session: Session, member: Member, message: Message) -> Claimed:
    """Record a command's private reply as owed, claimed by the process about to send it.

    Written in the command's transaction, so a reply is never lost between commit and send:
    if the sender dies or its reply channel fails, the outbox DMs it once the lease runs out.
    """
    token = uuid.uuid4().hex
    now = ctx.now()
    # Written as a row with a statement built once, not an ORM object: building either costs
    # more than running the insert. What it refers to is written first, as a flush would.
    session.flush()
    row_id = (
        session.connection()
        .execute(
            _OWE_REPLY,
            {
                "community_id": member.community_id,
                "kind": "reply",
                "recipients": [member.user_id],
                "member_ids": [member.id] if member.id is not None else [],
                "about_member_ids": [],
                "text": message.text,
                "buttons": [button_data(b) for b in message.buttons],
                "status": OUT_SENDING,
                "attempts": 0,
                "claimed_at": now,
                "claimed_by": token,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        .scalar_one()
    )
    return Claimed(
        id=row_id,
        token=token,
        community_id=member.community_id,
        kind="reply",
        recipients=(member.user_id,),
        message=message,
        target_ref=None,
    )


def _mine(session: Session, item: Claimed, *, loaded: bool = False) -> Outbox | None:
    """The row, if this claim still holds it (not reclaimed, not deleted by /forgetme).

    `loaded`: the row was just read and locked with its batch (see `_record`).
    """
    row = session.get(Outbox, item.id) if loaded else locked(session, Outbox, item.id)
    # A reclaimed row (pending again, same token) is still this claim's to finish; once
    # another claim has taken it (a new token), this one's answer no longer counts.
    if row is None or row.status not in (OUT_SENDING, OUT_PENDING) or row.claimed_by != item.token:
        return None
    return row


def _sent(
    ctx: Context, session: Session, *, item: Claimed, ref: str | None, loaded: bool = False
) -> None:
    row = _mine(session, item, loaded=loaded)
    if row is None:
        return
    if row.kind == "reply":  # a private answer, delivered: nothing to keep of it
        session.delete(row)
        return
    row.status, row.sent_at = OUT_SENT, ctx.now()
    session.add(row)
    if ref is not None and row.ask_id is not None:
        ask = session.get(Ask, row.ask_id)
        if ask is not None:
            ask.message_ref = ref
            session.add(ask)


_DELIVERED_REPLY = delete(_OUTBOX).where(
    _OUTBOX.c.id == bindparam("row"),
    _OUTBOX.c.claimed_by == bindparam("token"),
    # Not `in_`: its expanding parameter cannot go with one statement for many rows.
    or_(_OUTBOX.c.status == OUT_SENDING, _OUTBOX.c.status == OUT_PENDING),
)


def _forget_replies(session: Session, *, items: Sequence[Claimed]) -> None:
    """Delete delivered replies while their claims still hold them, in one statement.

    As `_sent` does for each: a private answer, delivered, leaves nothing behind.
    """
    if items:
        rows = [{"row": item.id, "token": item.token} for item in items]
        session.connection().execute(_DELIVERED_REPLY, rows)


def _undeliverable(
    ctx: Context, session: Session, *, item: Claimed, why: str, loaded: bool = False
) -> None:
    row = _mine(session, item, loaded=loaded)
    if row is None:
        return
    row.status, row.last_error = OUT_FAILED, why[:500]
    session.add(row)
    if row.ask_id is not None:
        answers.undeliverable(ctx, session, row.ask_id)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: doubling from 10 s up to an hour, with jitter.

    The jitter (a random half to whole of the wait) spreads the retries of many messages
    that failed together, so a platform coming back is not hit by all of them at once.
    """
    ceiling: timedelta = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** min(attempts - 1, 20))
    return ceiling * random.uniform(0.5, 1.0)


def _retry_later(
    ctx: Context, session: Session, *, item: Claimed, why: str, loaded: bool = False
) -> str | None:
    """Count a failed try: due again after a backoff, or given up after the last one."""
    row = _mine(session, item, loaded=loaded)
    if row is None:
        return None
    row.attempts += 1
    row.last_error = why[:500]
    if row.attempts >= MAX_ATTEMPTS:
        _give_up(ctx, session, row)
        return OUT_DEAD
    row.status = OUT_PENDING
    row.next_attempt_at = ctx.now() + backoff(row.attempts)
    session.add(row)
    return OUT_PENDING


def _give_up(ctx: Context, session: Session, row: Outbox) -> None:
    """Dead-letter a message after its last try; an ask nobody could get moves on."""
    row.status = OUT_DEAD
    session.add(row)
    log.error(
        "message %s (%s, %s) given up after %d tries; last error: %s",
        row.id,
        row.kind,
        row.community_id,
        row.attempts,
        row.last_error,
    )
    if row.kind == "dm" and row.ask_id is not None:
        answers.undeliverable(ctx, session, row.ask_id)


def _installation_broken(
    ctx: Context, session: Session, *, item: Claimed, reason: str, loaded: bool = False
) -> bool:
    """Stop sending to a community the platform refuses us in; True if that is news."""
    row = _mine(session, item, loaded=loaded)
    if row is not None:  # owed still: it goes out if the community comes back
        row.status, row.claimed_at, row.last_error = OUT_PENDING, None, reason[:500]
        session.add(row)
    return deactivate(ctx, session, item.community_id, reason)


def deactivate(
    ctx: Context, session: Session, community_id: str, reason: str, *, uninstalled: bool = False
) -> bool:
    """Mark a community's installation gone (uninstalled, token revoked); True if that is news.

    `uninstalled` (the platform says so, not merely a refused call) also sets when the
    community's data is deleted, unless it comes back first.
    """
    community = locked(session, Community, community_id)
    if community is None:
        return False
    if uninstalled and community.forget_after is None:
        community.forget_after = ctx.now() + ctx.settings.uninstalled_grace
        session.add(community)
    if community.inactive_since is not None:
        return False
    community.inactive_since, community.inactive_reason = ctx.now(), reason[:100]
    session.add(community)
    return True


@dataclass(frozen=True)
class Stopped:
    """Why and since when nothing is sent to a community, and how much waits for it."""

    since: datetime
    reason: str
    waiting: int


def stopped(session: Session, community_id: str) -> Stopped | None:
    """What an admin should hear about a community the platform refused the bot in, if any."""
    community = session.get(Community, community_id)
    if community is None or community.inactive_since is None:
        return None
    waiting = session.exec(
        select(func.count())
        .select_from(Outbox)
        .where(col(Outbox.community_id) == community_id, col(Outbox.status) == OUT_PENDING)
    ).one()
    return Stopped(community.inactive_since, community.inactive_reason or "", int(waiting))


def reactivate(session: Session, community_id: str) -> bool:
    """The community uses the bot again (it was reinstalled): send to it again, keep its data."""
    community = session.get(Community, community_id)
    if community is None or (community.inactive_since is None and community.forget_after is None):
        return False
    community.inactive_since, community.inactive_reason = None, None
    community.forget_after = None
    session.add(community)
    return True


def _active() -> ColumnElement[bool]:
    """Rows of communities whose installation works (or of none known yet)."""
    return not_(
        exists().where(
            col(Community.id) == col(Outbox.community_id),
            col(Community.inactive_since).is_not(None),
        )
    )


def owed_now(ctx: Context) -> ColumnElement[bool]:
    """Whether a message of a community this process serves can be claimed now (`_due`),
    or one is held by a sender that stopped renewing its lease (`reclaim_stale`)."""
    now = ctx.now()
    return exists().where(
        or_(
            and_(col(Outbox.status) == OUT_PENDING, col(Outbox.next_attempt_at) <= now),
            and_(
                col(Outbox.status) == OUT_SENDING,
                col(Outbox.claimed_at) < now - ctx.settings.outbox_lease,
            ),
        ),
        served(Outbox.community_id, list(ctx.ports)),
        _active(),
    )


def purge(ctx: Context, session: Session) -> int:
    """Delete what was delivered (or given up) longer ago than the retention period.

    Messages hold members' own words: they are kept only as long as they are useful.
    """
    cutoff = ctx.now() - ctx.settings.outbox_retention
    done = session.execute(
        delete(Outbox).where(
            col(Outbox.status).in_((OUT_SENT, OUT_FAILED, OUT_DEAD)),
            col(Outbox.created_at) < cutoff,
        )
    )
    return int(getattr(done, "rowcount", 0) or 0)


def reclaim_stale(ctx: Context, session: Session) -> None:
    """Offer again rows whose sender vanished mid-send (a crashed process)."""
    for row in session.exec(
        select(Outbox)
        .where(
            Outbox.status == OUT_SENDING,
            col(Outbox.claimed_at) < ctx.now() - ctx.settings.outbox_lease,
        )
        .with_for_update(skip_locked=True)
    ):
        row.status = OUT_PENDING
        row.attempts += 1
        session.add(row)


@dataclass(frozen=True)
class Outcome:
    """How sending one claimed message went."""

    item: Claimed
    ref: str | None = None  # sent: the platform's reference to the message
    failed: str | None = None  # a try that failed: sent again after a backoff
    undeliverable: str | None = None  # the platform will never take it
    refused: str | None = None  # the platform refuses the bot in this community

    @property
    def sent(self) -> bool:
        """Whether the message went out."""
        return self.failed is None and self.undeliverable is None and self.refused is None


def _record(ctx: Context, session: Session, *, outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Write how a batch went, in one transaction; return the refusals that are news."""
    ids = sorted(o.item.id for o in outcomes)
    rows = session.exec(
        select(Outbox)
        .where(col(Outbox.id).in_(ids))
        .order_by(col(Outbox.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    # The asks whose message refs are kept, read at once rather than one by one; held here
    # while the batch is written, as the session keeps only rows someone refers to.
    ask_ids = [r.ask_id for r in rows if r.ask_id is not None]
    asks_read = session.exec(select(Ask).where(col(Ask.id).in_(ask_ids))).all() if ask_ids else []
    news = []
    for o in sorted(outcomes, key=lambda o: o.item.id):
        if o.refused is not None:
            if _installation_broken(ctx, session, item=o.item, reason=o.refused, loaded=True):
                news.append(o)
        elif o.undeliverable is not None:
            _undeliverable(ctx, session, item=o.item, why=o.undeliverable, loaded=True)
        elif o.failed is not None:
            _retry_later(ctx, session, item=o.item, why=o.failed, loaded=True)
        else:
            _sent(ctx, session, item=o.item, ref=o.ref, loaded=True)
    del asks_read
    return news


async def _send(ctx: Context, item: Claimed) -> str | None:
    port = ctx.port_for(item.community_id)
    if item.kind in ("dm", "reply"):  # a reply owed after a crash goes by DM
        return await port.send_dm(item.community_id, item.recipients, item.message)
    if item.target_ref is not None:
        await port.update_message(item.community_id, item.target_ref, item.message)
    return None


class Sender:
    """Delivers the outbox a batch at a time, renewing its lease on the messages in flight."""

    def __init__(self, ctx: Context, store: Store) -> None:
        self.ctx = ctx
        self.store = store
        self.closing = False  # set at shutdown: finish the messages in flight, claim no more
        self._in_flight: dict[int, Claimed] = {}
        # Replies delivered whose rows are not deleted yet: with the next claim, or soon.
        self._replied: list[Claimed] = []
        self._forgetting: asyncio.Task[None] | None = None
        self.forget_replies_within = FORGET_REPLIES_WITHIN.total_seconds()

    async def deliver(self) -> int:
        """Send everything due now through the ports; return how many went out."""
        sent = 0
        while not self.closing:
            replied, self._replied = self._replied, []
            try:
                batch, more = await self.store.run(partial(claim, self.ctx, replied=replied))
            except BaseException:
                self._replied[:0] = replied  # still to forget: with the next claim
                raise
            if batch:
                outcomes = await self._deliver_batch(batch)
                sent += sum(1 for o in outcomes if o.sent)
                # An ask nobody can get moves on to the next member: new messages are owed.
                more = more or any(o.undeliverable for o in outcomes)
            if not more:
                break
        return sent

    async def _deliver_batch(self, batch: list[Claimed]) -> list[Outcome]:
        """Send a claimed batch at once, then record how each one went in one transaction."""
        for item in batch:
            self._in_flight[item.id] = item
        renewing = asyncio.create_task(self._keep_lease(batch))
        try:
            outcomes = await asyncio.gather(*(self._attempt(item) for item in batch))
            news = await self.store.run(partial(_record, self.ctx, outcomes=outcomes))
        finally:
            renewing.cancel()
        # Cancelled before this point (shutdown), the claims stay listed for `release`.
        for item in batch:
            self._in_flight.pop(item.id, None)
        for o in news:  # said once, not for every message held back
            log.error(
                "%s refuses the bot (%s): nothing is sent there until it is reinstalled",
                o.item.community_id,
                o.refused,
            )
        return outcomes

    async def _attempt(self, item: Claimed) -> Outcome:
        """Send one message; how it went, for `_record`."""
        try:
            ref = await asyncio.wait_for(_send(self.ctx, item), SEND_TIMEOUT.total_seconds())
        except Undeliverable as exc:
            log.info("message %s cannot be delivered: %s", item.id, exc)
            return Outcome(item, undeliverable=str(exc))
        except InstallationBroken as exc:
            return Outcome(item, refused=exc.reason)
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            log.warning("message %s not delivered yet (%s)", item.id, why)
            return Outcome(item, failed=why)
        return Outcome(item, ref=ref)

    async def answer(
        self, owed: Claimed, reply: Message, send: Callable[[Message], Awaitable[None]]
    ) -> None:
        """Send a command's reply through the adapter's own channel, holding its lease."""
        self._in_flight[owed.id] = owed
        renewing = asyncio.create_task(self._keep_lease([owed]))
        try:
            await asyncio.wait_for(send(reply), SEND_TIMEOUT.total_seconds())
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            log.warning("reply %s not delivered (%s); it will go by DM", owed.id, why)
            await self.store.run(partial(_retry_later, self.ctx, item=owed, why=why))
        else:
            # Forgotten with the next claim (the adapter delivers right after answering),
            # or on its own shortly: one transaction for many replies rather than one each.
            self._replied.append(owed)
            if self._forgetting is None or self._forgetting.done():
                self._forgetting = asyncio.create_task(self._forget_soon())
        finally:
            renewing.cancel()
        self._in_flight.pop(owed.id, None)

    async def _forget_soon(self) -> None:
        """Forget the delivered replies no claim has taken with it meanwhile."""
        await asyncio.sleep(self.forget_replies_within)
        await self.forget_replies()

    async def forget_replies(self) -> bool:
        """Delete the rows of the replies delivered so far, in one transaction; False if not."""
        replied, self._replied = self._replied, []
        if not replied:
            return True
        try:
            await self.store.run(partial(_forget_replies, items=replied))
        except Exception as exc:
            self._replied[:0] = replied  # for the next claim
            log.warning("could not forget %d delivered replies yet (%s)", len(replied), exc)
            return False
        return True

    async def _keep_lease(self, items: Sequence[Claimed]) -> None:
        """Renew the lease a few times per lease period for as long as the sends last."""
        every = self.ctx.settings.outbox_lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.store.run(partial(_renew, self.ctx, items=items))
            except Exception:
                ids = ", ".join(str(item.id) for item in items)
                log.warning("could not renew the lease on message(s) %s", ids, exc_info=True)

    async def release(self) -> int:
        """Hand back what this process holds unsent (at shutdown); return how many.

        Replies already delivered are forgotten first: sent again after a restart, they
        would reach their member twice.
        """
        if self._forgetting is not None:
            self._forgetting.cancel()
        if not await self.forget_replies():
            log.error("replies delivered before shutdown may be sent again after the start")
        held = list(self._in_flight.values())
        self._in_flight.clear()
        for item in held:
            await self.store.run(partial(_release, self.ctx, item=item))
        return len(held)
