"""POST /conversations (§4.2): validation in Canvas's order, then the single, bulk-private
or bulk-group path. Shared by the API, the seed loader and the activity task."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from canvas_inbox.sandbox import files
from canvas_inbox.sandbox.db import Tx
from canvas_inbox.sandbox.engine import core
from canvas_inbox.sandbox.engine.core import Context, NewMessage
from canvas_inbox.sandbox.http import MAX_ID, field_errors, model_error, not_found
from canvas_inbox.sandbox.recipients import resolve
from canvas_inbox.sandbox.roster import Roster

MAX_GROUP_RECIPIENTS = 100  # Canvas's max_group_conversation_size
MAX_SUBJECT = 255
MAX_BODY = 65535  # Canvas's maximum_text_length for message bodies
ROOT_ACCOUNT_ID = 1
_CONTEXT_RE = re.compile(r"^(course|group|section|account)_(\d+)$")


@dataclass
class CreateRequest:
    sender: int
    recipients: list[Any] | None
    body: str | None
    subject: str | None = None
    group_conversation: bool = False
    bulk_message: bool = False
    force_new: bool = False
    mode_async: bool = False
    attachment_ids: list[Any] = field(default_factory=list)
    media: tuple[str, str] | None = None
    context_code: str | None = None
    forwarded_ids: list[Any] = field(default_factory=list)


@dataclass
class CreateResult:
    path: str  # "single" | "bulk" | "async"
    conversation_ids: list[int]
    message_id: int | None = None
    batch_id: int | None = None


def lookup_context(roster: Roster, code: str | None) -> tuple[Context | None, bool]:
    """Read ``context_code``: (context, recognised?). A well-formed code naming nothing
    is Canvas's 404 (get_context runs before any other check)."""
    if not code:
        return None, True
    match = _CONTEXT_RE.match(code)
    if match is None:
        return None, False
    kind, context_id = match.group(1), int(match.group(2))
    if kind == "course" and context_id in roster.courses:
        return ("Course", context_id), True
    if kind == "group" and context_id in roster.groups:
        return ("Group", context_id), True
    if kind == "section" and context_id in roster.sections:
        return ("Course", roster.sections[context_id].course_id), True
    if kind == "account" and context_id == ROOT_ACCOUNT_ID:
        return ("Account", context_id), True
    raise not_found()


def explicit_tags(roster: Roster, context: Context | None, named: list[str]) -> list[str]:
    tags: list[str] = []
    if context is not None and context[0] == "Course":
        tags.append(f"course_{context[1]}")
    elif context is not None and context[0] == "Group":
        tags.append(f"group_{context[1]}")
        course_id = roster.groups[context[1]].course_id
        if course_id is not None:
            tags.append(f"course_{course_id}")
    return tags + [code for code in named if code not in tags]


def check_context(
    roster: Roster, sender: int, context: Context | None, recognised: bool, users: list[int]
) -> None:
    """§4.2 check 6: may the sender write in this context to these users?"""
    if not recognised:
        raise field_errors(("context_code", "invalid"))
    if context is None:
        return
    kind, context_id = context
    if kind == "Account":
        raise field_errors(("context_code", "invalid"))  # nobody is an account admin here
    if kind == "Group":
        group = roster.groups[context_id]
        teaches = group.course_id is not None and roster.is_course_admin(sender, group.course_id)
        if sender not in group.members and not teaches:
            raise field_errors(("context_code", "invalid"))
        return
    course = roster.courses[context_id]
    if not roster.can_send_messages(sender, context_id):
        instructors = {
            e.user_id
            for e in roster.by_course.get(context_id, ())
            if e.type in ("TeacherEnrollment", "TaEnrollment")
        }
        allowed = instructors | roster.observees(sender, context_id)
        if any(u not in allowed for u in users if u != sender):
            raise field_errors((f"Unable to send messages to users in {course.name}", ""))
    if not roster.is_member(sender, context_id):
        raise field_errors(("context_code", "invalid"))
    if not course.available and not roster.is_course_admin(sender, context_id):
        raise field_errors(("Course concluded", "Unable to send messages"))


def _int_list(values: list[Any]) -> list[int]:
    result = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and int(text) <= MAX_ID:
            result.append(int(text))
    return result


def visible_messages(tx: Tx, user_id: int, message_ids: list[int]) -> list[int]:
    """The ids among these that the user holds an active row for (order kept)."""
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    found = {
        r[0]
        for r in tx.conn.execute(
            f"SELECT message_id FROM message_participants WHERE user_id = ?"  # noqa: S608
            f" AND workflow_state = 'active' AND message_id IN ({marks})",
            (user_id, *message_ids),
        )
    }
    return [m for m in dict.fromkeys(message_ids) if m in found]


def build_message(
    tx: Tx,
    sender: int,
    body: str,
    attachment_ids: list[Any],
    media: tuple[str, str] | None,
    forwarded: list[Any],
) -> NewMessage:
    """The message as Canvas stores it: only attachable files, only visible forwards; a
    media comment records its media object (Canvas does not ask the media server)."""
    attachable = files.attachable_ids(tx.conn, sender, _int_list(attachment_ids))
    if media is not None:
        tx.conn.execute(
            "INSERT OR IGNORE INTO media_objects (media_id, user_id, media_type) VALUES (?, ?, ?)",
            (media[0], sender, media[1]),
        )
    return NewMessage(
        body=body,
        attachment_ids=attachable,
        media=media,
        forwarded_ids=visible_messages(tx, sender, _int_list(forwarded)),
    )


def create(tx: Tx, roster: Roster, req: CreateRequest, now: str) -> CreateResult:
    """Validate and perform a create; raises ApiError with Canvas's answer on failure."""
    context, recognised = lookup_context(roster, req.context_code)
    entries = req.recipients
    resolution = resolve(roster, req.sender, entries or [])
    if not entries:
        raise field_errors(("recipients", "blank"))
    users = resolution.user_ids
    if not users:
        raise field_errors(("recipients", "invalid"))
    if req.body is None or not req.body.strip():
        raise field_errors(("body", "blank"))
    if req.context_code:
        check_context(roster, req.sender, context, recognised, users)
    if resolution.non_string:
        raise field_errors(("recipients", "invalid"))
    if resolution.restricted:
        raise field_errors(("recipients", "restricted by role"))
    batch_group = (req.group_conversation and req.bulk_message) or req.force_new
    if len(users) > MAX_GROUP_RECIPIENTS and not batch_group:
        raise field_errors(("recipients", "too many for group conversation"))
    subject = req.subject or None
    if subject is not None and len(subject) > MAX_SUBJECT:
        raise model_error("subject", "too_long")
    if len(req.body) > MAX_BODY:
        raise model_error("body", "too_long")

    message = build_message(
        tx, req.sender, req.body, req.attachment_ids, req.media, req.forwarded_ids
    )
    tags = explicit_tags(roster, context, resolution.context_codes)
    batch_private = not req.group_conversation and len(users) > 1
    if batch_private or batch_group:
        return _batch(
            tx, roster, req, users, message, subject, context, tags, group=batch_group, now=now
        )
    participants = [req.sender, *[u for u in users if u != req.sender]]
    conversation_id, _ = core.start_conversation(
        tx,
        participants=participants,
        private=not req.group_conversation,
        subject=subject,
        context=context,
        now=now,
        author=req.sender,
    )
    message_id = core.deliver(
        tx, roster, conversation_id, req.sender, message, now, explicit_tags=tags
    )
    return CreateResult("single", [conversation_id], message_id=message_id)


def _batch(
    tx: Tx,
    roster: Roster,
    req: CreateRequest,
    users: list[int],
    message: NewMessage,
    subject: str | None,
    context: Context | None,
    tags: list[str],
    *,
    group: bool,
    now: str,
) -> CreateResult:
    """A ConversationBatch, delivered at once (§12 allows running it synchronously)."""
    template_id, _, _ = core.insert_message(tx, None, req.sender, message, now)
    cursor = tx.conn.execute(
        "INSERT INTO batches (user_id, workflow_state, recipient_ids, root_message_id, tags,"
        " subject, group_flag, created_at) VALUES (?, 'sending', ?, ?, ?, ?, ?, ?)",
        (req.sender, json.dumps(users), template_id, json.dumps(tags), subject, int(group), now),
    )
    batch_id = int(cursor.lastrowid or 0)
    conversation_ids: list[int] = []
    message_ids: list[int] = []
    for user_id in users:
        conversation_id, _ = core.start_conversation(
            tx,
            participants=[req.sender, user_id],
            private=not group,
            subject=subject,
            context=context,
            now=now,
            author=req.sender,
        )
        message_ids.append(
            core.deliver(tx, roster, conversation_id, req.sender, message, now, explicit_tags=tags)
        )
        conversation_ids.append(conversation_id)
    tx.conn.execute(
        "UPDATE batches SET workflow_state = 'sent', conversation_message_ids = ? WHERE id = ?",
        (json.dumps(message_ids), batch_id),
    )
    if req.mode_async:
        return CreateResult("async", conversation_ids, batch_id=batch_id)
    return CreateResult("bulk", conversation_ids, batch_id=batch_id)
