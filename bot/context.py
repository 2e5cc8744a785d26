"""What every use case works with: settings, time, ports, matchers, and how to write to people."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from bot import texts
from bot.clock import Clock
from bot.matchers import Matchers
from bot.models import OUT_FAILED, OUT_PENDING, Ask, Member, Outbox
from bot.port import Button, ButtonStyle, Message, Port
from bot.settings import Settings

_OWE_DM = insert(SQLModel.metadata.tables["outbox"])

# Limits checked in the core, so every platform refuses the same things the same way.
MAX_NEED_CHARS = 1000
MAX_THANKS_CHARS = 1000
MAX_SKILL_CHARS = 60
MAX_SKILLS = 50


class NoPort(RuntimeError):
    """A community's platform is not served by this process."""


@dataclass
class Context:
    """The core's collaborators, handed to each use case."""

    settings: Settings
    clock: Clock
    ports: dict[str, Port] = field(default_factory=dict)
    matchers: Matchers = field(default_factory=Matchers)
    # Per community: the connectors' ranking (bot.usecases.referrals.reach) and the counts of
    # introductions and referrals it was read at; read again once either has changed.
    reach_kept: dict[str, tuple[tuple[int, int], list[tuple[int, int]]]] = field(
        default_factory=dict
    )

    def now(self) -> datetime:
        """The injected clock's time."""
        return self.clock.now()

    def port_for(self, community_id: str) -> Port:
        """The port that serves a community (its id starts with the platform)."""
        platform = community_id.split(":", 1)[0]
        port = self.ports.get(platform)
        if port is None:
            raise NoPort(f"no adapter for platform {platform!r} in this process")
        return port

    def name(self, member: Member) -> str:
        """A member as the platform shows them."""
        return self.port_for(member.community_id).mention(member.user_id)

    def escape(self, community_id: str, words: str) -> str:
        """Text that holds a member's words (a skill, a reason), made safe for the platform."""
        return self.port_for(community_id).escape(words)

    def quote(self, community_id: str, words: str) -> str:
        """A member's own words, escaped for the platform and set as a quote."""
        return texts.quote(self.port_for(community_id).escape(words))

    def say(
        self,
        session: Session,
        to: Sequence[Member],
        message: Message,
        ask: Ask | None = None,
        about: Sequence[Member] = (),
    ) -> None:
        """Owe these members a DM (several: an introduction); delivered after commit.

        `about` lists the other members the text names, so /forgetme can find them by key.
        """
        self.say_each(session, [(to, message, ask.id if ask else None, about)])

    def say_each(
        self,
        session: Session,
        dms: Sequence[tuple[Sequence[Member], Message, int | None, Sequence[Member]]],
    ) -> None:
        """Owe several DMs at once, each as `say` would (recipients, message, ask id, about)."""
        if not dms:
            return
        now = self.now()
        # Written as rows in one statement, not ORM objects: building those cost more than
        # the insert. What they refer to (members, asks) is written first, as a flush would.
        session.flush()
        session.connection().execute(
            _OWE_DM,
            [
                {
                    "community_id": to[0].community_id,
                    "kind": "dm",
                    "recipients": [m.user_id for m in to],
                    "member_ids": [m.id for m in to if m.id is not None],
                    "about_member_ids": [m.id for m in about if m.id is not None],
                    "text": message.text,
                    "buttons": [button_data(b) for b in message.buttons],
                    "ask_id": ask_id,
                    "status": OUT_PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for to, message, ask_id, about in dms
            ],
        )

    def update_ask(self, session: Session, ask: Ask, member: Member, message: Message) -> None:
        """Owe an edit of the DM that carried an ask (its buttons go away)."""
        undelivered = session.exec(
            select(Outbox).where(Outbox.ask_id == ask.id, Outbox.status == OUT_PENDING)
        ).all()
        if undelivered:  # the ask closed before its DM went out: drop the DM, edit nothing
            for row in undelivered:
                row.status, row.last_error = OUT_FAILED, "the ask closed before delivery"
                session.add(row)
            return
        session.add(
            Outbox(
                community_id=ask.community_id,
                kind="update",
                recipients=[member.user_id],
                member_ids=[ask.member_id],
                text=message.text,
                buttons=[button_data(b) for b in message.buttons],
                target_ask_id=ask.id,
                next_attempt_at=self.now(),
                created_at=self.now(),
                status=OUT_PENDING,
            )
        )


def button_data(button: Button) -> dict[str, str]:
    """A button as the outbox stores it (JSON)."""
    return {
        "label": button.label,
        "command": button.command,
        "arg": button.arg,
        "style": button.style,
    }


def button_of(data: dict[str, str]) -> Button:
    """A button the outbox stored, as `button_data` wrote it."""
    # Only button_data writes these rows, so the style is one of Button's.
    style = cast(ButtonStyle, data.get("style", "secondary"))
    return Button(data["label"], data["command"], data.get("arg", ""), style)


_ID = re.compile(r"#?([0-9]{1,9})")


def parse_id(text: str) -> int | None:
    """A record number as members type it (`7` or `#7`); anything else is None."""
    found = _ID.fullmatch(text.strip())
    return int(found.group(1)) if found else None
