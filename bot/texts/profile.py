"""A member's profile: /offer, /unoffer, /profile, /pause and /resume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.port import Button, Message
from bot.texts.words import day, plural


def offer_usage() -> Message:
    """`/offer` with nothing after it."""
    return Message(
        "Tell me what you can help with, comma separated — for example "
        "`/offer postgres, pitch decks, figma`."
    )


def offer_done(
    added: Sequence[str], already: Sequence[str], total: int, waiting_asked: int = 0
) -> Message:
    """Skills added to a profile (and waiting needs they fit, sent to them at once)."""
    parts = []
    if added:
        parts.append("Thank you! Added to your profile: " + ", ".join(added) + ".")
    if already:
        parts.append("Already there: " + ", ".join(already) + ".")
    parts.append(
        f"You now offer {plural(total, 'skill')}. I'll ask you privately when someone needs "
        "one of them — you can always say no."
    )
    if waiting_asked:
        parts.append(_waiting_for_you(waiting_asked))
    return Message(" ".join(parts))


def _waiting_for_you(count: int) -> str:
    """Waiting needs a member was just asked about."""
    which = "a need that was waiting" if count == 1 else f"{count} needs that were waiting"
    return f"There's {which} for someone like you — I've sent it to you privately."


def skill_too_long(skill: str, limit: int) -> Message:
    """A skill longer than the limit."""
    return Message(
        f"That skill is a bit long ({len(skill)} characters; the limit is {limit}). "
        "Try a short name, like `postgres` or `pitch decks`."
    )


def too_many_skills(limit: int) -> Message:
    """A profile would grow past the limit."""
    return Message(
        f"A profile holds up to {limit} skills, and that would go over. "
        "Remove one with `/unoffer <skill>` first, or pick your strongest ones."
    )


def unoffer_usage() -> Message:
    """`/unoffer` with nothing after it."""
    return Message("Which skill should I remove? For example `/unoffer figma`.")


def unoffer_done(skill: str) -> Message:
    """A skill removed."""
    return Message(f"Removed '{skill}' from your profile.")


def unoffer_missing(skill: str, skills: Sequence[str]) -> Message:
    """Removing a skill the member does not have."""
    have = ", ".join(skills) if skills else "none yet"
    return Message(f"'{skill}' isn't on your profile. Your skills: {have}.")


def your_profile(
    skills: Sequence[str],
    paused_until: datetime | None,
    paused: bool,
    helped: int,
    was_helped: int,
    thanks_received: int,
    favour_lines: bool = True,
    *,
    referred: int = 0,
    referrals_helped: int = 0,
) -> Message:
    """A member's profile, their private give/receive mirror, and the favour-notes setting."""
    lines = ["*Your profile*"]
    lines.append("Skills: " + (", ".join(skills) if skills else "none yet — try `/offer`"))
    if paused and paused_until:
        lines.append(f"Availability: paused until {day(paused_until)} (`/resume` to come back)")
    elif paused:
        lines.append("Availability: paused (`/resume` to come back)")
    else:
        lines.append("Availability: happy to be asked")
    lines.append(
        f"Your mirror (only you see it): you helped {plural(helped, 'member')}, "
        f"were helped {plural(was_helped, 'time')}, and received "
        f"{plural(thanks_received, 'thank-you')}."
    )
    if referred:
        people = "1 person" if referred == 1 else f"{referred} people"
        lines.append(
            f"You thought of {people} for others' needs, and {referrals_helped} of them went "
            "on to help: introductions count too."
        )
    if favour_lines:
        lines.append(
            "Favour notes: on — when someone who once helped you needs a hand, your ask mentions it"
        )
        button = Button("Turn favour notes off", "profile", "favours off")
    else:
        lines.append("Favour notes: off — asks never mention past favours")
        button = Button("Turn favour notes on", "profile", "favours on")
    return Message("\n".join(lines), (button,))


def profile_empty() -> Message:
    """/profile from someone who has told the bot nothing yet."""
    return Message(
        "*Your profile*\nSkills: none yet — try `/offer`\nAvailability: happy to be asked\n"
        "I hold nothing else about you."
    )


def paused(until: datetime | None) -> Message:
    """The member paused themselves."""
    when = f" until {day(until)}" if until else ""
    return Message(
        f"You're paused{when}: I won't ask you for help. Type `/resume` whenever you're ready."
    )


def pause_usage() -> Message:
    """`/pause` with something that is not a number of days."""
    return Message(
        "`/pause` takes a number of days, like `/pause 7`, or nothing to pause until you `/resume`."
    )


def resumed(waiting_asked: int = 0) -> Message:
    """The member is available again (and asked about waiting needs they fit)."""
    text = "Welcome back! I'll ask you again when someone needs what you offer."
    return Message(f"{text} {_waiting_for_you(waiting_asked)}" if waiting_asked else text)


def paused_after_silence(limit: int) -> Message:
    """Told (kindly) after several asks went unanswered."""
    return Message(
        f"I've asked you {limit} times lately without hearing back — no worries, life gets busy. "
        "I've paused your asks so they don't pile up. Whenever you're ready to help again, "
        "type `/resume`."
    )
