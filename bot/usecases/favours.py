"""Favours come back: "I know you would do the same for me."

When someone needs help, the members they once helped are asked first — within every limit
and pause, like anyone — and their ask says so in one gentle line, which each member can turn
off in their profile. Nothing is counted against anyone: the line is an invitation, never a
debt.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from bot import texts
from bot.context import Context
from bot.models import Member, Need
from bot.port import Invocation, Message

# How much of the earlier need is repeated in the line: enough to recall it.
RECALL_CHARS = 60
SETTINGS = {"favours off": False, "favours on": True, "favors off": False, "favors on": True}


@dataclass(frozen=True)
class Favour:
    """Help a member once had from someone: the need's words, and when they were introduced."""

    text: str
    at: datetime


@functools.cache
def _favours() -> Select[int, str, datetime | None]:
    """Built once: every ask reads it."""
    return (
        select(Need.requester_id, Need.text, Need.introduced_at)
        .where(
            Need.community_id == bindparam("community"),
            Need.helper_id == bindparam("helper"),
            col(Need.requester_id).in_(bindparam("ids", expanding=True)),
            col(Need.introduced_at).is_not(None),
        )
        .order_by(col(Need.introduced_at), col(Need.id))
    )


def favours_from(
    session: Session, community_id: str, helper_id: int, member_ids: Collection[int]
) -> dict[int, Favour]:
    """Of these members, those `helper_id` once helped, each with the latest such help."""
    if not member_ids:
        return {}
    found: dict[int, Favour] = {}
    asked = {"community": community_id, "helper": helper_id, "ids": sorted(member_ids)}
    for requester_id, text, at in session.exec(_favours(), params=asked):
        if at is not None:
            found[requester_id] = Favour(text, at)  # in time order: the latest stays
    return found


def favour_line(
    ctx: Context, need: Need, member: Member, requester: Member, favour: Favour | None
) -> str | None:
    """The gentle line for an ask, if the member was once helped by the requester and wants it.

    `favour`: the latest help the member had from the requester (`favours_from`), if any.
    """
    if not member.favour_lines or favour is None:
        return None
    words = " ".join(favour.text.split())
    if len(words) > RECALL_CHARS:
        words = words[: RECALL_CHARS - 1].rstrip() + "…"
    return texts.favour_line(
        ctx.name(requester), ctx.escape(need.community_id, words), favour.at, ctx.now()
    )


def set_favour_lines(ctx: Context, session: Session, me: Member, inv: Invocation) -> Message:
    """`/profile favours off|on`: whether asks may mention a favour to return."""
    wanted = SETTINGS[" ".join(inv.args.lower().split())]
    me.favour_lines = wanted
    session.add(me)
    return texts.favour_lines_set(wanted)


def is_setting(args: str) -> bool:
    """Whether `/profile`'s words are a setting (`favours off`) rather than nothing."""
    return " ".join(args.lower().split()) in SETTINGS
