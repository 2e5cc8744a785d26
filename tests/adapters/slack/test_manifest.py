"""The Slack app manifest matches the bot: every command, interactivity, Socket Mode, few scopes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.commands import COMMANDS

MANIFEST = Path(__file__).parents[3] / "manifest.yml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    """The manifest a community manager pastes into Slack."""
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_every_command_is_declared_as_the_bot_describes_it(manifest: dict[str, Any]) -> None:
    """Each command of the table is a slash command with the same help, and nothing else is."""
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert list(declared) == [f"/{c.name}" for c in COMMANDS]
    for command in COMMANDS:
        entry = declared[f"/{command.name}"]
        assert entry["description"] == command.description
        assert len(entry["description"]) <= 100
        # Mentions must arrive as <@U…> tokens for /thanks and for defanging needs.
        assert entry["should_escape"] is True


def test_buttons_and_socket_mode_are_on(manifest: dict[str, Any]) -> None:
    """Buttons need interactivity; Socket Mode lets the bot run without a public URL."""
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_only_the_scopes_the_bot_uses(manifest: dict[str, Any]) -> None:
    """No scope to read messages or channels: the bot never reads them."""
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == ["chat:write", "commands", "im:write", "mpim:write", "users:read"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]
    assert "user" not in manifest["oauth_config"]["scopes"]
