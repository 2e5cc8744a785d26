"""`whuffie discord invite-url`: the bot and its commands, with no permissions asked."""

from __future__ import annotations

import argparse
import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.discord import invite
from tests.adapters.discord.fake import FakeDiscord
from whuffie.cli import main


def test_the_url_asks_for_the_bot_and_its_commands_and_no_permission() -> None:
    """Scopes `bot` and `applications.commands`; permissions 0."""
    url = urlsplit(invite.invite_url("81234567890123456"))
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == ["81234567890123456"]
    assert query["scope"][0].split() == ["bot", "applications.commands"]
    assert query["permissions"] == ["0"]


def test_a_wrong_application_id_is_refused() -> None:
    """Something that is not an id gets a clear error."""
    with pytest.raises(ValueError, match="application id is a number"):
        invite.invite_url("my-bot")


def test_the_cli_prints_the_url_for_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    """`whuffie discord invite-url ID` prints just the URL."""
    assert main(["discord", "invite-url", "81234567890123456"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == invite.invite_url("81234567890123456")


def test_the_cli_explains_a_bad_id(capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped id: exit status 2 and a sentence saying what went wrong."""
    assert main(["discord", "invite-url", "my-bot"]) == 2
    assert "not an Application ID" in capsys.readouterr().err


def test_without_an_id_or_token_it_says_what_to_give(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No id and no DISCORD_TOKEN: it says where to find the id."""
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert invite.run(argparse.Namespace(application_id=None)) == 2
    assert "Application ID" in capsys.readouterr().err


async def test_with_the_token_it_asks_discord_for_the_id(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With DISCORD_TOKEN set, the application id comes from Discord itself."""
    monkeypatch.setenv("DISCORD_TOKEN", fake.token)
    monkeypatch.setenv("DISCORD_API_BASE", fake.api_base)
    args = argparse.Namespace(application_id=None)
    # The command is synchronous; run it off the loop that serves the fake.
    assert await asyncio.to_thread(invite.run, args) == 0
    assert capsys.readouterr().out.strip() == invite.invite_url(str(fake.application_id))


async def test_a_refused_token_is_explained(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong DISCORD_TOKEN: a sentence naming it, exit status 1."""
    monkeypatch.setenv("DISCORD_TOKEN", "wrong")
    monkeypatch.setenv("DISCORD_API_BASE", fake.api_base)
    assert await asyncio.to_thread(invite.run, argparse.Namespace(application_id=None)) == 1
    assert "refused DISCORD_TOKEN" in capsys.readouterr().err
