"""Whuffie on Slack: slash commands, buttons, DMs and group-DM introductions (slack-bolt)."""

from adapters.slack.app import SlackAdapter, SlackStartupError

__all__ = ["SlackAdapter", "SlackStartupError"]
