"""The surface the UI binds to. ``InboxService`` implements it; the UI types against it.

Reads marked "cache" return at once from SQLite and never touch the network, so the UI
may call them on the event loop. Everything ``async`` may touch the network and belongs
in a worker. Actions apply locally first (optimistic), emit ``ConversationsChanged``,
then talk to Canvas; a refusal reverts the change and emits ``ActionFailed`` (and raises
``ServiceError`` to the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from canvas_inbox.service.events import Event
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


class ServiceError(Exception):
    """A failure worth one line on the screen. ``str(error)`` is that line."""


class InboxAPI(Protocol):
    # --- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Open the cache, then in the background: refresh, poll, sync."""

    async def aclose(self) -> None: ...

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback`` for every event, on the event loop. Returns an unsubscribe."""

    # --- state (cache) -----------------------------------------------------------------
    @property
    def me(self) -> Person | None: ...
    @property
    def unread_count(self) -> int | None: ...
    @property
    def online(self) -> bool: ...
    def contexts(self) -> list[Context]: ...
    def cached_conversations(
        self, scope: Scope, context_code: str | None = None, limit: int | None = None
    ) -> list[Conversation]: ...
    def cached_thread(self, conversation_id: int) -> Thread | None: ...
    def search(self, query: str, limit: int = 200) -> list[SearchHit]: ...
    def drafts(self) -> list[Draft]: ...
    def save_draft(self, draft: Draft) -> None: ...
    def delete_draft(self, draft_id: str) -> None: ...
    def outbox(self) -> list[OutboxItem]: ...
    def discard_outbox(self, outbox_id: str) -> None:
        """Drop an unsent message from the outbox, and its draft (local only: it cannot
        unsend anything Canvas already has). Raises ServiceError while it is being sent."""

    # --- network ---------------------------------------------------------------------
    async def refresh(self, scope: Scope = "inbox", context_code: str | None = None) -> None: ...
    async def open_thread(self, conversation_id: int, *, mark_read: bool = True) -> Thread: ...
    async def search_recipients(
        self, text: str, context_code: str | None = None
    ) -> list[Recipient]:
        """Targets Canvas would accept, as the web Inbox's address book finds them.

        ``context_code`` None: people, courses, sections and groups matching ``text``,
        and every current course's role sets and folders whose names match ("students",
        "teachers", "sections"); with no text, those role sets and folders. A course code:
        its role sets and folders (no text), or its matching ones, sections, groups and
        people. A folder code (``course_X_sections``/``_groups``): what it holds. A group
        code: its people. Whole-course and "Students"/"Observers" targets are offered only
        with Canvas's ``send_messages_all``; nothing nobody can be reached in is offered."""

    # --- actions (optimistic, undoable) ----------------------------------------------
    async def set_starred(self, ids: Sequence[int], starred: bool) -> None: ...
    async def set_archived(self, ids: Sequence[int], archived: bool) -> None: ...
    async def set_read(self, ids: Sequence[int], read: bool) -> None: ...
    async def delete(self, ids: Sequence[int]) -> None: ...
    async def delete_message(self, conversation_id: int, message_id: int) -> None: ...
    async def mark_all_read(self) -> None: ...
    async def undo(self) -> str | None:
        """Reverse the last change if still possible; returns what was undone."""

    # --- sending ---------------------------------------------------------------------
    async def send(self, draft: Draft) -> OutboxItem:
        """Queue in the outbox, send, and on success drop the draft; on failure the item
        stays in the outbox with its reason (state "failed" or "unknown")."""

    async def retry(self, outbox_id: str) -> OutboxItem: ...
    async def add_recipients(
        self, conversation_id: int, recipients: Sequence[Recipient]
    ) -> None: ...
