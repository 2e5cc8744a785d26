"""Whuffie on Slack: the Bolt app, its listeners, and serving it over HTTP or Socket Mode.

Every request is acknowledged first, with an empty answer, so Slack always hears back
within its 3 seconds; the command then runs, the private reply goes out through the
request's `response_url`, and the core's outbox is flushed.

Over HTTP, the endpoint is open to anyone: a body is read within a size and a time limit,
its signature checked before anything parses it, and a signed request sent again does its
work once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import blocks, modals
from adapters.slack.client import build_client
from adapters.slack.home import home_view
from adapters.slack.installations import (
    ROTATE_BEFORE_MINUTES,
    STATE_SECONDS,
    Installations,
)
from adapters.slack.invocations import (
    actor,
    community_of,
    community_of_installation,
    from_buttons,
    from_command,
)
from adapters.slack.port import PLATFORM, SlackPort
from adapters.slack.quiet import quiet_libraries, quiet_logger
from adapters.slack.settings import SlackSettings, SlackStartupError
from bot import texts
from bot.app import Whuffie
from bot.buttons import Press
from bot.commands import COMMANDS, TEXT_BUTTONS
from bot.port import Actor, Invocation, Message, Port
from bot.seen import Once
from bot.web import WebServer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Installs through OAuth: the "Add to Slack" page, and where Slack sends the admin back.
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
SEEN_EVENTS_KEPT = 2_000
# At shutdown, requests already acknowledged get this long to finish (then they are cancelled
# and the messages they were sending are handed back to the outbox).
SHUTDOWN_GRACE_SECONDS = 5.0

# Slack sends the whole body at once; a client still trickling it after this is let go.
BODY_TIMEOUT_SECONDS = 10.0
# Slack accepts a timestamp up to 5 minutes either side of now, so a signature seen now can
# still pass for up to 10 minutes: that long, a replay of it must be recognised.
REPLAY_WINDOW = timedelta(minutes=10)
# A Unix time in seconds has 10 digits until the year 2286; longer is not a timestamp.
TIMESTAMP_DIGITS_MAX = 12
REQUEST_KEY = "whuffie_request_key"
# With the work in hand at its bound, a request waits this long for room before it is told to
# try again: well within Slack's 3 s, with room for the ack's own way back.
ADMIT_WAIT_SECONDS = 1.5


class SlackAdapter(SlackPort):
    """Serves the core on Slack and is the core's port there (whoever builds it attaches it).

    In HTTP mode its events endpoint is served by the process's shared HTTP server, `server`,
    and with installs through OAuth the install pages too.
    """

    def __init__(self, core: Whuffie, settings: SlackSettings, server: WebServer) -> None:
        settings.check()
        self.installations: Installations | None = None
        if settings.oauth:
            # Each workspace (or org) installed through OAuth has its own token, in our database.
            client = build_client(settings, None)
            self.installations = Installations(settings, core.store.engine, client)
            super().__init__(client, self.installations.token_for)
        else:
            super().__init__(build_client(settings, settings.bot_token))
        self.core = core
        self.settings = settings
        self._identity: dict[str, Any] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_for_member: dict[str, asyncio.Task[None]] = {}
        self._seen_events: OrderedDict[str, None] = OrderedDict()
        self.server = server
        self._socket: AsyncSocketModeHandler | None = None
        self._stopped = asyncio.Event()
        # One HTTP session (kept-alive connections) for every Web API call and reply; made
        # at start, inside the event loop. Until then, each call opens its own.
        self._session: aiohttp.ClientSession | None = None
        self.body_timeout = BODY_TIMEOUT_SECONDS
        self.admit_wait = ADMIT_WAIT_SECONDS
        self._verifier = (
            SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        )
        quiet_libraries()
        self.bolt = self._build_bolt()
        if not self.socket_mode:
            server.add_routes([web.post(EVENTS_PATH, self._handle_http)])
        if self.installations is not None:
            server.add_routes(
                [
                    web.get(INSTALL_PATH, self._handle_oauth),
                    web.get(REDIRECT_PATH, self._handle_oauth),
                ]
            )

    @property
    def port(self) -> Port:
        """The adapter is its own port."""
        return self

    # -- the Bolt app ---------------------------------------------------------------------

    def _build_bolt(self) -> AsyncApp:
        """The Bolt app with our listeners; it answers Slack, the work runs after the ack."""
        if self.installations is not None:
            bolt = AsyncApp(
                name="whuffie",
                client=build_client(self.settings, None),
                signing_secret=self.settings.signing_secret,
                oauth_settings=oauth_settings(self.settings, self.installations, self._installed),
                logger=quiet_logger("adapters.slack.bolt"),
                process_before_response=True,  # see below
                request_verification_enabled=False,  # see below
            )
            return self._listen(bolt)

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            # Bolt's own single-token mode calls auth.test on the first request, before the
            # ack; with a slow Web API that could miss Slack's 3 s. Ours is asked at start.
            identity = await self._whoami()
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                bot_token=self.settings.bot_token,
                bot_id=identity.get("bot_id"),
                bot_user_id=identity.get("user_id"),
            )

        bolt = AsyncApp(
            name="whuffie",
            # A client without a token: requests get the bot token from `authorize`.
            client=build_client(self.settings, None),
            signing_secret=self.settings.signing_secret,
            authorize=authorize,
            logger=quiet_logger("adapters.slack.bolt"),
            # Our listeners return as soon as they have acknowledged (the work runs after, in
            # `_spawn`), so Bolt may await them: otherwise it polls every 10 ms for the ack
            # of each request, which under load costs the event loop more than the request.
            process_before_response=True,
            # `_handle_http` checks every signature on the raw body before anything parses
            # it; Bolt checking it again would only spend the time twice.
            request_verification_enabled=False,
        )
        return self._listen(bolt)

    def _listen(self, bolt: AsyncApp) -> AsyncApp:
        """Our listeners on a Bolt app."""
        bolt.middleware(self._skip_seen_events)
        for command in COMMANDS:
            bolt.command(f"/{command.name}")(self._on_command)
        bolt.action(re.compile(rf"^{blocks.ACTION_PREFIX}:"))(self._on_button)
        bolt.view(modals.CALLBACK_ID)(self._on_text_submitted)
        bolt.event("app_home_opened")(self._on_home_opened)
        bolt.event("app_uninstalled")(self._on_uninstalled)
        bolt.event("tokens_revoked")(self._on_tokens_revoked)
        return bolt

    async def _whoami(self) -> dict[str, Any]:
        """The bot's own identity (`auth.test`), asked once."""
        if self._identity is None:
            try:
                answer = await self.client.auth_test()
            except SlackApiError as exc:
                code = exc.response.get("error", "") if exc.response is not None else ""
                raise SlackStartupError(
                    f"Slack refused SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token "
                    "(xoxb-…) from your app's OAuth & Permissions page."
                ) from exc
            self._identity = dict(answer.data) if isinstance(answer.data, dict) else {}
        return self._identity

    async def _skip_seen_events(
        self, body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """Acknowledge an Events API delivery we have already handled without doing it again.

        Slack redelivers an event (with `X-Slack-Retry-Num`) when it thinks we missed it; the
        event id is the same, so remembering recent ids makes the retry a no-op.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return await next()
        if event_id in self._seen_events:
            log.info("skipping redelivered event %s", event_id)
            return BoltResponse(status=200, body="")
        self._seen_events[event_id] = None
        while len(self._seen_events) > SEEN_EVENTS_KEPT:
            self._seen_events.popitem(last=False)
        return await next()

    def _spawn(
        self,
        work: Coroutine[Any, Any, None],
        member: str | None = None,
        context: AsyncBoltContext | None = None,
        *,
        admitted: bool = False,
    ) -> None:
        """Run work after the ack, keeping hold of it so shutdown can let it finish.

        Work for one member runs in the order Slack delivered it: `/need` then `/done` typed
        in one burst must see the need, even when the first one's translation is slower.
        A request already handled (by this process or another on the database) is skipped:
        checking after the ack keeps the ack fast even while the database is busy.
        `admitted`: the request holds a place in the core's backlog, given back at the end.
        """
        before = self._last_for_member.get(member) if member else None
        key = context.get(REQUEST_KEY) if context is not None else None

        async def logged() -> None:
            if before is not None:
                await asyncio.wait([before])
            try:
                if key and not await self.core.first_time(f"slack:{key}", REPLAY_WINDOW):
                    log.warning("Slack: ignored a request sent again (same signature)")
                    work.close()
                    return
                await work
            except Exception:
                log.exception("handling a Slack request failed")
            finally:
                if admitted:
                    self.core.backlog.done()

        task = asyncio.create_task(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if member:
            self._last_for_member[member] = task

            def forget(done: asyncio.Task[None]) -> None:
                if self._last_for_member.get(member) is done:
                    del self._last_for_member[member]

            task.add_done_callback(forget)

    async def idle(self) -> None:
        """Wait until every command and button press received so far has been fully handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- listeners ------------------------------------------------------------------------

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """A slash command: acknowledge now, run it after (or, swamped, say so in the ack)."""
        if not await self._admit():
            await ack(text=blocks.fallback_text(texts.busy()))
            return
        await ack()
        community = community_of(context)
        # Checked for a replay in the command's own transaction, not in one of its own.
        key = context.get(REQUEST_KEY)
        once = Once(f"slack:{key}", REPLAY_WINDOW) if key else None
        self._spawn(
            self._run_command(body, respond, community, once),
            f"{community}:{body.get('user_id')}",
            admitted=True,
        )

    async def _on_button(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """A button press: acknowledge now, run the command it stands for after.

        A button that asks for words opens its text field at once: Slack's `trigger_id`
        works for three seconds only. The words come back as a view submission.
        """
        admitted = await self._admit()
        await ack()
        community = community_of(context)
        if not admitted:  # a press has no reply of its own in the ack: one short post says so
            self._spawn(self._reply_busy(respond))
            return
        member = (body.get("user") or {}).get("id")
        for action in body.get("actions") or []:
            pressed = blocks.pressed(action)
            if pressed is not None and pressed[0] in TEXT_BUTTONS:
                # Not ordered behind the member's earlier work nor checked for replay first:
                # the trigger would expire meanwhile, and Slack honours a trigger once, so a
                # replay opens nothing.
                field = self._open_text_field(body, respond, community, *pressed)
                self._spawn(field, admitted=True)
                return
        self._spawn(
            self._run_button(body, respond, community),
            f"{community}:{member}",
            context,
            admitted=True,
        )

    async def _admit(self) -> bool:
        """A place in the core's backlog, waited for briefly; False when swamped."""
        if await self.core.backlog.admit(self.admit_wait):
            return True
        log.warning("Slack: too much work in hand; a member was asked to try again")
        return False

    async def _reply_busy(self, respond: AsyncRespond) -> None:
        """Tell whoever pressed a button that nothing happened, and to try again."""
        if respond.response_url:
            webhook = AsyncWebhookClient(respond.response_url, session=self._session)
            busy = texts.busy()
            await webhook.send(
                text=blocks.fallback_text(busy),
                blocks=blocks.to_blocks(busy) or None,
                response_type="ephemeral",
                replace_original=False,
            )

    async def _open_text_field(
        self, body: dict[str, Any], respond: AsyncRespond, community: str, command: str, arg: str
    ) -> None:
        """Open the modal that asks for a button's words; say so kindly if Slack refuses."""
        try:
            await self.client.views_open(
                trigger_id=str(body.get("trigger_id") or ""),
                view=modals.text_modal(command, arg),
                **await self._auth(community),
            )
        except Exception as exc:
            code = exc.response.get("error", "") if isinstance(exc, SlackApiError) else ""
            log.warning("Slack: could not open a text field (%s)", code or type(exc).__name__)
            if respond.response_url:
                with contextlib.suppress(Exception):
                    reply = texts.text_field_failed()
                    await respond(
                        text=blocks.fallback_text(reply),
                        response_type="ephemeral",
                        replace_original=False,
                    )

    async def _on_text_submitted(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """The words of a text field: the modal closes, and the press runs with them.

        Swamped, the modal stays open with the words still in it, and says to try again.
        """
        if not await self._admit():
            await ack(response_action="errors", errors={modals.BLOCK_ID: texts.busy().text})
            return
        await ack()
        found = modals.submitted(body.get("view") or {})
        user = body.get("user") or {}
        if found is None or not user.get("id"):
            self.core.backlog.done()
            return
        community = community_of(context)
        self._spawn(
            self._run_text(user, found, community),
            f"{community}:{user['id']}",
            context,
            admitted=True,
        )

    async def _run_text(
        self, user: dict[str, Any], found: tuple[str, str, str], community: str
    ) -> None:
        """Run a text field's press; its private reply goes by DM (a modal has no thread)."""
        command, arg, words = found
        sender = await actor(self, community, str(user["id"]), str(user.get("username") or ""))
        press = Press(
            PLATFORM, sender.user_id, sender.display_name, command, f"{arg} {words}", community
        )

        async def send(reply: Message) -> None:
            await self.send_dm(community, [sender.user_id], reply)

        await self._answer(command, self.core.answer_press(press, send))

    async def _on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """Show the Home tab: what the bot is for and its commands."""
        if event.get("tab") == "home":
            home = self._publish_home(str(event["user"]), community_of(context))
            self._spawn(home, context=context)

    async def _on_uninstalled(self, context: AsyncBoltContext) -> None:
        """The workspace removed the app: its tokens go at once, its data after a grace period.

        Nothing is sent there from now on; a reinstall within the grace period finds every
        profile again.
        """
        self._spawn(self._uninstalled(context, "slack: app_uninstalled"), context=context)

    async def _on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The bot's token was revoked (user tokens alone do not matter: the bot has none)."""
        if (event.get("tokens") or {}).get("bot"):
            self._spawn(self._uninstalled(context, "slack: tokens_revoked"), context=context)

    async def _uninstalled(self, context: AsyncBoltContext, reason: str) -> None:
        """Delete the installation's tokens (OAuth installs), and stop sending there."""
        if self.installations is not None:
            await self.installations.uninstalled(*_installation_of(context))
        await self.core.installation_gone(community_of(context), reason)

    async def _installed(self, community: str) -> None:
        """A workspace (or org) installed the app through OAuth: it is served from now on."""
        log.info("Slack: %s installed the app", community)
        await self.core.installed(community)

    async def _publish_home(self, user_id: str, community: str) -> None:
        """Publish the Home tab for one member."""
        try:
            auth = await self._auth(community)
            await self.client.views_publish(user_id=user_id, view=home_view(), **auth)
        except Exception:
            log.exception("could not publish the Home tab for %s", user_id)

    # -- from Slack to the core -----------------------------------------------------------

    async def _run_command(
        self, body: dict[str, Any], respond: AsyncRespond, community: str, once: Once | None
    ) -> None:
        """Translate a slash command and answer it privately (once, if `once` says so)."""
        await self._run_invocation(await from_command(self, body, community), respond, once)

    async def _run_button(
        self, body: dict[str, Any], respond: AsyncRespond, community: str
    ) -> None:
        """Translate a button press into the command it stands for and answer it privately."""
        for press in await from_buttons(self, body, community):
            presser = Actor(PLATFORM, community, press.user_id, press.display_name)

            async def send(reply: Message, presser: Actor = presser) -> None:
                await self._reply(presser, reply, respond)

            await self._answer(press.command, self.core.answer_press(press, send))

    async def _run_invocation(
        self, invocation: Invocation, respond: AsyncRespond, once: Once | None = None
    ) -> None:
        """Run a slash command and reply to whoever typed it."""

        async def send(reply: Message) -> None:
            await self._reply(invocation.actor, reply, respond)

        await self._answer(invocation.command, self.core.answer(invocation, send, once=once))

    async def _answer(self, command: str, work: Awaitable[None]) -> None:
        """Let the core run and reply, then deliver what it owes others."""
        try:
            await work
        except Exception:  # the core answers its own failures; this is the database gone
            log.exception("command /%s failed", command)
        try:
            await self.core.flush()
        except Exception:
            log.exception("delivering the outbox failed; the scheduler will retry")

    async def _reply(self, actor: Actor, reply: Message, respond: AsyncRespond) -> None:
        """Send the private reply (ephemeral); as a DM if the response URL cannot take it.

        Raises when neither works, so the core keeps the reply owed and DMs it later.
        """
        try:
            if respond.response_url:
                webhook = AsyncWebhookClient(respond.response_url, session=self._session)
                answer = await webhook.send(
                    text=blocks.fallback_text(reply),
                    blocks=blocks.to_blocks(reply) or None,
                    response_type="ephemeral",
                    replace_original=False,
                )
                if answer.status_code == 200:
                    return
                log.warning("response_url answered %s; replying by DM", answer.status_code)
        except Exception as exc:
            log.warning("response_url failed (%s); replying by DM", exc)
        await self.send_dm(actor.community, [actor.user_id], reply)

    # -- serving --------------------------------------------------------------------------

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set: no public URL needed."""
        return bool(self.settings.app_token)

    @property
    def http_url(self) -> str | None:
        """Where Slack sends events in HTTP mode, once the shared server listens."""
        if self.socket_mode or self.server.url is None:
            return None
        return self.server.url + EVENTS_PATH

    async def start(self) -> None:
        """Check the token, then connect through Socket Mode (HTTP: the shared server serves).

        With installs through OAuth, there is no one token to check: each workspace's is
        found when it is needed, and the install pages are served beside the events.
        """
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self.client.session = self.bolt.client.session = self._session
        if self.installations is None:
            identity = await self._whoami()
            who = f"@{identity.get('user', '?')} in {identity.get('team', '?')}"
        else:
            who = f"installs at {INSTALL_PATH}"
        if self.socket_mode:
            self._socket = AsyncSocketModeHandler(
                self.bolt, app_token=self.settings.app_token, web_client=self.client
            )
            # slack_bolt's Socket Mode handler leaves this method unannotated.
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: %s, connected through Socket Mode", who)
            return
        log.info("Slack: %s, taking events over HTTP at %s", who, EVENTS_PATH)

    async def _handle_http(self, request: web.Request) -> web.Response:
        """One request from anyone: read it within limits, check it is Slack's, then dispatch.

        The signature is checked on the raw bytes before anything parses them, so junk from
        a stranger costs a 401 and nothing else; what fails to parse after a good signature
        is a 400. No answer carries a traceback and no log line carries the body.
        """
        if self._stopped.is_set():
            # Stopping: the shared server may still be up for others; Slack retries elsewhere.
            return _refusal(503, "shutting down", close=True)
        try:
            async with asyncio.timeout(self.body_timeout):
                raw = await request.read()
        except TimeoutError:
            log.warning(
                "Slack: dropped a request whose body was still arriving after %ss",
                self.body_timeout,
            )
            return _refusal(408, "request body too slow", close=True)
        except web.HTTPRequestEntityTooLarge:
            return _refusal(413, "request body too large", close=True)
        except Exception as exc:  # the client hung up or sent a broken body
            log.info("Slack: could not read a request body (%s)", type(exc).__name__)
            return _refusal(400, "unreadable request body", close=True)
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not self._is_signed(raw, stamp, signature):
            log.info("Slack: refused a request without a valid signature")
            return _refusal(401, "invalid request")
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers={k: list(request.headers.getall(k)) for k in request.headers},
                context={REQUEST_KEY: signature},
            )
            if not isinstance(bolt_request.body, dict):
                raise ValueError("not an object")
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            log.warning("Slack: a signed request could not be parsed (%s)", type(exc).__name__)
            return _refusal(400, "malformed request")
        try:
            answer = await self.bolt.async_dispatch(bolt_request)
        except Exception as exc:
            log.error("Slack: could not dispatch a request (%s)", type(exc).__name__)
            return _refusal(500, "internal error")
        return await to_aiohttp_response(answer)

    async def _handle_oauth(self, request: web.Request) -> web.Response:
        """The "Add to Slack" page, and Slack's redirect back once an admin said yes.

        Bolt's OAuth flow does the work: a one-time `state` (kept in our database and in a
        browser cookie) ties the redirect to the page that started it, so a forged or
        replayed redirect installs nothing.
        """
        flow = self.bolt.oauth_flow
        assert flow is not None
        bolt_request = AsyncBoltRequest(
            body="",
            query=request.query_string,
            headers={k: list(request.headers.getall(k)) for k in request.headers},
        )
        try:
            if request.path == INSTALL_PATH:
                answer = await flow.handle_installation(bolt_request)
            else:
                answer = await flow.handle_callback(bolt_request)
        except Exception as exc:
            log.error("Slack: an install failed (%s)", type(exc).__name__)
            return _refusal(500, "internal error")
        return await to_aiohttp_response(answer)

    def _is_signed(self, raw: bytes, stamp: str, signature: str) -> bool:
        """Slack's v0 signature over the raw body, with a fresh, well-formed timestamp."""
        if self._verifier is None or not signature:
            return False
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= TIMESTAMP_DIGITS_MAX):
            return False
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return False  # Slack sends UTF-8; the verifier would fail on anything else
        return self._verifier.is_valid(body, stamp, signature)

    async def stop(self) -> None:
        """Stop taking requests, let work in flight finish (briefly), then cancel the rest."""
        self._stopped.set()
        if self._socket is not None:
            # slack_bolt's Socket Mode handler leaves this method unannotated.
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        try:
            if self._tasks:
                await asyncio.wait_for(self.idle(), SHUTDOWN_GRACE_SECONDS)
        except TimeoutError:
            log.warning("Slack: %d requests still running at shutdown", len(self._tasks))
        finally:  # also when stopping is itself cancelled: nothing outlives the adapter
            for task in list(self._tasks):
                task.cancel()
            await self._close_session()

    async def _close_session(self) -> None:
        """Close the shared HTTP session; a late send (a last tick) opens its own."""
        session, self._session = self._session, None
        if session is not None:
            self.client.session = self.bolt.client.session = None
            await session.close()

    async def run(self) -> None:
        """Serve Slack until stopped (or cancelled), then clean up."""
        await self.start()
        try:
            await self._stopped.wait()
        finally:
            await self.stop()


def _installation_of(context: AsyncBoltContext) -> tuple[str | None, str | None]:
    """The (enterprise id, team id) an installation is stored under: no team if org-wide."""
    if context.is_enterprise_install:
        return context.enterprise_id, None
    return context.enterprise_id, context.team_id


def oauth_settings(
    settings: SlackSettings,
    installations: Installations,
    installed: Callable[[str], Awaitable[None]],
) -> AsyncOAuthSettings:
    """Bolt's OAuth flow on our database, with the client pointed where the settings say."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        done = args.installation
        await installed(
            community_of_installation(
                done.enterprise_id, done.team_id, bool(done.is_enterprise_install)
            )
        )
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        # The reason only (invalid_state, invalid_code, …): never the query, which holds codes.
        log.warning("Slack: an install was refused (%s)", args.reason)
        return await args.default.failure(args)

    oauth = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(settings.scopes),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(success=success, failure=failure),
        installation_store=installations.store,
        installation_store_bot_only=True,
        state_store=installations.states,
        state_expiration_seconds=STATE_SECONDS,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
        logger=quiet_logger("adapters.slack.oauth"),
    )
    # Bolt renews rotating tokens as requests come in: through the same Web API base as ours.
    oauth.authorize = AsyncInstallationStoreAuthorize(
        logger=quiet_logger("adapters.slack.oauth"),
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
        installation_store=installations.store,
        bot_only=True,
        client=build_client(settings, None),
    )
    return oauth


def _refusal(status: int, reason: str, *, close: bool = False) -> web.Response:
    """A short JSON refusal; `close` ends the connection (its body may still be unread)."""
    response = web.json_response({"error": reason}, status=status)
    if close:
        response.force_close()
    return response
