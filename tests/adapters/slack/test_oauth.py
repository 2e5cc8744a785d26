"""Many workspaces, one deployment: installs through OAuth, each workspace with its own token.

The real Bolt app and its OAuth flow run against the strict fake Slack, whose tokens each
belong to one workspace (or one org): a call made with the wrong one fails there.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp
import pytest
import yaml
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, inspect

from adapters.slack import SlackAdapter, SlackSettings, SlackStartupError
from adapters.slack.installations import BOTS_TABLE, INSTALLATIONS_TABLE, STATES_TABLE
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from tests.adapters.slack.conftest import Chat, start_slack, stop_slack
from tests.adapters.slack.fake_slack import CLIENT_ID, CLIENT_SECRET, FakeSlack
from tests.adapters.slack.signed import SIGNING_SECRET, SlackSender

ALPHA, BETA = "T0ALPHA", "T0BETA"
ORG, SALES, SUPPORT = "E0ORG", "T0SALES", "T0SUPPORT"
# Alpha: Alice needs, Bob helps, Dana administers. Beta: Carol needs, Frank helps, Erin admin.
ALICE, BOB, DANA = "UALICE", "UBOB", "UDANA"
CAROL, FRANK, ERIN = "UCAROL", "UFRANK", "UERIN"
# The org: Sam (Sales) helps, Sue (Support) needs, Wendy administers Sales, Olga the whole org.
SAM, SUE, WENDY, OLGA = "USAM", "USUE", "UWENDY", "UOLGA"
STATE_COOKIE = "slack-app-oauth-state"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """The strict fake Slack with two workspaces and one Enterprise Grid org."""
    slack = FakeSlack()
    slack.add_user(ALICE, "Alice", team_id=ALPHA)
    slack.add_user(BOB, "Bob", team_id=ALPHA)
    slack.add_user(DANA, "Dana", team_id=ALPHA, admin=True)
    slack.add_user(CAROL, "Carol", team_id=BETA)
    slack.add_user(FRANK, "Frank", team_id=BETA)
    slack.add_user(ERIN, "Erin", team_id=BETA, admin=True)
    slack.add_user(SAM, "Sam", team_id=SALES, enterprise_id=ORG)
    slack.add_user(SUE, "Sue", team_id=SUPPORT, enterprise_id=ORG)
    slack.add_user(WENDY, "Wendy", team_id=SALES, enterprise_id=ORG, admin=True)
    slack.add_user(OLGA, "Olga", team_id=SUPPORT, enterprise_id=ORG, org_admin=True)
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The core's settings, on SQLite and on PostgreSQL."""
    return Settings(database_url=database_url)


@pytest.fixture
def slack_settings(fake: FakeSlack) -> SlackSettings:
    """OAuth installs (no SLACK_BOT_TOKEN), HTTP mode, the Web API at the fake."""
    return SlackSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        signing_secret=SIGNING_SECRET,
        api_base_url=fake.api_url,
    )


@pytest.fixture
def core(settings: Settings, store: Store) -> Whuffie:
    """The real core on the migrated store, with a clock the tests move."""
    return Whuffie(settings, store, clock=ManualClock())


@pytest.fixture
async def adapter(core: Whuffie, slack_settings: SlackSettings) -> AsyncIterator[SlackAdapter]:
    """The Slack adapter serving events and the install pages on a free port."""
    slack = await start_slack(core, slack_settings)
    yield slack
    await stop_slack(slack)


@pytest.fixture
def chat(adapter: SlackAdapter, fake: FakeSlack) -> Chat:
    """Members of any workspace typing commands and pressing buttons, through signed HTTP."""
    assert adapter.http_url is not None
    return Chat(adapter, SlackSender(adapter.http_url, fake), fake)


class Installer:
    """An admin installing the app: the "Add to Slack" page, Slack's consent, the redirect."""

    def __init__(self, adapter: SlackAdapter, fake: FakeSlack) -> None:
        assert adapter.http_url is not None
        self.base = adapter.http_url.removesuffix("/slack/events")
        self.fake = fake

    async def begin(self) -> str:
        """Open the install page; return the `state` its "Add to Slack" link carries."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.base}/slack/install") as page,
        ):
            assert page.status == 200
            html = await page.text()
            cookie = page.cookies[STATE_COOKIE].value
        [link] = re.findall(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', html)
        query = parse_qs(urlparse(unescape(link)).query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["scope"] == ["commands,chat:write,im:write,mpim:write,users:read"]
        [state] = query["state"]
        assert cookie == state
        return state

    async def back(self, state: str, code: str, cookie: str | None = None) -> int:
        """Slack redirects the admin's browser back with the code; return the HTTP status."""
        query = urlencode({"code": code, "state": state})
        headers = {"Cookie": f"{STATE_COOKIE}={state if cookie is None else cookie}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.base}/slack/oauth_redirect?{query}", headers=headers) as answer,
        ):
            await answer.read()
            return answer.status

    async def install(self, team_id: str, **consent: Any) -> int:
        """The whole install of one workspace (or, with `org_wide`, of one org)."""
        state = await self.begin()
        return await self.back(state, self.fake.consent(team_id, **consent))


@pytest.fixture
def installer(adapter: SlackAdapter, fake: FakeSlack) -> Installer:
    """Installs the app the way an admin does."""
    return Installer(adapter, fake)


async def uninstall(
    chat: Chat,
    team_id: str,
    event_id: str,
    *,
    enterprise_id: str | None = None,
    org_wide: bool = False,
) -> None:
    """Slack revokes the workspace's tokens and tells the app it was uninstalled."""
    chat.fake.revoke(enterprise_id if org_wide and enterprise_id is not None else team_id)
    body = json.dumps(
        {
            "token": "verification-token-unused",
            "team_id": team_id,
            "enterprise_id": enterprise_id,
            "api_app_id": "A0WHUFFIE",
            "event": {"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"},
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": None if org_wide else team_id,
                    "user_id": "U0WHUFFIE",
                    "is_bot": True,
                    "is_enterprise_install": org_wide,
                }
            ],
        }
    )
    answer = await chat.slack.post(body, "application/json")
    assert answer.status == 200
    await chat.adapter.idle()


def tokens_used(fake: FakeSlack, user_ids: set[str], since: int = 0) -> set[str]:
    """The tokens of every Web API call about these members (or their conversations)."""
    channels = {fake.dm_channel(u) for u in user_ids}
    used = set()
    for call in fake.calls[since:]:
        named = {str(call.args.get(k, "")) for k in ("user", "user_id")}
        named |= set(str(call.args.get("users", "")).split(","))
        channel = str(call.args.get("channel", ""))
        if named & user_ids or channel in channels or set(channel[1:].split("-")) & user_ids:
            used.add(call.token)
    return used


async def test_two_workspaces_installed_through_oauth_each_get_their_own_asks_intros_and_stats(
    chat: Chat, installer: Installer, fake: FakeSlack
) -> None:
    """Each workspace's members are asked, introduced and counted apart, each with its token."""
    assert await installer.install(ALPHA) == 200
    assert await installer.install(BETA) == 200
    [alpha_token] = fake.tokens_of(ALPHA)
    [beta_token] = fake.tokens_of(BETA)

    await chat.type(BOB, "/offer", "postgres", team_id=ALPHA)
    await chat.type(FRANK, "/offer", "postgres", team_id=BETA)
    reply = await chat.type(ALICE, "/need", "my slow postgres query", team_id=ALPHA)
    assert "privately asked one member" in reply
    reply = await chat.type(CAROL, "/need", "postgres replication lag", team_id=BETA)
    assert "privately asked one member" in reply

    [ask_to_bob] = fake.messages_in(BOB)
    assert "slow postgres query" in ask_to_bob.shown_text()
    [ask_to_frank] = fake.messages_in(FRANK)
    assert "replication lag" in ask_to_frank.shown_text()
    await chat.press(BOB, ask_to_bob, "I can help", team_id=ALPHA)
    assert len(fake.messages_in(ALICE, BOB)) == 1  # Alpha's introduction; Beta's need waits

    alpha_stats = await chat.type(DANA, "/helpstats", team_id=ALPHA)
    assert "Members with a profile: 1" in alpha_stats
    assert "Needs posted: 1 · introduced: 1 · resolved: 0" in alpha_stats
    beta_stats = await chat.type(ERIN, "/helpstats", team_id=BETA)
    assert "Needs posted: 1 · introduced: 0 · resolved: 0" in beta_stats
    assert "refuses me" not in alpha_stats + beta_stats

    assert tokens_used(fake, {ALICE, BOB, DANA}) == {alpha_token}
    assert tokens_used(fake, {CAROL, FRANK, ERIN}) == {beta_token}


async def test_a_forged_state_installs_nothing(installer: Installer, fake: FakeSlack) -> None:
    """A redirect whose state this app never issued is refused; the code is not even used."""
    code = fake.consent(ALPHA)
    assert await installer.back("a-state-never-issued", code) == 401
    await installer.begin()  # a real state exists, but it is not this one
    assert await installer.back("another-made-up-state", code) == 401
    assert fake.calls_to("oauth.v2.access") == []
    assert fake.tokens_of(ALPHA) == []


async def test_a_replayed_state_installs_nothing(installer: Installer, fake: FakeSlack) -> None:
    """The redirect of an install, sent again (a captured URL), is refused: a state works once."""
    state = await installer.begin()
    code = fake.consent(ALPHA)
    assert await installer.back(state, code) == 200
    assert await installer.back(state, fake.consent(ALPHA)) == 401
    assert len(fake.calls_to("oauth.v2.access")) == 1
    assert len(fake.tokens_of(ALPHA)) == 1


async def test_a_state_from_another_browser_installs_nothing(
    installer: Installer, fake: FakeSlack
) -> None:
    """A redirect carrying a real state, but not the cookie of the browser that started it."""
    state = await installer.begin()
    assert await installer.back(state, fake.consent(ALPHA), cookie="someone-else") == 400
    assert fake.tokens_of(ALPHA) == []


async def test_an_uninstall_stops_delivery_and_a_reinstall_in_time_finds_the_profiles(
    chat: Chat, installer: Installer, fake: FakeSlack, adapter: SlackAdapter, core: Whuffie
) -> None:
    """After an uninstall the next tick sends nothing; reinstalled, Bob's offer is still there."""
    assert await installer.install(ALPHA) == 200
    await chat.type(BOB, "/offer", "postgres", team_id=ALPHA)
    await chat.type(ALICE, "/need", "my slow postgres query", team_id=ALPHA)
    assert len(fake.messages_in(BOB)) == 1

    await uninstall(chat, ALPHA, "Ev0GONE1")
    assert adapter.installations is not None
    assert await adapter.installations.store.bot_of(ALPHA) is None  # its token, deleted at once
    # Bob never answered: the ask times out, which owes Alice and Bob messages.
    assert isinstance(core.clock, ManualClock)
    core.clock.advance(timedelta(hours=25))
    before = len(fake.calls)
    await core.tick()
    assert fake.calls[before:] == []  # nothing sent, nothing even tried

    assert await installer.install(ALPHA) == 200
    reply = await chat.type(ALICE, "/need", "postgres backups", team_id=ALPHA)
    assert "privately asked one member" in reply
    assert any("postgres backups" in m.shown_text() for m in fake.messages_in(BOB))
    [_, new_token] = fake.tokens_of(ALPHA)
    assert tokens_used(fake, {ALICE, BOB}, since=before) == {new_token}


async def test_after_the_grace_period_an_uninstalled_workspace_is_forgotten(
    chat: Chat, installer: Installer, fake: FakeSlack, core: Whuffie
) -> None:
    """Not back within 30 days: its members' data is deleted, as /forgetme would."""
    assert await installer.install(ALPHA) == 200
    await chat.type(BOB, "/offer", "postgres", team_id=ALPHA)
    await uninstall(chat, ALPHA, "Ev0GONE2")
    assert isinstance(core.clock, ManualClock)
    core.clock.advance(timedelta(days=29))
    await core.tick()
    assert await installer.install(ALPHA) == 200  # back in time: kept
    assert "postgres" in await chat.type(BOB, "/profile", team_id=ALPHA)
    # Needs, asks, introductions, thanks and messages: all of it goes after the grace period.
    await chat.type(ALICE, "/need", "my slow postgres query", team_id=ALPHA)
    [ask] = fake.messages_in(BOB)
    await chat.press(BOB, ask, "I can help", team_id=ALPHA)
    await chat.type(ALICE, "/thanks", f"<@{BOB}|bob> you saved my week", team_id=ALPHA)

    await uninstall(chat, ALPHA, "Ev0GONE3")
    core.clock.advance(timedelta(days=31))
    await core.tick()
    assert await installer.install(ALPHA) == 200
    profile = await chat.type(BOB, "/profile", team_id=ALPHA)
    assert "postgres" not in profile and "Alice" not in profile
    reply = await chat.type(ALICE, "/need", "my slow postgres query", team_id=ALPHA)
    assert "privately asked" not in reply


async def test_an_org_wide_install_serves_each_workspace_and_its_org_admin(
    chat: Chat, installer: Installer, fake: FakeSlack
) -> None:
    """One install for the org: Sam in Sales helps Sue in Support; Olga, org admin, sees it all.

    Wendy administers the Sales workspace only: the org's figures are not hers to see.
    """
    assert await installer.install(SALES, enterprise_id=ORG, org_wide=True) == 200
    [org_token] = fake.tokens_of(ORG)

    await chat.type(SAM, "/offer", "postgres", team_id=SALES, org_id=ORG)
    reply = await chat.type(SUE, "/need", "my slow postgres query", team_id=SUPPORT, org_id=ORG)
    assert "privately asked one member" in reply
    [ask] = fake.messages_in(SAM)
    await chat.press(SAM, ask, "I can help", team_id=SALES, org_id=ORG)
    assert len(fake.messages_in(SAM, SUE)) == 1

    stats = await chat.type(OLGA, "/helpstats", team_id=SUPPORT, org_id=ORG)
    assert "Needs posted: 1 · introduced: 1" in stats
    refused = await chat.type(WENDY, "/helpstats", team_id=SALES, org_id=ORG)
    assert "for the community's admins" in refused
    assert tokens_used(fake, {SAM, SUE, OLGA, WENDY}) == {org_token}

    await uninstall(chat, SALES, "Ev0ORGGONE", enterprise_id=ORG, org_wide=True)
    assert chat.adapter.installations is not None
    assert await chat.adapter.installations.store.bot_of(ORG) is None
    before = len(fake.calls)
    await chat.type(SUE, "/need", "postgres backups", team_id=SUPPORT, org_id=ORG)
    assert fake.calls[before:] == []  # Slack would not even deliver it; nothing is sent


async def test_an_expiring_token_is_rotated_before_use(
    chat: Chat, installer: Installer, fake: FakeSlack
) -> None:
    """With token rotation on, a token near its end is renewed, and only the new one is used."""
    fake.rotation = True
    fake.token_seconds = 3600  # less than the two hours before its end when it is renewed
    assert await installer.install(ALPHA) == 200
    [first] = fake.tokens_of(ALPHA)
    fake.expire_tokens()  # Slack would now refuse it

    await chat.type(BOB, "/offer", "postgres", team_id=ALPHA)
    reply = await chat.type(ALICE, "/need", "my slow postgres query", team_id=ALPHA)
    assert "privately asked one member" in reply
    assert len(fake.messages_in(BOB)) == 1
    assert first not in tokens_used(fake, {ALICE, BOB})
    assert tokens_used(fake, {ALICE, BOB}) <= set(fake.tokens_of(ALPHA))


def test_the_migrated_tables_are_the_sdk_stores_own(store: Store) -> None:
    """Migration 0011 creates the tables exactly as slack_sdk's stores describe them."""
    sdk = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(sdk, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(sdk, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(sdk, STATES_TABLE)
    found = inspect(store.engine)
    for table in sdk.tables.values():
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        assert list(columns) == [c.name for c in table.columns]
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, column.name
            assert type(columns[column.name]["type"]).__name__.upper() in {
                type(column.type).__name__.upper(),
                *_aliases(type(column.type).__name__),
            }, column.name


def _aliases(name: str) -> set[str]:
    """How a database reports back a SQLAlchemy type name."""
    return {
        "STRING": {"VARCHAR"},
        "INTEGER": {"INTEGER"},
        "DATETIME": {"DATETIME", "TIMESTAMP"},
        "BOOLEAN": {"BOOLEAN"},
    }.get(name.upper(), set())


class SettingsChanges(TypedDict, total=False):
    """The settings a case changes from the working ones."""

    client_secret: str
    bot_token: str
    app_token: str
    signing_secret: str


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"client_secret": ""}, "SLACK_CLIENT_SECRET"),
        ({"bot_token": "xoxb-one-workspace"}, "set one of them"),
        ({"app_token": "xapp-socket"}, "HTTP mode"),
        ({"signing_secret": ""}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_settings_that_cannot_serve_installs_are_explained(
    slack_settings: SlackSettings, changes: SettingsChanges, hint: str
) -> None:
    """OAuth installs need both app credentials and HTTP mode, and no single bot token."""
    with pytest.raises(SlackStartupError, match=hint) as raised:
        replace(slack_settings, **changes).check()
    assert "one-workspace" not in str(raised.value) and "socket" not in str(raised.value)


def test_installs_are_configured_from_the_environment() -> None:
    """SLACK_CLIENT_ID and its secret turn Slack on; the scopes are the manifest's by default."""
    manifest = yaml.safe_load((Path(__file__).parents[3] / "manifest.yml").read_text())
    slack = SlackSettings.from_env(
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s3cr3t", "SLACK_SIGNING_SECRET": "x"}
    )
    assert slack.enabled and slack.oauth
    assert list(slack.scopes) == manifest["oauth_config"]["scopes"]["bot"]
    assert "s3cr3t" not in repr(slack)
    other = SlackSettings.from_env({"SLACK_SCOPES": "commands, chat:write"})
    assert other.scopes == ("commands", "chat:write") and not other.enabled
    assert Settings.from_env({}).uninstalled_grace == timedelta(days=30)
    grace = Settings.from_env({"WHUFFIE_UNINSTALLED_GRACE_DAYS": "7"}).uninstalled_grace
    assert grace == timedelta(days=7)
