"""What every adapter must do, run against each: console, Slack, Discord, and a toy platform.

A new platform passes this before anything else: add a side for it in `sides.py` and its
name to `SIDES`. The toy (`toy.py`, a few dozen lines) shows that the core needs no change.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import SlackSettings
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.port import Button, Message, Undeliverable
from bot.settings import Settings
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord
from tests.adapters.sides import ConsoleSide, DiscordSide, Side, SlackSide, ToySide
from tests.adapters.slack.conftest import start_slack, stop_slack
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed import SIGNING_SECRET
from tests.adapters.toy import ToyAdapter
from whuffie.runtime import build_adapters, shared_server

SIDES = ["console", "slack", "discord", "toy"]
ASK = Message(
    "Someone could use a hand.",
    (Button("I can help", "accept", "1", "primary"), Button("Not this time", "decline", "1")),
)
# A member's words written to ping everyone, on every platform's syntax.
LOUD = "hi <!channel> <!here> <!everyone> @everyone @here <@U0BOB> <@123> <#C0GENERAL> bye"


@contextlib.asynccontextmanager
async def serving(name: str, store: Store, clock: ManualClock) -> AsyncIterator[Side]:
    """The platform `name` served by the real core on `store`."""
    if name == "console":
        yield ConsoleSide(Whuffie(Settings(), store, clock), clock)
    elif name == "slack":
        fake = FakeSlack()
        await fake.start()
        settings = SlackSettings(
            bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_base_url=fake.api_url
        )
        adapter = await start_slack(Whuffie(Settings(), store, clock), settings)
        try:
            yield SlackSide(adapter, fake)
        finally:
            await stop_slack(adapter)
            await fake.stop()
    elif name == "discord":
        fake_discord = FakeDiscord()
        await fake_discord.start()
        guild = fake_discord.add_guild("makers", fake_discord.add_user("olga"))
        # The bot learns the admin role on connecting.
        fake_discord.join(guild, "ada", manage_guild=True)
        try:
            async with bot_on(fake_discord, store, clock) as discord_adapter:
                yield DiscordSide(discord_adapter, fake_discord, guild)
        finally:
            await fake_discord.close()
    else:
        # Plugged in as `whuffie run` plugs any platform in: built, then attached once.
        core = Whuffie(Settings(), store, clock)
        server = shared_server(core, port=0)
        [toy] = build_adapters(core, server, [lambda core, _server: ToyAdapter(core)])
        assert isinstance(toy, ToyAdapter)
        yield ToySide(toy)


@pytest.fixture(params=SIDES)
async def side(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Side]:
    """Each platform in turn, on its own migrated SQLite database."""
    store = Store.connect(f"sqlite:///{tmp_path / 'whuffie.db'}")
    store.upgrade()
    try:
        async with serving(request.param, store, ManualClock()) as served:
            yield served
    finally:
        store.dispose()


async def test_a_dm_reaches_one_member_with_its_buttons(side: Side) -> None:
    """One member reads the text and sees each button by its label; the ref is a string."""
    bob = side.member("bob")
    ref = await side.port.send_dm(side.community, [bob], ASK)
    assert isinstance(ref, str) and ref
    [seen] = side.inbox(bob)
    assert ASK.text in seen.text
    assert seen.labels == ["I can help", "Not this time"]


async def test_an_introduction_reaches_both_sides(side: Side) -> None:
    """A group DM where the platform has one, else one DM to each side: both read it."""
    alice, bob = side.member("alice"), side.member("bob")
    intro = Message(f"{side.port.mention(alice)}, meet {side.port.mention(bob)}!")
    await side.port.send_dm(side.community, [alice, bob], intro)
    for member in (alice, bob):
        [seen] = side.inbox(member)
        assert "meet" in seen.text


async def test_an_edit_replaces_the_message_and_its_buttons(side: Side) -> None:
    """An ask taken care of is edited where it was sent: new text, no buttons, no new message."""
    alice, bob = side.member("alice"), side.member("bob")
    ref = await side.port.send_dm(side.community, [bob], ASK)
    intro = await side.port.send_dm(side.community, [alice, bob], Message("Alice, meet Bob!"))
    await side.port.update_message(side.community, ref, Message("Already taken care of."))
    await side.port.update_message(side.community, intro, Message("Resolved, thank you."))
    shown = [(seen.text, seen.labels) for seen in side.inbox(bob)]
    assert shown == [("Already taken care of.", []), ("Resolved, thank you.", [])]
    assert [seen.text for seen in side.inbox(alice)] == ["Resolved, thank you."]


async def test_a_button_press_comes_back_as_its_command(side: Side) -> None:
    """The whole round trip: an ask's "I can help" runs /accept, and the two are introduced."""
    alice, bob = side.member("alice"), side.member("bob")
    assert "Added to your profile" in await side.type(bob, "offer", "postgres")
    await side.type(alice, "need", "my slow postgres query")
    await side.eventually(lambda: any("I can help" in s.labels for s in side.inbox(bob)))
    assert "introduced you both" in await side.press(bob, "I can help")
    await side.eventually(lambda: any("Pay it forward" in s.text for s in side.inbox(alice)))
    await side.eventually(lambda: any("Pay it forward" in s.text for s in side.inbox(bob)))


async def test_a_member_the_platform_will_never_reach_is_undeliverable(side: Side) -> None:
    """Closed DMs or a gone account raise Undeliverable, so the core moves on (no retries)."""
    bob = side.member("bob")
    side.close_dms(bob)
    with pytest.raises(Undeliverable):
        await side.port.send_dm(side.community, [bob], ASK)
    assert side.inbox(bob) == []


async def test_a_members_words_never_ping_anyone(side: Side) -> None:
    """Escaped words keep their meaning and reach the reader, but notify nobody."""
    bob = side.member("bob")
    await side.port.send_dm(side.community, [bob], Message(f"> {side.port.escape(LOUD)}"))
    [seen] = side.inbox(bob)
    assert "hi" in seen.text and "bye" in seen.text
    assert not seen.pings


async def test_the_platform_says_who_administers_the_community(side: Side) -> None:
    """An admin on the platform is one for the core; an ordinary member is not."""
    dana, alice = side.member("dana", admin=True), side.member("alice")
    assert await side.port.is_admin(side.community, dana)
    assert not await side.port.is_admin(side.community, alice)
