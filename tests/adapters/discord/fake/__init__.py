"""A fake Discord for tests, spoken to by the real discord.py over real sockets."""

from tests.adapters.discord.fake.model import Guild, Interaction, Message, User
from tests.adapters.discord.fake.server import FakeDiscord

__all__ = ["FakeDiscord", "Guild", "Interaction", "Message", "User"]
