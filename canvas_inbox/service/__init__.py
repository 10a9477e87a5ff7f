"""The async service layer the UI binds to. Importing it does not import httpx:
the inbox paints from the cache before the network stack loads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from canvas_inbox.service.api import InboxAPI, ServiceError
from canvas_inbox.service.events import (
    ActionFailed,
    AuthExpired,
    ConnectionChanged,
    ConversationsChanged,
    Event,
    NewMail,
    OutboxChanged,
    SyncProgress,
    ThreadChanged,
    UnreadCountChanged,
)
from canvas_inbox.store.records import (
    SCOPES,
    Attachment,
    Context,
    Conversation,
    Draft,
    DraftKind,
    MediaComment,
    Message,
    OutboxItem,
    Person,
    Recipient,
    Scope,
    SearchHit,
    Thread,
)

if TYPE_CHECKING:
    from canvas_inbox.service.inbox import InboxService, ServiceSettings

__all__ = [
    "SCOPES",
    "ActionFailed",
    "Attachment",
    "AuthExpired",
    "ConnectionChanged",
    "Context",
    "Conversation",
    "ConversationsChanged",
    "Draft",
    "DraftKind",
    "Event",
    "InboxAPI",
    "InboxService",
    "MediaComment",
    "Message",
    "NewMail",
    "OutboxChanged",
    "OutboxItem",
    "Person",
    "Recipient",
    "Scope",
    "SearchHit",
    "ServiceError",
    "ServiceSettings",
    "SyncProgress",
    "Thread",
    "ThreadChanged",
    "UnreadCountChanged",
]


def __getattr__(name: str) -> Any:
    # InboxService lives in service.inbox; it is loaded on first use (it is cheap: the
    # Canvas client and httpx are imported later still, when the service starts).
    if name in ("InboxService", "ServiceSettings"):
        from canvas_inbox.service import inbox

        return getattr(inbox, name)
    raise AttributeError(name)
