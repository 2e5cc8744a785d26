"""Application commands built from the core's command table, one per `COMMANDS` entry."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.commands import COMMANDS, Command, OptionKind

# What runs a slash command: the interaction, the table entry and the typed option values.
CommandHandler = Callable[[discord.Interaction[Any], Command, Mapping[str, Any]], Awaitable[None]]

# Discord checks these types in its own UI, before the bot sees anything.
_ANNOTATIONS: dict[OptionKind, Any] = {
    "text": str,
    "integer": app_commands.Range[int, 1, None],
    # A member option resolves to a Member in a guild, a User if they have just left.
    "member": discord.Member | discord.User,
}

# Every command works on one community (the guild), so none is offered in DMs or user installs.
GUILD_ONLY = app_commands.AppCommandContext(guild=True)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True)


def build_commands(handler: CommandHandler) -> list[app_commands.Command[Any, ..., None]]:
    """One application command per entry of `COMMANDS`, all handled by `handler`."""
    return [build_command(spec, handler) for spec in COMMANDS]


def build_command(spec: Command, handler: CommandHandler) -> app_commands.Command[Any, ..., None]:
    """The application command for one table entry, its options typed as the table says."""

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        await handler(interaction, spec, values)

    # discord.py reads options from the callback's signature; the table decides that signature.
    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in spec.options:
        params.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_ANNOTATIONS[option.kind],
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__doc__ = spec.description
    described = app_commands.describe(**{o.name: o.description for o in spec.options})(callback)
    return app_commands.Command(
        name=spec.name,
        description=spec.description,
        callback=described,
        allowed_contexts=GUILD_ONLY,
        allowed_installs=GUILD_INSTALL,
    )


def args_of(spec: Command, values: Mapping[str, Any]) -> str:
    """The command's free-text arguments, as the core reads them (`/pause 7` → "7")."""
    words = [
        str(values[o.name])
        for o in spec.options
        if o.kind != "member" and values.get(o.name) is not None
    ]
    return " ".join(words).strip()


def target_of(spec: Command, values: Mapping[str, Any]) -> discord.Member | discord.User | None:
    """The member a command names (`/thanks @member`), if any."""
    for option in spec.options:
        if option.kind == "member" and values.get(option.name) is not None:
            member: discord.Member | discord.User = values[option.name]
            return member
    return None
