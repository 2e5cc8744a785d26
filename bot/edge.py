"""The core's edge: what an adapter hands in is made storable the same way on every database.

PostgreSQL refuses a NUL byte in text (SQLite stores it), neither database can store half of
a UTF-16 surrogate pair, and PostgreSQL refuses an id longer than its column. Cleaning here,
once for every invocation, means the two databases always hold the same thing and no command
fails half-way on a character a member cannot even see.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot import texts
from bot.port import Actor, Invocation, Message

# The width of every id column (community, user) in bot/models.py.
MAX_ID_CHARS = 200

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(words: str) -> str:
    """Words without NUL bytes and lone surrogates; a pair of halves becomes its character."""
    words = words.replace("\x00", "")
    if _SURROGATE.search(words) is None:
        return words
    # UTF-16 joins two halves into the character they spell and drops a half standing alone.
    return words.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def _id_is_storable(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and clean_text(value) == value


def _actor(actor: Actor) -> Actor | None:
    """The actor with a storable display name, or None when an id cannot be stored as sent."""
    # An id is never changed: cleaning two different ids into one would merge two members.
    if not (_id_is_storable(actor.community) and _id_is_storable(actor.user_id)):
        return None
    return replace(actor, display_name=clean_text(actor.display_name))


def clean(invocation: Invocation) -> Invocation | Message:
    """The invocation made storable, or the reply that says why it cannot be."""
    actor = _actor(invocation.actor)
    target = _actor(invocation.target) if invocation.target is not None else None
    if actor is None or (invocation.target is not None and target is None):
        return texts.unusable_id()
    return replace(
        invocation,
        actor=actor,
        command=clean_text(invocation.command),
        args=clean_text(invocation.args),
        target=target,
    )
