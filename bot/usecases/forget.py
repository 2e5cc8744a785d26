"""/forgetme: delete everything the bot holds about a member, after a confirm button.

What is the member's own goes, found by key: their row, skills, needs, asks, the thank-yous
they sent or received and the messages addressed to them. What belongs to others stays, with
the member redacted: a pending introduction whose pass-it-on line names them is still
delivered, a thank-you that mentions them keeps its words but not their name. The asks they
were part of close as they would otherwise: helpers asked about their needs see the ask
withdrawn, and the requesters of needs they were asked about (or introduced to) move on to
the next candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, delete
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from bot import tallies, texts
from bot.context import Context
from bot.models import (
    ASK_PENDING,
    NEED_INTRODUCED,
    NEED_OPEN,
    OUT_PENDING,
    Ask,
    Community,
    IndexChange,
    Member,
    Need,
    NeedCount,
    Outbox,
    Skill,
    Thanks,
)
from bot.outbox import served
from bot.port import Invocation, Message
from bot.store import locked
from bot.usecases.matchmaking import after_ask_closed
from bot.usecases.referrals import forget_connections

# The confirm button works this long after the /forgetme that showed it.
CONFIRM_WINDOW = timedelta(minutes=5)
# A display name shorter than this is too likely an ordinary word ("Hi", "Al") to redact
# from other members' own words; their mention is always redacted.
MIN_NAME_TO_REDACT = 3
# Buttons that name a need by number.
NEED_BUTTONS = frozenset({"give", "helped", "notyet", "done", "keep", "close", "suggest", "nobody"})
ASK_BUTTONS = frozenset({"accept", "decline"})

T = TypeVar("T")


def forgetme(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """Ask to confirm; a confirm within minutes of that deletes the member's own rows."""
    minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
    if inv.args.strip().lower() != "confirm":
        me.forget_asked_at = ctx.now()
        session.add(me)
        return texts.forget_confirm(minutes)
    asked = me.forget_asked_at
    if asked is None or not timedelta(0) <= ctx.now() - asked <= CONFIRM_WINDOW:
        me.forget_asked_at = ctx.now()  # the question is asked afresh
        session.add(me)
        return texts.forget_confirm(minutes, again=True)
    erase(ctx, session, me)
    return texts.forgotten()


def _lock(session: Session, query: SelectOfScalar[T]) -> list[T]:
    """Rows of a query, locked and read fresh (not as the session saw them earlier)."""
    return list(session.exec(query.with_for_update().execution_options(populate_existing=True)))


def erase(ctx: Context, session: Session, me: Member) -> None:
    """Delete the member's own rows by key, and redact them from what others keep."""
    cid = me.community_id
    # Locks in the store's order (bot/store.py): needs, then their asks, then member rows.
    # Once the needs are locked no new ask about them can appear; once the member row is
    # locked nothing new can point at it. Whatever another process wrote before is read
    # below and erased too; whatever it writes after finds them gone (and runs again).
    my_asks = select(Ask.need_id).where(Ask.member_id == me.id, Ask.status == ASK_PENDING)
    needs: list[Need] = _lock(
        session,
        select(Need)
        .where(
            or_(
                Need.requester_id == me.id,
                Need.helper_id == me.id,  # introduced to (or resolved by) them
                col(Need.id).in_(my_asks),  # asked about, no answer yet
            )
        )
        .order_by(col(Need.id)),
    )
    my_needs = [n for n in needs if n.requester_id == me.id]
    others_needs = [n for n in needs if n.requester_id != me.id]
    my_need_ids = [n.id for n in my_needs]
    asks: list[Ask] = _lock(
        session,
        select(Ask)
        .where(or_(Ask.member_id == me.id, col(Ask.need_id).in_(my_need_ids)))
        .order_by(col(Ask.id)),
    )
    if locked(session, Member, me.id) is None:
        return  # forgotten a moment ago, by a press handled in another process
    ask_ids = {a.id for a in asks}

    # Messages point at asks: they are settled before the asks go.
    redact = _Redaction(ctx, me, my_needs, ask_ids)
    _close_asks_on_my_needs(ctx, session, me, asks)
    _settle_outbox(session, me, asks, redact)
    session.flush()
    _settle_thanks(session, me, my_need_ids, redact)
    forget_connections(session, me, my_need_ids, ask_ids)
    for ask in asks:
        session.delete(ask)
    session.flush()

    for need in others_needs:
        if need.helper_id == me.id:
            need.helper_id = None  # their need stays theirs; who helped is no longer known
            if need.status == NEED_INTRODUCED:  # not resolved yet: the requester needs someone
                need.status = NEED_OPEN
                need.introduced_at = None
                need.followup_at = None
                requester = session.get(Member, need.requester_id)
                if requester is not None:
                    quoted = ctx.quote(cid, need.text)
                    ctx.say(session, [requester], texts.helper_left(need.id, quoted))
        session.add(need)
    for need in my_needs:
        session.delete(need)
    for skill in session.exec(select(Skill).where(Skill.member_id == me.id)):
        session.delete(skill)
    session.flush()
    # Whoever is asked next in this transaction, it is not them.
    ctx.matchers.leave(session, me.id)
    # As a decline would: the next candidate is asked, or the requester told nobody is left.
    for need in others_needs:
        after_ask_closed(ctx, session, need)
    session.delete(me)
    session.flush()
    # Helps through them are gone from the history: chains and counts are worked out again.
    tallies.recount(session, cid)
    # Every process rebuilds its matcher: their needs' words live in others' history too.
    ctx.matchers.forgot(session, cid, me.id, my_need_ids)


class _Redaction:
    """How a forgotten member is taken out of text that belongs to others."""

    def __init__(self, ctx: Context, me: Member, my_needs: Iterable[Need], ask_ids: set[int]):
        cid = me.community_id
        mention = ctx.name(me)
        # Their mention as the platform writes it, raw (members' words) and escaped (quoted).
        self.tokens = sorted({mention, ctx.escape(cid, mention)}, key=len, reverse=True)
        name = me.display_name.strip()
        self.name = self.quoted_name = None
        if len(name) >= MIN_NAME_TO_REDACT:
            self.name = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            quoted = ctx.escape(cid, name)  # as it reads inside a quote of member words
            self.quoted_name = re.compile(rf"(?<!\w){re.escape(quoted)}(?!\w)")
        self.quotes = {ctx.quote(cid, n.text) for n in my_needs if n.text.strip()}
        self.need_args = {str(n.id) for n in my_needs}
        self.ask_args = {str(a) for a in ask_ids}

    def mentions(self, text: str) -> str:
        """Their mention replaced (any text: the token is unambiguous), and their name where
        a member's own words are quoted (lines starting "> "; the bot's own words never name
        anyone but by mention)."""
        for token in self.tokens:
            text = text.replace(token, texts.FORMER_MEMBER)
        if self.quoted_name is None:
            return text
        pattern = self.quoted_name
        return "\n".join(
            pattern.sub(texts.FORMER_MEMBER, line) if line.startswith("> ") else line
            for line in text.split("\n")
        )

    def words(self, text: str) -> str:
        """A member's own words: their mention and their display name replaced."""
        text = self.mentions(text)
        return self.name.sub(texts.FORMER_MEMBER, text) if self.name else text

    def message(self, text: str) -> str:
        """A message about them (found by key): mention and quotes of their needs replaced."""
        for quoted in sorted(self.quotes, key=len, reverse=True):
            text = text.replace(quoted, texts.NEED_WITHDRAWN)
        return self.mentions(text)

    def buttons(self, buttons: list[dict[str, str]]) -> list[dict[str, str]]:
        """Buttons that would act on their needs or asks, which are gone."""
        return [
            b
            for b in buttons
            if not (
                (b.get("command") in NEED_BUTTONS and b.get("arg") in self.need_args)
                or (b.get("command") in ASK_BUTTONS and b.get("arg") in self.ask_args)
            )
        ]


def _close_asks_on_my_needs(ctx: Context, session: Session, me: Member, asks: list[Ask]) -> None:
    """Helpers still asked about their needs see the ask withdrawn: no buttons, no need words."""
    for ask in asks:
        if ask.member_id == me.id or ask.status != ASK_PENDING or ask.message_ref is None:
            continue  # closed asks were edited when they closed; undelivered ones are dropped
        helper = session.get(Member, ask.member_id)
        if helper is None:
            continue
        message = texts.ask_withdrawn()
        session.add(
            Outbox(
                community_id=ask.community_id,
                kind="update",
                recipients=[helper.user_id],
                member_ids=[helper.id],
                text=message.text,
                buttons=[],
                target_ref=ask.message_ref,
                next_attempt_at=ctx.now(),
                created_at=ctx.now(),
                status=OUT_PENDING,
            )
        )


def _settle_outbox(session: Session, me: Member, asks: list[Ask], redact: _Redaction) -> None:
    """Delete the messages that are theirs; redact them from everyone else's."""
    refs = {a.id: a.message_ref for a in asks}
    for row in session.exec(select(Outbox).where(Outbox.community_id == me.community_id)):
        if me.id in row.member_ids or me.user_id in row.recipients:
            session.delete(row)  # addressed to them (an introduction to them too)
            continue
        gone = row.ask_id in refs or row.target_ask_id in refs
        if gone and row.status == OUT_PENDING:
            if row.kind == "dm":  # an ask DM about their need that never went out
                session.delete(row)
                continue
            ref = refs.get(row.target_ask_id) if row.target_ask_id is not None else None
            if ref is None:  # an edit of a DM that never went out: nothing to edit
                session.delete(row)
                continue
            row.target_ref = ref
        about = me.id in row.about_member_ids or gone
        text = redact.message(row.text) if about else redact.mentions(row.text)
        buttons = redact.buttons(row.buttons)
        if not (gone or about) and text == row.text and buttons == row.buttons:
            continue
        row.text, row.buttons = text, buttons
        row.about_member_ids = [m for m in row.about_member_ids if m != me.id]
        if gone:
            row.ask_id = None if row.ask_id in refs else row.ask_id
            row.target_ask_id = None if row.target_ask_id in refs else row.target_ask_id
        session.add(row)


def _settle_thanks(
    session: Session, me: Member, my_need_ids: list[int], redact: _Redaction
) -> None:
    """Thank-yous they sent or received go; others' that mention them lose the mention."""
    for thanks in session.exec(select(Thanks).where(Thanks.community_id == me.community_id)):
        if (
            thanks.from_member_id == me.id
            or thanks.to_member_id == me.id
            or thanks.need_id in my_need_ids
        ):
            session.delete(thanks)
            continue
        words = redact.words(thanks.text)
        if words != thanks.text:
            thanks.text = words
            session.add(thanks)


def uninstalled_due(ctx: Context) -> tuple[ColumnElement[bool], ...]:
    """Communities uninstalled longer ago than the grace period, among those served here."""
    return (
        col(Community.forget_after).is_not(None),
        col(Community.forget_after) <= ctx.now(),
        served(Community.id, list(ctx.ports)),
    )


def forget_uninstalled(ctx: Context, session: Session) -> str | None:
    """Delete everything of one community uninstalled longer ago than the grace period.

    Each member goes as with /forgetme, all at once: nobody is left to redact them for, so
    every row of the community is deleted by key. Returns the community's id, or None when
    no community is due (one per transaction; one another process holds is left to it).
    """
    community = session.exec(
        select(Community)
        .where(*uninstalled_due(ctx))
        .order_by(col(Community.forget_after))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if community is None:
        return None
    cid = community.id
    # Rows pointing at others first: messages at asks, thanks at needs, asks at needs.
    # Its needs' counts after its needs, whose deletion counts them down.
    for table in (IndexChange, Outbox, Thanks, Ask, Need, NeedCount, Skill, Member):
        session.execute(delete(table).where(col(table.community_id) == cid))
    session.delete(community)
    session.flush()
    ctx.matchers.forget(cid)
    return cid
