"""Drafts and the outbox: the user's own writing, in the drafts file (``Store._keep``).

Every call is its own transaction, committed (and, the file being synchronous=FULL,
fsynced) before it returns: see ``_store`` for why.
"""

from __future__ import annotations

import sqlite3
import time

from canvas_inbox.store._codec import decode_draft, decode_outbox, encode_typed, micros
from canvas_inbox.store._guard import drafts_call
from canvas_inbox.store.records import Draft, OutboxItem


class DraftsAndOutbox:
    _keep: sqlite3.Connection

    # --- drafts and outbox (durable when the call returns) -----------------------------
    @drafts_call
    def save_draft(self, draft: Draft) -> None:
        """Insert or replace a draft by id. Cheap: meant for every pause in typing."""
        self._keep.execute(
            # saved_at only grows (two saves in one microsecond, a clock set back), so
            # "most recently saved first" is always the order they were saved in.
            "INSERT INTO drafts (id, saved_at, data) VALUES"
            " (?, max(?, (SELECT coalesce(max(saved_at), 0) + 1 FROM drafts)), ?)"
            " ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, data = excluded.data",
            (draft.id, time.time_ns() // 1000, encode_typed(draft)),
        )

    @drafts_call
    def draft(self, draft_id: str) -> Draft | None:
        row = self._keep.execute("SELECT data FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return None if row is None else decode_draft(row[0])

    @drafts_call
    def drafts(self) -> list[Draft]:
        """All drafts, most recently saved first."""
        rows = self._keep.execute("SELECT data FROM drafts ORDER BY saved_at DESC, id")
        return [decode_draft(data) for (data,) in rows]

    @drafts_call
    def delete_draft(self, draft_id: str) -> None:
        self._keep.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    @drafts_call
    def put_outbox(self, item: OutboxItem) -> None:
        """Insert or replace an outbox item by id (its state, attempts, last error).

        Saving a draft's outbox item and dropping the draft are separate calls: the
        service puts the item first, so a crash between them leaves both, never neither.
        """
        self._keep.execute(
            "INSERT INTO outbox (id, created_at, seq, data) VALUES"
            " (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (item.id, micros(item.created_at), encode_typed(item)),
        )

    @drafts_call
    def outbox(self) -> list[OutboxItem]:
        """All outbox items, oldest first (the order they should go out in)."""
        rows = self._keep.execute("SELECT data FROM outbox ORDER BY created_at, seq")
        return [decode_outbox(data) for (data,) in rows]

    @drafts_call
    def outbox_item(self, item_id: str) -> OutboxItem | None:
        row = self._keep.execute("SELECT data FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else decode_outbox(row[0])

    @drafts_call
    def remove_outbox(self, item_id: str) -> None:
        self._keep.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
