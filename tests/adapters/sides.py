"""Each platform as its members see it, for the adapter contract: driven at its wire, read back.

A side runs the real core and the real adapter (over the platform's fake), attaches the
adapter's port as `whuffie run` does, and offers the same few moves on every platform.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from adapters.console import Console
from adapters.discord import DiscordAdapter
from adapters.discord.community import community_of
from adapters.slack import SlackAdapter
from bot.app import Whuffie
from bot.clock import ManualClock
from bot.commands import COMMANDS
from bot.port import Message, Port
from tests.adapters.discord.fake import FakeDiscord, Guild, User
from tests.adapters.discord.fake import Message as DiscordMessage
from tests.adapters.discord.fake.model import MANAGE_GUILD
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack, Posted
from tests.adapters.slack.signed import SlackSender
from tests.adapters.toy import COMMUNITY as TOY_COMMUNITY
from tests.adapters.toy import ToyAdapter


@dataclass(frozen=True)
class Seen:
    """One message as its recipient reads it now (after any edit)."""

    text: str
    labels: list[str]
    pings: bool  # whether showing it would notify anyone beyond its recipients


class Side(Protocol):
    """One platform, from its members' side."""

    core: Whuffie
    port: Port
    community: str

    def member(self, name: str, *, admin: bool = False) -> str:
        """A new member of the community (an admin of it on the platform); their user id."""
        ...

    def close_dms(self, user_id: str) -> None:
        """The member closes their DMs (or leaves the platform): the bot can never reach them."""
        ...

    async def type(self, user_id: str, command: str, text: str = "") -> str:
        """The member types `/command text`; the private reply they read."""
        ...

    async def press(self, user_id: str, label: str) -> str:
        """The member presses the button `label` on their newest message having it."""
        ...

    def inbox(self, user_id: str) -> list[Seen]:
        """What the bot sent the member, alone or with others, oldest first."""
        ...

    async def eventually(self, check: Callable[[], object]) -> None:
        """Wait (boundedly) until the platform has had everything sent that is on its way."""
        ...


def newest_with(messages: list[Seen], label: str) -> int:
    """The index of the newest message that has a button `label`."""
    found = [i for i, seen in enumerate(messages) if label in seen.labels]
    assert found, f"no message with a button {label!r}: {messages}"
    return found[-1]


class ConsoleSide:
    """The console: blocks printed to a terminal, buttons pressed by typing their command."""

    community = "console"

    def __init__(self, core: Whuffie, clock: ManualClock) -> None:
        self.core = core
        self.out = io.StringIO()
        self.console = Console(core, clock, self.out, "me")
        self.port: Port = self.console.port
        core.attach(self.console.port)

    def member(self, name: str, *, admin: bool = False) -> str:
        """A console name; `!admin` makes an admin."""
        uid = self.console.actor(name).user_id
        if admin:
            self.console.port.admins.add(uid)
        return uid

    def close_dms(self, user_id: str) -> None:
        """`!dmsoff`."""
        self.console.port.closed.add(user_id)

    def _blocks(self) -> list[tuple[str, str, list[str]]]:
        """Every printed block: (kind, names, lines)."""
        blocks: list[tuple[str, str, list[str]]] = []
        for line in self.out.getvalue().splitlines():
            header = re.fullmatch(r"\[(reply|dm|edit) (.+)\]", line)
            if header:
                blocks.append((header[1], header[2], []))
            elif blocks:
                blocks[-1][2].append(line)
        return blocks

    @staticmethod
    def _seen(lines: list[str]) -> Seen:
        buttons = [re.fullmatch(r"  • (.+) \((/.+)\)", line) for line in lines]
        text = "\n".join(line for line, b in zip(lines, buttons, strict=True) if not b).strip()
        return Seen(text, [b[1] for b in buttons if b], pings=False)  # a terminal pings nobody

    async def type(self, user_id: str, command: str, text: str = "") -> str:
        """`NAME: /command text` on its own line."""
        name = self.console.port.names[user_id]
        await self.console.line(f"{name}: /{command} {text}")
        [*_, (_, names, lines)] = [b for b in self._blocks() if b[0] == "reply"]
        assert names == name
        return self._seen(lines).text

    def inbox(self, user_id: str) -> list[Seen]:
        """DM blocks naming the member; an edit block replaces the message it edits."""
        name = self.console.port.names.get(user_id, user_id)
        shown: list[tuple[str, Seen]] = []
        for kind, names, lines in self._blocks():
            if kind == "dm" and name in names.split(","):
                shown.append((names, self._seen(lines)))
            elif kind == "edit" and name in names.split(","):
                last = max(i for i, (to, _) in enumerate(shown) if to == names)
                shown[last] = (names, self._seen(lines))
        return [seen for _, seen in shown]

    async def press(self, user_id: str, label: str) -> str:
        """Type the command the button shows next to its label."""
        name = self.console.port.names[user_id]
        for kind, names, lines in reversed(self._blocks()):
            if kind != "reply" and name in names.split(","):
                for line in lines:
                    if found := re.fullmatch(rf"  • {re.escape(label)} \(/(\w+) ?(.*)\)", line):
                        return await self.type(user_id, found[1], found[2])
        raise AssertionError(f"no button {label!r} for {name}")

    async def eventually(self, check: Callable[[], object]) -> None:
        """The console delivers before it reads the next line."""
        assert check()


class SlackSide:
    """Slack over its fake Web API, the adapter taking signed requests over HTTP."""

    community = f"slack:{TEAM_ID}"

    def __init__(self, adapter: SlackAdapter, fake: FakeSlack) -> None:
        assert adapter.http_url is not None
        self.core = adapter.core
        self.port: Port = adapter.port
        self.adapter = adapter
        self.fake = fake
        self.slack = SlackSender(adapter.http_url, fake)

    def member(self, name: str, *, admin: bool = False) -> str:
        """A workspace member (a workspace admin)."""
        uid = f"U0{name.upper()}"
        self.fake.add_user(uid, name.title(), admin=admin)
        return uid

    def close_dms(self, user_id: str) -> None:
        """The account is deactivated."""
        self.fake.users[user_id]["deleted"] = True

    async def type(self, user_id: str, command: str, text: str = "") -> str:
        """A signed slash command; the reply through its response URL."""
        answer = await self.slack.command(user_id, f"/{command}", text)
        assert answer.status == 200
        await self.adapter.idle()
        [reply] = self.fake.replies_to(answer.response_url)
        return reply.shown_text()

    def _visible(self, user_id: str) -> list[Posted]:
        """Messages in the member's DM or in a group DM they are part of."""

        def members(channel: str) -> list[str]:
            return [channel[1:]] if channel.startswith("D") else channel[1:].split("-")

        return [m for m in self.fake.posted.values() if user_id in members(m.channel)]

    @staticmethod
    def _seen(posted: Posted) -> Seen:
        shown = posted.shown_text() or posted.text
        everything = posted.text + "\n" + shown
        return Seen(
            shown,
            [b["text"]["text"] for b in posted.buttons()],
            pings=bool(re.search(r"<[!@#]", everything)),
        )

    def inbox(self, user_id: str) -> list[Seen]:
        """As the member reads them now."""
        return [self._seen(m) for m in self._visible(user_id)]

    async def press(self, user_id: str, label: str) -> str:
        """A signed block action from the message the button is on."""
        visible = self._visible(user_id)
        on = visible[newest_with([self._seen(m) for m in visible], label)]
        [button] = [b for b in on.buttons() if b["text"]["text"] == label]
        answer = await self.slack.press(user_id, button, on)
        assert answer.status == 200
        await self.adapter.idle()
        [reply] = self.fake.replies_to(answer.response_url)
        return reply.shown_text()

    async def eventually(self, check: Callable[[], object]) -> None:
        """Every request received so far has been handled to the end."""
        await self.adapter.idle()
        assert check()


class DiscordSide:
    """Discord over its fake REST API and gateway, one guild as the community."""

    def __init__(self, adapter: DiscordAdapter, fake: FakeDiscord, guild: Guild) -> None:
        self.core = adapter.core
        self.port: Port = adapter.port
        self.fake = fake
        self.guild = guild
        self.community = community_of(guild.id)
        self.users: dict[str, User] = {}

    def member(self, name: str, *, admin: bool = False) -> str:
        """A server member (with the role granting Manage Server, made before the bot came)."""
        user = self.fake.join(self.guild, name)
        if admin:
            [role] = [r for r, bits in self.guild.roles.items() if bits & MANAGE_GUILD]
            self.guild.members[user.id].append(role)
        self.users[str(user.id)] = user
        return str(user.id)

    def close_dms(self, user_id: str) -> None:
        """The member's privacy settings refuse DMs."""
        self.fake.dms_closed.add(int(user_id))

    async def type(self, user_id: str, command: str, text: str = "") -> str:
        """A slash command, its text in the command's first option."""
        [spec] = [c for c in COMMANDS if c.name == command]
        options = {spec.options[0].name: text} if text else {}
        sent = await self.fake.slash(self.guild, self.users[user_id], command, **options)
        return (await self.fake.answered(sent)).text

    @staticmethod
    def _seen(message: DiscordMessage) -> Seen:
        loud = re.search(r"@everyone|@here|<@", message.content)
        return Seen(
            message.content,
            message.labels,
            pings=bool(loud) and message.allowed_mentions != {"parse": []},
        )

    def inbox(self, user_id: str) -> list[Seen]:
        """The member's DMs, each side of an introduction getting its own."""
        return [self._seen(m) for m in self.fake.dms(self.users[user_id])]

    async def press(self, user_id: str, label: str) -> str:
        """A component interaction from the DM the button is on."""
        user = self.users[user_id]
        dms = self.fake.dms(user)
        on = dms[newest_with([self._seen(m) for m in dms], label)]
        return (await self.fake.answered(await self.fake.press(user, on, label))).text

    async def eventually(self, check: Callable[[], object]) -> None:
        """Until the fake has seen what the check wants (re-checked at each request)."""
        await self.fake.until(check)


class ToySide:
    """The toy platform of `tests/adapters/toy.py`, read straight from its memory."""

    community = TOY_COMMUNITY

    def __init__(self, adapter: ToyAdapter) -> None:
        self.core = adapter.core
        self.port: Port = adapter.port
        self.toy = adapter

    def member(self, name: str, *, admin: bool = False) -> str:
        """Anyone is a member; the toy keeps its own admins."""
        if admin:
            self.toy.admins.add(name)
        return name

    def close_dms(self, user_id: str) -> None:
        """The toy refuses DMs to them."""
        self.toy.closed.add(user_id)

    async def type(self, user_id: str, command: str, text: str = "") -> str:
        """Through the toy's own entry."""
        return (await self.toy.typed(user_id, command, text)).text

    @staticmethod
    def _seen(message: Message) -> Seen:
        loud = re.search(r"@(everyone|here)\b|<[!@#]", message.text)
        return Seen(message.text, [b.label for b in message.buttons], pings=bool(loud))

    def inbox(self, user_id: str) -> list[Seen]:
        """Messages sent to the member, as they are now."""
        return [self._seen(m) for to, m in self.toy.sent.values() if user_id in to]

    async def press(self, user_id: str, label: str) -> str:
        """The toy hands the button's command and argument to the core."""
        sent = [m for to, m in self.toy.sent.values() if user_id in to]
        message = sent[newest_with([self._seen(m) for m in sent], label)]
        [button] = [b for b in message.buttons if b.label == label]
        return (await self.toy.pressed(user_id, button)).text

    async def eventually(self, check: Callable[[], object]) -> None:
        """The toy delivers before it answers."""
        assert check()
