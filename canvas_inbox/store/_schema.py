"""The two SQLite files, their schemas and migrations, and how they are opened.

Why two files. The cache is only a cache: anything in it can be fetched from Canvas
again, so a damaged cache is moved aside and rebuilt without asking. Drafts and the
outbox are the user's own writing and exist nowhere else, so they live in a file of their
own that a cache reset, a cache migration or a user deleting the cache never touches
(and a damaged drafts file is kept aside, not deleted, for recovery by hand).

Versions are ``PRAGMA user_version``. ``MIGRATIONS[n]`` takes a file from version n to
n + 1 inside one transaction (SQLite's DDL is transactional), so a crash mid-migration
leaves the old version intact. A file newer than this code is refused with a clear
error rather than guessed at: an older canvas-inbox must not scribble on a newer schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from canvas_inbox.store._errors import Recovery, StoreError, StoreVersionError

Migration = Callable[[sqlite3.Connection], None]
BUSY_TIMEOUT_SECONDS = 3.0


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one inside the caller's transaction.

    (``executescript`` would COMMIT first, breaking the one-transaction-per-migration
    promise.) Statements are split where SQLite says one is complete, so trigger bodies
    with their inner semicolons stay whole."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


# --- the cache ---------------------------------------------------------------------------


def _cache_v1(db: sqlite3.Connection) -> None:
    # Conversations: the whole record as JSON plus what the scope queries filter and
    # sort on. sent_at is the sort key of the sent scope, NULL when the row is not in
    # it: Canvas's last_authored_message_at is unreliable (spec §13.19), so a row the
    # server listed under sent (in_sent), or whose newest message is the user's, counts
    # as sent even without it.
    run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            state TEXT NOT NULL,
            starred INTEGER NOT NULL,
            lm_at INTEGER,
            la_at INTEGER,
            me_last INTEGER NOT NULL,
            in_sent INTEGER NOT NULL DEFAULT 0,
            ctx TEXT,
            data BLOB NOT NULL,
            sent_at INTEGER GENERATED ALWAYS AS (
                COALESCE(la_at, CASE WHEN in_sent OR me_last THEN COALESCE(lm_at, 0) END)
            ) VIRTUAL
        );
        -- One partial index per scope, in the scope's order, so the first page of any
        -- scope is an index walk that stops after LIMIT rows.
        CREATE INDEX conv_inbox ON conversations (lm_at DESC, id DESC)
            WHERE lm_at IS NOT NULL AND state != 'archived';
        CREATE INDEX conv_unread ON conversations (lm_at DESC, id DESC)
            WHERE lm_at IS NOT NULL AND state = 'unread';
        CREATE INDEX conv_archived ON conversations (lm_at DESC, id DESC)
            WHERE lm_at IS NOT NULL AND state = 'archived';
        CREATE INDEX conv_starred ON conversations (lm_at DESC, id DESC) WHERE starred = 1;
        CREATE INDEX conv_sent ON conversations (sent_at DESC, id DESC)
            WHERE sent_at IS NOT NULL;

        -- The context codes a conversation was listed under (filter=course_12…), beside
        -- its own context_code: Canvas tags rows with every shared course and group.
        CREATE TABLE tags (
            code TEXT NOT NULL, cid INTEGER NOT NULL, PRIMARY KEY (code, cid)
        ) WITHOUT ROWID;
        CREATE INDEX tags_cid ON tags (cid);

        -- The server's order for scopes whose order the rows cannot tell (starred: by
        -- the participant row's updated_at, which Canvas does not send). filt '' = none.
        CREATE TABLE listed (
            scope TEXT NOT NULL, filt TEXT NOT NULL, cid INTEGER NOT NULL,
            pos INTEGER NOT NULL, PRIMARY KEY (scope, filt, cid)
        ) WITHOUT ROWID;
        CREATE INDEX listed_cid ON listed (cid);

        -- Rows a complete server listing of scope/filter left out although their local
        -- fields say they belong (deleted or moved on another device). Dropped when the
        -- row's data changes or the server lists it in that scope again.
        CREATE TABLE unlisted (
            cid INTEGER NOT NULL, scope TEXT NOT NULL, filt TEXT NOT NULL,
            PRIMARY KEY (cid, scope, filt)
        ) WITHOUT ROWID;

        -- A changed row is "touched": Canvas moves it to the top of starred (its order is
        -- the row's updated_at), and whatever a complete listing said about it is stale.
        CREATE TRIGGER conv_touched AFTER UPDATE OF data ON conversations
        WHEN old.data IS NOT new.data
        BEGIN
            DELETE FROM listed WHERE cid = new.id AND scope = 'starred';
            DELETE FROM unlisted WHERE cid = new.id;
        END;

        CREATE TABLE threads (cid INTEGER PRIMARY KEY, saved_at INTEGER NOT NULL);
        CREATE TABLE messages (
            cid INTEGER NOT NULL, pos INTEGER NOT NULL, id INTEGER NOT NULL,
            author_id INTEGER NOT NULL, created_at INTEGER, data BLOB NOT NULL,
            PRIMARY KEY (cid, pos)
        ) WITHOUT ROWID;

        CREATE TABLE contexts (pos INTEGER PRIMARY KEY, code TEXT NOT NULL, data BLOB NOT NULL);
        """,
    )


def _cache_v2(db: sqlite3.Connection) -> None:
    """Full-text search: the documents and the FTS5 index over them (filled in v5)."""
    run_script(
        db,
        """
        CREATE TABLE docs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            cid INTEGER NOT NULL,
            mid INTEGER,
            at INTEGER,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            names TEXT NOT NULL
        );
        CREATE INDEX docs_cid ON docs (cid, mid);
        CREATE INDEX docs_at ON docs (at DESC, id DESC);
        CREATE VIRTUAL TABLE fts USING fts5 (
            subject, body, names,
            content = 'docs', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        );
        CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN
            INSERT INTO fts (rowid, subject, body, names)
            VALUES (new.id, new.subject, new.body, new.names);
        END;
        CREATE TRIGGER docs_ad AFTER DELETE ON docs BEGIN
            INSERT INTO fts (fts, rowid, subject, body, names)
            VALUES ('delete', old.id, old.subject, old.body, old.names);
        END;
        CREATE TRIGGER docs_au AFTER UPDATE ON docs BEGIN
            INSERT INTO fts (fts, rowid, subject, body, names)
            VALUES ('delete', old.id, old.subject, old.body, old.names);
            INSERT INTO fts (rowid, subject, body, names)
            VALUES (new.id, new.subject, new.body, new.names);
        END;
        """,
    )


def _cache_v3(db: sqlite3.Connection) -> None:
    """Row revisions, so a complete listing fetched before a local change (or before a
    newer refresh) cannot drop the row that change touched (``as_of``)."""
    run_script(
        db,
        """
        ALTER TABLE conversations ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX conv_rev ON conversations (rev);
        """,
    )


def _cache_v4(db: sqlite3.Connection) -> None:
    """Find a filter's members by context code (rare filters start from them)."""
    db.execute("CREATE INDEX conv_ctx ON conversations (ctx)")


def _cache_v5(db: sqlite3.Connection) -> None:
    """The search index kept by the store in rowid order instead of by triggers (see
    _search), rebuilt from what the cache holds."""
    # Imported here: the rebuild uses today's document builders, right for this step;
    # a later change to them needs its own reindex step.
    from canvas_inbox.store import _search

    for trigger in ("docs_ai", "docs_ad", "docs_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    _search.rebuild(db)


def _cache_v6(db: sqlite3.Connection) -> None:
    """Conversation documents name the people a conversation is with, no longer the
    reader (whose name matched every conversation): reindexed from the cache."""
    from canvas_inbox.store import _search

    _search.rebuild(db)


CACHE_MIGRATIONS: tuple[Migration, ...] = (
    _cache_v1,
    _cache_v2,
    _cache_v3,
    _cache_v4,
    _cache_v5,
    _cache_v6,
)


# --- drafts and outbox -------------------------------------------------------------------


def _drafts_v1(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE drafts (
            id TEXT PRIMARY KEY, saved_at INTEGER NOT NULL, data BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY, created_at INTEGER, seq INTEGER NOT NULL,
            data BLOB NOT NULL
        ) WITHOUT ROWID;
        """,
    )


DRAFTS_MIGRATIONS: tuple[Migration, ...] = (_drafts_v1,)


# --- opening -----------------------------------------------------------------------------

_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def is_damage(error: sqlite3.DatabaseError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _DAMAGED


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration], name: str) -> None:
    """Bring ``db`` to ``len(migrations)``, one transaction per step; a new file (version
    0: there is no older schema to keep) in one transaction for all of them."""
    latest = len(migrations)
    version = _version(db, latest, name)
    while version < latest:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Again under the write lock: another process opening the same file (the
            # TUI and `canvas-inbox sync` started together) may have migrated it since.
            version = _version(db, latest, name)
            steps = migrations[version:] if version == 0 else migrations[version : version + 1]
            for step in steps:
                step(db)
            version += len(steps)
            db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _version(db: sqlite3.Connection, latest: int, name: str) -> int:
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        raise StoreVersionError(
            f"{name} was written by a newer canvas-inbox (schema {version}; this version "
            f"knows up to {latest}): upgrade canvas-inbox to use it"
        )
    return version


def _connect(
    path: Path | None, synchronous: Literal["OFF", "NORMAL", "FULL"]
) -> sqlite3.Connection:
    # isolation_level=None: the sqlite3 module never opens transactions behind our back;
    # a lone statement commits at once, batches use explicit BEGIN/COMMIT. The timeout
    # (busy_timeout) lets a second process (canvas-inbox sync beside the TUI) wait for
    # the other's write to finish, migrations at open included, instead of failing.
    if path is not None:
        # Private directories: the cache and drafts hold the user's mail.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = sqlite3.connect(
        ":memory:" if path is None else str(path),
        isolation_level=None,
        check_same_thread=True,
        timeout=BUSY_TIMEOUT_SECONDS,
    )
    try:
        # Before the first write (a new file's switch to WAL writes its header).
        db.execute(f"PRAGMA synchronous = {synchronous}")
        if path is not None:
            # Touch the file's header before anything else: garbage fails here.
            db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.replace(target)
    # The WAL and shared-memory files belong to the damaged file: left behind, SQLite
    # would replay the old WAL into the fresh database.
    for suffix in ("-wal", "-shm"):
        sibling = path.with_name(path.name + suffix)
        if sibling.exists():
            sibling.replace(target.with_name(target.name + suffix))
    return target


def open_db(
    path: Path | None,
    migrations: Sequence[Migration],
    *,
    what: Literal["cache", "drafts"],
    synchronous: Literal["NORMAL", "FULL"],
) -> tuple[sqlite3.Connection, Recovery | None]:
    """Open and migrate one file; a damaged file is moved aside and a new one made."""
    name = "the local cache" if what == "cache" else "the drafts file"
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror}") from None
    recovery: Recovery | None = None
    for _attempt in range(2):
        # A file about to be made holds nothing yet: its schema is written without
        # waiting for the disk (should the machine itself crash meanwhile, the file is
        # left empty or damaged, and made again); durability starts with the first
        # thing the user could lose.
        new = path is not None and not path.exists()
        try:
            db = _connect(path, "OFF" if new else synchronous)
        except sqlite3.DatabaseError as error:
            if path is None or not is_damage(error) or recovery is not None:
                raise StoreError(f"cannot open {name} at {path}: {error}") from None
            recovery = Recovery(what, path, move_aside(path), str(error))
            continue
        try:
            migrate(db, migrations, f"{name} at {path}" if path else name)
            if new:
                db.execute(f"PRAGMA synchronous = {synchronous}")
        except sqlite3.DatabaseError as error:
            db.close()
            if path is None or not is_damage(error) or recovery is not None:
                raise StoreError(f"cannot open {name} at {path}: {error}") from None
            recovery = Recovery(what, path, move_aside(path), str(error))
            continue
        except BaseException:
            db.close()
            raise
        return db, recovery
    raise AssertionError("unreachable")  # pragma: no cover
