"""``InboxService``: the ``InboxAPI`` over Canvas and the local store.

Start-up order is the point of this module: the cache opens (on first read, or in
``start()``) and the UI paints from it; only then is the network stack imported and the
background work started (who am I, the top of the inbox, the poller, the full sync).
Importing this module does not import httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.core import Core, ServiceSettings, log
from canvas_inbox.service.events import ActionFailed, Event
from canvas_inbox.store.records import (
    Context,
    Conversation,
    Draft,
    OutboxItem,
    Person,
    Recipient,
    Scope,
    SearchHit,
    Thread,
)

if TYPE_CHECKING:
    import httpx

    from canvas_inbox.service.actions import Actions
    from canvas_inbox.service.live_receiver import LiveEventReceiver
    from canvas_inbox.service.outbox import Outbox
    from canvas_inbox.service.poller import Poller
    from canvas_inbox.service.recipients import RecipientFinder
    from canvas_inbox.service.sync import Sync, SyncCounts

__all__ = ["InboxService", "ServiceSettings"]

LIVE_DEBOUNCE = 0.05  # seconds: a burst of events (a bulk send) becomes one refresh


class InboxService:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        cache_path: Path | None,
        settings: ServiceSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        drafts_path: Path | None = None,
    ) -> None:
        self._base_url = base_url
        self._token = token
        self._transport = transport
        self._core = Core(settings or ServiceSettings(), cache_path, drafts_path)
        self._sync: Sync | None = None
        self._poller: Poller | None = None
        self._actions: Actions | None = None
        self._outbox: Outbox | None = None
        self._receiver: LiveEventReceiver | None = None
        self._recipients: RecipientFinder | None = None  # remembers courses' role sets
        self._started = False
        self._live_pending = False

    def __repr__(self) -> str:
        return f"InboxService({self._base_url!r})"  # never the token

    @property
    def settings(self) -> ServiceSettings:
        return self._core.settings

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self, *, background: bool = True) -> None:
        """Open the cache and connect; with ``background`` (the app) also refresh, poll and
        sync in background tasks. Returns quickly: nothing here waits for Canvas."""
        if self._started:
            return
        core = self._core
        self._open_store()
        from canvas_inbox.canvas import CanvasClient
        from canvas_inbox.service.actions import Actions
        from canvas_inbox.service.outbox import Outbox
        from canvas_inbox.service.poller import Poller
        from canvas_inbox.service.sync import Sync

        core.touch()
        core.client = CanvasClient(
            self._base_url,
            self._token,
            transport=self._transport,
            timeout=core.settings.request_timeout,
            max_concurrency=core.settings.max_concurrency,
        )
        self._sync = Sync(core)
        self._poller = Poller(core, self._sync)
        self._actions = Actions(core, self._refresh_soon)
        self._outbox = Outbox(core)
        self._started = True
        for recovery in getattr(core.store, "recovered", ()):
            # A damaged cache or drafts file was moved aside so the app could start.
            core.emit(ActionFailed(description="Opening the local files", reason=str(recovery)))
        if core.settings.live_events_port is not None:
            await self._start_receiver(core.settings.live_events_port)
        if background:
            core.spawn(self._background(), "start-up")

    def _refresh_soon(self) -> None:
        if self._poller is not None:
            self._poller.wake(refresh=True)

    def _open_store(self) -> None:
        from canvas_inbox.store import StoreError

        try:
            self._core.store  # noqa: B018 - opening is the point
        except StoreError as error:
            raise ServiceError(str(error)) from None

    async def _start_receiver(self, port: int) -> None:
        from canvas_inbox.service.live_receiver import LiveEventReceiver

        receiver = LiveEventReceiver(port, self._live_event)
        try:
            await receiver.start()
        except OSError as error:
            log.warning("live events receiver not started: %s", error)
            return
        self._receiver = receiver

    async def _background(self) -> None:
        """First who we are and the top of the inbox (what the user sees), then the poller,
        then the slow full sync."""
        assert self._sync is not None
        assert self._poller is not None
        assert self._outbox is not None
        core = self._core
        polled = False
        try:
            await asyncio.gather(self._sync.identity(), self._poller.poll_once())
            polled = True
            if not self._sync.refreshed:
                await self._sync.first_page("inbox")
        except ServiceError as error:
            log.info("start-up refresh: %s", error)
        core.spawn(self._poller.run(polled=polled), "poller")
        core.spawn(self._outbox.resume(), "outbox-resume")
        if core.settings.background_sync:
            with contextlib.suppress(ServiceError):
                await self._sync.full()

    async def aclose(self) -> None:
        core = self._core
        if core.closing:
            return
        core.closing = True
        if self._actions is not None:
            await self._actions.flush()
        if self._receiver is not None:
            await self._receiver.aclose()
        tasks = list(core.tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if core.client is not None:
            await core.client.aclose()
            core.client = None
        core.close_store()

    async def __aenter__(self) -> InboxService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        self._core.callbacks.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._core.callbacks.remove(callback)

        return unsubscribe

    # --- state (cache) ---------------------------------------------------------------------
    @property
    def me(self) -> Person | None:
        return self._core.me

    @property
    def unread_count(self) -> int | None:
        return self._core.unread

    @property
    def online(self) -> bool:
        return self._core.online

    @property
    def live_events_port(self) -> int | None:
        return self._receiver.port if self._receiver is not None else None

    def _cache_ok(self) -> bool:
        """Reads before start() open the cache; a cache that cannot open reads as empty
        (start() reports why)."""
        try:
            self._open_store()
        except ServiceError:
            return False
        return True

    def contexts(self) -> list[Context]:
        return self._core.store.contexts() if self._cache_ok() else []

    def cached_conversations(
        self, scope: Scope, context_code: str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        if not self._cache_ok():
            return []
        hidden = self._core.hidden
        extra = len(hidden) if limit is not None else 0
        rows = self._core.store.conversations(
            scope, context_code, None if limit is None else limit + extra
        )
        if hidden:
            rows = [row for row in rows if row.id not in hidden]
        return rows if limit is None else rows[:limit]

    def cached_thread(self, conversation_id: int) -> Thread | None:
        if not self._cache_ok() or conversation_id in self._core.hidden:
            return None
        return self._core.store.thread(conversation_id)

    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        if not self._cache_ok() or not query.strip():
            return []
        hidden = self._core.hidden
        return [h for h in self._core.store.search(query, limit) if h.conversation_id not in hidden]

    def drafts(self) -> list[Draft]:
        return self._core.store.drafts() if self._cache_ok() else []

    def save_draft(self, draft: Draft) -> None:
        self._open_store()
        self._core.store.save_draft(draft)

    def delete_draft(self, draft_id: str) -> None:
        self._open_store()
        self._core.store.delete_draft(draft_id)

    def outbox(self) -> list[OutboxItem]:
        return self._core.store.outbox() if self._cache_ok() else []

    def discard_outbox(self, outbox_id: str) -> None:
        self._open_store()
        store = self._core.store
        item = store.outbox_item(outbox_id)
        if item is None:
            return
        # Removing it mid-send would let the attempt's next write put it back.
        if self._outbox is not None and outbox_id in self._outbox.sending:
            raise ServiceError("This message is being sent right now; wait for Canvas's answer")
        store.remove_outbox(outbox_id)
        store.delete_draft(item.draft.id)

    # --- network -----------------------------------------------------------------------------
    def _need(self) -> tuple[Sync, Actions, Outbox]:
        if not self._started or self._core.closing:
            raise ServiceError("Not connected to Canvas")
        assert self._sync is not None
        assert self._actions is not None
        assert self._outbox is not None
        self._core.touch()
        return self._sync, self._actions, self._outbox

    async def refresh(self, scope: Scope = "inbox", context_code: str | None = None) -> None:
        sync, _, _ = self._need()
        try:
            await sync.first_page(scope, context_code, size=100)
        except ServiceError as error:
            if not self._core.online:
                raise ServiceError(f"Offline, showing cached mail ({error})") from None
            raise

    async def open_thread(self, conversation_id: int, *, mark_read: bool = True) -> Thread:
        self._need()
        from canvas_inbox.service import convert
        from canvas_inbox.service.events import ThreadChanged
        from canvas_inbox.service.gateway import Unreachable, talk

        core = self._core
        store = core.store
        old = store.conversation(conversation_id)
        try:
            wire = await talk(
                core, core.api.get_conversation(conversation_id, auto_mark_as_read=mark_read)
            )
        except Unreachable:
            cached = store.thread(conversation_id)
            if cached is not None:
                return cached  # offline: the header says so; the cached copy is still good
            raise
        thread = convert.thread(wire)
        row = convert.merge(old, thread.conversation)
        thread = Thread(conversation=row, messages=thread.messages)
        store.save_thread(thread)
        from canvas_inbox.service.actions import counts_as_unread

        delta = counts_as_unread(row) - counts_as_unread(old)
        if delta and core.unread is not None:
            core.set_unread(core.unread + delta)
        core.emit(ThreadChanged(conversation_id))
        core.changed({conversation_id})
        return thread

    async def search_recipients(
        self, text: str, context_code: str | None = None
    ) -> list[Recipient]:
        self._need()
        from canvas_inbox.service.recipients import RecipientFinder

        if self._recipients is None:
            self._recipients = RecipientFinder(self._core)
        return await self._recipients.find(text, context_code)

    # --- sync (the scripting commands and tests) --------------------------------------------
    async def sync(self, *, lists_only: bool = False) -> SyncCounts:
        sync, _, _ = self._need()
        if lists_only:
            return await sync.full(lists_only=True)
        # All at once: who we are and the count need not wait for the lists, nor they.
        _, _, counts = await asyncio.gather(sync.identity(), self.fetch_unread_count(), sync.full())
        return counts

    async def fetch_unread_count(self) -> int:
        self._need()
        from canvas_inbox.service.gateway import talk

        count = await talk(self._core, self._core.api.unread_count())
        self._core.set_unread(count)
        return count

    # --- actions ---------------------------------------------------------------------------
    async def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        await self._need()[1].set_starred(list(ids), starred)

    async def set_archived(self, ids: Sequence[int], archived: bool) -> None:
        await self._need()[1].set_archived(list(ids), archived)

    async def set_read(self, ids: Sequence[int], read: bool) -> None:
        await self._need()[1].set_read(list(ids), read)

    async def delete(self, ids: Sequence[int]) -> None:
        await self._need()[1].delete(list(ids))

    async def delete_message(self, conversation_id: int, message_id: int) -> None:
        await self._need()[1].delete_message(conversation_id, message_id)

    async def mark_all_read(self) -> None:
        await self._need()[1].mark_all_read()

    async def undo(self) -> str | None:
        return await self._need()[1].undo()

    async def add_recipients(self, conversation_id: int, recipients: Sequence[Recipient]) -> None:
        await self._need()[1].add_recipients(conversation_id, list(recipients))

    # --- sending -----------------------------------------------------------------------------
    async def send(self, draft: Draft) -> OutboxItem:
        return await self._need()[2].send(draft)

    async def retry(self, outbox_id: str) -> OutboxItem:
        return await self._need()[2].retry(outbox_id)

    # --- live events -------------------------------------------------------------------------
    def _live_event(self, name: str, metadata: dict[str, Any], body: dict[str, Any]) -> None:
        if not name.startswith("conversation") or self._poller is None:
            return
        me = self._core.me
        mine = me is not None and str(body.get("author_id")) == str(me.id)
        if name == "conversation_message_created" and mine:
            return  # our own message: nothing new for us
        if self._live_pending:
            return
        self._live_pending = True
        self._core.spawn(self._live_refresh(), "live-refresh")

    async def _live_refresh(self) -> None:
        await asyncio.sleep(LIVE_DEBOUNCE)
        self._live_pending = False
        if self._poller is not None:
            self._poller.wake(refresh=True)
