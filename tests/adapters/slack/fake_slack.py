"""A local fake of the Slack Web API, response URLs and Socket Mode, bound on port 0.

It records every call, keeps the DMs the bot posts, and can be told to be slow, to answer
429 with `Retry-After`, or to fail a method with a Slack error code.

It is as strict about tokens as Slack: each bot token belongs to one workspace (or one
Enterprise Grid organisation, for an org-wide install), `oauth.v2.access` issues them, a call
about a member or a conversation of another workspace fails `invalid_auth`, and a revoked
token fails `token_revoked`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0WHUFFIE"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "c0ffee5ecret"
# An access token issued with token rotation on lives this long (Slack: 12 hours).
ROTATING_TOKEN_SECONDS = 12 * 3600


@dataclass
class Grant:
    """What a bot token is for: one workspace, or a whole organisation (org-wide install)."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    revoked: bool = False
    expires_at: float | None = None  # a rotating token's end, in `time.time()` seconds

    def covers(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """Whether a member (or conversation) of this workspace is this token's business."""
        if self.org_wide:
            return enterprise_id is not None and enterprise_id == self.enterprise_id
        return team_id == self.team_id


@dataclass
class Consent:
    """An admin said yes on Slack's install page: the code the redirect carries."""

    team_id: str
    team_name: str
    enterprise_id: str | None
    org_wide: bool
    installer: str


def _peer(request: web.Request) -> str:
    """The client end of the connection a request came on."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return f"{peer[0]}:{peer[1]}" if peer else ""


@dataclass
class Call:
    """One request the bot made to the fake."""

    method: str
    args: dict[str, Any]
    token: str
    at: float
    peer: str = ""  # the client's address and port: one per connection it opened


@dataclass
class Posted:
    """A message the bot posted in a conversation (as it looks now, after any edits)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]

    def buttons(self) -> list[dict[str, Any]]:
        """The Block Kit buttons on this message."""
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]

    def shown_text(self) -> str:
        """The text a member reads: every section of the message."""
        return "\n".join(b["text"]["text"] for b in self.blocks if b.get("type") == "section")


@dataclass
class Response:
    """A message the bot sent through a `response_url` (an ephemeral reply)."""

    url: str
    body: dict[str, Any]

    def shown_text(self) -> str:
        """The text a member reads."""
        sections = [b["text"]["text"] for b in self.body.get("blocks") or [] if "text" in b]
        return "\n".join(sections) if sections else str(self.body.get("text", ""))

    def buttons(self) -> list[dict[str, Any]]:
        """The buttons on this reply."""
        blocks = self.body.get("blocks") or []
        return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


@dataclass
class FakeSlack:
    """The fake Web API. Start it, point `SLACK_API_BASE_URL` at `api_url`, read `calls`."""

    delay: float = 0.0
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    posted: dict[str, Posted] = field(default_factory=dict)  # "channel:ts" -> message
    responses: list[Response] = field(default_factory=list)
    responding: list[str] = field(default_factory=list)  # response URLs posted to, so far
    responding_peers: list[str] = field(default_factory=list)  # the connection of each
    views: list[dict[str, Any]] = field(default_factory=list)
    # Modals opened with `views.open`, and the trigger ids handed out with each interaction:
    # as on Slack, one opens one modal, within `trigger_lifetime` seconds of the press. Slack
    # allows 3 s; the fake allows more, so a busy machine never fails a test (a test of an
    # expired trigger sets it to 0).
    modals: list[dict[str, Any]] = field(default_factory=list)
    trigger_lifetime: float = 30.0
    _triggers: dict[str, float] = field(default_factory=dict)
    _trigger_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    url: str = ""
    _errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _rate_limits: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _slow: dict[str, float] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _response_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _socket: web.WebSocketResponse | None = None
    _socket_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    # Bot tokens and what each is for; the single-workspace token belongs to TEAM_ID.
    grants: dict[str, Grant] = field(default_factory=lambda: {BOT_TOKEN: Grant(TEAM_ID)})
    rotation: bool = False  # tokens issued with a refresh token and an expiry
    token_seconds: int = ROTATING_TOKEN_SECONDS  # how long a rotating token lives
    _consents: dict[str, Consent] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> its access token
    _channels: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    _issued: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- set up ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1, on a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Close the socket (if any) and stop serving."""
        self._stopping.set()  # calls held back by `slow` answer now
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """What `SLACK_API_BASE_URL` should be."""
        return f"{self.url}/api/"

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        bot: bool = False,
        email: str = "",
        team_id: str = TEAM_ID,
        enterprise_id: str | None = None,
        org_admin: bool = False,
    ) -> None:
        """A member of a workspace (of an Enterprise Grid org), as `users.info` describes them."""
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team_id,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_primary_owner": False,
            "is_bot": bot,
            "profile": {"display_name": name, "real_name": name, "email": email},
        }
        if enterprise_id is not None:
            user["enterprise_user"] = {
                "id": user_id,
                "enterprise_id": enterprise_id,
                "enterprise_name": "Org",
                "is_admin": org_admin,
                "is_owner": False,
                "teams": [team_id],
            }
        self.users[user_id] = user

    def consent(
        self,
        team_id: str,
        *,
        team_name: str = "",
        enterprise_id: str | None = None,
        org_wide: bool = False,
        installer: str = "UINSTALLER",
    ) -> str:
        """An admin approves the app on Slack's page: the `code` Slack redirects back with."""
        code = f"code-{next(self._issued)}"
        self._consents[code] = Consent(
            team_id, team_name or team_id, enterprise_id, org_wide, installer
        )
        return code

    def tokens_of(self, team_or_org: str) -> list[str]:
        """The bot tokens issued for a workspace (or an org, org-wide), oldest first."""
        return [
            token
            for token, grant in self.grants.items()
            if (grant.enterprise_id if grant.org_wide else grant.team_id) == team_or_org
        ]

    def revoke(self, team_or_org: str) -> None:
        """Slack revokes every token of a workspace (or org): the app was uninstalled."""
        for token in self.tokens_of(team_or_org):
            self.grants[token].revoked = True

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        self._errors[method].extend([error] * times)

    def slow(self, method: str, seconds: float) -> None:
        """Answer every call of `method` only after `seconds` (0: at once again).

        `respond` slows the response URLs; a reply whose sender is gone by then is not shown.
        """
        self._slow[method] = seconds

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After`."""
        self._rate_limits[method].extend([retry_after] * times)

    def trigger_id(self) -> str:
        """A fresh `trigger_id` for one interaction, good for one modal for a few seconds."""
        trigger = f"{next(self._trigger_ids)}.1234567890.abcdef{next(self._trigger_ids):06d}"
        self._triggers[trigger] = time.monotonic()
        return trigger

    def response_url(self) -> str:
        """A fresh `response_url` for one incoming request."""
        return f"{self.url}/respond/{next(self._response_ids)}"

    # -- reading what happened ------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Every call of one Web API method, in order."""
        return [c for c in self.calls if c.method == method]

    def dm_channel(self, *user_ids: str) -> str:
        """The channel id the fake gives the DM (or group DM) with these members."""
        key = sorted(user_ids)
        return f"D{key[0]}" if len(key) == 1 else "G" + "-".join(key)

    def messages_in(self, *user_ids: str) -> list[Posted]:
        """What the bot posted in the DM (one member) or group DM (several), oldest first."""
        channel = self.dm_channel(*user_ids)
        return [m for m in self.posted.values() if m.channel == channel]

    def replies_to(self, response_url: str) -> list[Response]:
        """The ephemeral replies sent through one `response_url`."""
        return [r for r in self.responses if r.url == response_url]

    # -- the Web API ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call(method, args, token, time.monotonic(), _peer(request)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._slow.get(method):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._slow[method])
        if self._rate_limits[method]:
            retry_after = self._rate_limits[method].pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if self._errors[method]:
            return web.json_response({"ok": False, "error": self._errors[method].pop(0)})
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(request, args))
        if method == "apps.connections.open":
            refused = None if token == APP_TOKEN else "invalid_auth"
        else:
            refused = self._refusal(token, args)
        if refused is not None:
            return web.json_response({"ok": False, "error": refused})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer: dict[str, Any] = handler(token, args)
        return web.json_response(answer)

    def _refusal(self, token: str, args: dict[str, Any]) -> str | None:
        """Slack's error for a call this token may not make, or None when it may."""
        grant = self.grants.get(token)
        if grant is None:
            return "invalid_auth"
        if grant.revoked:
            return "token_revoked"
        if grant.expires_at is not None and grant.expires_at <= time.time():
            return "token_expired"
        users = [str(args[k]) for k in ("user", "user_id") if args.get(k)]
        users += [u for u in str(args.get("users", "")).split(",") if u]
        for user_id in users:
            user = self.users.get(user_id)
            if user is not None and not grant.covers(user["team_id"], _org_of(user)):
                return "invalid_auth"  # a member of a workspace this token is not for
        channel = self._channels.get(str(args.get("channel", "")))
        if channel is not None and not grant.covers(*channel):
            return "invalid_auth"
        return None

    def _oauth_v2_access(self, request: web.Request, args: dict[str, Any]) -> dict[str, Any]:
        """Exchange an install's `code` (or a refresh token) for a bot token."""
        basic = request.headers.get("Authorization", "").removeprefix("Basic ")
        try:
            client_id, _, secret = base64.b64decode(basic).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        client_id = str(args.get("client_id") or client_id)
        secret = str(args.get("client_secret") or secret)
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("grant_type") == "refresh_token":
            return self._refreshed(str(args.get("refresh_token", "")))
        consent = self._consents.pop(str(args.get("code", "")), None)
        if consent is None:
            return {"ok": False, "error": "invalid_code"}  # unknown, or used once already
        grant = Grant(consent.team_id, consent.enterprise_id, consent.org_wide)
        token = self._issue(grant)
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": "A0WHUFFIE",
            "authed_user": {"id": consent.installer},
            "scope": "commands,chat:write,im:write,mpim:write,users:read",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": BOT_USER_ID,
            "team": None if consent.org_wide else {"id": consent.team_id, "name": "Team"},
            "enterprise": {"id": consent.enterprise_id, "name": "Org"}
            if consent.enterprise_id
            else None,
            "is_enterprise_install": consent.org_wide,
        }
        return answer | self._rotation_fields(token)

    def _issue(self, grant: Grant) -> str:
        """A new bot token for this grant."""
        owner = grant.enterprise_id if grant.org_wide else grant.team_id
        token = f"xoxb-{owner}-{next(self._issued)}"
        if self.rotation:
            grant.expires_at = time.time() + self.token_seconds
        self.grants[token] = grant
        return token

    def _rotation_fields(self, token: str) -> dict[str, Any]:
        """`refresh_token` and `expires_in`, when the app has token rotation on."""
        if not self.rotation:
            return {}
        refresh = f"xoxe-1-{next(self._issued)}"
        self._refresh[refresh] = token
        return {"refresh_token": refresh, "expires_in": self.token_seconds}

    def _refreshed(self, refresh: str) -> dict[str, Any]:
        """A fresh access token for a rotating one (each refresh token is good once)."""
        old = self._refresh.pop(refresh, None)
        grant = self.grants.get(old or "")
        if grant is None or grant.revoked:
            return {"ok": False, "error": "invalid_refresh_token"}
        fresh = Grant(grant.team_id, grant.enterprise_id, grant.org_wide)
        token = self._issue(fresh)
        return {
            "ok": True,
            "app_id": "A0WHUFFIE",
            "token_type": "bot",
            "access_token": token,
            "team": {"id": grant.team_id},
            "enterprise": {"id": grant.enterprise_id} if grant.enterprise_id else None,
        } | self._rotation_fields(token)

    def expire_tokens(self) -> None:
        """Every rotating token is past its end (as twelve hours later)."""
        for grant in self.grants.values():
            if grant.expires_at is not None:
                grant.expires_at = time.time() - 1

    def _auth_test(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        grant = self.grants[token]
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test Community",
            "user": "whuffie",
            "team_id": grant.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": "B0WHUFFIE",
            "enterprise_id": grant.enterprise_id,
            "is_enterprise_install": grant.org_wide,
        }

    def _users_info(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _users_lookupByEmail(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        wanted = str(args.get("email", "")).lower()
        grant = self.grants[token]
        for user in self.users.values():
            mine = grant.covers(user["team_id"], _org_of(user))  # only this token's workspace
            if wanted and mine and user["profile"]["email"].lower() == wanted:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _conversations_open(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        ids = [u for u in str(args.get("users", "")).split(",") if u]
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            if user["is_bot"]:
                return {"ok": False, "error": "cannot_dm_bot"}
            if user.get("deleted"):
                return {"ok": False, "error": "user_disabled"}
        channel = self.dm_channel(*ids)
        grant = self.grants[token]
        self._channels[channel] = (grant.team_id, grant.enterprise_id)
        return {"ok": True, "channel": {"id": channel}}

    def _chat_postMessage(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        ts = f"{1700000000 + next(self._ts)}.000100"
        message = Posted(channel, ts, str(args.get("text", "")), list(args.get("blocks") or []))
        self.posted[f"{channel}:{ts}"] = message
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_update(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        key = f"{args['channel']}:{args['ts']}"
        if key not in self.posted:
            return {"ok": False, "error": "message_not_found"}
        message = self.posted[key]
        message.text = str(args.get("text", ""))
        message.blocks = list(args.get("blocks") or [])
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _views_open(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        issued = self._triggers.pop(str(args.get("trigger_id")), None)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if time.monotonic() - issued > self.trigger_lifetime:
            return {"ok": False, "error": "expired_trigger_id"}
        view = args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        if view.get("type") != "modal" or len(view["title"]["text"]) > 24:
            return {"ok": False, "error": "invalid_arguments"}
        self.modals.append(view)
        return {"ok": True, "view": {"id": f"V{len(self.modals)}", **view}}

    def _views_publish(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        view = args["view"]
        self.views.append(json.loads(view) if isinstance(view, str) else view)
        return {"ok": True}

    def _apps_connections_open(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.url.replace("http://", "ws://") + "/link"}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responding.append(f"{self.url}{request.path}")
        self.responding_peers.append(_peer(request))
        if self._slow.get("respond"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._slow["respond"])
            if request.transport is None or request.transport.is_closing():
                return web.Response(text="gone")  # the bot died waiting: it never heard back
        self.responses.append(Response(f"{self.url}{request.path}", body))
        return web.Response(text="ok")

    # -- Socket Mode ----------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1})
        self._socket_ready.set()
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            ack = json.loads(frame.data)
            waiter = self._acks.get(str(ack.get("envelope_id")))
            if waiter is not None and not waiter.done():
                waiter.set_result(ack)
        return socket

    def reset_socket(self) -> None:
        """Forget the app's Socket Mode connection, to wait for the next one (a restart)."""
        self._socket_ready.clear()
        self._socket = None

    async def socket_connected(self) -> None:
        """Wait until an app has connected through Socket Mode (callers bound the wait)."""
        await self._socket_ready.wait()

    async def socket_send(self, envelope: dict[str, Any]) -> asyncio.Future[dict[str, Any]]:
        """Push an envelope to the connected app; the future resolves with its ack."""
        await asyncio.wait_for(self.socket_connected(), 30)
        assert self._socket is not None
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[str(envelope["envelope_id"])] = waiter
        await self._socket.send_json(envelope)
        return waiter


def _org_of(user: dict[str, Any]) -> str | None:
    """The Enterprise Grid organisation a member belongs to, if any."""
    return (user.get("enterprise_user") or {}).get("enterprise_id")
