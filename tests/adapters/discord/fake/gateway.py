"""The fake gateway: HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeat ACKs, then dispatches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

HELLO, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HEARTBEAT_ACK, DISPATCH = 10, 1, 2, 6, 9, 11, 0
AUTHENTICATION_FAILED = 4004


class Session:
    """One shard's websocket, as Discord sees it: plain-text JSON frames, numbered dispatches."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.shard: tuple[int, int] = (0, 1)
        self.seq = 0
        self.ready = asyncio.Event()
        self._lock = asyncio.Lock()

    async def send(self, op: int, data: Any) -> None:
        """Send one gateway frame."""
        await self.ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one event, numbered as Discord does."""
        async with self._lock:
            self.seq += 1
            frame = {"op": DISPATCH, "d": data, "s": self.seq, "t": event}
            await self.ws.send_str(json.dumps(frame))


async def serve(
    request: web.Request,
    *,
    token: str,
    on_identify: Callable[[Session, dict[str, Any]], Awaitable[None]],
    on_close: Callable[[], Awaitable[None]],
    sessions: list[Session],
) -> web.WebSocketResponse:
    """Speak the gateway protocol on one websocket until the client goes away."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    session = Session(ws)
    sessions.append(session)
    await session.send(HELLO, {"heartbeat_interval": 41250})
    async for frame in ws:
        if frame.type != WSMsgType.TEXT:
            break
        message = json.loads(frame.data)
        op = message["op"]
        if op == HEARTBEAT:
            await session.send(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            if message["d"]["token"] != token:
                await ws.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
                break
            await on_identify(session, message["d"])
        elif op == RESUME:
            # The fake keeps no sessions: tell the client to identify afresh.
            await session.send(INVALID_SESSION, False)
    sessions.remove(session)
    await on_close()
    return ws
