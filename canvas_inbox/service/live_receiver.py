"""A tiny HTTP endpoint on loopback for Canvas Live Events: a ``conversation_*`` event
makes the service refresh at once instead of at the next poll, so new mail shows in
well under a second.

Deliberately minimal (asyncio streams, HTTP/1.1 POST with Content-Length, keep-alive):
it listens on 127.0.0.1 only, reads bounded amounts, and every malformed request gets a
4xx and is otherwise ignored. Events are only a hint to look: nothing in them is
trusted or shown, the refresh asks Canvas itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from canvas_inbox.service.core import log

MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024
IDLE_TIMEOUT = 30.0

Hint = Callable[[str, dict[str, Any], dict[str, Any]], None]


def _reply(status: str, *, close: bool) -> bytes:
    connection = "close" if close else "keep-alive"
    head = f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: {connection}\r\n\r\n"
    return head.encode("ascii")


def events_of(payload: Any) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(event_name, metadata, body) for each event in Canvas's envelope, or a list of them."""
    items = payload if isinstance(payload, list) else [payload]
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        metadata = item.get("metadata")
        body = item.get("body")
        if not isinstance(metadata, dict):
            continue
        name = metadata.get("event_name")
        if isinstance(name, str):
            found.append((name, metadata, body if isinstance(body, dict) else {}))
    return found


class LiveEventReceiver:
    def __init__(self, port: int, on_event: Hint, *, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host
        self.on_event = on_event
        self.received = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        if self.port == 0:
            self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            # Keep-alive connections outlive server.close(): end them, so their handlers
            # finish instead of being cancelled when the loop stops.
            for writer in list(self._connections):
                writer.close()
            if self._handlers:
                await asyncio.wait(list(self._handlers), timeout=2)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            while True:
                keep = await self._one(reader, writer)
                if not keep:
                    break
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.LimitOverrunError:
            with contextlib.suppress(ConnectionError):
                writer.write(_reply("431 Request Header Fields Too Large", close=True))
        finally:
            self._connections.discard(writer)
            if task is not None:
                self._handlers.discard(task)
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
        if len(head) > MAX_HEAD:
            writer.write(_reply("431 Request Header Fields Too Large", close=True))
            return False
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            writer.write(_reply("400 Bad Request", close=True))
            return False
        method = parts[0]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        close = headers.get("connection", "").lower() == "close" or parts[2] == "HTTP/1.0"
        raw_length = headers.get("content-length", "0")
        if not raw_length.isdigit() or int(raw_length) > MAX_BODY:
            writer.write(_reply("413 Content Too Large", close=True))
            return False
        body = await asyncio.wait_for(reader.readexactly(int(raw_length)), IDLE_TIMEOUT)
        if method != "POST":
            writer.write(_reply("405 Method Not Allowed", close=close))
            await writer.drain()
            return not close
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            writer.write(_reply("400 Bad Request", close=close))
            await writer.drain()
            return not close
        for name, metadata, event_body in events_of(payload):
            self.received += 1
            try:
                self.on_event(name, metadata, event_body)
            except Exception:
                log.exception("live event handler failed")
        writer.write(_reply("204 No Content", close=close))
        await writer.drain()
        return not close
