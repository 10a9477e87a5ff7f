"""``Store``: the one object the service uses to reach SQLite.

Threading: one ``Store`` per profile, used from one thread (the service's asyncio
thread). The connection is not shared; every public method runs to completion before it
returns, and every write is committed before it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from canvas_inbox.store._errors import Recovery
from canvas_inbox.store.records import (
    Context,
    Conversation,
    Draft,
    OutboxItem,
    Person,
    Scope,
    SearchHit,
    Thread,
)


class Store:
    """The offline cache (conversations, threads, people, contexts), drafts and outbox.

    Two SQLite files: the cache at ``path`` (only a cache: a damaged one is moved aside
    and rebuilt) and the user's own writing, drafts and outbox, at ``drafts_path``
    (default: beside the cache, ``<stem>-drafts<suffix>``), which a cache reset never
    touches.
    """

    recovered: tuple[Recovery, ...]
    """Files that were damaged at open and moved aside (empty normally): tell the user."""

    @classmethod
    def open(cls, path: Path | None, *, drafts_path: Path | None = None) -> Store:
        """Open (creating and migrating as needed). ``path=None`` keeps everything in memory.

        Raises ``StoreVersionError`` if a file was written by a newer schema, and
        ``StoreError`` if a file cannot be opened at all (permissions, a directory…).
        A damaged file is moved aside and reported in ``recovered`` instead of raising.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Close both files. Safe to call twice."""
        raise NotImplementedError

    # --- meta, me, contexts ------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A small string the service keeps in the cache (sync cursors, timestamps)."""
        raise NotImplementedError

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or with ``None`` remove) a meta value."""
        raise NotImplementedError

    def save_me(self, me: Person) -> None:
        raise NotImplementedError

    def me(self) -> Person | None:
        raise NotImplementedError

    def save_contexts(self, contexts: list[Context]) -> None:
        """Replace the user's courses and groups (the complete list)."""
        raise NotImplementedError

    def contexts(self) -> list[Context]:
        """Courses then groups, in the order they were saved."""
        raise NotImplementedError

    # --- conversations -----------------------------------------------------------------
    def upsert_conversations(
        self,
        conversations: Iterable[Conversation],
        *,
        scope: Scope | None = None,
        context_code: str | None = None,
        complete: bool = False,
    ) -> None:
        """Record conversations as Canvas sent them, in one transaction.

        With ``scope`` (and optionally ``context_code``, the filter the list was asked
        with) the rows are also recorded as the server's listing of that scope/filter, in
        the order given (a partial listing is taken as the top of the list, as a
        first-page refresh is). With ``complete=True`` this was the whole list: cached rows
        that match the scope/filter locally but were not listed drop out of it (they stay
        cached for other scopes, threads and search). Drafts and outbox are never touched.
        """
        raise NotImplementedError

    def conversations(
        self, scope: Scope, context_code: str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        """The rows of a scope (filtered by course/group code), in Canvas's order.

        Membership follows each row's current local fields, so an optimistic change
        shows at once: inbox = visible (last_message_at set) and not archived; unread =
        visible and unread; archived = visible and archived; starred = starred; sent =
        has a message of the user's own (last_authored_message_at set, or listed by the
        server under sent). Order: last_message_at desc, id desc (inbox, unread,
        archived); last_authored_message_at desc, id desc (sent); the server's order for
        starred, locally starred rows it has not listed yet first.
        A context filter matches the row's context_code or any code it was listed under.
        """
        raise NotImplementedError

    def count(self, scope: Scope, context_code: str | None = None) -> int:
        """How many rows ``conversations(scope, context_code)`` would return."""
        raise NotImplementedError

    def conversation(self, conversation_id: int) -> Conversation | None:
        raise NotImplementedError

    def update_conversation(self, conversation: Conversation) -> None:
        """Replace one cached row with a locally changed copy (an optimistic change, or
        its revert). Unknown ids are inserted. Use ``update_conversations`` for many."""
        raise NotImplementedError

    def update_conversations(self, conversations: Iterable[Conversation]) -> None:
        """``update_conversation`` for many rows in one transaction (batch actions)."""
        raise NotImplementedError

    def remove_conversations(self, ids: Iterable[int]) -> None:
        """Forget conversations (deleted for the user): rows, listings, threads, search."""
        raise NotImplementedError

    # --- threads -----------------------------------------------------------------------
    def save_thread(self, thread: Thread) -> None:
        """Store a thread's messages exactly (attachments, media, nested forwards) and
        update its conversation row from ``thread.conversation``."""
        raise NotImplementedError

    def thread(self, conversation_id: int) -> Thread | None:
        """The cached thread (messages oldest first), or None if never fetched."""
        raise NotImplementedError

    def thread_ids(self) -> set[int]:
        """Ids of the conversations whose threads are cached."""
        raise NotImplementedError

    # --- search ------------------------------------------------------------------------
    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        """Full-text search over subjects, message bodies and people's names.

        Forgiving syntax: words match as prefixes (as you type), "quoted phrases" match
        exactly; any input is accepted (never raises). Best match first (bm25), then
        newest. Each hit carries a one-line plain-text snippet and the (start, end)
        offsets of the matched words in it.
        """
        raise NotImplementedError

    # --- drafts and outbox (durable when the call returns) -----------------------------
    def save_draft(self, draft: Draft) -> None:
        """Insert or replace a draft by id. Cheap: meant for every pause in typing."""
        raise NotImplementedError

    def draft(self, draft_id: str) -> Draft | None:
        raise NotImplementedError

    def drafts(self) -> list[Draft]:
        """All drafts, most recently updated first."""
        raise NotImplementedError

    def delete_draft(self, draft_id: str) -> None:
        raise NotImplementedError

    def put_outbox(self, item: OutboxItem) -> None:
        """Insert or replace an outbox item by id (its state, attempts, last error)."""
        raise NotImplementedError

    def outbox(self) -> list[OutboxItem]:
        """All outbox items, oldest first (the order they should go out in)."""
        raise NotImplementedError

    def outbox_item(self, item_id: str) -> OutboxItem | None:
        raise NotImplementedError

    def remove_outbox(self, item_id: str) -> None:
        raise NotImplementedError
