"""What a press or a command from Discord may do: a button is only "this person pressed it"."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.clock import ManualClock
from bot.commands import COMMANDS
from bot.models import NEED_OPEN, Ask, Community, Member, Need, Skill
from bot.store import Store
from tests.adapters.discord.conftest import bot_on
from tests.adapters.discord.fake import FakeDiscord, Interaction, User
from tests.adapters.discord.test_scenario import NEED, dm, makers, press, run

# Every command a forged id tried; the attacks that worked named these.
FORGED = (
    "offer:hacking",
    "needs:",
    "need:please help",
    "give:{need}",
    "accept:{ask}",
    "decline:{ask}",
    "done:{need}",
    "helped:{need}",
    "forgetme:confirm",
    "helpstats:",
)


def count(store: Store, table: type[Any]) -> int:
    """How many rows a table holds."""
    with store.session() as session:
        return len(session.exec(select(table)).all())


async def forged(fake: FakeDiscord, user: User, custom_id: str) -> Interaction:
    """`user` sends a press of a button with this id from their DM, and is answered."""
    interaction = await fake.answered(await fake.press_forged(user, custom_id))
    assert all(reply.ephemeral for reply in interaction.replies)
    return interaction


async def test_a_forged_button_naming_another_server_runs_nothing_there(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Mallory, only in server B, presses ids naming server A: each is refused, A is untouched."""
    guild, alice, bob, _ = makers(fake)
    other = fake.add_guild("elsewhere", fake.add_user("owen"))
    mallory = fake.join(other, "mallory")
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text=NEED)
        await dm(fake, bob)
        with store.session() as session:
            need = session.exec(select(Need)).one().id
            ask = session.exec(select(Ask)).one().id
        for template in FORGED:
            command = template.format(need=need, ask=ask)
            for custom_id in (f"whuffie:{guild.id}:{command}", f"whuffie:{command}"):
                answered = await forged(fake, mallory, custom_id)
                assert answered.text, f"{custom_id} got no answer"
                assert "introduced" not in answered.text
    with store.session() as session:
        assert [c.id for c in session.exec(select(Community))] == [f"discord:{guild.id}"]
        members = session.exec(select(Member.user_id)).all()
        assert str(mallory.id) not in members
        assert session.exec(select(Need)).one().status == NEED_OPEN
        assert session.exec(select(Skill.name)).all() == ["postgres"]
    assert fake.dms(alice) == [], "alice was introduced to nobody"
    assert fake.dms(mallory) == []


async def test_twenty_invented_server_ids_create_no_community(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Presses naming servers the bot has never seen are refused and store nothing."""
    _, alice, _, _ = makers(fake)
    async with bot_on(fake, store, clock):
        for n in range(20):
            invented = 900_000_000_000_000_000 + n
            await forged(fake, alice, f"whuffie:{invented}:offer:postgres")
    assert count(store, Community) == 0
    assert count(store, Member) == 0


async def test_a_member_who_left_the_server_cannot_take_an_old_ask(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Removed from the server, bob presses "I can help" on his ask DM: told kindly, no intro."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text=NEED)
        ask = await dm(fake, bob)
        fake.leave(guild, bob)
        refused = await press(fake, bob, ask, "I can help")
    assert "no longer a member of the community" in refused.text
    assert fake.dms(alice) == [], "alice is not introduced to someone who left"
    assert len(fake.dms(bob)) == 1
    with store.session() as session:
        assert session.exec(select(Need)).one().status == NEED_OPEN


async def test_a_member_cannot_answer_an_ask_sent_to_someone_else(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """Carol, in the same server, forges bob's "I can help": refused, and alice meets nobody."""
    guild, alice, bob, _ = makers(fake)
    carol = fake.join(guild, "carol")
    async with bot_on(fake, store, clock):
        await run(fake, guild, bob, "offer", skills="postgres")
        await run(fake, guild, alice, "need", text=NEED)
        ask = await dm(fake, bob)
        refused = await forged(fake, carol, ask.buttons[0]["custom_id"])
    assert "meant for someone else" in refused.text
    assert fake.dms(alice) == []
    with store.session() as session:
        assert str(carol.id) not in session.exec(select(Member.user_id)).all()


async def test_offering_help_from_the_open_needs_list_works_in_the_server(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/needs lists a need with "I can help with #N"; pressing it there introduces both."""
    guild, alice, bob, _ = makers(fake)
    async with bot_on(fake, store, clock):
        await run(fake, guild, alice, "need", text="someone to review my pitch deck")
        await run(fake, guild, bob, "offer", skills="pitch decks")
        listed = await fake.answered(await fake.slash(guild, bob, "needs"))
        [reply] = listed.replies
        with store.session() as session:
            need = session.exec(select(Need)).one().id
        given = await press(fake, bob, reply, f"I can help with #{need}")
        intro = await dm(fake, alice)
    assert "introduced you both" in given.text
    assert f"<@{alice.id}>, meet <@{bob.id}>!" in intro.content


async def test_every_command_typed_in_a_dm_is_answered(
    fake: FakeDiscord, store: Store, clock: ManualClock
) -> None:
    """/helpstats and every other command, sent from a DM, say to use it in the server."""
    _, alice, bob, _ = makers(fake)
    values: dict[str, Any] = {"text": "a postgres question", "member": bob, "integer": 3}
    async with bot_on(fake, store, clock):
        for command in COMMANDS:
            options = {o.name: values[o.kind] for o in command.options}
            answered = await fake.answered(await fake.slash_in_dm(alice, command.name, **options))
            assert "Use this in your server" in answered.text, command.name
            assert f"/{command.name}" in answered.text
    assert count(store, Community) == 0
