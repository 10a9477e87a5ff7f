"""``canvas-inbox sync`` and ``canvas-inbox unread``: the service without the TUI, for
scripts, cron and status bars. Errors are one line on stderr and exit status 1."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from canvas_inbox.accounts import Connection
    from canvas_inbox.service import Event, InboxService

BAR_WIDTH = 24


def _connect(args: argparse.Namespace) -> Connection | None:
    from canvas_inbox.accounts import AccountError, resolve_connection

    try:
        return resolve_connection(getattr(args, "profile", None), getattr(args, "url", None))
    except AccountError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return None


def _service(connection: Connection, **settings: object) -> InboxService:
    from canvas_inbox.service.inbox import InboxService, ServiceSettings

    return InboxService(
        base_url=connection.base_url,
        token=connection.token,
        cache_path=connection.cache_path,
        drafts_path=connection.drafts_path,
        settings=ServiceSettings(background_sync=False, **settings),  # type: ignore[arg-type]
    )


class ProgressLine:
    """A one-line bar redrawn with \\r on a terminal; silent otherwise (logs stay clean)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.drawn = False

    def __call__(self, event: Event) -> None:
        from canvas_inbox.service import SyncProgress

        if not self.tty or not isinstance(event, SyncProgress):
            return
        if event.total:
            filled = int(BAR_WIDTH * min(event.done, event.total) / event.total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            text = f"{event.phase:8} [{bar}] {event.done}/{event.total}"
        else:
            text = f"{event.phase:8} {event.done}"
        self.stream.write("\r" + text.ljust(60))
        self.stream.flush()
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def cmd_sync(args: argparse.Namespace) -> int:
    connection = _connect(args)
    if connection is None:
        return 1
    lists_only = bool(getattr(args, "lists_only", False))
    return asyncio.run(_sync(connection, lists_only))


async def _sync(connection: Connection, lists_only: bool) -> int:
    from canvas_inbox.service import ServiceError

    progress = ProgressLine(sys.stderr)
    service = _service(connection)
    service.subscribe(progress)
    try:
        await service.start(background=False)
        counts = await service.sync(lists_only=lists_only)
    except ServiceError as error:
        progress.end()
        print(f"canvas-inbox: sync failed: {error}", file=sys.stderr)
        return 1
    finally:
        await service.aclose()
    progress.end()
    line = f"{counts.conversations} conversations"
    if not lists_only:
        line += f", {counts.threads_fetched} threads fetched, {counts.threads_cached} up to date"
        if counts.threads_failed:
            line += f", {counts.threads_failed} no longer available"
    print(line)
    return 0


def cmd_unread(args: argparse.Namespace) -> int:
    connection = _connect(args)
    if connection is None:
        return 1
    return asyncio.run(_unread(connection))


async def _unread(connection: Connection) -> int:
    from canvas_inbox.service import ServiceError

    service = _service(connection)
    try:
        await service.start(background=False)
        count = await service.fetch_unread_count()
    except ServiceError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    finally:
        await service.aclose()
    print(count)
    return 0
