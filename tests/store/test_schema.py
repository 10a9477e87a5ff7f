"""Opening old, newer and damaged files: the user keeps their drafts and gets a clear word."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from canvas_inbox.store import Store, StoreError, StoreVersionError, _schema
from canvas_inbox.store._codec import conversation_columns, encode, micros
from canvas_inbox.store._schema import CACHE_MIGRATIONS, DRAFTS_MIGRATIONS, migrate
from canvas_inbox.store._store import drafts_path_for
from canvas_inbox.store.records import Draft
from tests.store.factories import conv, rich_thread

DRAFT = Draft(id="keep-me", subject="Lab", body="half a sentence", updated_at=None)


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def _set_user_version(path: Path, version: int) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def test_fresh_files_are_at_the_latest_version(cache_path: Path) -> None:
    Store.open(cache_path).close()
    assert _user_version(cache_path) == len(CACHE_MIGRATIONS)
    assert _user_version(drafts_path_for(cache_path)) == len(DRAFTS_MIGRATIONS)


def test_a_version_1_cache_is_migrated_and_keeps_its_data(cache_path: Path) -> None:
    # A cache as the first release wrote it: rows and a thread, no search index.
    cache_path.parent.mkdir(parents=True)
    db = sqlite3.connect(cache_path, isolation_level=None)
    migrate(db, CACHE_MIGRATIONS[:1], "v1 cache")
    thread = rich_thread(40)
    db.execute(
        "INSERT INTO conversations (id, state, starred, lm_at, la_at, me_last, ctx, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        conversation_columns(thread.conversation),
    )
    db.execute(
        "INSERT INTO conversations (id, state, starred, lm_at, la_at, me_last, ctx, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        conversation_columns(conv(41, 5, subject="Field trip permission")),
    )
    db.execute("INSERT INTO threads (cid, saved_at) VALUES (40, 0)")
    db.executemany(
        "INSERT INTO messages (cid, pos, id, author_id, created_at, data)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (40, pos, m.id, m.author_id, micros(m.created_at), encode(m))
            for pos, m in enumerate(thread.messages)
        ],
    )
    db.close()
    assert _user_version(cache_path) == 1

    with Store.open(cache_path) as store:
        assert [c.id for c in store.conversations("inbox")] == [40, 41]
        assert store.thread(40) == thread
        # The new version's feature works on the old data: search was backfilled.
        assert [h.conversation_id for h in store.search("permission")] == [41]
        assert [(h.conversation_id, h.message_id) for h in store.search("recording")] == [(40, 401)]
        store._db.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)")
    assert _user_version(cache_path) == len(CACHE_MIGRATIONS)


def test_a_failed_migration_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)

    def step_one(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE one (x)")

    def broken_step(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE two (x)")
        raise RuntimeError("bug in a migration")

    migrate(db, (step_one,), "test")  # a file at version 1
    with pytest.raises(RuntimeError):
        migrate(db, (step_one, broken_step), "test")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"one"}


def test_a_new_file_is_made_whole_or_not_at_all(tmp_path: Path) -> None:
    # From version 0 every step runs in one transaction: nothing older to keep.
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)

    def step_one(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE one (x)")

    def broken_step(db: sqlite3.Connection) -> None:
        raise RuntimeError("bug in a migration")

    with pytest.raises(RuntimeError):
        migrate(db, (step_one, broken_step), "test")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    migrate(db, (step_one,), "test")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_file_another_process_migrated_meanwhile_is_not_migrated_twice(
    cache_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The TUI and `canvas-inbox sync` started together on a new profile: both read
    # version 0, one migrates first. The other must see that under the write lock.
    Store.open(cache_path).close()  # the first process, done
    stale = [0]  # the second read the version before the first one wrote it
    real = _schema._version

    def version(*args: object) -> int:
        return stale.pop() if stale else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_schema, "_version", version)
    db = sqlite3.connect(cache_path, isolation_level=None)
    migrate(db, CACHE_MIGRATIONS, "the cache")  # no "table already exists"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
    db.close()


def test_new_files_keep_their_durability_once_made(cache_path: Path) -> None:
    # A new file's schema is written without fsyncs; what the user writes is not.
    for _ in range(2):  # made, then opened again
        with Store.open(cache_path) as store:
            assert store._keep.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_a_newer_cache_is_refused_with_a_clear_error(cache_path: Path) -> None:
    with Store.open(cache_path) as store:
        store.save_draft(DRAFT)
    _set_user_version(cache_path, 99)
    latest = len(CACHE_MIGRATIONS)
    with pytest.raises(
        StoreVersionError, match=rf"newer canvas-inbox \(schema 99.*up to {latest}\)"
    ):
        Store.open(cache_path)
    # Refused, not touched: and the drafts are still there for the newer version.
    assert _user_version(cache_path) == 99
    _set_user_version(cache_path, len(CACHE_MIGRATIONS))
    with Store.open(cache_path) as store:
        assert store.drafts() == [DRAFT]


def test_a_newer_drafts_file_is_refused(cache_path: Path) -> None:
    Store.open(cache_path).close()
    _set_user_version(drafts_path_for(cache_path), 7)
    with pytest.raises(StoreVersionError, match="drafts file"):
        Store.open(cache_path)


def test_a_damaged_cache_is_moved_aside_and_rebuilt_keeping_drafts(cache_path: Path) -> None:
    with Store.open(cache_path) as store:
        store.save_draft(DRAFT)
        store.upsert_conversations([conv(1, 1)])
    garbage = b"this is not an SQLite database, it is junk " * 100
    cache_path.write_bytes(garbage)
    cache_path.with_name(cache_path.name + "-wal").write_bytes(b"stale wal")

    with Store.open(cache_path) as store:
        (recovery,) = store.recovered
        assert recovery.what == "cache"
        assert recovery.moved_to.read_bytes() == garbage
        # The damaged file's WAL must not be replayed into the fresh cache.
        wal = cache_path.with_name(cache_path.name + "-wal")
        assert not wal.exists() or wal.read_bytes() != b"stale wal"
        assert "rebuilt" in str(recovery)
        assert store.conversations("inbox") == []
        assert store.drafts() == [DRAFT]
        store.upsert_conversations([conv(2, 1)])
        assert [c.id for c in store.conversations("inbox")] == [2]


def test_a_damaged_drafts_file_is_kept_aside_not_deleted(cache_path: Path) -> None:
    with Store.open(cache_path) as store:
        store.upsert_conversations([conv(1, 1)])
    drafts = drafts_path_for(cache_path)
    drafts.write_bytes(b"\x00garbage" * 500)
    with Store.open(cache_path) as store:
        (recovery,) = store.recovered
        assert recovery.what == "drafts"
        assert recovery.moved_to.read_bytes() == b"\x00garbage" * 500
        assert str(recovery.moved_to) in str(recovery)
        assert [c.id for c in store.conversations("inbox")] == [1]
        store.save_draft(DRAFT)
        assert store.drafts() == [DRAFT]


def _find_all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def test_damage_found_mid_session_resets_the_cache_not_the_app(cache_path: Path) -> None:
    with Store.open(cache_path) as store:
        store.save_draft(DRAFT)
        store.upsert_conversations(
            [conv(i, i, subject="x" * 500, last_message="y" * 100) for i in range(1, 3000)]
        )
    # Ruin the pages that hold the conversation rows (their JSON starts {"id":),
    # leaving the header and schema intact, as a bad sector or a torn write might.
    data = bytearray(cache_path.read_bytes())
    pages = {at // 4096 for at in _find_all(bytes(data), b'{"id":')}
    assert pages
    for page in pages:
        data[page * 4096 : page * 4096 + 12] = b"\xff" * 12
    cache_path.write_bytes(bytes(data))
    with Store.open(cache_path) as store:
        assert store.recovered == ()  # the header and schema looked fine
        # Reading every row meets the damage: the cache is reset, not the app.
        assert store.conversations("inbox") == []
        (recovery,) = store.recovered
        assert recovery.what == "cache"
        assert store.drafts() == [DRAFT]


def test_a_cache_path_that_cannot_be_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StoreError, match="cannot open the local cache"):
        Store.open(tmp_path / "dir.sqlite3", drafts_path=tmp_path / "d.sqlite3")


def test_in_memory_store_needs_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open(None) as store:
        store.save_draft(DRAFT)
        store.upsert_conversations([conv(1, 1)])
        assert store.drafts() == [DRAFT]
    assert list(tmp_path.iterdir()) == []


def test_close_twice_is_fine(cache_path: Path) -> None:
    store = Store.open(cache_path)
    store.close()
    store.close()


def test_draft_timestamps_keep_their_offset(store: Store) -> None:
    from datetime import timedelta, timezone

    when = datetime(2026, 9, 15, 9, 30, tzinfo=timezone(timedelta(hours=-6)))
    draft = Draft(id="tz", updated_at=when)
    store.save_draft(draft)
    assert store.draft("tz").updated_at.utcoffset() == timedelta(hours=-6)
    assert store.draft("tz").updated_at == when.astimezone(UTC)


def test_sqlite_failures_become_one_line_store_errors(cache_path: Path) -> None:
    store = Store.open(cache_path)
    store.close()
    with pytest.raises(StoreError, match=r"^local cache: .*closed"):
        store.conversations("inbox")
    with pytest.raises(StoreError, match=r"^drafts file: .*closed"):
        store.save_draft(DRAFT)
