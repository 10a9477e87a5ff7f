"""add_message (§4.9): checks in Canvas's order, subset delivery, silent additions,
included messages. Shared by the API route, the seed loader and the activity task."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from canvas_inbox.sandbox.db import Tx
from canvas_inbox.sandbox.engine import core
from canvas_inbox.sandbox.engine.create import (
    MAX_BODY,
    MAX_GROUP_RECIPIENTS,
    build_message,
    explicit_tags,
    lookup_context,
)
from canvas_inbox.sandbox.http import MAX_ID, ApiError, field_errors, model_error, unauthorized
from canvas_inbox.sandbox.recipients import resolve
from canvas_inbox.sandbox.roster import Roster

MAX_PARTICIPANTS = MAX_GROUP_RECIPIENTS + 1  # the recipients plus the sender


@dataclass
class Reply:
    author: int
    body: str | None
    recipients: list[Any] | None = None  # None: everyone (reply-all)
    included: Any = None
    attachment_ids: list[Any] = field(default_factory=list)
    media: tuple[str, str] | None = None
    context_code: str | None = None
    forwarded_ids: list[Any] = field(default_factory=list)


def reply(tx: Tx, team: Roster, row: sqlite3.Row, req: Reply, now: str) -> int:
    """Add the author's message to the conversation of ``row`` (the author's own
    participant row); returns the new message id or raises Canvas's error."""
    conn = tx.conn
    conversation_id = row["conversation_id"]
    user_id = req.author
    participants = core.participant_ids(conn, conversation_id)
    context = (row["context_type"], row["context_id"]) if row["context_type"] else None
    if team.replies_locked(user_id, context, set(participants) - {user_id}):
        raise unauthorized()
    body = req.body
    if body is None or not body.strip():
        raise field_errors(("empty_message", "Unable to create message without a body"))
    targets: list[int] | None = None
    named: list[str] = []
    if req.recipients is not None:
        resolution = resolve(team, user_id, req.recipients, also_known=frozenset(participants))
        targets = resolution.user_ids
        named = resolution.context_codes
        if len(set(participants) | set(targets)) > MAX_PARTICIPANTS:
            raise field_errors(("recipients", "Too many participants for group conversation"))
        _check_enrollments(team, user_id, context, targets)
    copies = _included_messages(conn, user_id, conversation_id, req.included)
    if len(body) > MAX_BODY:
        raise model_error("body", "too_long")
    message = build_message(tx, user_id, body, req.attachment_ids, req.media, req.forwarded_ids)
    try:
        tag_context, _ = lookup_context(team, req.context_code)
    except ApiError:
        tag_context = None
    tags = explicit_tags(team, tag_context or context, named)
    only: set[int] | None = None
    if targets is not None:
        if row["private_hash"] is None:
            newcomers = [u for u in targets if u not in participants]
            core.add_participants(tx, team, conversation_id, user_id, newcomers, now, silent=True)
        only = set(targets)
    message_id = core.deliver(
        tx, team, conversation_id, user_id, message, now, only_users=only, explicit_tags=tags
    )
    if copies:
        receivers = core.participant_ids(conn, conversation_id) if only is None else only
        core.copy_messages(tx, conversation_id, copies, receivers)
    return message_id


def _check_enrollments(
    team: Roster, user_id: int, context: tuple[str, int] | None, targets: list[int]
) -> None:
    """§4.9 check 5: a student may only write to people currently in the course."""
    if context is None or context[0] != "Course":
        return
    course = team.courses.get(context[1])
    if course is None or not course.available or team.is_instructor(user_id, course.id):
        return
    current = team.course_users(course.id)
    missing = [team.users[u].name for u in targets if u != user_id and u not in current]
    if missing:
        names = json.dumps(missing, ensure_ascii=False)
        raise field_errors(
            (
                "recipients",
                f"The following recipients have no active enrollment in the course,"
                f" {names}, unable to send messages",
            ),
            status=401,
        )


def _included_messages(
    conn: sqlite3.Connection, user_id: int, conversation_id: int, raw: Any
) -> list[int]:
    """§4.9 check 6: every included message must be from here and visible to the caller."""
    if raw is None or raw == "":
        return []
    values = raw if isinstance(raw, list) else [raw]
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or int(text) > MAX_ID:
            raise field_errors(("included_messages", "not for this conversation"))
        ids.append(int(text))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    here = {
        r[0]
        for r in conn.execute(
            f"SELECT id FROM messages WHERE conversation_id = ? AND id IN ({marks})",  # noqa: S608
            (conversation_id, *ids),
        )
    }
    if any(m not in here for m in ids):
        raise field_errors(("included_messages", "not for this conversation"))
    seen = {
        r[0]
        for r in conn.execute(
            "SELECT message_id FROM message_participants WHERE user_id = ?"  # noqa: S608
            f" AND workflow_state = 'active' AND message_id IN ({marks})",
            (user_id, *ids),
        )
    }
    if any(m not in seen for m in ids):
        raise field_errors(("included_messages", "not a participant"))
    return list(dict.fromkeys(ids))
