"""The adapter registry: platforms found through entry points, each owning its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.settings import SlackStartupError
from bot.app import Whuffie
from bot.settings import Settings, SettingsError
from bot.store import Store
from whuffie.registry import platforms
from whuffie.runtime import build_adapters, shared_server

SLACK_HTTP = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_slack_and_discord_are_registered_by_entry_points() -> None:
    """Both platforms come from `whuffie.adapters`, each saying what starts it."""
    found = {p.name: p.needs for p in platforms()}
    assert found == {
        "discord": "DISCORD_TOKEN",
        "slack": "SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET",
    }


def test_a_platform_without_credentials_is_not_started() -> None:
    """No token: no adapter to build (the console then starts instead)."""
    assert all(p.configure({}, Settings()) is None for p in platforms())


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "xapp-2"}, "xoxb-"),
        ({"DISCORD_TOKEN": "t", "DISCORD_GUILD_ID": "my server"}, "DISCORD_GUILD_ID"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "5"}, "DISCORD_SHARD_IDS"),
    ],
)
def test_each_platform_checks_its_own_settings_at_start(env: dict[str, str], says: str) -> None:
    """A wrong platform setting stops the start with a sentence naming it."""
    with pytest.raises(SettingsError, match=says):
        for platform in platforms():
            platform.configure(env, Settings())


def test_an_adapter_is_attached_to_the_core_once_by_the_composition_root(
    tmp_path: Path,
) -> None:
    """Building the Slack adapter leaves the core alone; the root attaches its port, once."""
    store = Store.connect(f"sqlite:///{tmp_path / 'whuffie.db'}")
    try:
        settings = Settings(port=0)
        core = Whuffie(settings, store)
        [slack] = [p for p in platforms() if p.name == "slack"]
        build = slack.configure(SLACK_HTTP, settings)
        assert build is not None
        server = shared_server(core)
        alone = build(core, server)
        assert core.ctx.ports == {}, "an adapter never attaches itself"
        [adapter] = build_adapters(core, shared_server(core), [build])
        assert core.ctx.ports == {"slack": adapter.port}
        assert alone is not adapter
    finally:
        store.dispose()


def test_slack_startup_errors_are_settings_errors() -> None:
    """The CLI prints any SettingsError as `whuffie: …` with no traceback."""
    assert issubclass(SlackStartupError, SettingsError)
