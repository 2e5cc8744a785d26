"""Fixtures: the fake Slack, the real core, and the real Bolt app served on port 0."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import SlackAdapter, SlackSettings
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store import Store
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, Posted
from tests.adapters.slack.signed import SIGNING_SECRET, SlackSender
from whuffie.runtime import shared_server

ALICE, BOB, CAROL, DANA, ROBOT = "UALICE", "UBOB", "UCAROL", "UDANA", "UROBOT"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A running fake Slack with a small workspace: three members, an admin and a bot."""
    fake = FakeSlack()
    fake.add_user(ALICE, "Alice")
    fake.add_user(BOB, "Bob")
    fake.add_user(CAROL, "Carol")
    fake.add_user(DANA, "Dana", admin=True)
    fake.add_user(ROBOT, "Robot", bot=True)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock() -> ManualClock:
    """The core's clock, moved by tests to make follow-ups fall due."""
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The core's settings, with the store in tmp_path."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'whuffie.db'}")


@pytest.fixture
def slack_settings(fake_slack: FakeSlack) -> SlackSettings:
    """HTTP-mode settings pointing the Web API at the fake."""
    return SlackSettings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_base_url=fake_slack.api_url
    )


@pytest.fixture
def socket_settings(slack_settings: SlackSettings) -> SlackSettings:
    """The same, in Socket Mode."""
    return replace(slack_settings, app_token=APP_TOKEN)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """The real store: SQLite in tmp_path, migrated."""
    db = Store.connect(settings.database_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def core(settings: Settings, store: Store, clock: ManualClock) -> Whuffie:
    """The real core."""
    return Whuffie(settings, store, clock=clock)


async def start_slack(core: Whuffie, settings: SlackSettings) -> SlackAdapter:
    """As `whuffie run` does: the adapter on the shared HTTP server (a free port), attached."""
    server = shared_server(core, port=0, host="127.0.0.1")
    slack = SlackAdapter(core, settings, server)
    core.attach(slack.port)
    await server.start()
    await slack.start()
    return slack


async def stop_slack(slack: SlackAdapter) -> None:
    """Stop the adapter, then the server it was served on."""
    await slack.stop()
    await slack.server.stop()


@pytest.fixture
async def adapter(core: Whuffie, slack_settings: SlackSettings) -> AsyncIterator[SlackAdapter]:
    """The Slack adapter serving HTTP on a free port."""
    slack = await start_slack(core, slack_settings)
    yield slack
    await stop_slack(slack)


@pytest.fixture
def slack(adapter: SlackAdapter, fake_slack: FakeSlack) -> SlackSender:
    """Slack's side of the HTTP endpoint: signed commands, presses and events."""
    assert adapter.http_url is not None
    return SlackSender(adapter.http_url, fake_slack)


class Chat:
    """Drives one workspace: members type commands and press buttons, the test reads Slack."""

    def __init__(self, adapter: SlackAdapter, slack: SlackSender, fake: FakeSlack) -> None:
        self.adapter = adapter
        self.slack = slack
        self.fake = fake

    async def type(self, user_id: str, command: str, text: str = "", **where: Any) -> str:
        """Run a slash command to the end; return the private reply the member sees."""
        answer = await self.slack.command(user_id, command, text, **where)
        assert answer.status == 200
        await self.adapter.idle()
        [reply] = self.fake.replies_to(answer.response_url)
        return reply.shown_text()

    async def press(self, user_id: str, on: Posted, label: str, **where: Any) -> str:
        """Press the button with this label on a DM; return the private reply."""
        [button] = [b for b in on.buttons() if b["text"]["text"] == label]
        answer = await self.slack.press(user_id, button, on, **where)
        assert answer.status == 200
        await self.adapter.idle()
        [reply] = self.fake.replies_to(answer.response_url)
        return reply.shown_text()


@pytest.fixture
def chat(adapter: SlackAdapter, slack: SlackSender, fake_slack: FakeSlack) -> Chat:
    """The workspace, driven through signed HTTP."""
    return Chat(adapter, slack, fake_slack)


@pytest.fixture
async def one_at_a_time(
    settings: Settings,
    slack_settings: SlackSettings,
    store: Store,
    clock: ManualClock,
    fake_slack: FakeSlack,
) -> AsyncIterator[Chat]:
    """A workspace where the bot asks one candidate at a time."""
    core = Whuffie(replace(settings, asks_at_once=1), store, clock=clock)
    adapter = await start_slack(core, slack_settings)
    assert adapter.http_url is not None
    yield Chat(adapter, SlackSender(adapter.http_url, fake_slack), fake_slack)
    await stop_slack(adapter)
