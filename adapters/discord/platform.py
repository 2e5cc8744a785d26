"""Discord's entry in the adapter registry (`whuffie.adapters` in pyproject.toml)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.adapter import Adapter, Build
from bot.app import Whuffie
from bot.settings import Settings
from bot.web import WebServer


class DiscordPlatform:
    """Serves Discord when a bot token is set; adds `whuffie discord invite-url`."""

    name = "discord"
    needs = "DISCORD_TOKEN"

    def configure(self, env: Mapping[str, str], settings: Settings) -> Build | None:
        """Discord's settings, checked (shard groups too); None without a token."""
        discord = DiscordSettings.from_env(env, settings)
        if not discord.enabled:
            return None
        discord.check()

        def build(core: Whuffie, server: WebServer) -> Adapter:

            return DiscordAdapter(core, discord)

        return build

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """`whuffie discord invite-url`."""
        from adapters.discord import invite

        parser = commands.add_parser(
            "discord", help="Discord helpers", description="Discord helpers."
        )
        actions = parser.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
        invite_url = actions.add_parser(
            "invite-url",
            help="print the URL that adds the bot to a server",
            description="Print the OAuth2 URL that adds the bot to a server.",
        )
        invite.add_arguments(invite_url)
        invite_url.set_defaults(func=lambda args, settings: invite.run(args))


PLATFORM = DiscordPlatform()
