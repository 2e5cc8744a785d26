"""Slack's entry in the adapter registry (`whuffie.adapters` in pyproject.toml)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from adapters.slack.adapter import SlackAdapter
from adapters.slack.settings import SlackSettings
from bot.adapter import Adapter, Build
from bot.app import Whuffie
from bot.settings import Settings
from bot.web import WebServer


class SlackPlatform:
    """Serves Slack when a bot token and Socket Mode or HTTP signing are set."""

    name = "slack"
    needs = "SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET"

    def configure(self, env: Mapping[str, str], settings: Settings) -> Build | None:
        """Slack's settings, checked; None without its credentials."""
        slack = SlackSettings.from_env(env)
        if not slack.enabled:
            return None
        slack.check()

        def build(core: Whuffie, server: WebServer) -> Adapter:

            return SlackAdapter(core, slack, server)

        return build

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Slack has no commands of its own."""


PLATFORM = SlackPlatform()
