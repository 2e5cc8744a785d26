"""Installations through OAuth: each workspace's (or organisation's) bot token, in our database.

slack_sdk's SQLAlchemy installation store and OAuth state store do the work, on the tables
migration 0011 creates in Whuffie's own database. They are synchronous, on the store's own
engine, so each call runs in a worker thread and the event loop stays free.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, and_, desc, or_, select

from adapters.slack.quiet import quiet_logger
from adapters.slack.settings import SlackSettings
from bot.port import InstallationBroken

# The tables of migration 0011 (the SDK's own column layout, under our names).
INSTALLATIONS_TABLE = "oauth_installations"
BOTS_TABLE = "oauth_bots"
STATES_TABLE = "oauth_states"
# An install started on /slack/install must come back within this long.
STATE_SECONDS = 10 * 60
# A rotating token is renewed when it has less than this left (Slack's tokens live 12 hours).
ROTATE_BEFORE_MINUTES = 120

log = quiet_logger("adapters.slack.installations")


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, asynchronous by running it in a thread."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(
            client_id,
            engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
            logger=log,
        )

    @property
    def logger(self) -> Any:
        """The SDK's logger for this store (quiet: its lines could hold tokens)."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep a new installation and its bot token."""
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot token (a rotated one replaces its row)."""
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The newest bot token of a workspace, or of an org for an org-wide install."""
        return await asyncio.to_thread(
            lambda: self.sync.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The newest installation of a workspace (or org)."""
        return await asyncio.to_thread(
            lambda: self.sync.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's (or org's) bot tokens."""
        await asyncio.to_thread(
            lambda: self.sync.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget a workspace's (or org's) installations, or one installer's."""
        await asyncio.to_thread(
            lambda: self.sync.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
        )

    async def bot_of(self, team_or_org: str) -> Bot | None:
        """The bot token serving a community: a workspace's own, or its org's org-wide one.

        Our communities are named by workspace id, or by org id for an org-wide install;
        the SDK's `find_bot` also wants the org of a workspace, which the id alone lacks.
        """
        c = self.sync.bots.c
        # Which installation it is (its org, workspace and kind); the SDK then reads its token.
        query = (
            select(c.enterprise_id, c.team_id, c.is_enterprise_install)
            .where(
                c.client_id == self.sync.client_id,
                c.bot_token.is_not(None),
                or_(
                    and_(c.team_id == team_or_org, c.is_enterprise_install.is_(False)),
                    and_(c.enterprise_id == team_or_org, c.is_enterprise_install.is_(True)),
                ),
            )
            .order_by(desc(c.installed_at))
            .limit(1)
        )

        def find() -> Bot | None:
            with self.sync.engine.connect() as conn:
                row = conn.execute(query).first()
            if row is None:
                return None
            enterprise_id, team_id, org_wide = row
            return self.sync.find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org_wide
            )

        return await asyncio.to_thread(find)


class StateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store: each `state` is good once, for minutes."""

    def __init__(self, engine: Engine) -> None:
        self.sync = SQLAlchemyOAuthStateStore(
            STATE_SECONDS, engine, logger=log, table_name=STATES_TABLE
        )

    @property
    def logger(self) -> Any:
        """The SDK's logger for this store."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new one-time state for an install starting now."""
        return await asyncio.to_thread(self.sync.issue)

    async def async_consume(self, state: str) -> bool:
        """True once for a state issued here and not expired; False for anything else."""
        return await asyncio.to_thread(self.sync.consume, state)


class Installations:
    """Where the bot token for each community comes from, renewed before it expires."""

    def __init__(self, settings: SlackSettings, engine: Engine, client: AsyncWebClient) -> None:
        self.store = InstallationStore(settings.client_id, engine)
        self.states = StateStore(engine)
        self.rotator = AsyncTokenRotator(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            client=client,
        )

    async def token_for(self, community: str) -> str:
        """The bot token for a community (`slack:T…` or `slack:E…`).

        Raises `InstallationBroken` when the community has no installation (never
        installed, or uninstalled): the outbox then stops sending there.
        """
        team_or_org = community.partition(":")[2]
        bot = await self.store.bot_of(team_or_org)
        if bot is None or not bot.bot_token:
            raise InstallationBroken("slack: not installed")
        if bot.bot_refresh_token:
            rotated = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
            )
            if rotated is not None:
                await self.store.async_save_bot(rotated)
                bot = rotated
        assert bot.bot_token is not None
        return bot.bot_token

    async def uninstalled(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete every token of a workspace (or, with no team, of an org-wide install).

        Also when only the bot token was revoked: without it, the installation serves nothing.
        """
        await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
