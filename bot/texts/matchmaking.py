"""Asking a member about a need, and introducing both sides once one says yes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.port import Button, Message
from matching import PastHelp, Reason, SkillMatch

NUDGE = (
    "Pay it forward: when you see someone stuck on something you know, lend a hand. "
    "Help first, and the circle keeps turning — I know you'd do the same for the next person."
)


@dataclass(frozen=True)
class _Helper:
    """The member who fits, as a reason names them for whoever reads it."""

    they: str
    their: str
    are: str


_TO_THEM = _Helper("you", "your", "you are")  # in the ask, or in /needs
_TO_BOTH = _Helper("they", "their", "they are")  # in the introduction, addressed to the requester


def why_you(reasons: Sequence[Reason], requester: str | None = None) -> str:
    """Why a member fits a need, told to them: skills named, meaning, then past help.

    Naming the requester tells whose need a meaning match is about ("bob's need about
    'CV'"); without, it is "the need". The reasons' words are escaped already.
    """
    return _why(reasons, _TO_THEM, f"{requester}'s need" if requester else "the need")


def why_them(reasons: Sequence[Reason]) -> str:
    """Why the helper fits, in the introduction: told to the requester, read by both."""
    return _why(reasons, _TO_BOTH, "your need")


# Why the helper fits, in the introduction, when they chose the need or were referred.
WHY_GIVEN = "they offered to help from the open needs"
WHY_REFERRED = "someone who knows them thought of them"


def why_them_from_words(why: str) -> str:
    """An ask's reason stored in English, as told to the helper, retold in the introduction.

    Asks made before reasons were kept as data hold only these words.
    """
    for you, them in (
        ("you offered", "they offered"),
        ("sounds like your", "sounds like their"),
        ("you helped", "they helped"),
        ("you are one", "they are one"),
    ):
        why = why.replace(you, them)
    return why or "they offered to help"


def _why(reasons: Sequence[Reason], helper: _Helper, need: str) -> str:
    named = [
        _skill_phrase(r) for r in reasons if isinstance(r, SkillMatch) and r.kind != "semantic"
    ]
    parts = [f"{helper.they} offered {_and(named)}"] if named else []
    for r in reasons:
        if isinstance(r, SkillMatch) and r.kind == "semantic":
            about = f" about '{r.matched}'" if r.matched else ""
            parts.append(f"{need}{about} sounds like {helper.their} '{r.skill}'")
    for r in reasons:
        if isinstance(r, PastHelp):
            words = ", ".join(f"'{w}'" for w in r.shared)
            shared = f" ({words})" if words else ""
            parts.append(f"{helper.they} helped with a similar need before{shared}")
    return _and(parts) if parts else f"{helper.are} one of the most active helpers here"


def _skill_phrase(reason: SkillMatch) -> str:
    """The skill as the member wrote it, with the need's words when they differ."""
    if reason.kind == "exact" or reason.matched.casefold() == reason.skill.casefold():
        return f"'{reason.skill}'"
    return f"'{reason.skill}' (~ '{reason.matched}')"


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


def intro(
    requester: str,
    helper: str,
    quoted: str,
    why: str,
    pass_on: tuple[int, str, str] | None,
) -> Message:
    """The introduction of both sides (`why` worded for them), with the pay-it-forward nudge."""
    lines = [
        f"{requester}, meet {helper}! {helper} said yes to your need:",
        quoted,
        f"Why {helper}: {why}.",
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
