"""Wire records (``canvas_inbox.canvas``, Canvas's per-endpoint JSON) into the local
records (``store.records``, one settled shape). Pure functions, no I/O.

Typed loosely (``Any``) on purpose: importing the wire types would import the client
and httpx, and this module is loaded before the network stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

import msgspec

from canvas_inbox.store.records import (
    Attachment,
    Context,
    Conversation,
    MediaComment,
    Message,
    Person,
    Recipient,
    Thread,
    WorkflowState,
)

_STATES = ("unread", "read", "archived")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def person(user: Any) -> Person:
    return Person(
        id=int(user.id),
        name=user.short_name or user.name if hasattr(user, "short_name") else user.name,
        full_name=getattr(user, "full_name", None) or user.name or "",
        pronouns=getattr(user, "pronouns", None),
        avatar_url=getattr(user, "avatar_url", None),
    )


def conversation(wire: Any) -> Conversation:
    state = cast(WorkflowState, wire.workflow_state if wire.workflow_state in _STATES else "read")
    return Conversation(
        id=int(wire.id),
        subject=wire.subject,
        workflow_state=state,
        starred=bool(wire.starred),
        subscribed=bool(wire.subscribed),
        private=bool(wire.private),
        last_message=wire.last_message,
        last_message_at=wire.last_message_at,
        last_authored_message_at=wire.last_authored_message_at,
        message_count=int(wire.message_count or 0),
        participants=tuple(person(p) for p in wire.participants),
        audience=tuple(int(a) for a in wire.audience),
        context_code=wire.context_code,
        context_name=wire.context_name,
        has_attachments=wire.has_attachments,
        has_media_objects=wire.has_media_objects,
        last_author_is_me=wire.last_author_is_me,
        cannot_reply=bool(wire.cannot_reply),
    )


def merge(old: Conversation | None, new: Conversation) -> Conversation:
    """A row from an endpoint that leaves fields out (update, delete, add_message, bulk
    create send no ``context_name``; only show says ``cannot_reply``): keep what we knew."""
    if old is None:
        return new
    changes: dict[str, Any] = {}
    if new.context_name is None and old.context_name is not None:
        changes["context_name"] = old.context_name
    if old.cannot_reply and not new.cannot_reply:
        changes["cannot_reply"] = True
    return msgspec.structs.replace(new, **changes) if changes else new


def attachment(wire: Any) -> Attachment:
    return Attachment(
        id=int(wire.id),
        display_name=wire.display_name or wire.filename or f"file {wire.id}",
        filename=wire.filename or "",
        content_type=wire.content_type or "",
        size=int(wire.size or 0),
        url=wire.url or "",
    )


def media_comment(wire: Any) -> MediaComment | None:
    if wire is None:
        return None
    return MediaComment(
        media_id=wire.media_id,
        media_type=wire.media_type or "",
        display_name=wire.display_name,
        url=wire.url or "",
    )


def message(wire: Any, conversation_id: int) -> Message:
    return Message(
        id=int(wire.id),
        conversation_id=conversation_id,
        author_id=int(wire.author_id or 0),
        created_at=wire.created_at or _EPOCH,
        body=wire.body or "",
        generated=bool(wire.generated),
        attachments=tuple(attachment(a) for a in wire.attachments),
        media_comment=media_comment(wire.media_comment),
        forwarded=tuple(message(f, conversation_id) for f in wire.forwarded_messages),
        participating_user_ids=tuple(int(u) for u in wire.participating_user_ids),
    )


def messages(wire: Iterable[Any], conversation_id: int) -> tuple[Message, ...]:
    """Oldest first, the order a person reads in; Canvas sends newest first. The
    placeholder of a queued reply (id 0) is not a message yet."""
    kept = [message(m, conversation_id) for m in wire if int(m.id) != 0]
    kept.sort(key=lambda m: (m.created_at, m.id))
    return tuple(kept)


def thread(wire: Any) -> Thread:
    row = conversation(wire)
    return Thread(conversation=row, messages=messages(wire.messages or (), row.id))


def contexts(courses: Iterable[Any], groups: Iterable[Any]) -> list[Context]:
    found: list[Context] = []
    for course in courses:
        if getattr(course, "access_restricted_by_date", False):
            continue
        roles = tuple(
            dict.fromkeys((e.role or _role(e.type)) for e in course.enrollments if e.type)
        )
        concluded = course.workflow_state == "completed" or bool(course.concluded)
        found.append(
            Context(
                code=f"course_{course.id}",
                name=course.name or course.course_code or f"Course {course.id}",
                kind="course",
                course_code=course.course_code,
                concluded=concluded,
                roles=roles,
            )
        )
    for group in groups:
        found.append(
            Context(
                code=f"group_{group.id}",
                name=group.name or f"Group {group.id}",
                kind="group",
                concluded=bool(group.concluded),
            )
        )
    return found


def _role(kind: str) -> str:
    """The course list says "student"; everything else says "StudentEnrollment"."""
    if kind.endswith("Enrollment"):
        return kind
    return kind[:1].upper() + kind[1:] + "Enrollment"


def recipient(wire: Any, context_names: dict[str, str] | None = None) -> Recipient:
    if wire.is_context:
        detail = wire.context_name or ""
        count = wire.user_count
        if not detail and count is not None:
            detail = "1 person" if count == 1 else f"{count} people"
        return Recipient(
            id=wire.recipient_id,
            name=wire.name or wire.recipient_id,
            kind="context",
            detail=detail,
            user_count=count,
        )
    names = context_names or {}
    shared = [names.get(f"course_{c}", "") for c in wire.common_courses]
    shared += [names.get(f"group_{g}", "") for g in wire.common_groups]
    return Recipient(
        id=wire.recipient_id,
        name=wire.name or wire.full_name or wire.recipient_id,
        kind="user",
        detail=", ".join(s for s in shared if s),
    )
