"""From Slack's payloads to the core's neutral invocations: who, in which community, what."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from adapters.slack import blocks
from adapters.slack.port import PLATFORM, SlackPort
from adapters.slack.text import split_member_after, to_plain
from bot.buttons import Press
from bot.commands import COMMANDS
from bot.port import Actor, Invocation

# Commands with an option that names a member, and how many options come before it
# (`/thanks @member …`: none; `/refer 12 @member`: one).
MEMBER_COMMANDS: dict[str, int] = {
    c.name: next(i for i, o in enumerate(c.options) if o.kind == "member")
    for c in COMMANDS
    if any(o.kind == "member" for o in c.options)
}


def community_of(context: AsyncBoltContext) -> str:
    """The community a request belongs to: the workspace, or the whole org for org-wide installs.

    An app installed on an Enterprise Grid organisation serves every workspace in it with one
    token and org-wide member ids, so the organisation is one community; an app installed on a
    single workspace (Grid or not) serves that workspace.
    """
    if context.is_enterprise_install and context.enterprise_id:
        return f"{PLATFORM}:{context.enterprise_id}"
    return f"{PLATFORM}:{context.team_id or context.enterprise_id}"


def community_of_installation(enterprise_id: str | None, team_id: str | None, org: bool) -> str:
    """The community an installation serves: as `community_of` names it for its requests."""
    return f"{PLATFORM}:{enterprise_id if org and enterprise_id else team_id or enterprise_id}"


async def actor(port: SlackPort, community: str, user_id: str, fallback_name: str) -> Actor:
    """The member as the core knows them, with the name their workspace shows."""
    name = await port.display_name(user_id, fallback_name, community)
    return Actor(PLATFORM, community, user_id, name)


async def from_command(port: SlackPort, body: dict[str, Any], community: str) -> Invocation:
    """A slash command: its text as the member typed it, and the member it names, if any."""
    command = str(body.get("command", "")).lstrip("/")
    raw = str(body.get("text") or "")
    sender = await actor(port, community, str(body["user_id"]), str(body.get("user_name", "")))
    target: Actor | None = None
    if command in MEMBER_COMMANDS:
        named = split_member_after(raw, MEMBER_COMMANDS[command])
        if named is not None:
            target = await actor(port, community, named.user_id, named.label)
            raw = named.rest
    return Invocation(sender, command, to_plain(raw), target)


async def from_buttons(port: SlackPort, body: dict[str, Any], community: str) -> list[Press]:
    """A `block_actions` payload: each of our buttons in it, as a press for the core to judge.

    The workspace is the one Slack signed the request for; whether the presser may press
    this button (it points to their own ask or need, in this workspace) is the core's call.
    """
    user = body.get("user") or {}
    fallback = str(user.get("username") or user.get("name") or "")
    presses = []
    for action in body.get("actions") or []:
        pressed = blocks.pressed(action)
        if pressed is not None:
            command, arg = pressed
            sender = await actor(port, community, str(user["id"]), fallback)
            presses.append(
                Press(PLATFORM, sender.user_id, sender.display_name, command, arg, community)
            )
    return presses
