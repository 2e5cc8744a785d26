"""The community pulse on Discord: one DM each, buttons that open a modal, the admin's summary."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import Store
from bot.usecases.pulse import SUMMARY_AFTER
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Interaction, Message, User
from tests.adapters.discord.test_scenario import dm, makers, run

CHECK_IN = "what could you use help with this month?"


def check_ins(fake: FakeDiscord, user: User) -> list[Message]:
    """The check-in DMs a member received."""
    return [m for m in fake.dms(user) if CHECK_IN in m.content]


async def answer(fake: FakeDiscord, user: User, label: str, words: str) -> Interaction:
    """Press a check-in button, see its modal open, type `words`, submit; the private reply."""
    [check_in] = check_ins(fake, user)
    pressed = await fake.press(user, check_in, label)
    await fake.until(lambda: pressed.modal is not None)
    assert pressed.replies == [], "the modal is the answer to the press"
    assert pressed.modal is not None and pressed.modal["title"] == label
    submitted = await fake.answered(await fake.submit(user, pressed, words))
    assert all(reply.ephemeral for reply in submitted.replies)
    return submitted


async def test_a_pulse_reaches_each_member_once_and_answers_come_back(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """ada (Manage Server) runs /pulse: alice, bob and ada get it, carol (paused) and dave
    (opted out) do not; alice's modal answer becomes a need bob is asked about, bob's becomes
    skills; a second /pulse is refused kindly; three days later ada gets the summary."""
    guild, alice, bob, ada = makers(fake)
    carol, dave = fake.join(guild, "carol"), fake.join(guild, "dave")
    async with bot_on(fake, store, clock) as adapter:
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "offer", skills="figma")
        await run(fake, guild, ada, "offer", skills="community building")
        await run(fake, guild, carol, "pause")
        assert "no more community check-ins" in await run(fake, guild, dave, "pulse", choice="off")
        assert "it's for admins" in await run(fake, guild, alice, "pulse")

        assert "on its way to 3 members" in await run(fake, guild, ada, "pulse")
        for member in (alice, bob, ada):

            def checked_in(member: User = member) -> bool:
                return len(check_ins(fake, member)) == 1

            await fake.until(checked_in)
            [check_in] = check_ins(fake, member)
            assert check_in.labels == [
                "Something I need",
                "Something I can offer",
                "No more check-ins",
            ]
        assert check_ins(fake, carol) == [] and check_ins(fake, dave) == []

        answered = await answer(fake, alice, "Something I need", "my slow postgres query")
        assert "Thank you for answering the check-in" in answered.text
        assert "privately asked one member" in answered.text
        ask = await dm(fake, bob, 2)
        assert "my slow postgres query" in ask.content and ask.labels[0] == "I can help"
        offered = await answer(fake, bob, "Something I can offer", "kubernetes, terraform")
        assert "Added to your profile: kubernetes, terraform" in offered.text

        assert "room to breathe" in await run(fake, guild, ada, "pulse")

        clock.advance(SUMMARY_AFTER + timedelta(minutes=1))
        await adapter.core.tick()
        await fake.until(lambda: any("three days on" in m.content for m in fake.dms(ada)))
        [summary] = [m for m in fake.dms(ada) if "three days on" in m.content]
        assert "Answered: 2 of 3 members" in summary.content
        assert "New needs: 1 · new skills on profiles: 2" in summary.content
