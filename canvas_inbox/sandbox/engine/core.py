"""The heart of the model (§6, §7): conversations, participant rows, messages and who
sees them. Every path that writes conversation data (the API, the seed, the activity
task) goes through these functions, so they all obey the same rules."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from canvas_inbox.sandbox.db import Tx, canvas_time
from canvas_inbox.sandbox.roster import Roster

Context = tuple[str, int]  # ("Course" | "Group" | "Account", id)
CONTEXT_PREFIX = {"Course": "course", "Group": "group", "Account": "account"}


def context_code(context: Context | None) -> str | None:
    if context is None:
        return None
    return f"{CONTEXT_PREFIX[context[0]]}_{context[1]}"


def private_hash(user_ids: Iterable[int], context: Context | None) -> str:
    """Identity of a private conversation: its participants and, if given, its context."""
    key = ",".join(str(u) for u in sorted(set(user_ids)))
    if context is not None:
        key += f"|{context[0]}_{context[1]}"
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def split_tags(text: str) -> list[str]:
    return text.split()


def join_tags(tags: Iterable[str]) -> str:
    return " ".join(tags)


@dataclass
class NewMessage:
    body: str
    attachment_ids: list[int] = field(default_factory=list)
    media: tuple[str, str] | None = None  # (media_id, audio|video)
    forwarded_ids: list[int] = field(default_factory=list)


def participant_ids(conn: sqlite3.Connection, conversation_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT user_id FROM conversation_participants WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
    ]


def start_conversation(
    tx: Tx,
    *,
    participants: list[int],
    private: bool,
    subject: str | None,
    context: Context | None,
    now: str,
    author: int,
) -> tuple[int, bool]:
    """Find the private conversation these people share in this context, or create one.

    Returns (conversation id, created?). Group conversations are always new."""
    conn = tx.conn
    digest = private_hash(participants, context) if private else None
    if digest is not None:
        row = conn.execute(
            "SELECT id FROM conversations WHERE private_hash = ?", (digest,)
        ).fetchone()
        if row is not None:
            return row[0], False
    kind, context_id = context if context else (None, None)
    cursor = conn.execute(
        "INSERT INTO conversations (subject, private_hash, context_type, context_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        (subject, digest, kind, context_id, now, now),
    )
    conversation_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT INTO conversation_participants (conversation_id, user_id, workflow_state,"
        " updated_at) VALUES (?, ?, 'read', ?)",
        [(conversation_id, user_id, tx.stamp()) for user_id in dict.fromkeys(participants)],
    )
    tx.emit(
        "conversation_created",
        {"conversation_id": conversation_id, "updated_at": canvas_time(now)},
        user_id=author,
    )
    return conversation_id, True


def _message_flags(conn: sqlite3.Connection, message: NewMessage) -> tuple[bool, bool]:
    attachments = bool(message.attachment_ids)
    media = message.media is not None
    if message.forwarded_ids and not (attachments and media):
        marks = ",".join("?" * len(message.forwarded_ids))
        row = conn.execute(
            f"SELECT max(has_attachments), max(has_media) FROM messages WHERE id IN ({marks})",  # noqa: S608
            message.forwarded_ids,
        ).fetchone()
        attachments = attachments or bool(row[0])
        media = media or bool(row[1])
    return attachments, media


def insert_message(
    tx: Tx,
    conversation_id: int | None,
    author: int,
    message: NewMessage,
    now: str,
    *,
    generated: bool = False,
    event_data: dict[str, object] | None = None,
) -> tuple[int, bool, bool]:
    has_attachments, has_media = _message_flags(tx.conn, message)
    media_id, media_type = message.media if message.media else (None, None)
    cursor = tx.conn.execute(
        "INSERT INTO messages (conversation_id, author_id, created_at, body, generated,"
        " event_data, attachment_ids, media_comment_id, media_comment_type,"
        " forwarded_message_ids, has_attachments, has_media)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            author,
            now,
            message.body,
            int(generated),
            json.dumps(event_data) if event_data else None,
            json.dumps(message.attachment_ids),
            media_id,
            media_type,
            json.dumps(message.forwarded_ids),
            int(has_attachments),
            int(has_media),
        ),
    )
    return int(cursor.lastrowid or 0), has_attachments, has_media


def conversation_tags(
    tx: Tx, roster: Roster, conversation_id: int, people: list[int], explicit: list[str]
) -> list[str]:
    """Update and return the conversation's tags (§6.5, sandbox form): the codes named
    by the message (context and recipients) that at least two participants share; on a
    conversation with no tags yet, the contexts shared by more than half of them."""
    conn = tx.conn
    current = split_tags(
        conn.execute("SELECT tags FROM conversations WHERE id = ?", (conversation_id,)).fetchone()[
            0
        ]
    )
    memberships = [roster.contexts_of(u) for u in people]
    added = [
        code
        for code in explicit
        if code not in current and sum(code in m for m in memberships) >= min(2, len(people))
    ]
    if not current and not added:
        counts: dict[str, int] = {}
        for codes in memberships:
            for code in codes:
                counts[code] = counts.get(code, 0) + 1
        added = sorted(code for code, n in counts.items() if n * 2 > len(people))
        added.sort(key=lambda c: (not c.startswith("course_"), c))
    if added:
        current += added
        conn.execute(
            "UPDATE conversations SET tags = ? WHERE id = ?", (join_tags(current), conversation_id)
        )
    return current


def deliver(
    tx: Tx,
    roster: Roster,
    conversation_id: int,
    author: int,
    message: NewMessage,
    now: str,
    *,
    only_users: set[int] | None = None,
    explicit_tags: list[str] | None = None,
) -> int:
    """Add a human message and apply §7.2 to every targeted participant row.

    ``only_users``: deliver to these users (plus the author) instead of everyone."""
    conn = tx.conn
    rows = conn.execute(
        "SELECT id, user_id, workflow_state, subscribed, last_message_at, tags"
        " FROM conversation_participants WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()
    people = [r["user_id"] for r in rows]
    message_id, has_attachments, has_media = insert_message(
        tx, conversation_id, author, message, now
    )
    targeted = [
        r
        for r in rows
        if only_users is None or r["user_id"] == author or r["user_id"] in only_users
    ]
    conn.executemany(
        "INSERT INTO message_participants (message_id, user_id, conversation_id) VALUES (?, ?, ?)",
        [(message_id, r["user_id"], conversation_id) for r in targeted],
    )
    tags = conversation_tags(tx, roster, conversation_id, people, explicit_tags or [])
    updates = []
    for r in targeted:
        user_id = r["user_id"]
        state, last_at = r["workflow_state"], r["last_message_at"]
        if user_id != author and (last_at is None or r["subscribed"]):
            state, last_at = "unread", now
        own = roster.contexts_of(user_id)
        row_tags = join_tags(t for t in tags if t in own)
        authored = now if user_id == author else None
        updates.append(
            (
                state,
                last_at,
                authored,
                authored,
                int(has_attachments),
                int(has_media),
                row_tags,
                tx.stamp(),
                r["id"],
            )
        )
    conn.executemany(
        "UPDATE conversation_participants SET workflow_state = ?, last_message_at = ?,"
        " message_count = message_count + 1,"
        " last_authored_at = coalesce(?, last_authored_at),"
        " visible_last_authored_at = coalesce(?, visible_last_authored_at),"
        " has_attachments = max(has_attachments, ?), has_media_objects ="
        " max(has_media_objects, ?), tags = ?, updated_at = ? WHERE id = ?",
        updates,
    )
    conn.execute(
        "UPDATE conversations SET updated_at = ?, has_attachments = max(has_attachments, ?),"
        " has_media_objects = max(has_media_objects, ?) WHERE id = ?",
        (now, int(has_attachments), int(has_media), conversation_id),
    )
    tx.emit(
        "conversation_message_created",
        {
            "author_id": author,
            "conversation_id": conversation_id,
            "created_at": canvas_time(now),
            "message_id": message_id,
        },
        user_id=author,
    )
    return message_id


def add_participants(
    tx: Tx,
    roster: Roster,
    conversation_id: int,
    adder: int,
    user_ids: list[int],
    now: str,
    *,
    silent: bool,
) -> list[int]:
    """Add users to a group conversation; returns those who were new.

    Not silent (add_recipients): they get copies of every message the adder can see and
    a generated "was added" message goes to everyone. Silent (add_message with new
    recipients): an empty unread row and no history."""
    conn = tx.conn
    existing = set(participant_ids(conn, conversation_id))
    new = sorted(set(user_ids) - existing)
    if not new:
        return []
    tags = split_tags(
        conn.execute("SELECT tags FROM conversations WHERE id = ?", (conversation_id,)).fetchone()[
            0
        ]
    )
    history: list[sqlite3.Row] = []
    if not silent:
        history = conn.execute(
            "SELECT m.id, m.created_at, m.generated, m.has_attachments, m.has_media"
            " FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
            " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'",
            (adder, conversation_id),
        ).fetchall()
    human = [m for m in history if not m["generated"]]
    last_at = max((m["created_at"] for m in human), default=None)
    for user_id in new:
        own = roster.contexts_of(user_id)
        conn.execute(
            "INSERT INTO conversation_participants (conversation_id, user_id, workflow_state,"
            " last_message_at, message_count, has_attachments, has_media_objects, tags,"
            " updated_at) VALUES (?, ?, 'unread', ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                user_id,
                last_at,
                len(human),
                int(any(m["has_attachments"] for m in human)),
                int(any(m["has_media"] for m in human)),
                join_tags(t for t in tags if t in own),
                tx.stamp(),
            ),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO message_participants (message_id, user_id, conversation_id)"
            " VALUES (?, ?, ?)",
            [(m["id"], user_id, conversation_id) for m in history],
        )
    if not silent:
        message_id, _, _ = insert_message(
            tx,
            conversation_id,
            adder,
            NewMessage(body=""),
            now,
            generated=True,
            event_data={"event_type": "users_added", "user_ids": new},
        )
        conn.executemany(
            "INSERT INTO message_participants (message_id, user_id, conversation_id)"
            " VALUES (?, ?, ?)",
            [(message_id, u, conversation_id) for u in participant_ids(conn, conversation_id)],
        )
        tx.emit(
            "conversation_message_created",
            {
                "author_id": adder,
                "conversation_id": conversation_id,
                "created_at": canvas_time(now),
                "message_id": message_id,
            },
            user_id=adder,
        )
    conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
    tx.emit(
        "conversation_forwarded",
        {"conversation_id": conversation_id, "updated_at": canvas_time(now)},
        user_id=adder,
    )
    return new


def copy_messages(
    tx: Tx, conversation_id: int, message_ids: list[int], user_ids: Iterable[int]
) -> None:
    """included_messages: give these users rows for old messages (no state changes)."""
    users = list(user_ids)
    tx.conn.executemany(
        "INSERT OR IGNORE INTO message_participants (message_id, user_id, conversation_id)"
        " VALUES (?, ?, ?)",
        [(m, u, conversation_id) for m in message_ids for u in users],
    )
    for user_id in users:
        refresh_counts(tx, conversation_id, user_id)


def refresh_counts(tx: Tx, conversation_id: int, user_id: int) -> None:
    """Recompute a row's cached count, own-authored time and flags from its messages."""
    row = tx.conn.execute(
        "SELECT count(*) FILTER (WHERE m.generated = 0),"
        " max(m.created_at) FILTER (WHERE m.generated = 0 AND m.author_id = ?),"
        " max(m.has_attachments), max(m.has_media)"
        " FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
        " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'",
        (user_id, user_id, conversation_id),
    ).fetchone()
    tx.conn.execute(
        "UPDATE conversation_participants SET message_count = ?, visible_last_authored_at = ?,"
        " has_attachments = ?, has_media_objects = ? WHERE conversation_id = ? AND user_id = ?",
        (row[0], row[1], int(row[2] or 0), int(row[3] or 0), conversation_id, user_id),
    )


def delete_for_user(tx: Tx, conversation_id: int, user_id: int, now: str) -> None:
    """DELETE for one user (§4.7): their message rows go, their row is reset, unstarred."""
    tx.conn.execute(
        "UPDATE message_participants SET workflow_state = 'deleted', deleted_at = ?"
        " WHERE user_id = ? AND conversation_id = ? AND workflow_state = 'active'",
        (now, user_id, conversation_id),
    )
    tx.conn.execute(
        "UPDATE conversation_participants SET message_count = 0, last_message_at = NULL,"
        " visible_last_authored_at = NULL, starred = 0, tags = '', has_attachments = 0,"
        " has_media_objects = 0, workflow_state = CASE workflow_state WHEN 'unread' THEN"
        " 'read' ELSE workflow_state END, updated_at = ?"
        " WHERE conversation_id = ? AND user_id = ?",
        (tx.stamp(), conversation_id, user_id),
    )


def remove_messages(
    tx: Tx, conversation_id: int, user_id: int, message_ids: list[int], now: str
) -> None:
    """remove_messages (§4.10): soft-delete the caller's rows for those messages and
    recompute; with no human message left it is a DELETE."""
    conn = tx.conn
    conn.executemany(
        "UPDATE message_participants SET workflow_state = 'deleted', deleted_at = ?"
        " WHERE message_id = ? AND user_id = ? AND conversation_id = ?"
        " AND workflow_state = 'active'",
        [(now, m, user_id, conversation_id) for m in message_ids],
    )
    latest = conn.execute(
        "SELECT m.created_at FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
        " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'"
        " AND m.generated = 0 ORDER BY m.created_at DESC, m.id DESC",
        (user_id, conversation_id),
    ).fetchall()
    if not latest:
        delete_for_user(tx, conversation_id, user_id, now)
        return
    row = conn.execute(
        "SELECT subscribed, last_message_at FROM conversation_participants"
        " WHERE conversation_id = ? AND user_id = ?",
        (conversation_id, user_id),
    ).fetchone()
    last_at = row["last_message_at"]
    if last_at is not None:
        if row["subscribed"]:
            last_at = latest[0][0]
        else:  # the nearest remaining message at or before where it was
            earlier = [t for (t,) in latest if t <= last_at]
            last_at = earlier[0] if earlier else latest[0][0]
    conn.execute(
        "UPDATE conversation_participants SET last_message_at = ?, updated_at = ?"
        " WHERE conversation_id = ? AND user_id = ?",
        (last_at, tx.stamp(), conversation_id, user_id),
    )
    refresh_counts(tx, conversation_id, user_id)
