"""A local Discord on port 0: the REST routes discord.py calls and a gateway websocket.

Tests drive it like members would (a slash command, a button press) and then read what
the bot did to it (commands synced, interaction answers, DMs opened, messages and buttons).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from tests.adapters.discord.fake import gateway, payloads
from tests.adapters.discord.fake.model import (
    EPHEMERAL,
    MANAGE_GUILD,
    Guild,
    Interaction,
    Message,
    User,
    snowflake,
)

API = "/api/v10"
USER_OPTION = 6


MODAL = 9  # the interaction callback that opens a modal


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer, typed exactly `application/json` as discord.py expects (no charset)."""
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, content_type="application/json", headers=headers)


def error(status: int, code: int, message: str) -> web.Response:
    """A Discord error body."""
    return respond({"code": code, "message": message}, status=status)


class FakeDiscord:
    """Discord, as far as a bot can tell: accounts, guilds, DMs, commands and interactions."""

    def __init__(self, *, shards: int = 1, max_concurrency: int = 1) -> None:
        self.token = "fake-bot-token." + secrets.token_urlsafe(8)
        self.shards = shards
        self.max_concurrency = max_concurrency
        self.application_id = snowflake()
        self.bot = User(self.application_id, "whuffie", bot=True)
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.dms_closed: set[int] = set()
        self.dm_channels: dict[int, int] = {}  # channel id → the member at the other end
        self.messages: dict[int, Message] = {}
        self.interactions: dict[int, Interaction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # None: global
        self.identified: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.advertised_gateway = ""  # what GET /gateway/bot says; default: this fake's own
        self.interaction_window = 3.0  # seconds to answer before Discord forgets the interaction
        self.member_delay = 0.0  # slow down GET member, to make the core slow
        self.rate_limited_sends = 0  # answer this many message sends with a 429 first
        self.failing_sends: list[tuple[int, int]] = []  # (HTTP status, Discord code) to answer
        self.sessions: list[gateway.Session] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free local port."""
        app = web.Application(middlewares=[self._observe])
        app.router.add_get("/gateway", self._gateway)
        for method, path, handler in self._routes():
            app.router.add_route(method, API + path, handler)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """What DISCORD_API_BASE is set to."""
        return self.url + API

    @property
    def gateway_url(self) -> str:
        """What DISCORD_GATEWAY_URL is set to."""
        return self.url.replace("http", "ws", 1) + "/gateway"

    # -- the world ------------------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False) -> User:
        """A Discord account."""
        user = User(snowflake(), name, bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User) -> Guild:
        """A server owned by `owner`, with the bot in it."""
        guild = Guild(snowflake(), name, owner.id)
        guild.roles[guild.id] = 0  # @everyone: no permissions worth mentioning
        guild.members[owner.id] = []
        guild.members[self.bot.id] = []
        self.guilds[guild.id] = guild
        return guild

    def join(self, guild: Guild, name: str, *, manage_guild: bool = False) -> User:
        """A new member of `guild`; with `manage_guild`, through a role that grants it."""
        user = self.add_user(name)
        guild.members[user.id] = []
        if manage_guild:
            role = snowflake()
            guild.roles[role] = MANAGE_GUILD
            guild.members[user.id].append(role)
        return user

    def leave(self, guild: Guild, user: User) -> None:
        """`user` leaves `guild` (or is removed): Discord no longer knows them as a member."""
        del guild.members[user.id]

    def shard_of(self, guild_id: int | None) -> int:
        """The shard Discord routes a guild's events through (DMs: shard 0)."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shards

    # -- what tests read ------------------------------------------------------------------

    def dms(self, user: User) -> list[Message]:
        """The messages the bot sent to `user` by DM, oldest first."""
        channels = {c for c, u in self.dm_channels.items() if u == user.id}
        return [m for m in self.messages.values() if m.channel_id in channels and m.answers is None]

    async def until(self, check: Callable[[], Any], within: float = 30.0) -> Any:
        """Wait until `check()` is truthy (re-checked on each request) and return its value.

        `within` only bounds a test that would otherwise hang: a loaded machine may take
        seconds to start a bot process, and that must not fail a test.
        """
        async with asyncio.timeout(within), self._changed:
            while not (value := check()):
                await self._changed.wait()
            return value

    async def connected(self, shard_ids: Iterable[int] | None = None) -> None:
        """Wait until these shards (default: all) have identified and received their guilds."""
        wanted = set(range(self.shards) if shard_ids is None else shard_ids)
        await self.until(lambda: wanted <= {s.shard[0] for s in self.sessions if s.ready.is_set()})

    # -- what tests do, as members --------------------------------------------------------

    async def slash(self, guild: Guild, user: User, name: str, **options: Any) -> Interaction:
        """`user` runs `/name` in `guild`, options typed as the synced command declares."""
        command = self._synced(guild.id, name)
        declared = {o["name"]: o for o in command.get("options", [])}
        missing = {n for n, o in declared.items() if o.get("required")} - set(options)
        assert not missing and set(options) <= set(declared), (name, options, declared)
        values: list[dict[str, Any]] = []
        resolved: dict[str, dict[str, Any]] = {"users": {}, "members": {}}
        for key, value in options.items():
            if declared[key]["type"] == USER_OPTION:
                resolved["users"][str(value.id)] = value.payload()
                if value.id in guild.members:  # someone who left resolves as a user only
                    resolved["members"][str(value.id)] = payloads.member(guild, value, nested=False)
                value = str(value.id)
            values.append({"name": key, "type": declared[key]["type"], "value": value})
        data = {"id": command["id"], "name": name, "type": 1, "options": values}
        if resolved["users"]:
            data["resolved"] = resolved
        payload = payloads.in_guild(self.application_id, guild, user) | {"type": 2, "data": data}
        return await self._dispatch(payload, guild.id)

    async def slash_in_dm(self, user: User, name: str, **options: Any) -> Interaction:
        """`user` runs `/name` in their DM with the bot, as a client can send it anyway."""
        command = next(
            (c for scope in self.commands.values() for c in scope if c["name"] == name), None
        )
        assert command is not None, f"/{name} was never synced"
        declared = {o["name"]: o for o in command.get("options", [])}
        values, users = [], {}
        for key, value in options.items():
            if declared[key]["type"] == USER_OPTION:
                users[str(value.id)] = value.payload()  # no member data outside a guild
                value = str(value.id)
            values.append({"name": key, "type": declared[key]["type"], "value": value})
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": values}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if users:
            data["resolved"] = {"users": users}
        channel = self._dm_channel(user.id)
        payload = payloads.in_dm(self.application_id, channel, user) | {"type": 2, "data": data}
        return await self._dispatch(payload, None)

    async def press_forged(self, user: User, custom_id: str) -> Interaction:
        """`user` sends a press of a button with any id they like, from their DM with the bot.

        Discord only delivers ids of buttons on the pressed message; a bot must not rely on
        it, so tests can send what a tampered client or a bug elsewhere would.
        """
        button = {"type": 2, "style": 1, "label": "forged", "custom_id": custom_id}
        forged = Message(
            id=snowflake(),
            channel_id=self._dm_channel(user.id),
            author=self.bot,
            content="forged",
            components=[{"type": 1, "components": [button]}],
            flags=0,
            allowed_mentions=None,
        )
        data = {"custom_id": custom_id, "component_type": 2}
        payload = payloads.in_dm(self.application_id, forged.channel_id, user)
        return await self._dispatch(
            payload | {"type": 3, "data": data, "message": forged.payload()}, None
        )

    async def press(self, user: User, message: Message, label: str) -> Interaction:
        """`user` presses the button labelled `label` on `message`."""
        button = next((b for b in message.buttons if b["label"] == label), None)
        assert button is not None, f"no button {label!r} on {message.labels}"
        data = {"custom_id": button["custom_id"], "component_type": 2}
        common = {"type": 3, "data": data, "message": message.payload()}
        recipient = self.dm_channels.get(message.channel_id)
        if recipient is not None:
            assert recipient == user.id, "a DM's buttons are pressed by its recipient"
            in_dm = payloads.in_dm(self.application_id, message.channel_id, user)
            return await self._dispatch(in_dm | common, None)
        assert message.answers is not None, "not a DM, not a reply: not the bot's message"
        guild_id = self.interactions[message.answers].payload["guild_id"]
        server = self.guilds[int(guild_id)]
        payload = payloads.in_guild(self.application_id, server, user) | common
        return await self._dispatch(payload, int(guild_id))

    async def submit(self, user: User, opened: Interaction, words: str) -> Interaction:
        """`user` types `words` into the modal the bot opened for `opened`, and submits it."""
        await self.until(lambda: opened.modal is not None)
        assert opened.modal is not None
        fields = [
            {"type": 4, "custom_id": f["custom_id"], "value": words}
            for row in opened.modal["components"]
            for f in row["components"]
        ]
        data = {
            "custom_id": opened.modal["custom_id"],
            "components": [{"type": 1, "components": fields}],
        }
        channel = int(opened.payload["channel_id"])
        payload = payloads.in_dm(self.application_id, channel, user) | {"type": 5, "data": data}
        return await self._dispatch(payload, None)

    async def answered(self, interaction: Interaction, replies: int = 1) -> Interaction:
        """Wait until the bot has sent `replies` answers to `interaction`."""
        await self.until(lambda: len(interaction.replies) >= replies)
        return interaction

    # -- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        return await gateway.serve(
            request,
            token=self.token,
            on_identify=self._identify,
            on_close=self._notify,
            sessions=self.sessions,
        )

    async def _identify(self, session: gateway.Session, data: dict[str, Any]) -> None:
        shard_id, count = data.get("shard", [0, 1])
        session.shard = (shard_id, count)
        self.identified.append(data)
        guilds = [g for g in self.guilds.values() if self.shard_of(g.id) == shard_id]
        ready = {
            "v": 10,
            "user": self.bot.payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": secrets.token_hex(8),
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": str(self.application_id), "flags": 0},
        }
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", payloads.guild(guild, self.bot))
        session.ready.set()
        await self._notify()

    async def _dispatch(self, payload: dict[str, Any], guild_id: int | None) -> Interaction:
        interaction = Interaction(
            int(payload["id"]), payload["token"], payload, sent_at=time.monotonic()
        )
        self.interactions[interaction.id] = interaction
        shard = self.shard_of(guild_id)
        session = next(s for s in self.sessions if s.shard[0] == shard and s.ready.is_set())
        await session.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # -- REST -----------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Callable[[web.Request], Awaitable[web.Response]]]]:
        commands = "/applications/{app}/commands"
        guild_commands = "/applications/{app}/guilds/{guild}/commands"
        return [
            ("GET", "/users/@me", self._me),
            ("GET", "/oauth2/applications/@me", self._application),
            ("GET", "/gateway/bot", self._gateway_bot),
            ("PUT", commands, self._put_commands),
            ("PUT", guild_commands, self._put_commands),
            ("GET", commands, self._get_commands),
            ("GET", guild_commands, self._get_commands),
            ("POST", "/users/@me/channels", self._open_dm),
            ("POST", "/channels/{channel}/messages", self._send),
            ("PATCH", "/channels/{channel}/messages/{message}", self._edit),
            ("GET", "/guilds/{guild}", self._get_guild),
            ("GET", "/guilds/{guild}/members/{user}", self._get_member),
            ("POST", "/interactions/{interaction}/{token}/callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._edit_reply),
        ]

    @web.middleware
    async def _observe(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Check the bot token where Discord wants it, log the call, wake up waiting tests."""
        self.requests.append((request.method, request.path))
        webhook = request.path.startswith((API + "/interactions/", API + "/webhooks/"))
        signed = request.headers.get("Authorization") == f"Bot {self.token}"
        if request.path.startswith(API) and not webhook and not signed:
            return error(401, 0, "401: Unauthorized")
        try:
            return await handler(request)
        finally:
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _me(self, request: web.Request) -> web.Response:
        return respond(self.bot.payload())

    async def _application(self, request: web.Request) -> web.Response:
        owner = next(iter(self.guilds.values())).owner_id if self.guilds else self.bot.id
        return respond(
            {
                "id": str(self.application_id),
                "name": "Whuffie",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.users[owner].payload(),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0}
        limits["max_concurrency"] = self.max_concurrency
        url = self.advertised_gateway or self.gateway_url
        return respond({"url": url, "shards": self.shards, "session_start_limit": limits})

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = int(request.match_info["guild"]) if "guild" in request.match_info else None
        synced = []
        for command in await request.json():
            synced.append(
                command
                | {
                    "id": str(snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(snowflake()),
                }
                | ({"guild_id": str(scope)} if scope else {})
            )
        self.commands[scope] = synced
        return respond(synced)

    async def _get_commands(self, request: web.Request) -> web.Response:
        scope = int(request.match_info["guild"]) if "guild" in request.match_info else None
        return respond(self.commands.get(scope, []))

    async def _open_dm(self, request: web.Request) -> web.Response:
        user_id = int((await request.json())["recipient_id"])
        if user_id not in self.users:
            return error(404, 10013, "Unknown User")
        return respond(payloads.dm_channel(self._dm_channel(user_id), self.users[user_id]))

    def _dm_channel(self, user_id: int) -> int:
        """The DM channel between the bot and this user, opened on first use."""
        channel = next((c for c, u in self.dm_channels.items() if u == user_id), None)
        if channel is None:
            channel = snowflake()
            self.dm_channels[channel] = user_id
        return channel

    async def _send(self, request: web.Request) -> web.Response:
        channel = int(request.match_info["channel"])
        if self.rate_limited_sends:
            self.rate_limited_sends -= 1
            body = {"message": "You are being rate limited.", "retry_after": 0.01, "global": False}
            return respond(body, status=429, headers={"Via": "1.1 google"})
        if self.failing_sends:
            status, code = self.failing_sends.pop(0)
            return error(status, code, "refused")
        if channel not in self.dm_channels:
            return error(403, 50001, "Missing Access")  # the bot has no channel permissions
        if self.dm_channels[channel] in self.dms_closed:
            return error(403, 50007, "Cannot send messages to this user")
        message = self._store(channel, await request.json())
        return respond(message.payload())

    async def _edit(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message"]))
        if message is None or message.channel_id != int(request.match_info["channel"]):
            return error(404, 10008, "Unknown Message")
        self._apply_edit(message, await request.json())
        return respond(message.payload())

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self.guilds.get(int(request.match_info["guild"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        return respond(payloads.guild(guild, self.bot))

    async def _get_member(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.member_delay)
        guild = self.guilds.get(int(request.match_info["guild"]))
        user_id = int(request.match_info["user"])
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        if user_id not in guild.members:
            return error(404, 10007, "Unknown Member")
        return respond(payloads.member(guild, self.users[user_id]))

    async def _callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["interaction"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            return error(404, 10062, "Unknown interaction")
        if time.monotonic() - interaction.sent_at > self.interaction_window:
            return error(404, 10062, "Unknown interaction")
        if interaction.callbacks:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = await request.json()
        kind, data = body["type"], body.get("data") or {}
        interaction.callbacks.append(kind)
        answer: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.payload["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
        }
        if kind == MODAL:
            # Discord's own checks on a modal: a title and labels of at most 45 characters.
            assert 1 <= len(data["title"]) <= 45, data["title"]
            for row in data["components"]:
                for field in row["components"]:
                    assert field["type"] == 4 and 1 <= len(field["label"]) <= 45, field
                    assert field.get("max_length", 4000) <= 4000
            assert interaction.payload["type"] in (2, 3), "a modal answers a command or a press"
            interaction.modal = data
            await self._notify()
        if kind != 4:
            return respond({"interaction": answer})
        reply = self._store(int(interaction.payload["channel_id"]), data, interaction)
        answer["response_message_id"] = str(reply.id)
        return respond({"interaction": answer, "resource": {"type": 4, "message": reply.payload()}})

    async def _followup(self, request: web.Request) -> web.Response:
        interaction = self._by_token(request.match_info["token"])
        if interaction is None or not interaction.callbacks:
            return error(404, 10015, "Unknown Webhook")
        body = await request.json()
        reply = self._store(int(interaction.payload["channel_id"]), body, interaction)
        return respond(reply.payload())

    async def _edit_reply(self, request: web.Request) -> web.Response:
        interaction = self._by_token(request.match_info["token"])
        if interaction is None or not interaction.replies:
            return error(404, 10008, "Unknown Message")
        reply = interaction.replies[0]
        self._apply_edit(reply, await request.json())
        return respond(reply.payload())

    # -- payloads and bookkeeping ---------------------------------------------------------

    def _store(
        self, channel_id: int, body: dict[str, Any], answering: Interaction | None = None
    ) -> Message:
        assert body.get("content") or body.get("components"), "Discord rejects empty messages"
        assert len(body.get("content") or "") <= 2000, "Discord rejects over 2000 characters"
        message = Message(
            id=snowflake(),
            channel_id=channel_id,
            author=self.bot,
            content=body.get("content") or "",
            components=body.get("components") or [],
            flags=body.get("flags", 0),
            allowed_mentions=body.get("allowed_mentions"),
            answers=answering.id if answering else None,
        )
        self.messages[message.id] = message
        if answering:
            answering.replies.append(message)
        return message

    def _apply_edit(self, message: Message, body: dict[str, Any]) -> None:
        if "content" in body:
            assert len(body["content"] or "") <= 2000, "Discord rejects over 2000 characters"
            message.content = body["content"] or ""
        if "components" in body:
            message.components = body["components"] or []
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        message.edits += 1

    def _by_token(self, token: str) -> Interaction | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    def _synced(self, guild_id: int, name: str) -> dict[str, Any]:
        for scope in (guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was not synced to guild {guild_id} nor globally")
