"""Loading a seed (DESIGN.md's JSON format plus TEAM.md's extensions) into a database.

People and contexts are inserted directly; conversations are played through the same
engine functions as the API, at their given times, so a seeded inbox obeys every rule a
live one does. Courses are open while the history plays and take their final
``workflow_state`` afterwards (a concluded course was running when its mail was sent).
A bad seed raises ``SeedError`` with one line naming the problem.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from canvas_inbox.sandbox import files
from canvas_inbox.sandbox.db import Database, Tx, canvas_time, precise, precise_now
from canvas_inbox.sandbox.engine.create import CreateRequest, create
from canvas_inbox.sandbox.engine.reply import Reply, reply
from canvas_inbox.sandbox.http import ApiError
from canvas_inbox.sandbox.roster import ENROLLMENT_TYPES, Roster

COURSE_STATES = frozenset({"available", "completed"})


class SeedError(ValueError):
    """The seed cannot be loaded; the message is one line saying why."""


def read_seed(seed: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(seed, dict):
        data = seed
    elif str(seed) == "demo":
        from canvas_inbox.sandbox.demo_school import demo_seed

        data = demo_seed()
    elif str(seed) == "empty":
        data = {"users": []}
    else:
        path = Path(seed)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SeedError(f"seed file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise SeedError(f"cannot read seed file {path}: {error}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise SeedError(f"seed file {path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise SeedError('a seed must be a JSON object with a "users" list')
    if not isinstance(data.get("users"), list):
        raise SeedError('a seed needs a "users" list')
    return data


def _time(value: Any, where: str) -> str:
    if value is None:
        return precise_now()
    if not isinstance(value, str):
        raise SeedError(f"{where}: created_at must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SeedError(f"{where}: created_at {value!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return precise(moment)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedError(f"{where} must be an integer id, not {value!r}")
    return value


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedError(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{where} must be a list")
    return value


def load_seed(db: Database, seed: str | Path | dict[str, Any]) -> Roster:
    """Fill an empty database from a seed; returns the final roster."""
    data = read_seed(seed)
    with db.write() as tx:
        final_states = _people(tx.conn, data)
        team = Roster.load(tx.conn)
        _conversations(tx, team, data)
        for course_id, state in final_states.items():
            tx.conn.execute(
                "UPDATE courses SET workflow_state = ? WHERE id = ?", (state, course_id)
            )
        tx.events.clear()  # history is not news: no live events for seeded mail
        return Roster.load(tx.conn)


def _people(conn: sqlite3.Connection, data: dict[str, Any]) -> dict[int, str]:
    users: set[int] = set()
    for index, raw in enumerate(data["users"]):
        user = _dict(raw, f"users[{index}]")
        user_id = _int(user.get("id"), f"users[{index}].id")
        if user_id in users:
            raise SeedError(f"users[{index}]: duplicate user id {user_id}")
        name = user.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SeedError(f"users[{index}] needs a name")
        first, _, last = name.strip().partition(" ")
        token = user.get("token") or f"sandbox-token-{user_id}"
        uuid = (
            user.get("uuid")
            or hashlib.sha1(
                f"canvas-sandbox-user-{user_id}".encode(), usedforsecurity=False
            ).hexdigest()
        )
        try:
            conn.execute(
                "INSERT INTO users (id, name, short_name, sortable_name, login_id, token,"
                " pronouns, uuid, avatar_url, email, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user_id,
                    name,
                    user.get("short_name") or name,
                    user.get("sortable_name") or (f"{last}, {first}" if last else first),
                    user.get("login_id"),
                    str(token),
                    user.get("pronouns"),
                    uuid,
                    user.get("avatar_url"),
                    user.get("email"),
                    "2026-01-01T00:00:00Z",
                ),
            )
        except sqlite3.IntegrityError:
            raise SeedError(f"users[{index}]: token or uuid already used by another user") from None
        users.add(user_id)
    final_states: dict[int, str] = {}
    sections: set[int] = set()
    for index, raw in enumerate(_list(data.get("courses"), "courses")):
        where = f"courses[{index}]"
        course = _dict(raw, where)
        course_id = _int(course.get("id"), f"{where}.id")
        state = course.get("workflow_state", "available")
        if state not in COURSE_STATES:
            raise SeedError(f"{where}: workflow_state must be available or completed")
        final_states[course_id] = state
        name = str(course.get("name") or f"Course {course_id}")
        try:
            conn.execute(
                "INSERT INTO courses (id, name, course_code, workflow_state, students_can_message,"
                " start_at, end_at, uuid) VALUES (?, ?, ?, 'available', ?, ?, ?, ?)",
                (
                    course_id,
                    name,
                    str(course.get("course_code") or name),
                    int(course.get("students_can_message", True) is not False),
                    course.get("start_at"),
                    course.get("end_at"),
                    hashlib.sha1(f"course-{course_id}".encode(), usedforsecurity=False).hexdigest(),
                ),
            )
        except sqlite3.IntegrityError:
            raise SeedError(f"{where}: duplicate course id {course_id}") from None
        course_sections = _list(course.get("sections"), f"{where}.sections")
        default_section: int | None = None
        for s_index, raw_section in enumerate(course_sections):
            section = _dict(raw_section, f"{where}.sections[{s_index}]")
            section_id = _int(section.get("id"), f"{where}.sections[{s_index}].id")
            if section_id in sections:
                raise SeedError(f"{where}: duplicate section id {section_id}")
            sections.add(section_id)
            conn.execute(
                "INSERT INTO sections (id, course_id, name) VALUES (?, ?, ?)",
                (section_id, course_id, str(section.get("name") or name)),
            )
            default_section = default_section or section_id
        if default_section is None:  # Canvas gives every course a default section
            cursor = conn.execute(
                "INSERT INTO sections (course_id, name, is_default) VALUES (?, ?, 1)",
                (course_id, name),
            )
            default_section = int(cursor.lastrowid or 0)
            sections.add(default_section)
        own_sections = {
            r[0] for r in conn.execute("SELECT id FROM sections WHERE course_id = ?", (course_id,))
        }
        for e_index, raw_enrollment in enumerate(_list(course.get("enrollments"), where)):
            ewhere = f"{where}.enrollments[{e_index}]"
            enrollment = _dict(raw_enrollment, ewhere)
            user_id = _int(enrollment.get("user_id"), f"{ewhere}.user_id")
            if user_id not in users:
                raise SeedError(f"{ewhere}: unknown user {user_id}")
            kind = enrollment.get("type")
            if kind not in ENROLLMENT_TYPES:
                raise SeedError(f"{ewhere}: unknown enrollment type {kind!r}")
            section_id = enrollment.get("section_id", default_section)
            if section_id not in own_sections:
                raise SeedError(f"{ewhere}: section {section_id} is not in course {course_id}")
            observed = enrollment.get("observed_user_id")
            if observed is not None and observed not in users:
                raise SeedError(f"{ewhere}: unknown observed user {observed}")
            conn.execute(
                "INSERT INTO enrollments (user_id, course_id, section_id, type, workflow_state,"
                " observed_user_id) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    user_id,
                    course_id,
                    section_id,
                    kind,
                    "completed" if enrollment.get("workflow_state") == "completed" else "active",
                    observed,
                ),
            )
    for index, raw in enumerate(_list(data.get("groups"), "groups")):
        group = _dict(raw, f"groups[{index}]")
        group_id = _int(group.get("id"), f"groups[{index}].id")
        course_id = group.get("course_id")
        if course_id is not None and course_id not in final_states:
            raise SeedError(f"groups[{index}]: unknown course {course_id}")
        try:
            conn.execute(
                "INSERT INTO groups (id, name, course_id, uuid) VALUES (?, ?, ?, ?)",
                (
                    group_id,
                    str(group.get("name") or f"Group {group_id}"),
                    course_id,
                    hashlib.sha1(f"group-{group_id}".encode(), usedforsecurity=False).hexdigest(),
                ),
            )
        except sqlite3.IntegrityError:
            raise SeedError(f"groups[{index}]: duplicate group id {group_id}") from None
        for member in _list(group.get("members"), f"groups[{index}].members"):
            if member not in users:
                raise SeedError(f"groups[{index}]: unknown member {member!r}")
            conn.execute(
                "INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)",
                (group_id, member),
            )
    return final_states


def _attachments(tx: Tx, author: int, items: Any, when: str, where: str) -> list[int]:
    ids = []
    for index, raw in enumerate(_list(items, f"{where}.attachments")):
        item = _dict(raw, f"{where}.attachments[{index}]")
        filename = item.get("filename")
        if not isinstance(filename, str) or not filename:
            raise SeedError(f"{where}.attachments[{index}] needs a filename")
        data = str(item.get("text", "")).encode("utf-8")
        ids.append(
            files.store_file(
                tx.conn,
                author,
                filename,
                item.get("content_type"),
                data,
                created_at=canvas_time(when),
            )
        )
    return ids


def _media(tx: Tx, author: int, raw: Any, where: str) -> tuple[str, str] | None:
    if raw is None:
        return None
    media = _dict(raw, f"{where}.media_comment")
    media_id, kind = media.get("media_id"), media.get("media_type")
    if not isinstance(media_id, str) or kind not in ("audio", "video"):
        raise SeedError(f"{where}.media_comment needs media_id and media_type audio|video")
    tx.conn.execute(
        "INSERT OR IGNORE INTO media_objects (media_id, user_id, media_type, title)"
        " VALUES (?, ?, ?, ?)",
        (media_id, author, kind, media.get("display_name")),
    )
    return media_id, kind


def _author(team: Roster, raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in team.users:
        raise SeedError(f'{where}: "from" must be the id of a seeded user, not {raw!r}')
    return raw


def _conversations(tx: Tx, team: Roster, data: dict[str, Any]) -> None:
    played: list[list[int]] = []
    for index, raw in enumerate(_list(data.get("conversations"), "conversations")):
        where = f"conversations[{index}]"
        item = _dict(raw, where)
        author = _author(team, item.get("from"), where)
        when = _time(item.get("created_at"), where)
        forwarded: list[int] = []
        source = item.get("forwarded_from")
        if source is not None:
            if not isinstance(source, int) or not 0 <= source < len(played):
                raise SeedError(f"{where}: forwarded_from must index an earlier conversation")
            for conversation_id in played[source]:
                forwarded += _visible(tx.conn, author, conversation_id)
        to = item.get("to")
        if isinstance(to, str | int):
            to = [to]
        request = CreateRequest(
            sender=author,
            recipients=[str(r) for r in _list(to, f"{where}.to")],
            body=item.get("body") if isinstance(item.get("body"), str) else None,
            subject=item.get("subject"),
            group_conversation=bool(item.get("group_conversation")),
            bulk_message=bool(item.get("bulk_message")),
            force_new=bool(item.get("force_new")),
            attachment_ids=_attachments(tx, author, item.get("attachments"), when, where),
            media=_media(tx, author, item.get("media_comment"), where),
            context_code=item.get("context_code"),
            forwarded_ids=forwarded,
        )
        try:
            result = create(tx, team, request, when)
        except ApiError as error:
            raise SeedError(f"{where}: Canvas would refuse it: {_describe(error)}") from None
        played.append(result.conversation_ids)
        for r_index, raw_reply in enumerate(_list(item.get("replies"), f"{where}.replies")):
            _reply(
                tx,
                team,
                result.conversation_ids,
                _dict(raw_reply, f"{where}.replies[{r_index}]"),
                f"{where}.replies[{r_index}]",
            )
        _flags(tx, item, result.conversation_ids, where)


def _visible(conn: sqlite3.Connection, user_id: int, conversation_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT m.id FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
            " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'"
            " AND m.generated = 0 ORDER BY m.created_at, m.id",
            (user_id, conversation_id),
        )
    ]


def _reply(
    tx: Tx, team: Roster, conversation_ids: list[int], item: dict[str, Any], where: str
) -> None:
    author = _author(team, item.get("from"), where)
    when = _time(item.get("created_at"), where)
    recipients = item.get("recipients")
    targets = None if recipients is None else [str(r) for r in _list(recipients, where)]
    rows = []
    for conversation_id in conversation_ids:
        row = tx.conn.execute(
            "SELECT cp.*, c.private_hash, c.context_type, c.context_id FROM"
            " conversation_participants cp JOIN conversations c ON c.id = cp.conversation_id"
            " WHERE cp.user_id = ? AND cp.conversation_id = ?",
            (author, conversation_id),
        ).fetchone()
        if row is not None:
            rows.append(row)
    if not rows:
        raise SeedError(f"{where}: user {author} is not in that conversation")
    attachments = _attachments(tx, author, item.get("attachments"), when, where)
    media = _media(tx, author, item.get("media_comment"), where)
    for row in rows:
        body = item.get("body") if isinstance(item.get("body"), str) else None
        try:
            reply(
                tx,
                team,
                row,
                Reply(
                    author=author,
                    body=body,
                    recipients=targets,
                    attachment_ids=attachments,
                    media=media,
                ),
                when,
            )
        except ApiError as error:
            raise SeedError(f"{where}: Canvas would refuse it: {_describe(error)}") from None


def _flags(tx: Tx, item: dict[str, Any], conversation_ids: list[int], where: str) -> None:
    marks = ",".join("?" * len(conversation_ids))
    for key, assignment in (
        (
            "read_by",
            "workflow_state = CASE workflow_state WHEN 'unread' THEN 'read'"
            " ELSE workflow_state END",
        ),
        ("starred_by", "starred = 1"),
        ("archived_by", "workflow_state = 'archived'"),
    ):
        for user_id in _list(item.get(key), f"{where}.{key}"):
            tx.conn.execute(
                f"UPDATE conversation_participants SET {assignment}, updated_at = ?"  # noqa: S608
                f" WHERE user_id = ? AND conversation_id IN ({marks})",
                (tx.stamp(), user_id, *conversation_ids),
            )


def _describe(error: ApiError) -> str:
    body = error.body
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return f"{body[0].get('attribute')} {body[0].get('message')}".strip()
    if isinstance(body, dict):
        if "message" in body:
            return str(body["message"])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message"))
        if isinstance(errors, dict):
            return ", ".join(f"{k} {v[0].get('message') if v else ''}" for k, v in errors.items())
    return f"HTTP {error.status}"
