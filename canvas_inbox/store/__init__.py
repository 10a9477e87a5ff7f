"""The local store: SQLite for the offline cache, drafts and the outbox.

Knows SQLite and the local records (``store.records``), nothing of HTTP or Textual.
``Store`` is synchronous and meant for one thread (the service's asyncio thread): one
connection, one writer. Reads are index-backed and fast enough to run on the event loop.
"""

from __future__ import annotations

from canvas_inbox.store._errors import Recovery, StoreError, StoreVersionError
from canvas_inbox.store._store import Store

__all__ = ["Recovery", "Store", "StoreError", "StoreVersionError"]
