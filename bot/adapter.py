"""What a platform adapter is to the bot, and how one plugs in (without the core naming it).

Adapters are found through the `whuffie.adapters` entry points (see pyproject.toml): each
names a `Platform`, which reads and checks its own settings and builds its `Adapter`. Adding a
platform is one folder under `adapters/` and one line there; nothing in the core changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from bot.port import Port
from bot.settings import Settings
from bot.web import WebServer

if TYPE_CHECKING:
    from bot.app import Whuffie

REGISTRY = "whuffie.adapters"


class Adapter(Protocol):
    """A platform being served: the port the core talks back through, and its own life."""

    @property
    def port(self) -> Port:
        """The port the core sends through (attached once, by whoever builds the adapter)."""
        ...

    async def run(self) -> None:
        """Connect and serve until `stop` (or cancellation); raise SettingsError on bad ones."""
        ...

    async def stop(self) -> None:
        """Stop taking work, let work in hand finish briefly, and make `run` return."""
        ...


# A platform whose settings were read: builds its adapter on the core and the shared server
# (where it registers any routes it serves before the server starts).
Build = Callable[["Whuffie", WebServer], Adapter]


class Platform(Protocol):
    """One entry of the registry: a platform's name, its settings and its commands."""

    name: str
    # What to set to serve it, for the message shown when no platform is configured.
    needs: str

    def configure(self, env: Mapping[str, str], settings: Settings) -> Build | None:
        """Read and check this platform's settings; None when its credentials are not set."""
        ...

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the platform's own `whuffie` subcommands (none is fine)."""
        ...
