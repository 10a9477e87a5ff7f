"""What the service tells its observers. Plain frozen records (msgspec Structs: defining
nine dataclasses cost ~6 ms of import before the app's first paint, these well under
one): the UI wraps them in Textual messages, a script prints them, a test collects them.

Events describe what changed, not what to draw: the UI re-reads the cache for the
current view when it hears ``ConversationsChanged``.
"""

from __future__ import annotations

import msgspec

from canvas_inbox.store.records import Conversation, OutboxItem


class UnreadCountChanged(msgspec.Struct, frozen=True, gc=False):
    count: int


class ConversationsChanged(msgspec.Struct, frozen=True, gc=False):
    """Rows in the cache changed; ``ids`` empty means "anything may have changed"."""

    ids: frozenset[int] = frozenset()


class ThreadChanged(msgspec.Struct, frozen=True, gc=False):
    conversation_id: int


class NewMail(msgspec.Struct, frozen=True, gc=False):
    """Conversations that became unread because someone wrote, newest first."""

    conversations: tuple[Conversation, ...]


class ConnectionChanged(msgspec.Struct, frozen=True, gc=False):
    online: bool
    reason: str | None = None  # one line, for the status bar: "Canvas is throttling; retrying"


class ActionFailed(msgspec.Struct, frozen=True, gc=False):
    """An optimistic change was refused and reverted."""

    description: str  # "Archive 3 conversations"
    reason: str  # one line from Canvas or the network


class SyncProgress(msgspec.Struct, frozen=True, gc=False):
    phase: str  # "lists", "threads"
    done: int
    total: int | None


class AuthExpired(msgspec.Struct, frozen=True, gc=False):
    reason: str  # "Invalid access token."


class OutboxChanged(msgspec.Struct, frozen=True, gc=False):
    item: OutboxItem


Event = (
    UnreadCountChanged
    | ConversationsChanged
    | ThreadChanged
    | NewMail
    | ConnectionChanged
    | ActionFailed
    | SyncProgress
    | AuthExpired
    | OutboxChanged
)
