"""Slack's own settings, read from the environment when the bot starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import SettingsError


class SlackStartupError(SettingsError):
    """Slack refused the credentials or the settings cannot work; the message says how to fix it."""


@dataclass(frozen=True)
class SlackSettings:
    """Tokens and the Web API base. Secrets are never printed (see `__repr__`)."""

    bot_token: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_base_url: str = ""

    @property
    def enabled(self) -> bool:
        """Slack runs when a bot token and either Socket Mode or HTTP signing are set."""
        return bool(self.bot_token and (self.app_token or self.signing_secret))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """Read the SLACK_* settings."""
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            api_base_url=env.get("SLACK_API_BASE_URL", "").strip(),
        )

    def check(self) -> None:
        """Catch the usual copy-paste mix-ups before talking to Slack (no secret is echoed)."""
        if not self.bot_token.startswith("xoxb-"):
            raise SlackStartupError(
                "SLACK_BOT_TOKEN must be the Bot User OAuth Token, starting with xoxb- "
                "(your app's OAuth & Permissions page)"
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise SlackStartupError(
                "SLACK_APP_TOKEN must be an app-level token, starting with xapp- "
                "(Basic Information → App-Level Tokens, scope connections:write)"
            )
        if not (self.app_token or self.signing_secret):
            raise SlackStartupError(
                "Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)"
            )
