"""Starting up: wrong credentials are explained before anything is served."""

from __future__ import annotations

from dataclasses import replace
from typing import TypedDict

import pytest

from adapters.slack import SlackAdapter, SlackSettings, SlackStartupError
from bot.app import Whuffie
from bot.web import WebServer
from tests.adapters.slack.fake_slack import FakeSlack


class SettingsChanges(TypedDict, total=False):
    """The settings a case changes from the working ones."""

    bot_token: str
    app_token: str
    signing_secret: str


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"bot_token": "xapp-pasted-in-the-wrong-place"}, "xoxb-"),
        ({"app_token": "xoxb-pasted-in-the-wrong-place"}, "xapp-"),
        ({"signing_secret": ""}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_mixed_up_credentials_are_explained(
    core: Whuffie, slack_settings: SlackSettings, changes: SettingsChanges, hint: str
) -> None:
    """A token in the wrong variable gets a message that says where the right one is."""
    with pytest.raises(SlackStartupError, match=hint) as raised:
        SlackAdapter(core, replace(slack_settings, **changes), WebServer(0))
    assert "pasted-in-the-wrong-place" not in str(raised.value)


async def test_a_refused_token_stops_the_start_with_a_clear_message(
    core: Whuffie, slack_settings: SlackSettings, fake_slack: FakeSlack
) -> None:
    """A revoked or mistyped bot token is reported as such, and nothing is served."""
    adapter = SlackAdapter(core, replace(slack_settings, bot_token="xoxb-revoked"), WebServer(0))
    with pytest.raises(SlackStartupError, match="invalid_auth"):
        await adapter.start()
    assert adapter.http_url is None
