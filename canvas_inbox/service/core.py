"""What every part of the service shares: the cache, the client, the observers, and the
connection and unread state. One ``Core`` per ``InboxService``; the parts (sync, poller,
actions, outbox, live receiver) hold a reference to it instead of to each other.

Nothing here imports httpx: the client is attached in ``InboxService.start()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.events import (
    AuthExpired,
    ConnectionChanged,
    ConversationsChanged,
    Event,
    NewMail,
    UnreadCountChanged,
)
from canvas_inbox.store.records import Conversation, Person

if TYPE_CHECKING:
    from canvas_inbox.canvas import CanvasClient
    from canvas_inbox.store import Store

log = logging.getLogger("canvas_inbox.service")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    poll_interval: float = 30.0  # seconds between unread_count polls while in use
    idle_poll_max: float = 300.0  # idle: the interval doubles up to this
    offline_retry_max: float = 60.0  # unreachable: back off up to this between tries
    live_events_port: int | None = None  # serve a Live Events receiver on 127.0.0.1:port
    undo_seconds: float = 30.0  # how long the last (reversible) change can be undone
    delete_delay: float = 6.0  # a delete reaches Canvas only after this (it cannot be undone there)
    background_sync: bool = True  # fill the cache (all lists, then threads) after start
    max_concurrency: int = 8  # requests in flight to Canvas
    request_timeout: float = 30.0
    first_page_size: int = 50  # rows fetched when the unread count says something changed
    send_attempts: int = 3  # tries for a send whose outcome was unknown (checked each time)
    # Injected time, for the simulated idle-hour benchmark and tests; None = real time.
    sleep: Sleep | None = None
    clock: Clock | None = None


def is_new_mail(old: Conversation | None, new: Conversation) -> bool:
    """Someone else wrote: unread, and its last message time moved (or it is new to us).
    A row the user marked unread themselves keeps its time, so it is not announced."""
    if not new.unread or new.last_author_is_me or new.last_message_at is None:
        return False
    if old is None:
        return True
    return old.last_message_at is None or new.last_message_at > old.last_message_at


class Core:
    def __init__(
        self, settings: ServiceSettings, cache_path: Path | None, drafts_path: Path | None = None
    ) -> None:
        self.settings = settings
        self.cache_path = cache_path
        self.drafts_path = drafts_path  # None: beside the cache (the store's default)
        self._store: Store | None = None
        self.client: CanvasClient | None = None
        self.callbacks: list[Callable[[Event], None]] = []
        self.me: Person | None = None
        self.unread: int | None = None
        self.online = True
        self.offline_reason: str | None = None
        self.auth_expired = False
        self.closing = False
        self.tasks: set[asyncio.Task[Any]] = set()
        # Set by every call from the UI: the poller speeds up again and polls at once.
        self.activity = asyncio.Event()  # binds to a loop on first use (3.10+)
        self.last_activity = self.now()
        self.actions_seen = 0  # counts user calls: the poller compares it between rounds
        # Conversations hidden while their delete waits out the undo window.
        self.hidden: set[int] = set()
        # NewMail only once the cache knew the inbox: a first sync is not news.
        self.primed = False
        # Fields changed locally whose request to Canvas has not answered yet.
        self.in_flight: dict[int, dict[str, Any]] = {}

    # --- time --------------------------------------------------------------------------
    def now(self) -> float:
        clock = self.settings.clock
        if clock is not None:
            return clock()
        return asyncio.get_running_loop().time() if _has_loop() else 0.0

    async def sleep(self, seconds: float) -> None:
        sleep = self.settings.sleep
        if sleep is not None:
            await sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    # --- the cache ------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """Opened on first use: the UI reads the cache for its first paint, before start()."""
        if self._store is None:
            from canvas_inbox.store import Store

            self._store = Store.open(self.cache_path, drafts_path=self.drafts_path)
            # What the last run knew, until Canvas says otherwise.
            if self.me is None:
                self.me = self._store.me()
            raw = self._store.get_meta("unread_count")
            if self.unread is None and raw is not None and raw.isdigit():
                self.unread = int(raw)
        return self._store

    async def close_pages(self, pages: object) -> None:
        """End a page iterator early (an async generator: its pending requests stop)."""
        close = getattr(pages, "aclose", None)
        if close is not None:
            await close()

    def close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def api(self) -> CanvasClient:
        if self.client is None:
            raise ServiceError("not connected to Canvas yet")
        return self.client

    # --- observers ------------------------------------------------------------------------
    def emit(self, event: Event) -> None:
        for callback in list(self.callbacks):
            try:
                callback(event)
            except Exception:  # an observer's bug must not stop the service
                log.exception("event observer failed on %s", type(event).__name__)

    def changed(self, ids: Iterable[int] = ()) -> None:
        self.emit(ConversationsChanged(frozenset(ids)))

    def announce(self, pairs: list[tuple[Conversation | None, Conversation]]) -> None:
        """Rows about to replace cached ones: tell observers about those someone wrote to.
        Every path that stores rows from Canvas calls this, since whichever sees a new
        message first is the only one that can tell (the others find it already cached)."""
        if not self.primed:
            return
        fresh = [new for old, new in pairs if new.id not in self.hidden and is_new_mail(old, new)]
        if fresh:
            fresh.sort(key=lambda c: (c.last_message_at, c.id), reverse=True)
            self.emit(NewMail(tuple(fresh)))

    def set_unread(self, count: int) -> None:
        count = max(0, count)
        store = self.store
        if count != self.unread:
            self.unread = count
            store.set_meta("unread_count", str(count))
            self.emit(UnreadCountChanged(count))

    def touch(self, *, wake: bool = False) -> None:
        """The user did something: poll at the busy rate again (and with ``wake``, now)."""
        self.last_activity = self.now()
        self.actions_seen += 1
        if wake:
            self.activity.set()

    def overlay(self, row: Conversation) -> Conversation:
        """A row from Canvas with our changes still on their way there put back on top, so
        a refresh racing an action does not flip the row back and forth."""
        pending = self.in_flight.get(row.id)
        return msgspec.structs.replace(row, **pending) if pending else row

    # --- connection state -----------------------------------------------------------------
    def went_online(self) -> None:
        if not self.online:
            self.online = True
            self.offline_reason = None
            self.emit(ConnectionChanged(online=True))

    def went_offline(self, reason: str) -> None:
        if self.online or reason != self.offline_reason:
            self.online = False
            self.offline_reason = reason
            self.emit(ConnectionChanged(online=False, reason=reason))

    def token_rejected(self, reason: str) -> None:
        if not self.auth_expired:
            self.auth_expired = True
            self.emit(AuthExpired(reason=reason))

    # --- background tasks -----------------------------------------------------------------
    def spawn(self, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and not isinstance(error, ServiceError):
            log.error("background task %s failed", task.get_name(), exc_info=error)


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
