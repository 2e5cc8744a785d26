"""Whuffie on Slack: slash commands, buttons, DMs and group-DM introductions (slack-bolt)."""

from adapters.slack.adapter import SlackAdapter
from adapters.slack.settings import SlackSettings, SlackStartupError

__all__ = ["SlackAdapter", "SlackSettings", "SlackStartupError"]
