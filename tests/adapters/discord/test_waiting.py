"""Waiting needs on Discord: the real core and client, a fake Discord."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from adapters.discord import DiscordAdapter
from bot.clock import ManualClock
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Message, User
from tests.adapters.discord.test_scenario import makers, press, run


def asks(fake: FakeDiscord, user: User) -> list[Message]:
    """The asks a member received (an answered one reads "You said yes" now)."""
    return [
        m for m in fake.dms(user) if "could use a hand" in m.content or "You said yes" in m.content
    ]


def checkins(fake: FakeDiscord, user: User) -> list[Message]:
    """The DMs telling a requester how their waiting need stands."""
    return [m for m in fake.dms(user) if "has been waiting" in m.content]


async def test_a_waiting_need_is_asked_on_resume_when_free_and_on_offer(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """bob resumes, then frees up for carol's need; carol's offer reaches ada's need."""
    guild, alice, bob, ada = makers(fake)
    carol = fake.join(guild, "carol")
    async with bot_on_waiting(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="python")
        await run(fake, guild, bob, "pause")
        assert "Your need waits" in await run(
            fake, guild, alice, "need", text="python packaging trouble"
        )
        resumed = await run(fake, guild, bob, "resume")
        assert "sent it to you privately" in resumed
        await fake.until(lambda: len(asks(fake, bob)) == 1)
        [first] = asks(fake, bob)
        assert "python packaging trouble" in first.content
        assert first.labels == ["I can help", "Not this time"]

        waits = await run(fake, guild, carol, "need", text="review my python script")
        assert "Your need waits" in waits
        await press(fake, bob, first, "I can help")
        await fake.until(lambda: len(asks(fake, bob)) == 2)
        assert "review my python script" in asks(fake, bob)[1].content

        assert "Your need waits" in await run(
            fake, guild, ada, "need", text="help with kubernetes upgrades"
        )
        offered = await run(fake, guild, carol, "offer", skills="kubernetes")
        assert "a need that was waiting for someone like you" in offered
        await fake.until(lambda: len(asks(fake, carol)) == 1)
        [ask] = asks(fake, carol)
        assert f"<@{ada.id}> could use a hand" in ask.content
        assert "kubernetes upgrades" in ask.content


async def test_after_two_weeks_the_requester_keeps_one_need_and_closes_another(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """The check-in DM's buttons: 'Keep it open' and 'Close it', answered privately."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on_waiting(fake, store, clock) as adapter:
        await run(fake, guild, alice, "need", text="help with kubernetes upgrades")
        await run(fake, guild, alice, "need", text="a terraform modules question")
        clock.advance(adapter.core.settings.waiting_checkin + timedelta(minutes=1))
        await adapter.core.tick()
        await fake.until(lambda: len(checkins(fake, alice)) == 2)
        first, second = checkins(fake, alice)
        assert "Your need #1 has been waiting 14 days" in first.content
        assert first.labels == ["Keep it open", "Close it"]
        assert first.allowed_mentions == {"parse": []}
        assert "stays open" in (await press(fake, alice, first, "Keep it open")).text
        assert "Closed need #2" in (await press(fake, alice, second, "Close it")).text
        offered = await run(fake, guild, bob, "offer", skills="kubernetes, terraform")
        assert "a need that was waiting" in offered
        await fake.until(lambda: len(asks(fake, bob)) == 1)
        assert "kubernetes upgrades" in asks(fake, bob)[0].content


def bot_on_waiting(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> AbstractAsyncContextManager[DiscordAdapter]:
    """The whole bot, with one open ask per member so a busy helper is easy to make."""
    return bot_on(fake, store, clock, max_open_asks=1)
