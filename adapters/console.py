"""The local console chat: the whole bot with no tokens, at a terminal or from a script."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from datetime import timedelta
from itertools import count
from typing import TextIO

from bot.app import Whuffie
from bot.clock import ManualClock
from bot.commands import TEXT_BUTTONS
from bot.port import Actor, Invocation, Message, Undeliverable

PLATFORM = "console"
COMMUNITY = "console"

CONTROLS_HELP = """Console controls:
  NAME: /command args   speak as NAME (e.g. `alice: /offer postgres`)
  /command args         speak as the current member
  !as NAME              become NAME
  !wait 25h             move the bot's clock on (s, m, h, d), so timeouts and follow-ups fire
  !admin NAME           make NAME an admin of the console community
  !dmsoff NAME          NAME closes their DMs: the bot can no longer reach them
  !help                 this help; `/help` lists the bot's commands
  !quit                 leave (end of input works too)"""

# `!wait` moves time in steps of at most this, running the scheduler at each step.
WAIT_STEP = timedelta(hours=1)
MAX_WAIT = timedelta(days=3650)

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_LINE = re.compile(
    r"^(?:(?P<name>[^\s:/!][^:]{0,39}):\s*)?/?(?P<command>[A-Za-z]+)\s*(?P<args>.*)$", re.S
)


def user_id(name: str) -> str:
    """A console member's id: their name, case-folded."""
    return name.strip().casefold()


def render(message: Message) -> str:
    """A message as text, each button shown as the typed command that presses it."""
    lines = [message.text]
    # A button that opens a text field is typed with the words after it.
    lines += [
        f"  • {b.label} ({b.typed}{' <your words>' if b.command in TEXT_BUTTONS else ''})"
        for b in message.buttons
    ]
    return "\n".join(lines)


class ConsolePort:
    """The port for the console: every message becomes a printed block."""

    platform = PLATFORM

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.admins: set[str] = set()
        self.closed: set[str] = set()  # members who closed their DMs (`!dmsoff`)
        self.names: dict[str, str] = {}
        self._refs = count(1)

    def block(self, header: str, message: Message) -> None:
        """Print one block: `[header]` then the message."""
        self.out.write(f"[{header}]\n{render(message)}\n\n")
        self.out.flush()

    async def send_dm(self, community: str, user_ids: Sequence[str], message: Message) -> str:
        """Print a DM (several names: a group DM) to those whose DMs are open."""
        reachable = [u for u in user_ids if u not in self.closed]
        if not reachable:
            raise Undeliverable("closed their DMs")
        names = ",".join(self.mention(u) for u in reachable)
        self.block(f"dm {names}", message)
        return f"{next(self._refs)}:{names}"

    async def update_message(self, community: str, ref: str, message: Message) -> None:
        """Print the new text of a message sent earlier."""
        self.block(f"edit {ref.split(':', 1)[1]}", message)

    async def is_admin(self, community: str, user_id: str) -> bool:
        """Admins are named with `!admin NAME`."""
        return user_id in self.admins

    async def is_member(self, community: str, user_id: str) -> bool:
        """Whoever types at the console belongs to its one community."""
        return True

    def mention(self, user_id: str) -> str:
        """A member by the name they typed."""
        return self.names.get(user_id, user_id)

    def escape(self, text: str) -> str:
        """Shown as typed: a terminal pings nobody."""
        return text


class Console:
    """Reads lines, runs them through the core, prints the conversation (attach its `port`)."""

    def __init__(self, core: Whuffie, clock: ManualClock, out: TextIO, speaker: str) -> None:
        self.core = core
        self.clock = clock
        self.port = ConsolePort(out)
        self.out = out
        self.speaker = speaker

    def actor(self, name: str) -> Actor:
        """A console member by name."""
        uid = user_id(name)
        self.port.names.setdefault(uid, name.strip())
        return Actor(PLATFORM, COMMUNITY, uid, self.port.names[uid])

    async def line(self, raw: str) -> bool:
        """Handle one input line; False means the member asked to leave."""
        text = raw.strip()
        if not text or text.startswith("#"):
            return True
        if text.startswith("!"):
            return await self.control(text[1:].strip())
        match = _LINE.match(text)
        if match is None:
            self.port.block(
                "reply " + self.speaker,
                Message(
                    "Type a command like `/help`, or `NAME: /command` to speak as someone else."
                ),
            )
            return True
        name = (match["name"] or self.speaker).strip()
        command, args = match["command"].lower(), match["args"].strip()
        target = None
        if command == "thanks" and args.startswith("@"):
            who, _, args = args[1:].partition(" ")
            if who:
                target = self.actor(who)
            args = args.strip()
        elif command == "refer":
            # `/refer 12 @bob`: the member is named after the need's number.
            words = args.split()
            named = [w for w in words if w.startswith("@") and len(w) > 1]
            if named:
                target = self.actor(named[0][1:])
                words.remove(named[0])
            args = " ".join(words)
        actor = self.actor(name)
        reply = await self.core.handle(Invocation(actor, command, args, target))
        self.port.block(f"reply {actor.display_name}", reply)
        await self.core.tick()
        return True

    async def control(self, text: str) -> bool:
        """`!as`, `!wait`, `!admin`, `!dmsoff`, `!help`, `!quit`."""
        verb, _, arg = text.partition(" ")
        arg = arg.strip()
        if verb in ("quit", "exit"):
            return False
        if verb == "as" and arg:
            self.speaker = self.actor(arg).display_name
            self.out.write(f"(you are now {self.speaker})\n\n")
        elif verb == "admin" and arg:
            self.port.admins.add(self.actor(arg).user_id)
            self.out.write(f"({arg} is now an admin)\n\n")
        elif verb == "dmsoff" and arg:
            self.port.closed.add(self.actor(arg).user_id)
            self.out.write(f"({arg} has closed their DMs)\n\n")
        elif verb == "wait" and (found := _DURATION.match(arg.lower())):
            wait = timedelta(**{_UNITS[found[2]]: float(found[1])})
            if wait > MAX_WAIT:
                self.out.write(f"(!wait goes up to {MAX_WAIT.days} days at a time)\n\n")
                return True
            self.out.write(f"(time passes: {arg})\n\n")
            await self.wait(wait)
        else:
            self.out.write(CONTROLS_HELP + "\n\n")
        self.out.flush()
        return True

    async def wait(self, duration: timedelta) -> None:
        """Move the clock on in steps, ticking at each, so chained timeouts fire as in real time."""
        while duration > timedelta():
            step = min(duration, WAIT_STEP)
            self.clock.advance(step)
            duration -= step
            await self.core.tick()

    async def run(self, lines: Iterable[str], interactive: bool = False) -> None:
        """Handle lines until the input ends or `!quit`."""
        if interactive:
            self.out.write(
                "Whuffie console — type /help for the bot's commands, !help for console "
                "controls, !quit to leave.\n\n"
            )
        await self.core.tick()
        iterator = iter(lines)
        while True:
            if interactive:
                self.out.write(f"{self.speaker}> ")
                self.out.flush()
            raw = next(iterator, None)
            if raw is None or not await self.line(raw):
                break


def stdin_lines() -> Iterable[str]:
    """Lines from standard input, read lazily so a terminal gets a prompt before each."""
    while True:
        raw = sys.stdin.readline()
        if not raw:
            return
        yield raw
