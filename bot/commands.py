"""The command table every adapter exposes: names, options and help text, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OptionKind = Literal["text", "member", "integer"]


@dataclass(frozen=True)
class Option:
    """One typed option of a slash command (Discord shows it; Slack reads it from free text)."""

    name: str
    description: str
    kind: OptionKind = "text"
    required: bool = False


@dataclass(frozen=True)
class Command:
    """A slash command as members see it."""

    name: str
    description: str
    usage: str
    options: tuple[Option, ...] = ()
    admin_only: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(
        "offer",
        "Add skills you can help others with.",
        "/offer postgres, pitch decks",
        (Option("skills", "Skills you can help with, comma separated", required=True),),
    ),
    Command(
        "unoffer",
        "Remove a skill from your profile.",
        "/unoffer pitch decks",
        (Option("skill", "The skill to remove", required=True),),
    ),
    Command(
        "profile",
        "Your skills, availability, and what you gave and received.",
        "/profile [favours off|on]",
        (Option("setting", "favours off / favours on: notes in asks about a favour to return"),),
    ),
    Command(
        "need",
        "Ask the community for help; the bot privately asks who knows.",
        "/need my slow postgres query",
        (Option("text", "What you need help with", required=True),),
    ),
    Command("needs", "Open needs you could help with: give first.", "/needs"),
    Command(
        "done",
        "Mark your need as resolved, with an optional thank-you for your helper.",
        "/done thanks, the index fixed it!",
        (Option("message", "A thank-you for your helper"),),
    ),
    Command(
        "thanks",
        "Send a member a private thank-you.",
        "/thanks @member you saved my week",
        (
            Option("member", "Who to thank", kind="member", required=True),
            Option("message", "Your thank-you", required=True),
        ),
    ),
    Command(
        "pause",
        "Stop being asked for help, for some days or until you resume.",
        "/pause 7",
        (Option("days", "How many days (leave out: until /resume)", kind="integer"),),
    ),
    Command("resume", "Be asked for help again.", "/resume"),
    Command(
        "refer",
        "Think of someone who could help with a need: I'll ask them and say it was you.",
        "/refer 12 @member",
        (
            Option("need", "The need's number", kind="integer", required=True),
            Option("member", "Who could help", kind="member", required=True),
        ),
    ),
    Command("helpstats", "How the community helps itself (admins).", "/helpstats", admin_only=True),
    Command(
        "pulse",
        "Admins: ask everyone what they need and offer. Anyone: /pulse off or on.",
        "/pulse",
        (Option("choice", "off or on: whether you get the check-ins"),),
    ),
    Command("forgetme", "Delete everything the bot holds about you.", "/forgetme"),
)

# Commands that buttons press; the console types them, platforms send them as button ids.
# A press is only ever one of these (see bot/buttons.py): never `/offer` or `/need`.
BUTTON_COMMANDS: frozenset[str] = frozenset(
    {
        "accept",
        "decline",
        "helped",
        "notyet",
        "give",
        "done",
        "forgetme",
        "keep",
        "close",
        "profile",
        "suggest",
        "nobody",
        "pulseneed",
        "pulseoffer",
        "pulsestop",
    }
)


@dataclass(frozen=True)
class TextField:
    """What a button that opens a text field shows: the form's title and the field's label."""

    title: str  # Slack allows 24 characters, Discord 45
    label: str  # Slack allows 2000, Discord 45


# Buttons that open a text field first (a Slack modal, a Discord modal): the words typed are
# sent after the button's argument. The console types them: `/pulseneed 3 my words`.
TEXT_BUTTONS: dict[str, TextField] = {
    "pulseneed": TextField("Something I need", "What could you use help with?"),
    "pulseoffer": TextField("Something I can offer", "Skills you can offer (comma separated)"),
}
# Longest answer a text field takes (the core's own limits still apply).
TEXT_FIELD_MAX = 1000

COMMAND_NAMES: frozenset[str] = frozenset(c.name for c in COMMANDS)
