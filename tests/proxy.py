"""A loopback TCP proxy in front of the real database that can be made to go silent."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.engine import make_url


class SilentProxy:
    """Forwards 127.0.0.1:<port> to the database; silent, it accepts and never answers.

    Silence is what a dead host or a network that drops packets looks like from the bot:
    the connection stays open and nothing comes back. Bytes sent meanwhile wait, as TCP
    would keep them, and flow again when the proxy forwards again. Without an upstream it
    is a pure black hole.
    """

    def __init__(self, upstream: tuple[str, int] | None) -> None:
        self.upstream = upstream
        self.port = 0
        self._open = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    @classmethod
    async def to(cls, url: str | None, *, silent: bool = False) -> SilentProxy:
        """Start a proxy to the database of a URL (None: nowhere, a black hole)."""
        upstream = None
        if url is not None:
            parsed = make_url(url)
            upstream = (parsed.host or "127.0.0.1", parsed.port or 5432)
        proxy = cls(upstream)
        proxy.silent = silent
        proxy._server = await asyncio.start_server(proxy._client, "127.0.0.1", 0)
        proxy.port = proxy._server.sockets[0].getsockname()[1]
        return proxy

    def url_for(self, url: str) -> str:
        """The same database URL, through this proxy."""
        parsed = make_url(url).set(host="127.0.0.1", port=self.port)
        return parsed.render_as_string(hide_password=False)

    @property
    def silent(self) -> bool:
        """Whether bytes are held back, both ways."""
        return not self._open.is_set()

    @silent.setter
    def silent(self, value: bool) -> None:
        if value:
            self._open.clear()
        else:
            self._open.set()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.CancelledError):  # closed while a client waits
            await self._serve(reader, writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        if self.upstream is None:
            await reader.read()  # until the client gives up
            writer.close()
            return
        await self._open.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._writers.append(up_writer)
        for pump in (self._pump(reader, up_writer), self._pump(up_reader, writer)):
            task = asyncio.create_task(pump)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while True:
                await self._open.wait()
                data = await source.read(65536)
                if not data:
                    break
                await self._open.wait()
                sink.write(data)
                await sink.drain()
        sink.close()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
