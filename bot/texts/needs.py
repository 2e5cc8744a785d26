"""Posting a need (/need), open needs (/needs) and offering to help with one (/give)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.port import Button, Message
from bot.texts.referrals import connectors_asked
from bot.texts.words import in_about, plural


def need_usage() -> Message:
    """`/need` with nothing after it."""
    return Message(
        "What do you need help with? Say it in a sentence — for example "
        "`/need a second pair of eyes on my slow postgres query`."
    )


def need_too_long(length: int, limit: int) -> Message:
    """A need over the length limit."""
    return Message(
        f"That's {length} characters — please keep a need under {limit}, so the people I ask "
        "can take it in at a glance. The details can follow once you're introduced."
    )


def need_posted(need_id: int, asked: int) -> Message:
    """The requester's private answer after posting a need."""
    people = "one member who knows" if asked == 1 else f"{asked} members who know"
    return Message(
        f"Got it (need #{need_id}). I've privately asked {people} about this. "
        "I'll introduce you as soon as someone says yes."
    )


def need_unmet(need_id: int, topic: str, checkin_days: int, connectors: int = 0) -> Message:
    """Nobody to ask, said honestly: the need waits."""
    about = f" with '{topic}'" if topic else " with this"
    also = connectors_asked(connectors) if connectors else ""
    return Message(
        f"I have to be honest: nobody who can help{about} is available right now, so I couldn't "
        f"ask anyone yet (need #{need_id}).{also} Your need waits: members who could help see "
        "it in `/needs`, and I'll ask the moment someone who fits offers it or is free again. "
        f"If it's still waiting in {plural(checkin_days, 'day')}, I'll check in with you."
    )


def nobody_left(need_id: int, text_quote: str, connectors: int = 0) -> Message:
    """Everyone asked said no or did not answer: the need waits."""
    also = connectors_asked(connectors) if connectors else ""
    return Message(
        f"An update on your need #{need_id}:\n{text_quote}\n"
        f"Everyone I could ask is busy this time. I'm sorry.{also} Your need waits in "
        "`/needs`, and I'll ask again as soon as someone who fits is free or offers this skill."
    )


def needs_none() -> Message:
    """Nothing open that fits the member's skills."""
    return Message(
        "No open needs match your skills right now. Thanks for looking — giving first is what "
        "makes this community work. Add skills with `/offer` to see more."
    )


def needs_list(items: Sequence[tuple[int, str, str, str, timedelta | None]]) -> Message:
    """Open needs the member could help with: (need id, who, quoted text, why, waited)."""
    lines = ["Open needs you could help with:"]
    buttons = []
    for need_id, who, quoted, why, waited in items:
        note = f" — {_waited(waited)}" if waited is not None else ""
        lines.append(f"\n*#{need_id}* from {who}{note} — {why}\n{quoted}")
        buttons.append(Button(f"I can help with #{need_id}", "give", str(need_id), "primary"))
    return Message("\n".join(lines), tuple(buttons))


def _waited(waited: timedelta) -> str:
    """How long a need has waited, as a note in `/needs`."""
    if waited >= timedelta(days=2):
        return f"waiting {waited.days} days for someone"
    return "waiting for someone"


def need_usage_number() -> Message:
    """`/give` without a need number."""
    return Message("Which need? For example `/give 12` (see `/needs`).")


def give_own() -> Message:
    """Offering to help with one's own need."""
    return Message("That's your own need — I can't introduce you to yourself!")


def already_handled(need_id: int) -> Message:
    """A need that somebody else already took."""
    return Message(f"Need #{need_id} is already taken care of — thank you for offering!")


def too_many_needs(limit: int) -> Message:
    """A member with too many open needs at once."""
    return Message(
        f"You have {limit} open needs already. Close one with `/done` first, so the people "
        "helping you can focus."
    )


def too_many_gives(limit: int) -> Message:
    """/give by a member who already holds as many asks and gives as anyone may."""
    return Message(
        f"You're already helping with (or have been asked about) {limit} needs — thank you! "
        "Let those settle first: once one is resolved or answered, `/give` again."
    )


def needs_too_fast(limit: int, wait: timedelta) -> Message:
    """A member posting needs faster than the community can answer them."""
    return Message(
        f"You've posted {plural(limit, 'need')} in the last hour — let's give people a moment "
        f"to answer those. You can post your next one {in_about(wait)}."
    )
