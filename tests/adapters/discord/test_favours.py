"""Favours come back, on Discord: the member once helped is asked first, with one gentle line."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Message, User
from tests.adapters.discord.test_scenario import makers, press, run


def asks(fake: FakeDiscord, user: User) -> list[Message]:
    """The asks a member received, answered or not."""
    shown = ("could use a hand", "You said yes", "You passed")
    return [m for m in fake.dms(user) if any(words in m.content for words in shown)]


async def test_the_member_once_helped_is_asked_first_and_can_turn_the_line_off(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """bob helped alice; bob's need reaches alice before carol, saying so, until she opts out."""
    guild, alice, bob, _ = makers(fake)
    carol = fake.join(guild, "carol")
    async with bot_on(fake, store, clock, asks_at_once=1):
        await run(fake, guild, bob, "offer", skills="design")
        await run(fake, guild, carol, "offer", skills="python packaging, python")
        await run(fake, guild, alice, "offer", skills="python")
        await run(fake, guild, alice, "need", text="design review of my landing page")
        await fake.until(lambda: asks(fake, bob))
        await press(fake, bob, asks(fake, bob)[0], "I can help")
        await run(fake, guild, alice, "done", message="thank you!")

        await run(fake, guild, bob, "need", text="a python packaging question")
        await fake.until(lambda: asks(fake, alice))
        [ask] = asks(fake, alice)
        line = f"<@{bob.id}> helped you with 'design review of my landing page' in "
        assert line in ask.content
        assert "a chance to return the favour" in ask.content
        assert asks(fake, carol) == []

        shown = await fake.answered(await fake.slash(guild, alice, "profile"))
        [profile] = shown.replies
        assert "Favour notes: on" in profile.content
        assert profile.labels == ["Turn favour notes off"]
        off = await press(fake, alice, profile, "Turn favour notes off")
        assert "won't mention past favours" in off.text
        assert "Favour notes: off" in await run(fake, guild, alice, "profile")
        on = await run(fake, guild, alice, "profile", setting="favours on")
        assert "say so, gently" in on
