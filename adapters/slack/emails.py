"""Resolving members' emails to Slack user ids (`users.lookupByEmail`), for `whuffie import`."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from adapters.slack.client import build_client
from adapters.slack.settings import SlackSettings
from bot.directory import LookupRefused

# Slack's answers that mean no email will resolve with this token, whichever it is.
REFUSALS = {
    "missing_scope": "Slack refuses to look up emails: add the optional users:read.email scope "
    "to the app (OAuth & Permissions) and reinstall it, or use member ids",
    "invalid_auth": "Slack refused SLACK_BOT_TOKEN",
    "not_authed": "Slack refused SLACK_BOT_TOKEN",
    "account_inactive": "Slack refused SLACK_BOT_TOKEN (the app was removed)",
    "token_revoked": "Slack refused SLACK_BOT_TOKEN (it was revoked)",
    "not_allowed_token_type": "SLACK_BOT_TOKEN must be the bot token (xoxb-…)",
}


class SlackEmails:
    """Looks members up by email in the bot token's workspace."""

    def __init__(self, settings: SlackSettings) -> None:
        self.client = build_client(settings, settings.bot_token)

    async def lookup(self, email: str) -> tuple[str, str] | None:
        """The member's user id and display name, or None when nobody has that email."""
        try:
            answer = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            code = str(exc.response.get("error", "")) if exc.response is not None else ""
            if code == "users_not_found":
                return None
            reason = REFUSALS.get(code, f"Slack would not look up emails ({code})")
            raise LookupRefused(reason) from None
        user = answer.get("user") or {}
        if user.get("deleted") or user.get("is_bot"):
            return None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name") or ""
        return str(user["id"]), str(name)
