"""The community pulse: the check-in every member gets, and its summary for admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.port import Button, Message
from bot.texts.words import day, plural


def pulse_dm(pulse_id: int) -> Message:
    """The check-in every member gets once: two questions, each button opens a text field."""
    return Message(
        "Hi! A quick check-in from your community: what could you use help with this month? "
        "And what could you offer others? A line or two is plenty — I'll look for who can help, "
        "and add what you offer to your profile. No pressure.",
        (
            Button("Something I need", "pulseneed", str(pulse_id), "primary"),
            Button("Something I can offer", "pulseoffer", str(pulse_id), "primary"),
            Button("No more check-ins", "pulsestop", str(pulse_id)),
        ),
    )


def pulse_started(recipients: int, summary_on: datetime) -> Message:
    """The admin's confirmation that the pulse is on its way."""
    return Message(
        f"The check-in is on its way to {plural(recipients, 'member')} (everyone I know who "
        f"isn't paused and hasn't opted out). I'll send you a summary on {day(summary_on)}."
    )


def pulse_too_soon(last: datetime, next_on: datetime) -> Message:
    """A second /pulse within the quiet period."""
    return Message(
        f"The last check-in went out on {day(last)} — let's give people room to breathe. "
        f"The next one can go out on {day(next_on)}."
    )


def pulse_refused() -> Message:
    """A member who is not an admin typed `/pulse`."""
    return Message(
        "`/pulse` sends a check-in to the whole community, so it's for admins. You can still "
        "say what you need with `/need`, and `/pulse off` or `/pulse on` chooses whether you "
        "get the check-ins."
    )


def pulse_usage() -> Message:
    """`/pulse` with something unexpected after it."""
    return Message(
        "`/pulse` (admins) sends the check-in; `/pulse off` and `/pulse on` choose whether "
        "you get it."
    )


def pulse_off() -> Message:
    """The member asked for no more check-ins."""
    return Message("Done — no more community check-ins for you. `/pulse on` brings them back.")


def pulse_on() -> Message:
    """The member wants the check-ins again."""
    return Message("Lovely — you'll get the next community check-in.")


def pulse_answer_usage(command: str, pulse_id: str) -> Message:
    """A pulse answer with no words."""
    example = "a review of my pitch deck" if command == "pulseneed" else "postgres, figma"
    return Message(f"Tell me in a line, for example `/{command} {pulse_id} {example}`.")


def pulse_not_yours() -> Message:
    """A pulse answer from someone the pulse never reached."""
    return Message("That check-in wasn't sent to you, so there's nothing to answer.")


def pulse_thanks(reply: Message) -> Message:
    """A pulse answer went through the normal flow: thanks, then what the flow said."""
    return Message(f"Thank you for answering the check-in!\n{reply.text}", reply.buttons)


def pulse_summary(
    recipients: int,
    answered: int,
    needs: int,
    skills: int,
    top_topics: Sequence[tuple[str, int]],
    nobody_offers: Sequence[str],
) -> Message:
    """What came back from a pulse, for the admin who sent it."""
    asked = ", ".join(f"{t} ({n})" for t, n in top_topics) or "none yet"
    gaps = ", ".join(nobody_offers) or "none — someone offers every one of them"
    return Message(
        "\n".join(
            [
                "*Your community check-in, three days on*",
                f"Answered: {answered} of {plural(recipients, 'member')}",
                f"New needs: {needs} · new skills on profiles: {skills}",
                f"Most asked for: {asked}",
                f"Asked for, but nobody offers: {gaps}",
            ]
        )
    )
