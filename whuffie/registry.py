"""The platforms installed: every `whuffie.adapters` entry point, loaded by name."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from bot.adapter import REGISTRY, Platform

log = logging.getLogger(__name__)


class RegistryError(Exception):
    """The installation lists no platform at all: its metadata predates the registry."""


def platforms() -> list[Platform]:
    """Each registered platform once, in name order (so start-up is the same every time)."""
    found = sorted(entry_points(group=REGISTRY), key=lambda point: point.name)
    if not found:
        raise RegistryError(
            f"no platform adapters are registered (entry points {REGISTRY!r}): the installed "
            "metadata is older than this code; reinstall it with `pip install -e .`"
        )
    loaded: list[Platform] = [point.load() for point in found]
    return loaded
