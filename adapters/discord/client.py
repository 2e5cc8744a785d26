"""The Discord client: shards, the command tree, and the path from an interaction to the core."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
import yarl
from discord import app_commands
from discord.webhook.async_ import async_context

from adapters.discord import text
from adapters.discord.commands import args_of, build_commands, target_of
from adapters.discord.community import PLATFORM, community_of
from adapters.discord.endpoints import Endpoints, EndpointsHTTPClient, EndpointsWebhookAdapter
from adapters.discord.views import ActionButton, build_view
from bot import texts
from bot.buttons import Press
from bot.commands import Command
from bot.port import Actor, Invocation, Message

if TYPE_CHECKING:
    from bot.app import Whuffie

log = logging.getLogger(__name__)

# On shutdown, interactions being answered get this long to finish answering and delivering.
SHUTDOWN_GRACE_SECONDS = 5.0

# Discord lets each identify bucket (shard id % max_concurrency) start one session per 5 s.
IDENTIFY_SPACING_SECONDS = 5.0

# Discord gives an interaction three seconds for its first answer; past this the bot defers
# (the member sees "thinking…") and answers with a followup when the core is done.
DEFER_AFTER_SECONDS = 1.5

NO_MENTIONS = discord.AllowedMentions.none()

# How the core answers an interaction: it calls `send` with the private reply.
Send = Callable[[Message], Awaitable[None]]
Work = Callable[[Send], Awaitable[None]]


def intents() -> discord.Intents:
    """The least the bot needs: guild and role events, to tell who has Manage Server.

    No message intents: the bot never reads channel messages. No member intent (privileged):
    members are fetched one at a time when the core asks whether someone is an admin.
    """
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


def actor_of(user: discord.abc.User, community: str) -> Actor:
    """The core's view of a Discord member in a community."""
    return Actor(PLATFORM, community, str(user.id), user.display_name)


def shard_list(ids: Sequence[int]) -> str:
    """Shard ids as a person would write them: `0-3, 8`."""
    runs: list[list[int]] = []
    for shard in sorted(ids):
        if runs and shard == runs[-1][-1] + 1:
            runs[-1].append(shard)
        else:
            runs.append([shard])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


class GuildCommandTree(app_commands.CommandTree["WhuffieClient"]):
    """The command tree; a command sent from a DM is answered, never run nor left unanswered.

    Every command is offered in servers only, yet a DM can still carry one (an old client,
    a command registered before). There no community is known, so the member is told where
    the command works, whatever the command, before discord.py even looks it up.
    """

    async def interaction_check(self, interaction: discord.Interaction[WhuffieClient]) -> bool:
        """Let server commands through; answer a command from a DM with where to use it."""
        if interaction.guild_id is not None:
            return True
        if interaction.type is discord.InteractionType.application_command:
            data = cast(dict[str, Any], interaction.data or {})
            name = str(data.get("name", ""))[:32]
            await interaction.client.serve(interaction, name, _saying(texts.use_in_server(name)))
        return False


class WhuffieClient(discord.AutoShardedClient):
    """An auto-sharded client that turns slash commands and button presses into invocations.

    Alone it serves every shard; in a shard group it serves `shard_ids` of `shard_count`.
    """

    def __init__(
        self,
        core: Whuffie,
        *,
        sync_guild_id: int | None = None,
        api_base: str = "",
        gateway_url: str = "",
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        defer_after: float = DEFER_AFTER_SECONDS,
    ) -> None:
        # The bot never joins voice: spare the log the warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Only a shard group names its shards (discord.py's typing has no "None: all" for it).
        group: dict[str, Any] = {"shard_ids": list(shard_ids)} if shard_ids is not None else {}
        super().__init__(
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            chunk_guilds_at_startup=False,
            max_messages=None,
            shard_count=shard_count,
            **group,
        )
        self.core = core
        self.sync_guild_id = sync_guild_id
        # This client's endpoints (empty: Discord's own), in its own HTTP client, which the
        # connection state shares; built before the command tree, which keeps it too.
        self.endpoints = Endpoints(api_base, yarl.URL(gateway_url) if gateway_url else None)
        self.http = self._connection.http = EndpointsHTTPClient(self.loop, self.endpoints)
        self.defer_after = defer_after
        self.tree: app_commands.CommandTree[WhuffieClient] = GuildCommandTree(self)
        self._max_concurrency: int | None = None
        self._identified_at: dict[int, float] = {}
        self._identify_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._answering: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        """Register the commands and the persistent buttons, then sync the commands."""
        guild = discord.Object(self.sync_guild_id) if self.sync_guild_id else None
        for command in build_commands(self.on_command):
            self.tree.add_command(command, guild=guild)
        self.add_dynamic_items(ActionButton)
        synced = await self.tree.sync(guild=guild)
        log.info("Synced %d commands to %s", len(synced), self._synced_to())

    async def on_ready(self) -> None:
        """Say, once every shard of this process is in, that the bot is serving and where."""
        log.info(
            "Discord: @%s in %d server(s) over %s; commands synced to %s",
            self.user.name if self.user else "?",
            len(self.guilds),
            self._shards_served(),
            self._synced_to(),
        )

    def _shards_served(self) -> str:
        if self.shard_ids is None:
            return f"{self.shard_count or 1} shard(s)"
        return f"shard(s) {shard_list(self.shard_ids)} of {self.shard_count}"

    def _synced_to(self) -> str:
        if self.sync_guild_id:
            return f"server {self.sync_guild_id} only"
        return "every server (global)"

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Log in and serve, answering interactions at this client's API base."""
        # discord.py answers interactions through the webhook adapter in this context
        # variable; set here, it holds for the tasks this client starts, and no other.
        adapter = async_context.set(EndpointsWebhookAdapter(self.endpoints))
        try:
            await super().start(token, reconnect=reconnect)
        finally:
            async_context.reset(adapter)

    async def launch_shards(self) -> None:
        """Start the shards; a configured gateway URL wins over the one Discord advertises."""
        # discord.py connects to the URL from GET /gateway/bot only when it asks there for the
        # shard count; with a count known (here, or set for a shard group) it connects to its
        # default gateway, as fresh reconnects always do (resumes go where READY said). This
        # client's HTTP client takes those to its own gateway: the configured URL, else the
        # advertised one, so a shard group goes there too.
        if self.shard_count is None or self.endpoints.gateway is None:
            recommended, advertised, _ = await self.http.get_bot_gateway()
            if self.shard_count is None:
                self.shard_count = recommended
            if self.endpoints.gateway is None:
                self.endpoints.gateway = yarl.URL(advertised)
        await super().launch_shards()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Space shard logins as Discord asks, but start `max_concurrency` shards at once.

        discord.py waits five seconds before every shard after the first; large bots are
        allowed to identify several shards together, which makes a restart that much faster.
        """
        if self._max_concurrency is None:
            try:
                limits = await self.fetch_session_start_limits()
                self._max_concurrency = max(1, limits.max_concurrency)
            except discord.DiscordException:
                self._max_concurrency = 1
        bucket = (shard_id or 0) % self._max_concurrency
        async with self._identify_locks[bucket]:
            last = self._identified_at.get(bucket)
            if last is not None:
                await asyncio.sleep(max(0.0, last + IDENTIFY_SPACING_SECONDS - time.monotonic()))
            self._identified_at[bucket] = time.monotonic()

    async def on_command(
        self, interaction: discord.Interaction[Any], spec: Command, values: Mapping[str, Any]
    ) -> None:
        """Run a slash command: its options become the invocation's args and target."""
        if interaction.guild_id is None:  # the tree answers these first; never run one here
            await self.serve(interaction, spec.name, _saying(texts.use_in_server(spec.name)))
            return
        community = community_of(interaction.guild_id)
        target = target_of(spec, values)
        await self.invoke(
            interaction,
            community,
            spec.name,
            args_of(spec, values),
            actor_of(target, community) if target else None,
        )

    async def invoke(
        self,
        interaction: discord.Interaction[Any],
        community: str,
        command: str,
        args: str,
        target: Actor | None = None,
    ) -> None:
        """Hand one command to the core, answer privately, then deliver what it queued."""
        invocation = Invocation(actor_of(interaction.user, community), command, args, target)
        await self.serve(interaction, command, lambda send: self.core.answer(invocation, send))

    async def press(self, interaction: discord.Interaction[Any], command: str, arg: str) -> None:
        """Hand a button press to the core: who pressed it, which button, and where.

        The server is the one Discord says the press came from (none in a DM), never one
        read from the button; the core finds the community from what the button points to.
        """
        where = community_of(interaction.guild_id) if interaction.guild_id else None
        user = interaction.user
        pressed = Press(PLATFORM, str(user.id), user.display_name, command, arg, where)
        await self.serve(interaction, command, lambda send: self.core.answer_press(pressed, send))

    async def serve(self, interaction: discord.Interaction[Any], command: str, work: Work) -> None:
        """Let the core run and answer privately through `send`, then deliver what it queued."""
        current = asyncio.current_task()
        if current is not None:
            self._answering.add(current)
        try:
            await self._serve(interaction, command, work)
        finally:
            self._answering.discard(current)

    async def _serve(self, interaction: discord.Interaction[Any], command: str, work: Work) -> None:
        # The first answer to an interaction is either the reply or a "thinking…" deferral.
        first_answer = asyncio.Lock()

        async def send(reply: Message) -> None:
            async with first_answer:
                await answer(interaction, reply)

        running = asyncio.ensure_future(work(send))
        done, _ = await asyncio.wait({running}, timeout=self.defer_after)
        if not done:
            async with first_answer:
                if not interaction.response.is_done():
                    try:
                        await interaction.response.defer(ephemeral=True, thinking=True)
                    except discord.HTTPException:
                        log.warning("Could not defer /%s; answering anyway", command)
        try:
            await running
        except Exception:  # the core answers its own failures; this is the database gone
            log.exception("The core failed on /%s", command)
        await self.flush()

    async def close(self) -> None:
        """Let the interactions being answered finish (answer and deliver), then disconnect."""
        others = self._answering - {asyncio.current_task()}
        if others:
            await asyncio.wait(others, timeout=SHUTDOWN_GRACE_SECONDS)
        await super().close()

    async def flush(self) -> None:
        """Deliver the core's outbox; what fails stays queued for the core's next tick."""
        try:
            await self.core.flush()
        except Exception:
            log.exception("Delivering queued messages failed; the next tick retries")


def _saying(message: Message) -> Work:
    """Work that only answers with `message` (nothing stored, nothing owed)."""

    async def work(send: Send) -> None:
        await send(message)

    return work


async def answer(interaction: discord.Interaction[Any], reply: Message) -> None:
    """Send the core's reply to whoever acted, visible to them alone, within Discord's limits."""
    parts = text.split(text.to_discord(reply.text))
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        view = build_view(reply.buttons) if last else None
        extra: dict[str, Any] = {"view": view} if view else {}
        if interaction.response.is_done():
            await interaction.followup.send(
                part, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
            )
        else:
            await interaction.response.send_message(
                part, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
            )
