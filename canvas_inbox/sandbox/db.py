"""The sandbox's storage: one SQLite database, its schema, and the transaction discipline.

Every request works through ``Database``: ``read()`` for a consistent view, ``write()`` for
one transaction that either commits whole or leaves nothing behind. A single connection
guarded by one re-entrant lock is the "pool": SQLite allows one writer at a time anyway,
the sandbox's statements take microseconds, and an in-memory database cannot be shared
between connections without giving up most of its speed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Rendered answers kept between changes; a page of 100 conversations is ~60 KB of dicts.
MAX_REMEMBERED = 256

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    sortable_name TEXT NOT NULL,
    login_id TEXT,
    token TEXT UNIQUE,
    pronouns TEXT,
    uuid TEXT NOT NULL UNIQUE,
    avatar_url TEXT,
    email TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS courses (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    course_code TEXT NOT NULL,
    workflow_state TEXT NOT NULL DEFAULT 'available',  -- available | completed
    students_can_message INTEGER NOT NULL DEFAULT 1,    -- the students' send_messages right
    start_at TEXT,
    end_at TEXT,
    uuid TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id),
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS enrollments (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    course_id INTEGER NOT NULL REFERENCES courses(id),
    section_id INTEGER NOT NULL REFERENCES sections(id),
    type TEXT NOT NULL,                                  -- StudentEnrollment, ...
    workflow_state TEXT NOT NULL DEFAULT 'active',       -- active | completed
    observed_user_id INTEGER REFERENCES users(id)
);
CREATE INDEX IF NOT EXISTS enrollments_user ON enrollments(user_id);
CREATE INDEX IF NOT EXISTS enrollments_course ON enrollments(course_id);
CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    course_id INTEGER REFERENCES courses(id),
    uuid TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    subject TEXT,
    private_hash TEXT UNIQUE,
    context_type TEXT,                                   -- Course | Group | Account | NULL
    context_id INTEGER,
    tags TEXT NOT NULL DEFAULT '',                       -- space-separated context codes
    has_attachments INTEGER NOT NULL DEFAULT 0,
    has_media_objects INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation_participants (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    workflow_state TEXT NOT NULL DEFAULT 'read',         -- unread | read | archived
    subscribed INTEGER NOT NULL DEFAULT 1,
    starred INTEGER NOT NULL DEFAULT 0,
    last_message_at TEXT,
    message_count INTEGER NOT NULL DEFAULT 0,
    last_authored_at TEXT,
    visible_last_authored_at TEXT,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    has_media_objects INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL,                            -- a strictly increasing stamp
    UNIQUE (user_id, conversation_id)
);
CREATE INDEX IF NOT EXISTS cp_conversation ON conversation_participants(conversation_id);
-- Covering: a list's count and page read the index alone, never the table rows.
CREATE INDEX IF NOT EXISTS cp_inbox ON conversation_participants(
    user_id, last_message_at DESC, conversation_id DESC, workflow_state, message_count);
CREATE INDEX IF NOT EXISTS cp_sent ON conversation_participants(
    user_id, visible_last_authored_at DESC, conversation_id DESC, message_count);
CREATE INDEX IF NOT EXISTS cp_starred
    ON conversation_participants(user_id, starred, updated_at DESC);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES conversations(id),  -- NULL for a batch template
    author_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    generated INTEGER NOT NULL DEFAULT 0,
    event_data TEXT,                                     -- JSON for generated messages
    attachment_ids TEXT NOT NULL DEFAULT '[]',           -- JSON list of file ids
    media_comment_id TEXT,
    media_comment_type TEXT,
    forwarded_message_ids TEXT NOT NULL DEFAULT '[]',    -- JSON list of message ids
    has_attachments INTEGER NOT NULL DEFAULT 0,          -- its own or a forwarded one's
    has_media INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, created_at);
CREATE TABLE IF NOT EXISTS message_participants (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    conversation_id INTEGER,
    workflow_state TEXT NOT NULL DEFAULT 'active',       -- active | deleted
    deleted_at TEXT,
    PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mp_user_conversation
    ON message_participants(user_id, conversation_id, workflow_state);
CREATE TABLE IF NOT EXISTS media_objects (
    media_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    title TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    workflow_state TEXT NOT NULL,                        -- created | sending | sent | error
    recipient_ids TEXT NOT NULL,                         -- JSON
    root_message_id INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',                     -- JSON
    subject TEXT,
    group_flag INTEGER NOT NULL DEFAULT 0,
    conversation_message_ids TEXT NOT NULL DEFAULT '[]', -- JSON
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS progresses (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    completion REAL NOT NULL DEFAULT 0,
    workflow_state TEXT NOT NULL,                        -- queued | running | completed | failed
    message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    final_state TEXT,                                    -- what the first poll reveals
    final_message TEXT
);
CREATE TABLE IF NOT EXISTS folders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES folders(id)
);
CREATE INDEX IF NOT EXISTS folders_user ON folders(user_id, parent_id);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    folder_id INTEGER NOT NULL REFERENCES folders(id),
    uuid TEXT NOT NULL,
    display_name TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_user ON files(user_id, folder_id);
"""


def iso(moment: datetime) -> str:
    """Canvas's timestamp form: UTC, whole seconds, a Z suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> str:
    return iso(datetime.now(UTC))


def precise(moment: datetime) -> str:
    """How the engine stores times: microseconds, so messages sent within one second
    still order as Canvas orders them; every stored time has this one sortable form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def precise_now() -> str:
    return precise(datetime.now(UTC))


def canvas_time(value: str | None) -> str | None:
    """A stored time as Canvas shows it: whole seconds, Z."""
    return value[:19] + "Z" if value else None


Event = tuple[str, dict[str, Any], int | None]  # (event name, body, acting user id)


@dataclass
class Tx:
    """One write transaction: its connection, and the live events to send once it commits."""

    conn: sqlite3.Connection
    db: Database
    events: list[Event] = field(default_factory=list)

    def emit(self, name: str, body: dict[str, Any], *, user_id: int | None) -> None:
        self.events.append((name, body, user_id))

    def stamp(self) -> float:
        return self.db.stamp()


class Database:
    """The sandbox database (``request.app.state.db``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._last_stamp = 0.0
        self._in_write = False
        self._outer_events: list[Event] = []
        # Called with the events of each committed transaction (the live events sink).
        self.on_commit: Callable[[list[Event]], None] | None = None
        self._remembered: dict[Hashable, Any] = {}
        self._remembered_at = -1  # the connection's total_changes they were made at

    def is_empty(self) -> bool:
        with self.read() as conn:
            return conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0

    def stamp(self) -> float:
        """A strictly increasing time, so "ordered by updated_at" never ties."""
        with self._lock:
            now = time.time()
            self._last_stamp = now if now > self._last_stamp else self._last_stamp + 1e-6
            return self._last_stamp

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the database next changes.

        The sandbox is one process answering one request at a time, where Canvas
        answers in parallel: rendering a page of 100 conversations (~2.5 ms of Python)
        is most of a listing request, and while a client's concurrent page requests
        wait on each other the sandbox, not the client, sets the time. A listing read
        again unchanged is answered from here. Any row inserted, updated or deleted on
        the one connection (SQLite's ``total_changes``, triggers included, rolled-back
        changes too) drops everything, so an answer is never older than the data. The
        caller must not mutate what it gets back."""
        with self._lock:
            changes = self._conn.total_changes
            if changes != self._remembered_at:
                self._remembered.clear()
                self._remembered_at = changes
            if key in self._remembered:
                return self._remembered[key]  # type: ignore[no-any-return]
            value = compute()
            if self._conn.total_changes != changes:
                return value  # computing it changed the data: not a reusable answer
            if len(self._remembered) >= MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = value
            return value

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One transaction: commits when the block ends, rolls back on any exception.

        Nested ``write()`` blocks join the outer transaction (the seed loader wraps the
        whole seed in one)."""
        with self._lock:
            if self._in_write:
                yield Tx(self._conn, self, self._outer_events)
                return
            tx = Tx(self._conn, self)
            self._outer_events = tx.events
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_write = True
            try:
                yield tx
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_write = False
        if tx.events and self.on_commit is not None:
            self.on_commit(tx.events)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
