"""A button press, trusted for nothing but "this person pressed this button".

A platform hands back what a button carries — a command and an argument — and anyone able
to send an interaction can make it carry anything. So a press never chooses its community
or its command: only button commands run, the community is the one of the row the button
points to (an ask, a need), and the presser must be the member that row's message was for.
Whether they still belong to that community is the platform's to say (`Port.is_member`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot import texts
from bot.context import parse_id
from bot.members import find_member
from bot.models import Ask, Community, ConnectorAsk, Need, Pulse, PulseRecipient
from bot.port import Message


@dataclass(frozen=True)
class Press:
    """Someone pressed one of the bot's buttons: who, which button, and where, if known.

    `community` is where the press happened when the platform itself says so (a Slack
    workspace, a Discord server's channel), None in a direct message; it is never read
    from the button.
    """

    platform: str
    user_id: str
    display_name: str
    command: str
    arg: str
    community: str | None = None


# What each button's argument points to, and whose button it is. Ask buttons are the asked
# member's; need buttons (the follow-up, "which need is done?") the requester's; "I can help
# with #7" is shown to any member of the need's community. "Keep it open" / "Close it" on a
# waiting need's check-in are the requester's.
ASK_BUTTONS = frozenset({"accept", "decline"})
OWN_NEED_BUTTONS = frozenset({"helped", "notyet", "done", "keep", "close"})
OPEN_NEED_BUTTONS = frozenset({"give"})
# "I'll suggest someone" / "I don't know anyone": the connector's, asked about need #N.
CONNECTOR_BUTTONS = frozenset({"suggest", "nobody"})
# A pulse DM's buttons (`pulseneed N words…`): only the members the pulse reached.
PULSE_BUTTONS = frozenset({"pulseneed", "pulseoffer", "pulsestop"})
# A confirm or a setting acts on the presser alone, in the community where they pressed it.
CONFIRM_BUTTONS = {
    "forgetme": frozenset({"confirm"}),
    "profile": frozenset({"favours off", "favours on"}),
}


def community_of_press(session: Session, press: Press) -> str | Message:
    """The community the press acts in, or the reply that refuses it. Stores nothing."""
    command = press.command
    if command in CONFIRM_BUTTONS:
        if press.arg not in CONFIRM_BUTTONS[command] or press.community is None:
            return texts.button_unknown()
        return press.community
    if command in CONNECTOR_BUTTONS | PULSE_BUTTONS:
        return _community_of_invite(session, press)
    if command not in ASK_BUTTONS | OWN_NEED_BUTTONS | OPEN_NEED_BUTTONS:
        return texts.button_unknown()
    number = parse_id(press.arg)
    if number is None:
        return texts.button_unknown()
    kind = "ask" if command in ASK_BUTTONS else "need"
    owner: int | None = None
    if command in ASK_BUTTONS:
        ask = session.get(Ask, number)
        if ask is None:
            return texts.not_found(kind, str(number))
        community, owner = ask.community_id, ask.member_id
    else:
        need = session.get(Need, number)
        if need is None:
            return texts.not_found(kind, str(number))
        community = need.community_id
        owner = need.requester_id if command in OWN_NEED_BUTTONS else None
    if press.community is not None and press.community != community:
        # Pressed in one community on something of another: it points at nothing here.
        return texts.not_found(kind, str(number))
    home = session.get(Community, community)
    if home is None or home.platform != press.platform:
        return texts.button_unknown()
    presser = find_member(session, community, press.user_id)
    if presser is None or (owner is not None and presser.id != owner):
        return texts.button_not_yours()
    return community


def _community_of_invite(session: Session, press: Press) -> str | Message:
    """A connector's or a pulse's button: the community of the need or pulse it names, if the
    presser was asked (a pulse answer carries the words typed after the number)."""
    first = press.arg.strip().partition(" ")[0]
    number = parse_id(first)
    if number is None:
        return texts.button_unknown()
    if press.command in CONNECTOR_BUTTONS:
        need = session.get(Need, number)
        kind, community = "need", need.community_id if need is not None else None
    else:
        pulse = session.get(Pulse, number)
        kind, community = "check-in", pulse.community_id if pulse is not None else None
    if community is None or (press.community is not None and press.community != community):
        return texts.not_found(kind, str(number))
    home = session.get(Community, community)
    if home is None or home.platform != press.platform:
        return texts.button_unknown()
    presser = find_member(session, community, press.user_id)
    if presser is None:
        return texts.button_not_yours()
    if press.command in CONNECTOR_BUTTONS:
        asked = select(ConnectorAsk.id).where(
            ConnectorAsk.need_id == number, ConnectorAsk.member_id == presser.id
        )
    else:
        asked = select(PulseRecipient.id).where(
            PulseRecipient.pulse_id == number, PulseRecipient.member_id == presser.id
        )
    if session.exec(asked).first() is None:
        return texts.button_not_yours()
    return community
