"""Delivering what the bot owes people, after commit, exactly once even across failures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from bot.context import Context
from bot.models import OUT_FAILED, OUT_PENDING, OUT_SENDING, OUT_SENT, Ask, Outbox
from bot.port import Button, Message, Undeliverable
from bot.store import Store
from bot.usecases import asks

log = logging.getLogger(__name__)

BATCH = 50
MAX_ATTEMPTS = 10
# A row claimed this long ago by a process that never finished is offered again.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, detached from its session, ready to send."""

    id: int
    community_id: str
    kind: str
    recipients: tuple[str, ...]
    message: Message
    target_ref: str | None
    attempts: int


def served(column: ColumnElement[str] | object, platforms: list[str]) -> ColumnElement[bool]:
    """Rows of communities whose platform this process serves (`slack:T1` → `slack`)."""
    c = col(column)
    return or_(*(or_(c == p, c.startswith(f"{p}:")) for p in platforms))


def claim(ctx: Context, session: Session) -> list[Claimed]:
    """Take due rows for this process; other processes skip the rows it has locked."""
    platforms = list(ctx.ports)
    if not platforms:
        return []
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.status == OUT_PENDING,
            Outbox.next_attempt_at <= ctx.now(),
            served(Outbox.community_id, platforms),
        )
        .order_by(col(Outbox.id))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        target_ref = None
        if row.kind == "update":
            ask = session.get(Ask, row.target_ask_id) if row.target_ask_id else None
            if ask is None or ask.message_ref is None:
                if ask is not None and _ask_dm_in_flight(session, ask.id or 0):
                    continue  # the DM to edit is not out yet; edit once it is
                row.status, row.last_error = OUT_SENT, "nothing to update"
                session.add(row)
                continue
            target_ref = ask.message_ref
        row.status, row.claimed_at = OUT_SENDING, ctx.now()
        session.add(row)
        buttons = tuple(Button(**b) for b in row.buttons)  # type: ignore[arg-type]
        claimed.append(
            Claimed(
                id=row.id or 0,
                community_id=row.community_id,
                kind=row.kind,
                recipients=tuple(row.recipients),
                message=Message(row.text, buttons),
                target_ref=target_ref,
                attempts=row.attempts,
            )
        )
    return claimed


def _ask_dm_in_flight(session: Session, ask_id: int) -> bool:
    return (
        session.exec(
            select(Outbox.id).where(
                Outbox.ask_id == ask_id, col(Outbox.status).in_((OUT_PENDING, OUT_SENDING))
            )
        ).first()
        is not None
    )


def _sent(ctx: Context, session: Session, *, item: Claimed, ref: str | None) -> None:
    row = session.get(Outbox, item.id)
    if row is None:  # deleted meanwhile (the member asked to be forgotten)
        return
    row.status, row.sent_at = OUT_SENT, ctx.now()
    session.add(row)
    if ref is not None and row.ask_id is not None:
        ask = session.get(Ask, row.ask_id)
        if ask is not None:
            ask.message_ref = ref
            session.add(ask)


def _undeliverable(ctx: Context, session: Session, *, item: Claimed, why: str) -> None:
    row = session.get(Outbox, item.id)
    if row is None:
        return
    row.status, row.last_error = OUT_FAILED, why[:500]
    session.add(row)
    if row.ask_id is not None:
        ask = session.get(Ask, row.ask_id, with_for_update=True)
        if ask is not None:
            asks.undeliverable(ctx, session, ask)


def _retry_later(ctx: Context, session: Session, *, item: Claimed, why: str) -> None:
    row = session.get(Outbox, item.id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = why[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OUT_FAILED
    else:
        row.status = OUT_PENDING
        row.next_attempt_at = ctx.now() + timedelta(seconds=min(3600, 5 * 2**row.attempts))
    session.add(row)


def reclaim_stale(ctx: Context, session: Session) -> None:
    """Offer again rows whose sender vanished mid-send (a crashed process)."""
    for row in session.exec(
        select(Outbox)
        .where(Outbox.status == OUT_SENDING, col(Outbox.claimed_at) < ctx.now() - LEASE)
        .with_for_update(skip_locked=True)
    ):
        row.status = OUT_PENDING
        session.add(row)


async def deliver(ctx: Context, store: Store) -> int:
    """Send everything due now through the ports; return how many went out."""
    sent = 0
    while True:
        batch = await store.run(lambda s: claim(ctx, s))
        if not batch:
            return sent
        for item in batch:
            port = ctx.port_for(item.community_id)
            try:
                ref: str | None = None
                if item.kind == "dm":
                    ref = await port.send_dm(item.community_id, item.recipients, item.message)
                elif item.target_ref is not None:
                    await port.update_message(item.community_id, item.target_ref, item.message)
            except Undeliverable as exc:
                log.info("message %s cannot be delivered: %s", item.id, exc)
                await store.run(partial(_undeliverable, ctx, item=item, why=str(exc)))
            except Exception as exc:
                why = f"{type(exc).__name__}: {exc}"
                log.warning("message %s not delivered yet (%s)", item.id, why)
                await store.run(partial(_retry_later, ctx, item=item, why=why))
            else:
                await store.run(partial(_sent, ctx, item=item, ref=ref))
                sent += 1
