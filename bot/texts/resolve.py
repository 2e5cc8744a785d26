"""The follow-up after an introduction, /done, and thank-yous."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.port import Button, Message
from bot.texts.words import in_about, plural


def _ago(elapsed: timedelta) -> str:
    if elapsed >= timedelta(days=2):
        return f"{elapsed.days} days ago"
    if elapsed >= timedelta(hours=2):
        return f"{int(elapsed.total_seconds() // 3600)} hours ago"
    return "a little while ago"


def followup(need_id: int, helper: str, quoted: str, elapsed: timedelta) -> Message:
    """The check-in some days after an introduction."""
    return Message(
        f"{_ago(elapsed).capitalize()} I introduced you to {helper} about:\n{quoted}\nDid it help?",
        (
            Button("It helped", "helped", str(need_id), "primary"),
            Button("Not yet", "notyet", str(need_id)),
        ),
    )


def notyet(again: bool) -> Message:
    """'Not yet' on a follow-up."""
    later = "I'll check in again in a few days; " if again else ""
    return Message(f"Thanks for telling me. {later}Type `/done` whenever it's sorted.")


def notyet_not_introduced(need_id: int) -> Message:
    """'Not yet' on a need nobody was introduced for."""
    return Message(
        f"Nobody has been introduced for need #{need_id} yet — I'll tell you as soon as "
        "someone says yes."
    )


def need_not_open(need_id: int) -> Message:
    """A need number that is not one of the member's open needs (e.g. a second click)."""
    return Message(f"Need #{need_id} isn't one of your open needs — it may be resolved already.")


def done_none() -> Message:
    """`/done` with no open need."""
    return Message("You have no open needs. When you need help, `/need` is here.")


def done_which(items: Sequence[tuple[int, str]]) -> Message:
    """Several open needs: which one is done?"""
    lines = ["Which need is done?"] + [f"• #{i}: {t}" for i, t in items]
    buttons = tuple(Button(f"#{i} is done", "done", str(i), "primary") for i, _ in items)
    return Message("\n".join(lines), buttons)


def done(
    helper: str | None, pass_on: tuple[int, str, str] | None, had_words: bool = False
) -> Message:
    """The requester's reply on resolving a need, with one need to pass it on."""
    if helper:
        first = f"Wonderful — marked as resolved, and I've passed your thanks to {helper}."
    elif had_words:
        first = (
            "Marked as resolved. Glad it's sorted! Nobody was introduced for it, so your "
            "thank-you had no one to go to — `/thanks @member` sends one to anyone."
        )
    else:
        first = "Marked as resolved. Glad it's sorted!"
    lines = [first]
    buttons: tuple[Button, ...] = ()
    if pass_on is not None:
        need_id, who, quoted = pass_on
        lines += ["", f"Pass it on? {who} needs something you offered:", quoted]
        buttons = (Button(f"I can help with #{need_id}", "give", str(need_id), "primary"),)
    else:
        lines.append("When you see someone you could help, `/needs` shows open needs.")
    return Message("\n".join(lines), buttons)


def thanks_for_help(requester: str, quoted_need: str, message_quote: str | None) -> Message:
    """Delivered to the helper when their help resolved a need."""
    said = f"\nThey said:\n{message_quote}" if message_quote else ""
    return Message(
        f"{requester} marked their need as resolved thanks to you:\n{quoted_need}{said}\n"
        "Thank you for giving your time — that's what this community is made of."
    )


def thanks_usage() -> Message:
    """`/thanks` without a member or a message."""
    return Message("Who and what for? For example `/thanks @sam your review saved my launch`.")


def thanks_self() -> Message:
    """Thanking oneself."""
    return Message("Self-appreciation is healthy — but I can only deliver thanks to others!")


def thanks_sent(target: str) -> Message:
    """The sender's confirmation."""
    return Message(f"Delivered privately to {target}. Thank you for saying it.")


def thanks_dm(sender: str, quoted: str) -> Message:
    """A thank-you delivered to its recipient."""
    return Message(f"{sender} wanted to thank you:\n{quoted}")


def thanks_too_fast(limit: int, wait: timedelta) -> Message:
    """A member sending many thank-yous in a short time."""
    return Message(
        f"That's {plural(limit, 'thank-you')} in the last hour — lovely to see! Let's keep "
        f"each one special: you can send the next {in_about(wait)}."
    )


def thanks_same_member_again(target: str, limit: int, wait: timedelta) -> Message:
    """A member thanking the same member again and again."""
    return Message(
        f"You've thanked {target} {plural(limit, 'time')} today — they've got the message, "
        f"and it surely made their day. You can thank them again {in_about(wait)}."
    )
