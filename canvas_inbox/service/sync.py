"""Bringing the cache up to date with Canvas: who we are, the first page of a list (the
cheap refresh that makes new mail appear), and the full sync (every list, then every
thread not cached or changed) that makes search and offline reading work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
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
            # Canvas lists only current courses unless asked: a concluded course still
            # names its old mail in the filter, and the composer must know it is closed.
            talk(self.core, api.list_courses(state=("available", "completed"))),
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
            await self.core.close_pages(pages)
        store = self.core.store
        self.prime()
        cached = store.conversations_by_id(int(item.id) for item in wire)
        pairs = []
        for item in wire:
            old = cached.get(int(item.id))
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

    async def list_scope(
        self,
        scope: Scope,
        context_code: str | None = None,
        *,
        on_page: Callable[[list[Conversation]], None] | None = None,
    ) -> list[Any]:
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
            all_pages=True,  # read to the end: pages 2..last go out with the first
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
                    cached = store.conversations_by_id(r.id for r in fresh)
                    self.core.announce([(cached.get(r.id), r) for r in fresh])
                # (The client hands a page over only once the next pages' requests are
                # out: this write, a few ms of the loop, does not hold them back.)
                store.upsert_conversations(fresh)
                rows.extend(fresh)
                if on_page is not None:
                    on_page(fresh)
        finally:
            await self.core.close_pages(pages)
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
        # Threads are fetched as soon as their rows are listed: the lists' last pages and
        # the first threads share the connections instead of waiting on each other.
        fetcher = None if lists_only else ThreadFetcher(self.core, counts)
        offer = fetcher.offer if fetcher is not None else None
        try:
            listed = await asyncio.gather(*(self.list_scope(s, on_page=offer) for s in scopes))
        except BaseException:
            if fetcher is not None:
                await fetcher.abandon()
            raise
        counts.lists = len(scopes)
        self.core.primed = True
        self.core.changed()
        self.core.emit(SyncProgress("lists", len(scopes), len(scopes)))
        counts.conversations = len({row.id for rows in listed for row in rows})
        if fetcher is not None:
            await fetcher.finish()
        return counts


class ThreadFetcher:
    """Fetches the threads offered to it (not cached, or changed since), with at most
    ``max_concurrency`` workers, writing them to the cache in batches."""

    def __init__(self, core: Core, counts: SyncCounts) -> None:
        self.core = core
        self.counts = counts
        self.store = core.store
        self.cached = self.store.thread_ids()
        self.offered: set[int] = set()
        self.queue: asyncio.Queue[Conversation | None] = asyncio.Queue()
        self.total = 0
        self.listed = False  # every list is in: the total is final
        self.stopped: list[Unreachable] = []
        self.batch: list[Thread] = []
        self.pairs: list[tuple[Conversation | None, Conversation]] = []
        workers = max(1, core.settings.max_concurrency)
        self.workers = [asyncio.ensure_future(self._work()) for _ in range(workers)]

    def offer(self, rows: list[Conversation]) -> None:
        for row in rows:
            if row.id in self.offered:
                continue
            self.offered.add(row.id)
            if row.id in self.cached and thread_is_current(self.store.thread(row.id), row):
                self.counts.threads_cached += 1
                continue
            self.total += 1
            self.queue.put_nowait(row)

    async def _work(self) -> None:
        counts = self.counts
        while (row := await self.queue.get()) is not None:
            if self.stopped:
                continue  # drain: the connection is gone
            try:
                wire = await talk(
                    self.core, self.core.api.get_conversation(row.id, auto_mark_as_read=False)
                )
            except Refused:
                counts.threads_failed += 1  # deleted meanwhile, or no longer ours
                continue
            except Unreachable as error:
                # Every other request would fail too: stop, keep what was fetched.
                self.stopped.append(error)
                continue
            thread = convert.thread(wire)
            if self.core.primed:
                # It may have changed since it was listed: then this is the first look.
                self.pairs.append((self.store.conversation(row.id), thread.conversation))
            self.batch.append(thread)
            if len(self.batch) >= SAVE_EVERY:
                # The answers already in go first, then the other workers' next requests
                # reach the wire: the write would hold them back by its length.
                await self.core.api.yield_to_network()
                if len(self.batch) >= SAVE_EVERY:  # unless one of them saved meanwhile
                    self._save()
            counts.threads_fetched += 1
            done = counts.threads_fetched + counts.threads_failed
            if done % PROGRESS_EVERY == 0:
                total = self.total if self.listed else None
                self.core.emit(SyncProgress("threads", done, total))

    def _save(self) -> None:
        if self.batch:
            self.store.save_threads(self.batch)  # one transaction for many: far cheaper
            self.batch.clear()
        self.core.announce(self.pairs)
        self.pairs.clear()

    async def finish(self) -> None:
        self.listed = True
        done = self.counts.threads_fetched + self.counts.threads_failed
        self.core.emit(SyncProgress("threads", done, self.total))
        for _ in self.workers:
            self.queue.put_nowait(None)
        try:
            await asyncio.gather(*self.workers)
        finally:
            self._save()
        self.core.emit(SyncProgress("threads", self.total, self.total))
        if self.stopped:
            raise self.stopped[0]

    async def abandon(self) -> None:
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)
        self._save()
