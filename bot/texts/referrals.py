"""Connectors asked whom they know, and /refer."""

from __future__ import annotations

from datetime import timedelta

from bot.port import Button, Message
from bot.texts.words import in_about, plural


def connector_ask(need_id: int, requester: str, quoted: str) -> Message:
    """A well-connected member asked whether they know someone who could help."""
    return Message(
        f"Hi! {requester} needs a hand and nobody I could ask fits (need #{need_id}):\n"
        f"{quoted}\nYou've helped and introduced many people here. Do you know someone who "
        "could help with this? No pressure at all.",
        (
            Button("I'll suggest someone", "suggest", str(need_id), "primary"),
            Button("I don't know anyone", "nobody", str(need_id)),
        ),
    )


def connectors_asked(count: int) -> str:
    """The line telling a requester that well-connected members were asked whom they know."""
    who = "a member who knows many people" if count == 1 else f"{count} members who know many"
    return f" I've also asked {who} whether they know someone who could help."


def suggest_how(need_id: int) -> Message:
    """'I'll suggest someone': how to name them."""
    return Message(
        f"Wonderful, thank you! Type `/refer {need_id} @member` with the person you have in "
        "mind. I'll ask them privately and say you thought of them."
    )


def nobody_thanks() -> Message:
    """'I don't know anyone'."""
    return Message("No problem at all — thanks for thinking about it.")


def connector_ask_not_yours() -> Message:
    """A suggest/nobody press or command on a need the member was not asked about."""
    return Message("I didn't ask you about that need, so there's nothing to answer.")


def refer_usage() -> Message:
    """`/refer` without a need number or a member."""
    return Message(
        "Who and for which need? For example `/refer 12 @sam` — I'll ask sam privately and "
        "say you thought of them."
    )


def referred_ask(ask_id: int, connector: str, requester: str, quoted: str) -> Message:
    """The ask a referred member gets: who thought of them, the need, and the two buttons."""
    return Message(
        f"Hi! {connector} thought of you: {requester} could use a hand with this:\n{quoted}\n"
        "Could you help? No pressure — saying no is fine, and you don't need a profile here "
        "to lend a hand.",
        (
            Button("I can help", "accept", str(ask_id), "primary"),
            Button("Not this time", "decline", str(ask_id)),
        ),
    )


def refer_sent(target: str, need_id: int) -> Message:
    """The connector's confirmation."""
    return Message(
        f"Thank you for thinking of {target}! I've asked them privately about need #{need_id} "
        "and said you thought of them. An audience of people with audiences — that's you."
    )


def refer_self() -> Message:
    """Referring oneself."""
    return Message("That's you! If you can help, the buttons on the ask (or `/give`) do it.")


def refer_requester() -> Message:
    """Referring the member who needs the help."""
    return Message("That's the member who needs the help — think of someone else who could?")


def refer_already(target: str) -> Message:
    """The member has been asked about this need already."""
    return Message(f"{target} has already been asked about this need — thank you for the thought!")


def refer_paused(target: str) -> Message:
    """The referred member paused their asks."""
    return Message(
        f"{target} has paused their asks for now, so I haven't bothered them. Anyone else "
        "come to mind?"
    )


def refer_busy(target: str) -> Message:
    """The referred member has as many asks as anyone should get right now."""
    return Message(
        f"{target} has plenty of asks right now, so I'll let them be this time. Anyone else "
        "come to mind?"
    )


def refer_not_member() -> Message:
    """The member named is not (or no longer) in the community."""
    return Message("I can't find that person in this community, so I asked nobody.")


def refers_too_fast(limit: int, wait: timedelta) -> Message:
    """A member referring more people than is kind in an hour."""
    return Message(
        f"You've thought of {plural(limit, 'person')} in the last hour — thank you! Let's give "
        f"them a moment to answer: you can refer the next {in_about(wait)}."
    )
