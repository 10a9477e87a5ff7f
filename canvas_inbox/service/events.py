"""What the service tells its observers. Plain dataclasses: the UI wraps them in
Textual messages, a script prints them, a test collects them.

Events describe what changed, not what to draw: the UI re-reads the cache for the
current view when it hears ``ConversationsChanged``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from canvas_inbox.store.records import Conversation, OutboxItem


@dataclass(frozen=True, slots=True)
class UnreadCountChanged:
    count: int


@dataclass(frozen=True, slots=True)
class ConversationsChanged:
    """Rows in the cache changed; ``ids`` empty means "anything may have changed"."""

    ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ThreadChanged:
    conversation_id: int


@dataclass(frozen=True, slots=True)
class NewMail:
    """Conversations that became unread because someone wrote, newest first."""

    conversations: tuple[Conversation, ...]


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    online: bool
    reason: str | None = None  # one line, for the status bar: "Canvas is throttling; retrying"


@dataclass(frozen=True, slots=True)
class ActionFailed:
    """An optimistic change was refused and reverted."""

    description: str  # "Archive 3 conversations"
    reason: str  # one line from Canvas or the network


@dataclass(frozen=True, slots=True)
class SyncProgress:
    phase: str  # "lists", "threads"
    done: int
    total: int | None


@dataclass(frozen=True, slots=True)
class AuthExpired:
    reason: str  # "Invalid access token."


@dataclass(frozen=True, slots=True)
class OutboxChanged:
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
