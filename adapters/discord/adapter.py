"""The Discord side of the port: DMs, message updates and admin checks, plus running the client."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from adapters.discord import text
from adapters.discord.client import NO_MENTIONS, WhuffieClient
from adapters.discord.community import PLATFORM, guild_id_of
from adapters.discord.settings import DiscordSettings
from adapters.discord.views import build_view
from bot.port import InstallationBroken, Message, Port, Undeliverable
from bot.settings import SettingsError

if TYPE_CHECKING:
    from bot.app import Whuffie

log = logging.getLogger(__name__)

# Discord error codes that no retry will ever fix.
CANNOT_MESSAGE_USER = 50007  # DMs closed, or a bot
NO_MUTUAL_GUILDS = 50278
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001  # the bot was removed from the server, or lost its permissions
_NEVER_DELIVERABLE = {CANNOT_MESSAGE_USER, NO_MUTUAL_GUILDS, UNKNOWN_USER}


class DiscordAdapter:
    """Whuffie on Discord: serves slash commands and buttons, and delivers the core's DMs."""

    platform = PLATFORM

    def __init__(self, core: Whuffie, settings: DiscordSettings) -> None:
        settings.check()
        guild_id = settings.guild_id
        self.core = core
        self.settings = settings
        self.client = WhuffieClient(
            core,
            sync_guild_id=int(guild_id) if guild_id else None,
            api_base=settings.api_base,
            gateway_url=settings.gateway_url,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,
        )

    @property
    def port(self) -> Port:
        """The adapter is its own port (whoever builds it attaches it to the core)."""
        return self

    async def run(self) -> None:
        """Connect to Discord and serve until cancelled, then disconnect cleanly."""
        if not self.settings.token:
            raise SettingsError("DISCORD_TOKEN is not set")
        try:
            async with self.client:
                await self.client.start(self.settings.token)
        except discord.LoginFailure:
            raise SettingsError(
                "Discord refused DISCORD_TOKEN; copy the token again from the Bot page of "
                "the developer portal"
            ) from None

    async def stop(self) -> None:
        """Let the interactions being answered finish (briefly), then disconnect: `run` returns."""
        await self.client.close()

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """DM each member; an introduction is one DM to each side, as bots have no group DMs."""
        refs: list[str] = []
        undeliverable: Undeliverable | None = None
        for user_id in user_ids:
            try:
                refs.append(await self._dm(community, user_id, message))
            except Undeliverable as error:  # the other side should still hear
                log.info("Member %s cannot receive DMs: %s", user_id, error)
                undeliverable = error
        if not refs:
            raise undeliverable or Undeliverable("no recipient")
        return ",".join(refs)

    async def _dm(self, community: str, user_id: str, message: Message) -> str:
        """Send one member the message; the ref is `channel_id:message_id` of its last part.

        A passing failure (Discord down after discord.py's own retries) propagates, so the core
        retries the whole send: in an introduction, a second copy for one side beats none for
        the other. Rate limits never get here: discord.py waits them out.
        """
        if not user_id.isdigit():
            raise Undeliverable(f"not a Discord user id: {user_id!r}")
        try:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
            parts = text.split(text.to_discord(message.text))
            sent: discord.Message | None = None
            for index, part in enumerate(parts):
                view = build_view(message.buttons) if index == len(parts) - 1 else None
                if view:
                    sent = await channel.send(part, allowed_mentions=NO_MENTIONS, view=view)
                else:
                    sent = await channel.send(part, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            if error.status == 401 or error.code == MISSING_ACCESS:
                # Discord refuses the bot itself (a reset token, a removed bot): not this member.
                raise InstallationBroken(f"discord: {error.status} {error.code}") from error
            if error.code in _NEVER_DELIVERABLE:
                raise Undeliverable(f"Discord refuses DMs to {user_id}: {error.text}") from error
            raise
        assert sent is not None
        return f"{channel.id}:{sent.id}"

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Replace a sent DM (every copy of an introduction); a deleted one is left alone."""
        content = text.trim(text.to_discord(message.text))
        for one in ref.split(","):
            channel_id, message_id = (int(part) for part in one.split(":"))
            partial = self.client.get_partial_messageable(channel_id).get_partial_message(
                message_id
            )
            try:
                await partial.edit(
                    content=content,
                    view=build_view(message.buttons),
                    allowed_mentions=NO_MENTIONS,
                )
            except (discord.NotFound, discord.Forbidden) as error:
                log.info("Message %s can no longer be updated: %s", one, error.text)

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Members with Manage Server (or Administrator, or the owner) administer the guild."""
        try:
            guild_id = guild_id_of(community)
        except ValueError:
            return False
        guild = self.client.get_guild(guild_id) or await self.client.fetch_guild(guild_id)
        try:
            # Fetched each time: without the members intent, cached roles could be stale.
            member = await guild.fetch_member(int(user_id))
        except discord.NotFound:
            return False
        return member.guild_permissions.manage_guild

    async def is_member(self, community: str, user_id: str) -> bool:
        """Whether Discord still counts this user in the guild (asked each time, not cached)."""
        try:
            guild_id = guild_id_of(community)
        except ValueError:
            return False
        if not user_id.isdigit():
            return False
        try:
            # The raw route: a guild the bot has left or never seen is "no" too, not an error.
            await self.client.http.get_member(guild_id, int(user_id))
        except (discord.NotFound, discord.Forbidden):
            return False
        return True

    def mention(self, user_id: str) -> str:
        """Render a member so Discord shows their name; nobody is pinged."""
        return text.mention(user_id)

    def escape(self, value: str) -> str:
        """Make a member's words safe to repeat: no ping, no markdown leaking out."""
        return text.escape(value)
