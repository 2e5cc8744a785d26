"""Whuffie on Discord: slash commands, DMs with persistent buttons, one guild per community."""

from adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
