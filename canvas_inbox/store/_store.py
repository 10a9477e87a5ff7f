"""``Store``: the one object the service uses to reach SQLite.

Threading: one ``Store`` per profile, used from one thread (the service's asyncio
thread): one connection per file, one writer, no locks of our own. Every public method
runs to completion before it returns and every write is committed before it returns,
so there is never a transaction left open across an ``await``. Large batches (a full
sync of thousands of conversations) go through ``executemany`` in one transaction.
Another process (``canvas-inbox sync`` beside the TUI) may write the same files; SQLite's
WAL lets readers carry on, and the busy timeout makes a second writer wait its turn.

Durability. Both files are in WAL mode. The cache uses ``synchronous=NORMAL``: a commit
is in the WAL (the OS has it) when the call returns, which survives the process being
killed at any moment; only a power cut can lose the last commits, and the cache refills
from Canvas. The drafts file uses ``synchronous=FULL``: each commit is fsynced before the
call returns, so a saved draft or outbox item survives a power cut too. That costs one
fsync of a few kilobytes per save (about a millisecond on an SSD; figures in
tests/benchmarks/bench_store.py); drafts are saved on pauses in typing, not per key, and
the outbox must never forget whether a message went out, so the price is right there
and nowhere else.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from canvas_inbox.store import _scopes, _search
from canvas_inbox.store._codec import (
    conversation_columns,
    decode_context,
    decode_conversation,
    decode_message,
    decode_person,
    encode,
    micros,
)
from canvas_inbox.store._drafts import DraftsAndOutbox
from canvas_inbox.store._errors import Recovery
from canvas_inbox.store._guard import cache_call
from canvas_inbox.store._schema import CACHE_MIGRATIONS, DRAFTS_MIGRATIONS, move_aside, open_db
from canvas_inbox.store.records import (
    Context,
    Conversation,
    Person,
    Scope,
    SearchHit,
    Thread,
)

# See upsert_conversations(as_of=None).
RECENT_SECONDS = 120.0

# rev moves only when the data does: a re-listing of unchanged rows is not a change.
_UPSERT = """
INSERT INTO conversations (id, state, starred, lm_at, la_at, me_last, ctx, data, in_sent, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    state = excluded.state, starred = excluded.starred, lm_at = excluded.lm_at,
    la_at = excluded.la_at, me_last = excluded.me_last, ctx = excluded.ctx,
    data = excluded.data, in_sent = max(in_sent, excluded.in_sent),
    rev = CASE WHEN data IS NOT excluded.data THEN excluded.rev ELSE rev END
"""

# A complete listing of these scopes also settles the scopes inside them.
_IMPLIED: dict[str, tuple[Scope, ...]] = {"inbox": ("inbox", "unread")}


def drafts_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}-drafts{path.suffix or '.sqlite3'}")


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Store(DraftsAndOutbox):
    """The offline cache (conversations, threads, people, contexts), drafts and outbox.

    Two SQLite files: the cache at ``path`` (only a cache: a damaged one is moved aside
    and rebuilt) and the user's own writing, drafts and outbox, at ``drafts_path``
    (default: beside the cache, ``<stem>-drafts<suffix>``), which a cache reset never
    touches.
    """

    recovered: tuple[Recovery, ...]
    """Damaged files moved aside (at open, or a cache found damaged later): empty
    normally; the service should tell the user once per entry."""

    def __init__(
        self,
        db: sqlite3.Connection,
        keep: sqlite3.Connection,
        recovered: tuple[Recovery, ...] = (),
        path: Path | None = None,
    ) -> None:
        self._db = db
        self._keep = keep
        self._path = path
        self.recovered = recovered
        self._closed = False
        # Conversation id → when this process last changed the row (time.monotonic()).
        self._recent: dict[int, float] = {}
        # Conversation id → (record, row values) as a scope-less write (a listing's page)
        # last wrote it. The listing's closing write passes those very records again:
        # it need not encode 2,000 of them a second time to see that they are unchanged.
        self._written: dict[int, tuple[Conversation, tuple[object, ...]]] = {}

    def _reset_cache(self, reason: str) -> bool:
        """Replace a cache found damaged mid-session with a fresh one (see _guard)."""
        if self._path is None or self._closed:
            return False
        self._db.close()
        self._written.clear()
        moved_to = move_aside(self._path)
        self._db, _ = open_db(self._path, CACHE_MIGRATIONS, what="cache", synchronous="NORMAL")
        self.recovered = (*self.recovered, Recovery("cache", self._path, moved_to, reason))
        return True

    @classmethod
    def open(cls, path: Path | None, *, drafts_path: Path | None = None) -> Store:
        """Open (creating and migrating as needed). ``path=None`` keeps everything in memory.

        Raises ``StoreVersionError`` if a file was written by a newer schema, and
        ``StoreError`` if a file cannot be opened at all (permissions, a directory…).
        A damaged file is moved aside and reported in ``recovered`` instead of raising.
        """
        if path is not None and drafts_path is None:
            drafts_path = drafts_path_for(path)
        # Drafts first: if the cache then fails to open, nothing of the user's is at risk.
        keep, keep_recovery = open_db(
            drafts_path if path is not None else None,
            DRAFTS_MIGRATIONS,
            what="drafts",
            synchronous="FULL",
        )
        try:
            db, db_recovery = open_db(path, CACHE_MIGRATIONS, what="cache", synchronous="NORMAL")
        except BaseException:
            keep.close()
            raise
        recovered = tuple(r for r in (db_recovery, keep_recovery) if r is not None)
        return cls(db, keep, recovered, path)

    def close(self) -> None:
        """Close both files. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for connection in (self._db, self._keep):
            try:
                # Fold the WAL back into the file so the next start reads one file.
                connection.execute("PRAGMA optimize")
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass
            connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- meta, me, contexts ------------------------------------------------------------
    @cache_call
    def get_meta(self, key: str) -> str | None:
        """A small string the service keeps in the cache (sync cursors, timestamps)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    @cache_call
    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or with ``None`` remove) a meta value."""
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def save_me(self, me: Person) -> None:
        self.set_meta("me", encode(me).decode())

    def me(self) -> Person | None:
        data = self.get_meta("me")
        return None if data is None else decode_person(data)

    @cache_call
    def save_contexts(self, contexts: list[Context]) -> None:
        """Replace the user's courses and groups (the complete list)."""
        with _transaction(self._db):
            self._db.execute("DELETE FROM contexts")
            self._db.executemany(
                "INSERT INTO contexts (pos, code, data) VALUES (?, ?, ?)",
                [(i, c.code, encode(c)) for i, c in enumerate(contexts)],
            )

    @cache_call
    def contexts(self) -> list[Context]:
        """The contexts in the order they were saved."""
        rows = self._db.execute("SELECT data FROM contexts ORDER BY pos")
        return [decode_context(data) for (data,) in rows]

    # --- conversations -----------------------------------------------------------------
    @cache_call
    def upsert_conversations(
        self,
        conversations: Iterable[Conversation],
        *,
        scope: Scope | None = None,
        context_code: str | None = None,
        complete: bool = False,
        as_of: int | None = None,
    ) -> None:
        """Record conversations as Canvas sent them, in one transaction.

        With ``scope`` (and optionally ``context_code``, the filter the list was asked
        with) the rows are also recorded as the server's listing of that scope/filter, in
        the order given (a partial listing is taken as the top of the list, as a
        first-page refresh is). With ``complete=True`` this was the whole list: cached rows
        that match the scope/filter locally but were not listed drop out of it (they stay
        cached for other scopes, threads and search), and rows an unfiltered complete
        listing leaves in no scope at all are forgotten (deleted on another device).
        Pass ``as_of=store.revision()`` taken *before* requesting the listing: rows
        written since (an optimistic change, newer mail from a first-page refresh) are
        then never dropped by a listing that could not have known about them. Without
        it, rows this Store changed in the last two minutes are spared instead.
        Drafts and outbox are never touched.
        """
        if scope is not None:
            _scopes.check_scope(scope)
        elif complete or context_code:
            raise ValueError("a listing needs a scope")
        listed = list(conversations)
        in_sent = int(scope == "sent")
        ids = [(c.id,) for c in listed]
        id_list = json.dumps([c.id for c in listed])
        db = self._db
        written = self._written
        with _transaction(db):
            rev = self._next_revision()
            # A re-sync mostly brings rows back unchanged: compare with what is stored
            # and write (and re-index) only the rows that differ. A record this Store
            # itself wrote (a listing's page, its memo untouched by any write since) is
            # known to be stored as it is: the closing write reads none of them back.
            memo_hit = [(memo := written.get(c.id)) is not None and memo[0] is c for c in listed]
            columns = [
                written[c.id][1] if hit else conversation_columns(c)
                for c, hit in zip(listed, memo_hit, strict=True)
            ]
            unknown = [c.id for c, hit in zip(listed, memo_hit, strict=True) if not hit]
            stored = (
                dict(
                    db.execute(
                        "SELECT id, data FROM conversations"
                        " WHERE id IN (SELECT value FROM json_each(?))",
                        (json.dumps(unknown),),
                    )
                )
                if unknown
                else {}
            )
            changed = [
                i
                for i, row in enumerate(columns)
                if not memo_hit[i] and stored.get(row[0]) != row[-1]
            ]
            # In rowid order: Canvas lists newest (highest id) first, and inserting
            # descending keys splits every b-tree page half-empty (twice the pages, and
            # twice the bytes through the WAL, for a first sync).
            changed.sort(key=lambda i: listed[i].id)
            db.executemany(_UPSERT, [(*columns[i], in_sent, rev) for i in changed])
            _search.index_conversations(db, [listed[i] for i in changed])
            if scope is None:
                written.update((listed[i].id, (listed[i], columns[i])) for i in changed)
            else:
                # Only a listing's closing write reuses them; the rest would only hold
                # memory (rows stay memoised until then, at most one listing's worth).
                written.clear()
            if not complete:
                # A complete listing is a snapshot like the others of its sync; what
                # the others may not know about are changes made around them.
                self._touch(listed[i].id for i in changed)
            if in_sent:
                db.executemany(
                    "UPDATE conversations SET in_sent = 1 WHERE id = ? AND in_sent = 0", ids
                )
            if scope is None:
                return
            filt = context_code or ""
            if context_code:
                db.executemany(
                    "INSERT OR IGNORE INTO tags (code, cid) VALUES (?, ?)",
                    [(context_code, c.id) for c in listed],
                )
            if complete:
                # The listed ids, once, for the statements below (a complete inbox is
                # thousands: each json_each over them costs most of a millisecond).
                db.execute("CREATE TEMP TABLE IF NOT EXISTS listing (id INTEGER PRIMARY KEY)")
                db.execute("DELETE FROM temp.listing")
                db.execute(
                    "INSERT OR IGNORE INTO temp.listing (id) SELECT value FROM json_each(?)",
                    (id_list,),
                )
                listed_ids = "SELECT id FROM temp.listing"
            else:
                listed_ids = "SELECT value FROM json_each(:ids)"
            for implied in _IMPLIED.get(scope, (scope,)):
                # Listed here: whatever an earlier complete listing said no longer holds.
                # (One statement, not one per row: 2,000 rows cost ~2 ms that way.)
                db.execute(
                    f"DELETE FROM unlisted WHERE scope = :scope AND cid IN ({listed_ids})",  # noqa: S608 - constants only
                    {"scope": implied, "ids": id_list},
                )
            if scope == "starred":
                self._record_order(scope, filt, [c.id for c in listed], complete)
            if complete:
                if as_of is None:
                    # Without a mark, rows this process changed in the last
                    # RECENT_SECONDS count as listed: long enough for any listing
                    # requested before the change to have arrived since.
                    db.executemany(
                        "INSERT OR IGNORE INTO temp.listing (id) VALUES (?)",
                        [(cid,) for cid in self._recently_changed()],
                    )
                for implied in _IMPLIED.get(scope, (scope,)):
                    sql, params = _scopes.exclude_unlisted(implied, context_code, as_of)
                    db.execute(sql, params)
                db.execute("DELETE FROM temp.listing")
                if not context_code:
                    ghosts = db.execute(_scopes.GHOSTS, {"scope": scope}).fetchall()
                    self._remove(ghosts)

    def _touch(self, ids: Iterable[int]) -> None:
        now = time.monotonic()
        for cid in ids:
            self._recent[cid] = now

    def _recently_changed(self) -> list[int]:
        since = time.monotonic() - RECENT_SECONDS
        self._recent = {cid: t for cid, t in self._recent.items() if t >= since}
        return list(self._recent)

    def revision(self) -> int:
        """The cache's current revision: pass it as ``as_of`` to a complete listing
        requested after this call (see ``upsert_conversations``)."""
        row = self._db.execute("SELECT max(rev) FROM conversations").fetchone()
        return int(row[0] or 0)

    def _next_revision(self) -> int:
        # Read inside the write transaction: another process (canvas-inbox sync beside
        # the TUI) may have written since, and revisions must only grow.
        return self.revision() + 1

    def _record_order(self, scope: str, filt: str, ids: list[int], complete: bool) -> None:
        db = self._db
        if complete:
            db.execute("DELETE FROM listed WHERE scope = ? AND filt = ?", (scope, filt))
            base = 0
        else:
            # A partial listing is the top of the server's list (a first-page refresh):
            # it goes above everything known, the rest keeps its relative order.
            (top,) = db.execute(
                "SELECT min(pos) FROM listed WHERE scope = ? AND filt = ?", (scope, filt)
            ).fetchone()
            base = (0 if top is None else top) - len(ids)
        db.executemany(
            "INSERT INTO listed (scope, filt, cid, pos) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (scope, filt, cid) DO UPDATE SET pos = excluded.pos",
            [(scope, filt, cid, base + i) for i, cid in enumerate(ids)],
        )

    @cache_call
    def conversations(
        self, scope: Scope, context_code: str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        """The rows of a scope (filtered by course/group code), in Canvas's order.

        Membership follows each row's current local fields, so an optimistic change
        shows at once: inbox = visible (last_message_at set) and not archived; unread =
        visible and unread; archived = visible and archived; starred = starred; sent =
        has a message of the user's own (last_authored_message_at set, or listed by the
        server under sent, or the newest message is the user's). Order: last_message_at
        desc, id desc (inbox, unread, archived); last_authored_message_at desc, id desc
        (sent); the server's order for starred, locally starred rows it has not listed
        yet first. A row a complete server listing of the scope/filter left out is not
        in it until its data changes. A context filter matches the row's context_code
        or any code it was listed under.
        """
        members = False
        if context_code:
            (size,) = self._db.execute(_scopes.MEMBER_COUNT, {"f": context_code}).fetchone()
            members = _scopes.members_first(size, limit)
        sql, params = _scopes.select(scope, context_code, limit, members=members)
        return [decode_conversation(row[0]) for row in self._db.execute(sql, params)]

    @cache_call
    def count(self, scope: Scope, context_code: str | None = None) -> int:
        """How many rows ``conversations(scope, context_code)`` would return."""
        sql, params = _scopes.count(scope, context_code)
        return int(self._db.execute(sql, params).fetchone()[0])

    @cache_call
    def conversation(self, conversation_id: int) -> Conversation | None:
        row = self._db.execute(
            "SELECT data FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None else decode_conversation(row[0])

    @cache_call
    def conversations_by_id(self, ids: Iterable[int]) -> dict[int, Conversation]:
        """The cached rows among ``ids`` (ids not cached are left out), in one query:
        a listed page compared with the cache costs one SELECT, not one per row."""
        rows = self._db.execute(
            "SELECT id, data FROM conversations WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([int(i) for i in ids]),),
        )
        return {cid: decode_conversation(data) for cid, data in rows}

    def update_conversation(self, conversation: Conversation) -> None:
        """Replace one cached row with a locally changed copy (an optimistic change, or
        its revert). Unknown ids are inserted. Use ``update_conversations`` for many."""
        self.update_conversations((conversation,))

    def update_conversations(self, conversations: Iterable[Conversation]) -> None:
        """``update_conversation`` for many rows in one transaction (batch actions)."""
        self.upsert_conversations(conversations)

    @cache_call
    def remove_conversations(self, ids: Iterable[int]) -> None:
        """Forget conversations (deleted for the user): rows, listings, threads, search."""
        with _transaction(self._db):
            self._remove([(int(i),) for i in ids])

    def _remove(self, keys: list[tuple[int]]) -> None:
        db = self._db
        for (cid,) in keys:
            self._written.pop(cid, None)
        if keys:
            for sql in (
                "DELETE FROM conversations WHERE id = ?",
                "DELETE FROM tags WHERE cid = ?",
                "DELETE FROM listed WHERE cid = ?",
                "DELETE FROM unlisted WHERE cid = ?",
                "DELETE FROM threads WHERE cid = ?",
                "DELETE FROM messages WHERE cid = ?",
            ):
                db.executemany(sql, keys)
            _search.remove(db, [k for (k,) in keys])

    # --- threads -----------------------------------------------------------------------
    def save_thread(self, thread: Thread) -> None:
        """Store a thread's messages exactly (attachments, media, nested forwards) and
        update its conversation row from ``thread.conversation``."""
        self.save_threads((thread,))

    @cache_call
    def save_threads(self, threads: Iterable[Thread]) -> None:
        """``save_thread`` for many threads in one transaction (a background sync)."""
        db = self._db
        saved_at = time.time_ns() // 1000
        threads = list(threads)
        with _transaction(db):
            rev = self._next_revision()
            for thread in threads:
                conversation = thread.conversation
                cid = conversation.id
                db.execute(_UPSERT, (*conversation_columns(conversation), 0, rev))
                self._written.pop(cid, None)  # no longer what a listing's page wrote
                self._touch((cid,))
                db.execute("DELETE FROM messages WHERE cid = ?", (cid,))
                db.executemany(
                    "INSERT INTO messages (cid, pos, id, author_id, created_at, data)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (cid, pos, m.id, m.author_id, micros(m.created_at), encode(m))
                        for pos, m in enumerate(thread.messages)
                    ],
                )
                db.execute(
                    "INSERT INTO threads (cid, saved_at) VALUES (?, ?)"
                    " ON CONFLICT (cid) DO UPDATE SET saved_at = excluded.saved_at",
                    (cid, saved_at),
                )
            _search.index_threads(db, threads)

    @cache_call
    def thread(self, conversation_id: int) -> Thread | None:
        """The cached thread (messages oldest first), or None if never fetched."""
        db = self._db
        if db.execute("SELECT 1 FROM threads WHERE cid = ?", (conversation_id,)).fetchone() is None:
            return None
        conversation = self.conversation(conversation_id)
        if conversation is None:
            return None
        rows = db.execute(
            "SELECT data FROM messages WHERE cid = ? ORDER BY pos", (conversation_id,)
        )
        return Thread(conversation=conversation, messages=tuple(decode_message(d) for (d,) in rows))

    @cache_call
    def thread_ids(self) -> set[int]:
        """Ids of the conversations whose threads are cached."""
        return {cid for (cid,) in self._db.execute("SELECT cid FROM threads")}

    # --- search ------------------------------------------------------------------------
    @cache_call
    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        """Full-text search over subjects, message bodies and people's names.

        Forgiving syntax: words match as prefixes (as you type), "quoted phrases" match
        exactly; any input is accepted (never raises). Best match first (bm25), then
        newest. Each hit carries a one-line plain-text snippet and the (start, end)
        offsets of the matched words in it.
        """
        return _search.search(self._db, query, limit)
