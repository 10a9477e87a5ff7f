"""Bringing the cache up to date with Canvas: who we are, the first page of a list (the
cheap refresh that makes new mail appear), and the full sync (every list, then every
thread not cached or changed) that makes search and offline reading work.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from canvas_inbox.service import convert
from canvas_inbox.service.core import Core, is_new_mail
from canvas_inbox.service.events import SyncProgress
from canvas_inbox.service.gateway import Refused, Unreachable, talk
from canvas_inbox.store.records import SCOPES, Conversation, Scope, Thread

PAGE = 100  # Canvas's maximum: fewest round trips
PROGRESS_EVERY = 10  # threads between SyncProgress events (the UI coalesces them anyway)
SAVE_EVERY = 25  # fetched threads written to the cache together


@dataclass(slots=True)
class SyncCounts:
    conversations: int = 0  # distinct conversations listed
    lists: int = 0  # scopes fully listed
    threads_fetched: int = 0
    threads_cached: int = 0  # already up to date, not fetched
    threads_failed: int = 0


def thread_is_current(cached: Thread | None, row: Conversation) -> bool:
    if cached is None:
        return False
    old = cached.conversation
    return (
        old.message_count == row.message_count
        and old.last_message_at == row.last_message_at
        and old.last_authored_message_at == row.last_authored_message_at
    )


class Sync:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.running: asyncio.Task[SyncCounts] | None = None
        self.refreshed = False  # the top of the inbox was fetched in this run

    def prime(self) -> None:
        """A cache that already held an inbox (an earlier run) makes new rows news."""
        if not self.core.primed and self.core.store.count("inbox"):
            self.core.primed = True

    async def identity(self) -> None:
        """Who we are, and the courses and groups (the filter and the compose contexts)."""
        api = self.core.api
        user, courses, groups = await asyncio.gather(
            talk(self.core, api.get_self()),
            talk(self.core, api.list_courses()),
            talk(self.core, api.list_groups()),
        )
        me = convert.person(user)
        store = self.core.store
        if me != self.core.me:
            store.save_me(me)
            self.core.me = me
            self.core.changed()  # rows say "me" instead of a name
        store.save_contexts(convert.contexts(courses, groups))

    async def first_page(
        self, scope: Scope = "inbox", context_code: str | None = None, *, size: int | None = None
    ) -> list[Conversation]:
        """Fetch the top of one list and merge it; returns (and announces) new mail."""
        api = self.core.api
        filters = (context_code,) if context_code else ()
        pages = api.iter_conversation_pages(
            scope=None if scope == "inbox" else scope,
            filter=filters,
            per_page=size or self.core.settings.first_page_size,
        )
        try:
            wire = await talk(self.core, anext(pages, []))
        finally:
            await pages.aclose()
        store = self.core.store
        self.prime()
        pairs = []
        for item in wire:
            old = store.conversation(int(item.id))
            pairs.append((old, self.core.overlay(convert.merge(old, convert.conversation(item)))))
        rows = [row for _, row in pairs]
        store.upsert_conversations(rows, scope=scope, context_code=context_code)
        self.core.announce(pairs)
        self.core.changed({row.id for row in rows})
        fresh = [new for old, new in pairs if is_new_mail(old, new)]
        self.core.primed = True
        if scope == "inbox" and context_code is None:
            self.refreshed = True
        return fresh

    async def list_scope(self, scope: Scope, context_code: str | None = None) -> list[Any]:
        """A whole list (all pages; the client fetches pages 2..last concurrently). Each
        page is written as it arrives, while the next ones are still on the wire; the
        closing write (the listing itself) then finds the rows unchanged and is cheap."""
        store = self.core.store
        self.prime()
        mark = store.revision()  # rows written after this are not dropped by the listing
        pages = self.core.api.iter_conversation_pages(
            scope=None if scope == "inbox" else scope,
            filter=(context_code,) if context_code else (),
            per_page=PAGE,
        )
        rows: list[Conversation] = []
        seen: set[int] = set()
        try:
            while (page := await talk(self.core, anext(pages, None))) is not None:
                fresh = [self.core.overlay(convert.conversation(item)) for item in page]
                # A conversation that moved between pages while they were fetched: once.
                fresh = [row for row in fresh if row.id not in seen]
                seen.update(row.id for row in fresh)
                if self.core.primed:
                    self.core.announce([(store.conversation(r.id), r) for r in fresh])
                store.upsert_conversations(fresh)
                rows.extend(fresh)
        finally:
            await pages.aclose()
        store.upsert_conversations(
            rows, scope=scope, context_code=context_code, complete=True, as_of=mark
        )
        return rows

    async def full(self, *, lists_only: bool = False) -> SyncCounts:
        """Fill the cache. One at a time: a second call waits for the running one."""
        if self.running is not None and not self.running.done():
            return await asyncio.shield(self.running)
        self.running = self.core.spawn(self._full(lists_only), "full-sync")
        return await asyncio.shield(self.running)

    async def _full(self, lists_only: bool) -> SyncCounts:
        counts = SyncCounts()
        scopes: tuple[Scope, ...] = ("inbox",) if lists_only else SCOPES
        self.core.emit(SyncProgress("lists", 0, len(scopes)))
        listed = await asyncio.gather(*(self.list_scope(scope) for scope in scopes))
        counts.lists = len(scopes)
        self.core.primed = True
        self.core.changed()
        self.core.emit(SyncProgress("lists", len(scopes), len(scopes)))
        rows: dict[int, Conversation] = {}
        for scope_rows in listed:
            for row in scope_rows:
                rows.setdefault(row.id, row)
        counts.conversations = len(rows)
        if lists_only:
            return counts
        store = self.core.store
        cached = store.thread_ids()
        wanted = [
            row
            for row in rows.values()
            if row.id not in cached or not thread_is_current(store.thread(row.id), row)
        ]
        counts.threads_cached = len(rows) - len(wanted)
        total = len(wanted)
        self.core.emit(SyncProgress("threads", 0, total))
        if wanted:
            await self._threads(wanted, counts, total)
        self.core.emit(SyncProgress("threads", total, total))
        return counts

    async def _threads(self, wanted: list[Conversation], counts: SyncCounts, total: int) -> None:
        queue: asyncio.Queue[Conversation] = asyncio.Queue()
        for row in wanted:
            queue.put_nowait(row)
        store = self.core.store
        stopped: list[Unreachable] = []
        batch: list[Thread] = []
        pairs: list[tuple[Conversation | None, Conversation]] = []

        async def worker() -> None:
            while not queue.empty() and not stopped:
                row = queue.get_nowait()
                try:
                    wire = await talk(
                        self.core,
                        self.core.api.get_conversation(row.id, auto_mark_as_read=False),
                    )
                except Refused:
                    counts.threads_failed += 1  # deleted meanwhile, or no longer ours
                    continue
                except Unreachable as error:
                    # Every other request would fail too: stop, keep what was fetched.
                    stopped.append(error)
                    return
                thread = convert.thread(wire)
                # It may have changed since it was listed: then this is the first look.
                pairs.append((store.conversation(row.id), thread.conversation))
                batch.append(thread)
                if len(batch) >= SAVE_EVERY:
                    store.save_threads(batch)  # one transaction for many: far cheaper
                    batch.clear()
                counts.threads_fetched += 1
                done = counts.threads_fetched + counts.threads_failed
                if done % PROGRESS_EVERY == 0:
                    self.core.emit(SyncProgress("threads", done, total))

        workers = max(1, self.core.settings.max_concurrency)
        try:
            await asyncio.gather(*(worker() for _ in range(min(workers, len(wanted)))))
        finally:
            if batch:
                store.save_threads(batch)
            self.core.announce(pairs)
        if stopped:
            raise stopped[0]
