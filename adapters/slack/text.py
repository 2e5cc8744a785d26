"""Slack's text formatting, both ways: member text in as plain text, member text out defanged.

Slack delivers slash-command text with `&`, `<` and `>` escaped and with mentions, channels
and links as `<…>` tokens (the manifest asks for this with `should_escape: true`). The core
stores plain text, so tokens become readable words here and the entities are undone exactly
once. On the way out, escaping `&`, `<` and `>` is enough to make a member's words inert: a
ping needs a raw `<!channel>` / `<@U…>` token, and the bot never sets `link_names` or
`parse=full`, so a bare "@channel" stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SPECIAL = {"channel", "here", "everyone"}
_LEADING_MEMBER = re.compile(r"\s*<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>(.*)", re.DOTALL)


def _plain_token(body: str) -> str:
    """The readable form of one `<…>` token's inside."""
    target, _, label = body.partition("|")
    if target.startswith("@"):
        return f"@{label}" if label else target
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        if name in _SPECIAL:
            return f"@{name}"
        # User groups carry their "@handle" as the label; dates carry a readable fallback.
        return label or f"@{name}"
    if label:
        return label
    return target.removeprefix("mailto:")


def _unescape_entities(text: str) -> str:
    """Undo Slack's three entities in one pass, so `&amp;lt;` becomes `&lt;`, not `<`."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def to_plain(text: str) -> str:
    """Turn text as Slack delivers it (tokens, entities) into what the member typed."""
    return _unescape_entities(_TOKEN.sub(lambda m: _plain_token(m.group(1)), text)).strip()


def escape(text: str) -> str:
    """Make plain text safe to post: it can neither ping anyone nor break the formatting."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """Slack's mention token, which every client renders as the member's current name."""
    return f"<@{user_id}>"


@dataclass(frozen=True)
class LeadingMember:
    """A member named at the start of a command's text, and the raw text after it."""

    user_id: str
    label: str
    rest: str


def split_leading_member(text: str) -> LeadingMember | None:
    """Find the `<@U…|name>` token that starts `text` (as in `/thanks @bob great work`)."""
    match = _LEADING_MEMBER.fullmatch(text)
    if match is None:
        return None
    return LeadingMember(match.group(1), match.group(2) or "", match.group(3))


_WORD = re.compile(r"\s*([^\s<>]+)(\s.*)?", re.DOTALL)


def split_member_after(text: str, words: int) -> LeadingMember | None:
    """Find the `<@U…|name>` token that follows `words` plain words (`/refer 12 @bob`).

    The words before it stay in `rest`, in front: `12 <@UBOB|bob>` gives `UBOB` and `12`.
    Anything else where the member should be (a channel, `<!here>`, a name typed without
    Slack turning it into a mention) names nobody.
    """
    before: list[str] = []
    rest = text
    for _ in range(words):
        match = _WORD.fullmatch(rest)
        if match is None:
            return None
        before.append(match.group(1))
        rest = match.group(2) or ""
    named = split_leading_member(rest)
    if named is None or not before:
        return named
    return LeadingMember(named.user_id, named.label, " ".join([*before, named.rest.strip()]))
