"""Slack's own settings, read from the environment when the bot starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import SettingsError

# The bot scopes an OAuth install asks for: the manifest's, no more.
DEFAULT_SCOPES = ("commands", "chat:write", "im:write", "mpim:write", "users:read")


class SlackStartupError(SettingsError):
    """Slack refused the credentials or the settings cannot work; the message says how to fix it."""


@dataclass(frozen=True)
class SlackSettings:
    """Tokens and the Web API base. Secrets are never printed (see `__repr__`)."""

    bot_token: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_base_url: str = ""
    # Installs through OAuth, one deployment serving many workspaces (instead of bot_token).
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @property
    def oauth(self) -> bool:
        """Many workspaces, each installed through OAuth, rather than one bot token."""
        return bool(self.client_id or self.client_secret)

    @property
    def enabled(self) -> bool:
        """Slack runs with a bot token (Socket Mode or HTTP), or with installs through OAuth."""
        return bool(self.bot_token and (self.app_token or self.signing_secret)) or self.oauth

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """Read the SLACK_* settings."""
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            api_base_url=env.get("SLACK_API_BASE_URL", "").strip(),
            client_id=env.get("SLACK_CLIENT_ID", "").strip(),
            client_secret=env.get("SLACK_CLIENT_SECRET", "").strip(),
            scopes=_scopes(env),
        )

    def check(self) -> None:
        """Catch the usual copy-paste mix-ups before talking to Slack (no secret is echoed)."""
        if self.oauth:
            self._check_oauth()
            return
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

    def _check_oauth(self) -> None:
        """Installs through OAuth: both app credentials, HTTP mode, and no single bot token."""
        if not (self.client_id and self.client_secret):
            raise SlackStartupError(
                "Set both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Basic Information → App "
                "Credentials) to let workspaces install the app"
            )
        if self.bot_token:
            raise SlackStartupError(
                "SLACK_BOT_TOKEN serves one workspace and SLACK_CLIENT_ID many, each with its "
                "own token: set one of them (see README: Install on many workspaces)"
            )
        if self.app_token or not self.signing_secret:
            raise SlackStartupError(
                "Installs through OAuth need HTTP mode: set SLACK_SIGNING_SECRET and leave "
                "SLACK_APP_TOKEN empty (Slack redirects each install to /slack/oauth_redirect)"
            )


def _scopes(env: Mapping[str, str]) -> tuple[str, ...]:
    """SLACK_SCOPES: comma-separated bot scopes for OAuth installs (default: the manifest's)."""
    scopes = tuple(s.strip() for s in env.get("SLACK_SCOPES", "").split(",") if s.strip())
    return scopes or DEFAULT_SCOPES
