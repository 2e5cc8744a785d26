"""Requests exactly as Slack sends them: form-encoded or JSON, signed with the signing secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack, Posted, Response

SIGNING_SECRET = "5c1a1b9e8f2d4c7a9b3e6f0d1c2b3a4e"


def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    """What the bot's HTTP endpoint answered, and how long it took."""

    status: int
    text: str
    seconds: float
    response_url: str = ""


class SlackSender:
    """Plays Slack's side: POSTs signed slash commands, button presses and events."""

    def __init__(self, url: str, fake: FakeSlack, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.fake = fake
        self.secret = secret

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """POST a body signed like Slack (optionally with another secret or an old timestamp)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        sent_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(secret or self.secret, stamp, body),
            **(headers or {}),
        }
        started = time.perf_counter()
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body.encode(), headers=sent_headers) as answer,
        ):
            text = await answer.text()
            return Answer(answer.status, text, time.perf_counter() - started)

    def command_body(
        self,
        user_id: str,
        command: str,
        text: str,
        response_url: str,
        *,
        team_id: str = TEAM_ID,
        org_id: str | None = None,
    ) -> str:
        """A slash command's form body, field for field as Slack sends it.

        `org_id` makes it come from an app installed on a whole Enterprise Grid organisation.
        """
        user = self.fake.users.get(user_id, {})
        org = {"enterprise_id": org_id, "enterprise_name": "Org"} if org_id else {}
        return urlencode(
            {
                "token": "verification-token-unused",
                "team_id": team_id,
                "team_domain": "test",
                **org,
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user.get("name", "someone"),
                "command": command,
                "text": text,
                "api_app_id": "A0WHUFFIE",
                "is_enterprise_install": "true" if org_id else "false",
                "response_url": response_url,
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            }
        )

    async def command(
        self,
        user_id: str,
        command: str,
        text: str = "",
        *,
        team_id: str = TEAM_ID,
        org_id: str | None = None,
        **kwargs: Any,
    ) -> Answer:
        """Run `/command text` as this member; the answer carries the request's response URL."""
        response_url = self.fake.response_url()
        body = self.command_body(
            user_id, command, text, response_url, team_id=team_id, org_id=org_id
        )
        answer = await self.post(body, "application/x-www-form-urlencoded", **kwargs)
        answer.response_url = response_url
        return answer

    def press_body(
        self,
        user_id: str,
        button: dict[str, Any],
        on: Posted | Response,
        response_url: str,
        *,
        team_id: str = TEAM_ID,
        org_id: str | None = None,
    ) -> str:
        """A button press's form body (a `payload` of JSON), as Slack sends it."""
        user = self.fake.users.get(user_id, {})
        if isinstance(on, Posted):
            container: dict[str, str | bool] = {
                "type": "message",
                "message_ts": on.ts,
                "channel_id": on.channel,
            }
            channel = {"id": on.channel, "name": "directmessage"}
            message: dict[str, Any] | None = {"ts": on.ts, "text": on.text, "blocks": on.blocks}
        else:
            container = {"type": "message", "message_ts": "1.1", "is_ephemeral": True}
            channel = {"id": "C0GENERAL", "name": "general"}
            message = None
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user.get("name", ""), "team_id": team_id},
            "api_app_id": "A0WHUFFIE",
            "token": "verification-token-unused",
            "container": container,
            "trigger_id": self.fake.trigger_id(),
            "team": {"id": team_id, "domain": "test"},
            "enterprise": {"id": org_id, "name": "Org"} if org_id else None,
            "is_enterprise_install": org_id is not None,
            "channel": channel,
            "response_url": response_url,
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if message is not None:
            payload["message"] = message
        return urlencode({"payload": json.dumps(payload)})

    async def press(
        self,
        user_id: str,
        button: dict[str, Any],
        on: Posted | Response,
        *,
        team_id: str = TEAM_ID,
        org_id: str | None = None,
        **kwargs: Any,
    ) -> Answer:
        """Press a button of a message the bot sent (a DM, or an ephemeral reply)."""
        response_url = self.fake.response_url()
        body = self.press_body(user_id, button, on, response_url, team_id=team_id, org_id=org_id)
        answer = await self.post(body, "application/x-www-form-urlencoded", **kwargs)
        answer.response_url = response_url
        return answer

    async def submit(
        self,
        user_id: str,
        view: dict[str, Any],
        words: str,
        *,
        team_id: str = TEAM_ID,
        **kwargs: Any,
    ) -> Answer:
        """Type `words` into a modal's text field and press its submit button."""
        [block] = [b for b in view["blocks"] if b["type"] == "input"]
        action_id = block["element"]["action_id"]
        state = {block["block_id"]: {action_id: {"type": "plain_text_input", "value": words}}}
        user = self.fake.users.get(user_id, {})
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "test"},
            "user": {"id": user_id, "username": user.get("name", ""), "team_id": team_id},
            "api_app_id": "A0WHUFFIE",
            "token": "verification-token-unused",
            "trigger_id": self.fake.trigger_id(),
            "view": {
                **view,
                "id": "V0MODAL",
                "team_id": team_id,
                "state": {"values": state},
                "hash": "1.abc",
                "app_id": "A0WHUFFIE",
                "bot_id": "B0WHUFFIE",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)

    async def event(
        self, event: dict[str, Any], event_id: str, retry_num: int | None = None
    ) -> Answer:
        """Deliver an Events API callback; `retry_num` marks it as Slack's redelivery."""
        body = json.dumps(
            {
                "token": "verification-token-unused",
                "team_id": TEAM_ID,
                "api_app_id": "A0WHUFFIE",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": "U0WHUFFIE", "is_bot": True}],
            }
        )
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, "application/json", headers=headers)
