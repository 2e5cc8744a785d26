"""Signed dashboard links: each opens one community's page, until it expires.

A link is `/dashboard/<token>`, the token `<community>.<expires>.<signature>`: the community
id (base64url), the expiry (Unix seconds), and an HMAC-SHA256 of both under the bot's key.
Nothing is stored per link; changing the key ends every link given so far.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.models import Secret
from bot.settings import Settings

PATH = "/dashboard"
KEY_NAME = "dashboard-links"
# A token is three short parts; anything much longer is not one of ours.
MAX_TOKEN_CHARS = 1000


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(session: Session, settings: Settings, now: datetime) -> bytes:
    """`WHUFFIE_DASHBOARD_SECRET`, or the key the bot made once and keeps in the database."""
    if settings.dashboard_secret:
        return settings.dashboard_secret.encode()
    kept = session.get(Secret, KEY_NAME)
    if kept is None:
        try:
            with session.begin_nested():
                kept = Secret(name=KEY_NAME, value=secrets.token_hex(32), created_at=now)
                session.add(kept)
        except IntegrityError:  # another process made it at the same moment: use theirs
            kept = session.get(Secret, KEY_NAME, populate_existing=True)
    assert kept is not None
    return kept.value.encode()


def _signature(key: bytes, community: str, expires: int) -> bytes:
    return hmac.new(key, f"dashboard|{community}|{expires}".encode(), hashlib.sha256).digest()


def token_for(key: bytes, community: str, expires: datetime) -> str:
    """The token that opens this community's dashboard until `expires`."""
    at = int(expires.timestamp())
    return f"{_b64(community.encode())}.{at}.{_b64(_signature(key, community, at))}"


def link_for(session: Session, settings: Settings, community: str, now: datetime) -> str:
    """A full link for an admin of this community, valid for the configured time."""
    key = signing_key(session, settings, now)
    token = token_for(key, community, now + settings.dashboard_link_valid)
    return f"{settings.dashboard_base_url}{PATH}/{token}"


@dataclass(frozen=True)
class Verdict:
    """What a token opens: a community, or nothing (and whether it was genuine but old)."""

    community: str | None
    expired: bool = False


def verify(key: bytes, token: str, now: datetime) -> Verdict:
    """The community a genuine, unexpired token opens; nothing for any other token."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_CHARS or len(parts) != 3:
        return Verdict(None)
    if not parts[1].isdecimal() or len(parts[1]) > 12:
        return Verdict(None)
    try:
        community = _unb64(parts[0]).decode()
        given = _unb64(parts[2])
    except (binascii.Error, ValueError):
        return Verdict(None)
    expires = int(parts[1])
    if not hmac.compare_digest(given, _signature(key, community, expires)):
        return Verdict(None)
    if datetime.fromtimestamp(expires, UTC) <= now:
        return Verdict(None, expired=True)
    return Verdict(community)
