"""Textual messages: the service's events brought onto the UI's message queue."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from canvas_inbox.service import Event, SyncProgress, UnreadCountChanged

# Only the latest of these matters: a burst of counts collapses to the last one.
_COALESCED = (UnreadCountChanged, SyncProgress)


@dataclass
class ServiceEventReceived(Message):
    """One service event, posted to the app from the service's callback."""

    event: Event

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, ServiceEventReceived)
            and isinstance(self.event, _COALESCED)
            and type(message.event) is type(self.event)
        )
