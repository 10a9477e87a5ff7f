"""The local records: what the cache holds and what the app works with.

These are deliberately not the wire records of ``canvas_inbox.canvas``: Canvas's JSON
has per-endpoint flavours, version quirks and ids as strings or ints, while everything
above the wire wants one settled shape. The service converts wire records into these;
the UI receives them through ``canvas_inbox.service``. They are frozen: a change is a new
record (``msgspec.structs.replace``), which makes optimistic updates easy to revert.

``gc=False``: a frozen record of strings, numbers and tuples of other frozen records can
never be part of a reference cycle, so the cyclic collector need not track them; with
10,000 conversations in memory its full collections (pauses of 37–76 ms in the app while
a sync ran) shrink to what is left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Scope = Literal["inbox", "unread", "starred", "sent", "archived"]
SCOPES: tuple[Scope, ...] = ("inbox", "unread", "starred", "sent", "archived")
WorkflowState = Literal["unread", "read", "archived"]


class Person(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: int
    name: str  # Canvas's short (display) name
    full_name: str = ""
    pronouns: str | None = None
    avatar_url: str | None = None


class Attachment(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: int
    display_name: str
    filename: str = ""
    content_type: str = ""
    size: int = 0
    url: str = ""


class MediaComment(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    media_id: str
    media_type: str  # "audio" or "video"
    display_name: str | None = None
    url: str = ""


class Message(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: int
    conversation_id: int
    author_id: int
    created_at: datetime
    body: str
    generated: bool = False
    attachments: tuple[Attachment, ...] = ()
    media_comment: MediaComment | None = None
    forwarded: tuple[Message, ...] = ()  # newest first, as Canvas sends them
    participating_user_ids: tuple[int, ...] = ()


class Conversation(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One conversation as the current user sees it (Canvas's participant view)."""

    id: int
    subject: str | None
    workflow_state: WorkflowState
    starred: bool = False
    subscribed: bool = True
    private: bool = False
    last_message: str | None = None  # Canvas's 100-character preview
    last_message_at: datetime | None = None
    last_authored_message_at: datetime | None = None
    message_count: int = 0
    participants: tuple[Person, ...] = ()  # caller included, most recent author first
    audience: tuple[int, ...] = ()  # the others, caller excluded
    context_code: str | None = None
    context_name: str | None = None
    has_attachments: bool = False
    has_media_objects: bool = False
    last_author_is_me: bool = False  # Canvas's "last_author" property
    cannot_reply: bool = False

    @property
    def unread(self) -> bool:
        return self.workflow_state == "unread"

    @property
    def sort_time(self) -> datetime | None:
        return self.last_message_at or self.last_authored_message_at


class Thread(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    conversation: Conversation
    messages: tuple[Message, ...]  # oldest first: the order a person reads a thread in


class Context(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A course or group the user belongs to: the inbox filter and compose context."""

    code: str  # "course_12" or "group_3"
    name: str
    kind: Literal["course", "group"]
    course_code: str | None = None
    concluded: bool = False  # course completed: readable, not writable
    roles: tuple[str, ...] = ()  # the user's enrollment types, e.g. ("TeacherEnrollment",)


class Recipient(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Something the user may address: a person, or a context target like course_12_students."""

    id: str  # "5" for a user, or a context code
    name: str
    kind: Literal["user", "context"]
    detail: str = ""  # e.g. the course name for a section, or "23 people"
    user_count: int | None = None


DraftKind = Literal["new", "reply", "reply_all", "forward"]


class Draft(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What the user is writing. Saved on every change: nothing typed is ever lost."""

    id: str  # a uuid4 hex, made by the UI when the composer opens
    kind: DraftKind = "new"
    conversation_id: int | None = None  # for reply, reply_all and forward
    recipients: tuple[Recipient, ...] = ()
    subject: str = ""
    body: str = ""
    context_code: str | None = None
    send_individually: bool = False  # Canvas's group_conversation=false with several people
    attachment_paths: tuple[str, ...] = ()
    included_message_ids: tuple[int, ...] = ()  # forward: messages to include
    updated_at: datetime | None = None


OutboxState = Literal["queued", "sending", "failed", "unknown", "sent"]


class OutboxItem(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A message waiting to be sent, or that failed: kept with its reason until it goes."""

    id: str
    draft: Draft
    state: OutboxState = "queued"
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime
    sent_conversation_id: int | None = None


class SearchHit(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    conversation_id: int
    message_id: int | None  # None when the subject or a name matched
    subject: str | None
    snippet: str  # plain text around the match
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) offsets into snippet
    created_at: datetime | None = None
