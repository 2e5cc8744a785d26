"""The core's port on Slack: DMs, group-DM introductions, message edits, admins and names."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, text
from bot.port import InstallationBroken, Message, Undeliverable

log = logging.getLogger(__name__)

PLATFORM = "slack"

# Errors after which Slack will never deliver to this member: the ask moves on.
UNDELIVERABLE_ERRORS = frozenset(
    {
        "cannot_dm_bot",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "user_is_bot",
        "user_not_visible",
        "is_archived",
        "invalid_user_combination",  # a Slack Connect member the bot may not DM
    }
)
# Errors that mean Slack refuses the bot itself in this workspace (uninstalled, token dead or
# short of a scope): no retry helps until an admin reinstalls the app.
INSTALLATION_ERRORS = frozenset(
    {
        "account_inactive",
        "token_revoked",
        "token_expired",
        "invalid_auth",
        "not_authed",
        "missing_scope",
        "not_allowed_token_type",
        "team_access_not_granted",
    }
)
# Errors after which a message the bot sent can no longer be edited.
UNEDITABLE_ERRORS = frozenset(
    {"message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed"}
)

MEMBER_TTL_SECONDS = 300.0  # admin rights can be taken away: look again every few minutes
MEMBER_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Member:
    """What the bot knows about a workspace member from `users.info`."""

    user_id: str
    name: str
    is_admin: bool
    fetched_at: float
    deleted: bool = False  # a deactivated account
    org_admin: bool = False  # an admin or owner of the whole Enterprise Grid organisation


def _member_from(user: dict[str, Any], fetched_at: float) -> Member:
    """Read a `users.info` user object: the name people see, and admin or owner rights.

    On Enterprise Grid, `enterprise_user` says whether they administer the whole org.
    """
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    org = user.get("enterprise_user") or {}
    org_admin = bool(org.get("is_admin") or org.get("is_owner") or org.get("is_primary_owner"))
    return Member(user["id"], str(name), is_admin, fetched_at, bool(user.get("deleted")), org_admin)


def _error_code(error: SlackApiError) -> str:
    """The `error` field of a failed Web API answer."""
    return str(error.response.get("error", "")) if error.response is not None else ""


def make_ref(channel: str, ts: str) -> str:
    """The opaque message reference the core keeps: enough for `chat.update`, nothing else."""
    return f"{channel}:{ts}"


def parse_ref(ref: str) -> tuple[str, str]:
    """The (channel, ts) of a reference made by `make_ref`."""
    channel, _, ts = ref.partition(":")
    if not channel or not ts:
        raise ValueError(f"not a Slack message reference: {ref!r}")
    return channel, ts


def is_org(community: str) -> bool:
    """Whether a community is a whole Enterprise Grid organisation (an org-wide install)."""
    return community.partition(":")[2].startswith("E")


class SlackPort:
    """Implements the core's `Port`: each call made with the token of its community.

    `tokens` gives the bot token of a community, the installation's own when workspaces
    install through OAuth; without it, the client's one token (SLACK_BOT_TOKEN) serves all.
    """

    platform = PLATFORM

    def __init__(
        self, client: AsyncWebClient, tokens: Callable[[str], Awaitable[str]] | None = None
    ) -> None:
        self.client = client
        self.tokens = tokens
        self._members: OrderedDict[tuple[str, str], Member] = OrderedDict()
        self._dm_channels: dict[tuple[str, tuple[str, ...]], str] = {}

    def _scope(self, community: str) -> str:
        """What cached names and channels are kept under: each installation's own."""
        return "" if self.tokens is None else community

    async def _auth(self, community: str) -> dict[str, Any]:
        """The `token` argument for a Web API call about this community (none: the client's)."""
        return {} if self.tokens is None else {"token": await self.tokens(community)}

    async def member(self, user_id: str, community: str = "") -> Member:
        """The member's name and rights, from a short-lived cache or `users.info`."""
        key = (self._scope(community), user_id)
        cached = self._members.get(key)
        now = time.monotonic()
        if cached is not None and now - cached.fetched_at < MEMBER_TTL_SECONDS:
            return cached
        answer = await self.client.users_info(user=user_id, **await self._auth(community))
        member = _member_from(answer["user"], now)
        self._members[key] = member
        self._members.move_to_end(key)
        while len(self._members) > MEMBER_CACHE_SIZE:
            self._members.popitem(last=False)
        return member

    async def display_name(self, user_id: str, fallback: str, community: str = "") -> str:
        """The member's display name; `fallback` when Slack cannot say right now."""
        try:
            return (await self.member(user_id, community)).name
        except Exception as exc:  # a name is a nicety: never fail a command over it
            log.warning("users.info failed for %s: %s", user_id, exc)
            return fallback or user_id

    async def _open(self, community: str, auth: dict[str, Any], user_ids: tuple[str, ...]) -> str:
        """The DM (one member) or group DM (several) channel with these (sorted) members."""
        key = (self._scope(community), tuple(user_ids))
        channel = self._dm_channels.get(key)
        if channel is None:
            answer = await self.client.conversations_open(users=",".join(user_ids), **auth)
            channel = str(answer["channel"]["id"])
            self._dm_channels[key] = channel
        return channel

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """DM one member, or open a group DM with several and post the introduction there."""
        key = tuple(sorted(set(user_ids)))
        if not key:
            raise Undeliverable("no member to send to")
        try:
            auth = await self._auth(community)
            channel = await self._open(community, auth, key)
            answer = await self.client.chat_postMessage(
                **auth,
                channel=channel,
                text=blocks.fallback_text(message),
                blocks=blocks.to_blocks(message) or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            code = _error_code(exc)
            if code == "channel_not_found":
                # A cached channel Slack no longer knows: open it afresh on the next try.
                self._dm_channels.pop((self._scope(community), key), None)
            if code in INSTALLATION_ERRORS:
                raise InstallationBroken(f"slack: {code}") from exc
            if code in UNDELIVERABLE_ERRORS:
                raise Undeliverable(f"Slack refused a DM to {','.join(key)}: {code}") from exc
            raise
        return make_ref(channel, str(answer["ts"]))

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Replace a message the bot sent (e.g. an ask someone else has taken care of)."""
        channel, ts = parse_ref(ref)
        try:
            await self.client.chat_update(
                **await self._auth(community),
                channel=channel,
                ts=ts,
                text=blocks.fallback_text(message),
                blocks=blocks.to_blocks(message),
            )
        except SlackApiError as exc:
            code = _error_code(exc)
            if code in INSTALLATION_ERRORS:
                raise InstallationBroken(f"slack: {code}") from exc
            if code in UNEDITABLE_ERRORS or code in UNDELIVERABLE_ERRORS:
                raise Undeliverable(f"Slack cannot edit message {ref}: {code}") from exc
            raise

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Admins and owners, as `users.info` says (the core adds WHUFFIE_ADMINS).

        A workspace's admins administer its community; an org-wide install's community is
        the whole organisation, administered by the org's admins (`enterprise_user`): the
        admin of one of its workspaces does not see the figures of the others.
        """
        try:
            member = await self.member(user_id, community)
        except SlackApiError as exc:
            code = _error_code(exc)
            if code in INSTALLATION_ERRORS:
                raise InstallationBroken(f"slack: {code}") from exc
            raise
        return member.org_admin if is_org(community) else member.is_admin

    async def is_member(self, community: str, user_id: str) -> bool:
        """Whether the workspace still has this member: a deactivated account is gone."""
        try:
            return not (await self.member(user_id, community)).deleted
        except SlackApiError as exc:
            if _error_code(exc) == "user_not_found":
                return False
            raise

    def mention(self, user_id: str) -> str:
        """Slack's `<@U…>` token, shown as the member's name."""
        return text.mention(user_id)

    def escape(self, value: str) -> str:
        """Defang a member's words before the bot repeats them."""
        return text.escape(value)
