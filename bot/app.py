"""The core's front door: adapters hand it neutral commands and it talks back through ports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import texts
from bot.backlog import Backlog
from bot.buttons import Press, community_of_press
from bot.clock import Clock, SystemClock
from bot.context import Context
from bot.edge import clean
from bot.matchers import Matchers, Warming
from bot.matchers import prune as prune_changes
from bot.members import ensure_member, find_member, keep_name_current
from bot.models import Member
from bot.outbox import Claimed, Sender, deactivate, owe_reply, purge, reactivate, stopped
from bot.port import Actor, InstallationBroken, Invocation, Message, Port
from bot.scheduler import anything_due, due_work
from bot.seen import Once, forget_old, remember
from bot.settings import Settings
from bot.store import DatabaseAway, Store
from bot.usecases import answers, forget, needs, profile, pulse, referrals, resolve, stats, waiting

log = logging.getLogger(__name__)

Handler = Callable[[Context, Session, Member, Invocation], Message]

HANDLERS: dict[str, Handler] = {
    "offer": profile.offer,
    "unoffer": profile.unoffer,
    "profile": profile.profile,
    "pause": profile.pause,
    "resume": profile.resume,
    "need": needs.need,
    "needs": needs.needs,
    "give": needs.give,
    "accept": answers.accept,
    "decline": answers.decline,
    "done": resolve.done,
    "helped": resolve.helped,
    "notyet": resolve.notyet,
    "thanks": resolve.thanks,
    "keep": waiting.keep,
    "close": waiting.close,
    "helpstats": stats.helpstats,
    "forgetme": forget.forgetme,
    "refer": referrals.refer,
    "suggest": referrals.suggest,
    "nobody": referrals.nobody,
    "pulse": pulse.pulse,
    "pulseneed": pulse.answer,
    "pulseoffer": pulse.answer,
    "pulsestop": pulse.stop,
}

# Commands for the community's admins (the check runs before the command): the refusal.
ADMIN_ONLY: dict[str, Callable[[], Message]] = {
    "helpstats": texts.helpstats_refused,
    "pulse": texts.pulse_refused,
}


def needs_admin(name: str, args: str) -> bool:
    """Whether this command, with these arguments, is for admins (`/pulse off` is anyone's)."""
    if name == "pulse":
        return not args.strip()
    return name in ADMIN_ONLY


# Commands that never ask the matcher: they answer at once, even while it is being built.
NO_MATCHING = {"offer", "unoffer", "profile", "pause", "resume", "thanks", "helpstats"}

# Commands that only read: for someone the bot has never seen, they answer without storing them.
ONLY_FOR_KNOWN_MEMBERS: dict[str, Callable[[], Message]] = {
    "forgetme": texts.forget_nothing,
    "profile": texts.profile_empty,
    "needs": texts.needs_none,
}

# How often a command waiting for a matcher being built looks whether it is ready.
WARMING_POLL_SECONDS = 0.05

# Remembered requests past their time are swept at most this often per process.
FORGET_SEEN_EVERY = timedelta(minutes=1)
# Delivered messages past their retention are deleted this often.
PURGE_EVERY = timedelta(hours=1)


class Replayed(Exception):
    """A request already handled, sent again: nothing is done, nothing is answered."""


class Whuffie:
    """The bot itself: one per process, shared by every adapter that runs in it."""

    def __init__(self, settings: Settings, store: Store, clock: Clock | None = None) -> None:
        self.settings = settings
        self.store = store
        self.ctx = Context(
            settings=settings,
            clock=clock or SystemClock(),
            matchers=Matchers(cache_dir=settings.cache_dir),
        )
        self.sender = Sender(self.ctx, store)
        # Adapters take a place here before acknowledging a request, and give it back once
        # its work (reply and deliveries included) is done.
        self.backlog = Backlog()
        self._delivering = asyncio.Lock()
        self._flushes_asked = 0  # flush() calls so far
        self._flushes_served = 0  # the calls covered by a delivery pass already started
        self._seen_swept_at: datetime | None = None
        self._stopping = asyncio.Event()
        self._purged_at: datetime | None = None

    @property
    def clock(self) -> Clock:
        """The injected clock."""
        return self.ctx.clock

    def attach(self, port: Port) -> None:
        """Register the port of one platform; messages for its communities go through it."""
        self.ctx.ports[port.platform] = port

    async def is_admin(self, invocation: Invocation) -> bool:
        """`WHUFFIE_ADMINS` for this community, or an admin of it on the platform itself."""
        actor = invocation.actor
        # Entries are `<community>:<user_id>`: listed for one community, admin of that one only.
        if f"{actor.community}:{actor.user_id}" in self.settings.admins:
            return True
        return await self.ctx.port_for(actor.community).is_admin(actor.community, actor.user_id)

    async def _judge(self, press: Press) -> Invocation | Message:
        """The press as a command in the community it belongs to, or the reply refusing it.

        The press names a button, nothing more: the community is the one of the ask or need
        the button points to, the presser must be the member it was for, and the platform
        must still count them in that community.
        """
        presser = Actor(press.platform, press.community or "", press.user_id, press.display_name)
        claimed = clean(Invocation(presser, press.command, press.arg))
        if isinstance(claimed, Message):
            return claimed
        press = replace(
            press,
            display_name=claimed.actor.display_name,
            command=claimed.command,
            arg=claimed.args.strip(),
        )
        try:
            found = await self.store.run(lambda session: community_of_press(session, press))
        except DatabaseAway:
            return texts.database_away()  # the store logged it, once for the whole outage
        except Exception:
            log.exception("could not look up the button /%s", press.command[:40])
            return texts.oops()
        if isinstance(found, Message):
            return found
        try:
            still_there = await self.ctx.port_for(found).is_member(found, press.user_id)
        except Exception:
            log.exception("could not tell whether a member is still in their community")
            return texts.oops()
        if not still_there:
            return texts.button_not_member()
        actor = Actor(press.platform, found, press.user_id, press.display_name)
        return Invocation(actor, press.command, press.arg)

    async def press(self, press: Press) -> Message:
        """Run a button press from a platform; return the private reply for the presser.

        A press never creates a community or a member (see `_judge`). Call `flush()` after
        answering, as after `handle`; adapters use `answer_press`.
        """
        judged = await self._judge(press)
        if isinstance(judged, Message):
            return judged
        reply, _ = await self._run(judged, keep=False, known_only=True)
        return reply

    async def answer_press(self, press: Press, send: Callable[[Message], Awaitable[None]]) -> None:
        """Run a button press and `send` its private reply, owed like `answer`'s."""
        judged = await self._judge(press)
        if isinstance(judged, Message):  # nothing was stored: a reply lost now costs nothing
            await send(judged)
            return
        reply, owed = await self._run(judged, keep=True, known_only=True)
        if owed is None:
            await send(reply)
        else:
            await self.sender.answer(owed, reply, send)

    async def handle(self, invocation: Invocation) -> Message:
        """Run one command or button press; return the private reply for whoever sent it.

        Messages owed to others are stored in the outbox in the same transaction; call
        `flush()` after answering to deliver them. Adapters use `answer`, which also makes
        the reply itself survive a crash.
        """
        reply, _ = await self._run(invocation, keep=False)
        return reply

    async def _checked(self, invocation: Invocation) -> tuple[str, Handler, Invocation] | Message:
        """The command's name, handler and cleaned invocation; or the reply refusing it."""
        cleaned = clean(invocation)
        if isinstance(cleaned, Message):
            return cleaned
        invocation = cleaned
        name = invocation.command.strip().lstrip("/").lower()
        if name in ("help", "start", ""):
            return texts.help_text()
        handler = HANDLERS.get(name)
        if handler is None:
            return texts.unknown_command(name[:40])
        if needs_admin(name, invocation.args):
            try:
                allowed = await self.is_admin(invocation)
            except InstallationBroken as exc:
                return texts.admins_unknown(exc.reason)
            except Exception:
                log.exception("could not tell whether a member is an admin")
                return texts.oops()
            if not allowed:
                return ADMIN_ONLY[name]()
        if name == "refer" and invocation.target is not None:
            # Only someone in the community can be asked; an id from elsewhere asks nobody.
            target = invocation.target
            try:
                there = await self.ctx.port_for(target.community).is_member(
                    target.community, target.user_id
                )
            except Exception:
                log.exception("could not tell whether a member is in their community")
                return texts.oops()
            if not there:
                return texts.refer_not_member()
        return name, handler, invocation

    async def _run(
        self,
        invocation: Invocation,
        *,
        keep: bool,
        known_only: bool = False,
        once: Once | None = None,
    ) -> tuple[Message, Claimed | None]:
        """The command's reply, and with `keep` the outbox row that owes it (claimed by us).

        With `known_only` (a button press), a member the bot does not know is refused
        rather than created. With `once`, a request already handled raises `Replayed`.
        """
        checked = await self._checked(invocation)
        if isinstance(checked, Message):
            if once is not None and not await self.first_time(once.key, once.remember_for):
                raise Replayed(once.key)
            return checked, None
        name, handler, invocation = checked
        community = invocation.actor.community
        if name not in NO_MATCHING:
            # Waited for here, outside any transaction; still not ready, the command runs
            # anyway: it says "a few seconds" only once the database has answered it.
            await self.index_ready(community)

        if once is not None:
            await self._sweep_seen()
        now = self.ctx.now()

        def work(session: Session) -> tuple[Message, Claimed | None]:
            # First, so a replay takes no lock but this key's: it then waits for the request
            # that holds it to commit, and does nothing (rolled back) if that one did.
            if once is not None and not remember(session, once.key, now + once.remember_for):
                raise Replayed(once.key)
            # Told before it is cleared: an admin hears that delivery had stopped, and why.
            held = stopped(session, community) if name == "helpstats" else None
            if reactivate(session, community):  # a command: the bot is installed again
                log.warning("%s uses the bot again: sending to it again", community)
            if name in ONLY_FOR_KNOWN_MEMBERS or known_only:
                # Asking what the bot holds must not make it start holding something.
                actor = invocation.actor
                known = find_member(session, actor.community, actor.user_id)
                if known is None:
                    return ONLY_FOR_KNOWN_MEMBERS.get(name, texts.button_not_yours)(), None
                reply = handler(self.ctx, session, known, invocation)
                return reply, owe_reply(self.ctx, session, known, reply) if keep else None
            me = ensure_member(session, invocation.actor, self.ctx.now())
            reply = handler(self.ctx, session, me, invocation)
            if held is not None:
                reply = texts.delivery_had_stopped(reply, held.since, held.reason, held.waiting)
            # Last, so the member's own row joins the lock order after needs and asks.
            keep_name_current(session, me, invocation.actor)
            return reply, owe_reply(self.ctx, session, me, reply) if keep else None

        try:
            # A rolled-back change never reaches the matcher: it only applies committed ones.
            return await self.store.run(work)
        except Replayed:
            raise
        except Warming:
            return texts.warming_up(), None
        except DatabaseAway:
            return texts.database_away(), None  # the store logged it, once for the outage
        except Exception:
            log.exception("command /%s failed", name)
            return texts.oops(), None

    def start_matching(self) -> None:
        """Build every community's matcher in the background, so members never wait for it."""
        self.ctx.matchers.start(self.store.engine)

    async def index_ready(self, community: str) -> bool:
        """Whether the community's matcher can answer, after waiting briefly if it is building."""
        matchers = self.ctx.matchers
        if matchers.ensure(self.store.engine, community):
            return True
        # Polled, not waited for in a thread: commands arriving meanwhile must not take
        # every worker thread while the ones that need no matcher could be answered.
        deadline = time.monotonic() + matchers.wait
        while time.monotonic() < deadline:
            await asyncio.sleep(WARMING_POLL_SECONDS)
            if matchers.ready(community):
                return True
        return False

    async def answer(
        self,
        invocation: Invocation,
        send: Callable[[Message], Awaitable[None]],
        *,
        once: Once | None = None,
    ) -> None:
        """Run one command and `send` its private reply, which is owed like any message.

        The reply is recorded in the command's own transaction: if the process dies before
        `send` is done, or `send` fails, the outbox delivers it as a DM instead. With `once`
        (a platform's proof of one delivery), a request already handled here or in any
        process on the database does nothing and is answered nothing: the key is remembered
        in the command's own transaction, as `first_time` would in one of its own.
        """
        try:
            reply, owed = await self._run(invocation, keep=True, once=once)
        except Replayed:
            log.warning("ignored a request sent again (the same proof of delivery)")
            return
        if owed is None:  # nothing was stored: a reply lost now costs nothing
            await send(reply)
        else:
            await self.sender.answer(owed, reply, send)

    async def installation_gone(self, community: str, reason: str) -> None:
        """The platform says the bot was removed from a community: stop sending there.

        Its data is kept for `uninstalled_grace`, so a reinstall finds every profile again;
        after that the tick deletes it.
        """

        def work(session: Session) -> bool:
            return deactivate(self.ctx, session, community, reason, uninstalled=True)

        if await self.store.run(work):
            log.warning(
                "%s removed the bot (%s): nothing is sent there any more; its data is kept "
                "for %d days in case it comes back",
                community,
                reason,
                self.settings.uninstalled_grace.days,
            )

    async def installed(self, community: str) -> None:
        """The bot was (re)installed in a community: send there again, and keep its data."""
        if await self.store.run(lambda s: reactivate(s, community)):
            log.warning("%s installed the bot again: sending to it again", community)

    async def first_time(self, key: str, remember_for: timedelta) -> bool:
        """Tell whether a request with this key is new here or in any process on the database.

        Adapters call it with a platform's proof of one delivery (a signature), so a request
        captured and sent again does its work once; `remember_for` covers as long as the
        platform would still accept the replay.
        """
        await self._sweep_seen()
        now = self.ctx.now()
        return await self.store.run(lambda s: remember(s, key, now + remember_for))

    async def _sweep_seen(self) -> None:
        """Forget the remembered requests past their time, at most once a minute."""
        now = self.ctx.now()
        if self._seen_swept_at is None or now - self._seen_swept_at >= FORGET_SEEN_EVERY:
            self._seen_swept_at = now
            try:
                await self.store.run(lambda s: forget_old(s, now))
            except Exception as exc:
                # Only housekeeping: an old key kept a little longer refuses nothing valid.
                log.warning("could not sweep remembered requests (%s)", type(exc).__name__)

    async def flush(self) -> int:
        """Deliver what the outbox holds now; return how many messages went out.

        Calls that wait while a delivery runs share the next one: it starts after they were
        made, so it sees everything they owe; under load, one pass serves many commands.
        """
        self._flushes_asked += 1
        asked = self._flushes_asked
        async with self._delivering:
            if self._flushes_served >= asked:
                return 0  # a pass that started after this call has delivered it
            self._flushes_served = self._flushes_asked
            try:
                return await self.sender.deliver()
            except DatabaseAway:
                return 0  # still owed, in the database: a later tick delivers it

    async def tick(self) -> None:
        """Expire overdue asks, send due follow-ups and retry undelivered messages."""
        if await self.store.run(lambda s: anything_due(self.ctx, s)):
            await self._due_work()
        now = self.ctx.now()
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            await self.store.run(prune_changes)
            purged = await self.store.run(lambda s: purge(self.ctx, s))
            if purged:
                log.info("deleted %d delivered message(s) past their retention", purged)

    async def _due_work(self) -> None:
        """What a tick found due: asks to expire, follow-ups, messages, communities to forget."""
        # Due work (asking the next candidate) needs the matchers: right after a start it
        # waits a tick or two for them rather than hold the database while they are built.
        with contextlib.suppress(Warming):
            while not self.ctx.matchers.warming():
                if not await self.store.run(lambda s: due_work(self.ctx, s)):
                    break
        await self.flush()
        while forgotten := await self.store.run(lambda s: forget.forget_uninstalled(self.ctx, s)):
            log.warning("deleted the data of %s: uninstalled, and not back in time", forgotten)

    async def run_scheduler(self) -> None:
        """Tick every `tick_seconds` until `stop_ticking`; a failed tick is logged, not fatal."""
        while not self._stopping.is_set():
            try:
                await self.tick()
            except DatabaseAway:
                pass  # the store logged it, once for the whole outage
            except Exception:
                log.exception("scheduler tick failed; will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.tick_seconds)

    def stop_ticking(self) -> None:
        """Shutting down: the tick in progress finishes, no other one starts."""
        self._stopping.set()

    async def close(self) -> None:
        """Shutting down: claim nothing more, and hand back what this process holds unsent."""
        self.sender.closing = True
        released = await self.sender.release()
        if released:
            log.warning("%d message(s) being sent were handed back for the next start", released)
