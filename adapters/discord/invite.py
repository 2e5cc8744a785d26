"""`whuffie discord invite-url`: the link a server manager opens to add the bot.

Permissions: none (0). The bot answers slash commands and buttons through interaction
responses, which need no channel permission, and talks to members only by DM, which needs
no server permission either. It never reads or posts in channels, so it asks for nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

from adapters.discord.settings import DiscordSettings

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
DEFAULT_API_BASE = "https://discord.com/api/v10"
SCOPES = ("bot", "applications.commands")
PERMISSIONS = 0


def invite_url(application_id: str) -> str:
    """The OAuth2 URL adding the bot and its slash commands to a server, with no permissions."""
    if not application_id.isdigit():
        raise ValueError(f"an application id is a number, not {application_id!r}")
    query = urlencode(
        {"client_id": application_id, "scope": " ".join(SCOPES), "permissions": PERMISSIONS}
    )
    return f"{AUTHORIZE_URL}?{query}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `whuffie discord invite-url`."""
    parser.add_argument(
        "application_id",
        nargs="?",
        help="the Application ID from the developer portal (default: asked of Discord "
        "with DISCORD_TOKEN)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the invite URL; return the exit status."""
    application_id: str | None = args.application_id
    if application_id is None:
        settings = DiscordSettings.from_env(os.environ)
        if not settings.token:
            print(
                "Give the Application ID (developer portal → General Information), "
                "or set DISCORD_TOKEN so it can be looked up.",
                file=sys.stderr,
            )
            return 2
        try:
            application_id = application_id_of(
                settings.token, settings.api_base or DEFAULT_API_BASE
            )
        except LookupError as error:
            print(error, file=sys.stderr)
            return 1
    try:
        print(invite_url(application_id))
    except ValueError as error:
        print(f"That is not an Application ID: {error}.", file=sys.stderr)
        return 2
    return 0


def application_id_of(token: str, api_base: str) -> str:
    """Ask Discord which application the bot token belongs to."""
    request = urllib.request.Request(
        f"{api_base.rstrip('/')}/oauth2/applications/@me",
        headers={"Authorization": f"Bot {token}", "User-Agent": "Whuffie"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return str(json.load(response)["id"])
    except urllib.error.HTTPError as error:
        if error.code == 401:
            message = "Discord refused DISCORD_TOKEN; copy it again from the Bot page."
        else:
            message = f"Discord answered {error.code} when asked for the application."
        raise LookupError(message) from None
    except (urllib.error.URLError, TimeoutError, KeyError, ValueError) as error:
        raise LookupError(f"Could not ask Discord for the application: {error}") from None
