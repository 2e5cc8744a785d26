"""Asking a member about a need, and introducing both sides once one says yes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.port import Button, Message
from matching import Reason

NUDGE = (
    "Pay it forward: when you see someone stuck on something you know, lend a hand. "
    "Help first, and the circle keeps turning — I know you'd do the same for the next person."
)


def why_you(reasons: Sequence[Reason]) -> str:
    """Why a member fits a need, in their words: skills named, meaning, then past help."""
    named = [r.skill_phrase() for r in reasons if r.kind not in ("semantic", "history")]
    parts = [f"you offered {_and(named)}"] if named else []
    for r in reasons:
        if r.kind == "semantic":
            about = f" about '{r.matched}'" if r.matched else ""
            parts.append(f"the need{about} sounds like your '{r.skill}'")
    for r in reasons:
        if r.kind == "history":
            shared = f" ({r.matched})" if r.matched else ""
            parts.append(f"you helped with a similar need before{shared}")
    return _and(parts) if parts else "you are one of the most active helpers here"


def _and(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def ask(ask_id: int, requester: str, quoted: str, why: str, favour: str | None = None) -> Message:
    """The private ask: the need, why them (and a favour to return), and two buttons."""
    return Message(
        f"Hi! {requester} could use a hand:\n{quoted}\n"
        f"I thought of you because {why}. Could you help? No pressure — saying no is fine."
        + (f"\n{favour}" if favour else ""),
        (
            Button("I can help", "accept", str(ask_id), "primary"),
            Button("Not this time", "decline", str(ask_id)),
        ),
    )


def _as_them(why: str) -> str:
    """A reason told to the helper, retold to both sides."""
    for you, them in (
        ("you offered", "they offered"),
        ("sounds like your", "sounds like their"),
        ("you helped", "they helped"),
        ("you are one", "they are one"),
    ):
        why = why.replace(you, them)
    return why


def intro(
    requester: str,
    helper: str,
    quoted: str,
    why: str,
    pass_on: tuple[int, str, str] | None,
) -> Message:
    """The introduction of both sides, with the pay-it-forward nudge."""
    lines = [
        f"{requester}, meet {helper}! {helper} said yes to your need:",
        quoted,
        f"Why {helper}: {_as_them(why)}.",
        "Take it from here — a quick hello and a time to talk is a great start.",
        "",
        NUDGE,
    ]
    buttons: tuple[Button, ...] = ()
    if pass_on is not None:
        need_id, who, pass_quote = pass_on
        lines += ["", f"{requester}, one you could pass it on with — {who} needs:", pass_quote]
        buttons = (Button(f"I can help with #{need_id}", "give", str(need_id), "primary"),)
    return Message("\n".join(lines), buttons)
