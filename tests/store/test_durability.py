"""Nothing the user wrote is lost: drafts and the outbox survive kills and cache resets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from canvas_inbox.store import Store
from canvas_inbox.store.records import Draft, OutboxItem, Recipient
from tests.store.factories import conv

ROOT = Path(__file__).resolve().parents[2]

# The child types a message one character at a time, saving the draft on every
# "pause" (here: every character), and queues an outbox item every 25 characters. It
# prints how far it got only after the save returned, so the parent knows the least
# the file must hold when it kills the child without warning.
_TYPIST = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from canvas_inbox.store import Store
    from canvas_inbox.store.records import Draft, OutboxItem

    store = Store.open(Path(sys.argv[1]))
    text = ""
    n = 0
    while True:
        n += 1
        text += "abcdefghij"[n % 10]
        draft = Draft(id="typing", subject="Lab report", body=f"{n}:{text}")
        store.save_draft(draft)
        if n % 25 == 0:
            store.put_outbox(OutboxItem(id=f"o{n}", draft=draft, created_at=datetime.now(UTC)))
        # Cache writes too, interleaved, as a sync would do while the user types.
        store.set_meta("typed", str(n))
        print(n, flush=True)
    """
)


def _type_then_kill(cache: Path, after: int) -> int:
    child = subprocess.Popen(
        [sys.executable, "-c", _TYPIST, str(cache)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    last = 0
    try:
        for line in child.stdout:
            last = int(line)
            if last >= after:
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    return last


def test_sigkill_mid_typing_keeps_the_last_saved_draft_and_outbox(tmp_path: Path) -> None:
    cache = tmp_path / "school.sqlite3"
    for round_, after in enumerate((40, 75, 130)):
        acknowledged = _type_then_kill(cache, after)
        with Store.open(cache) as store:
            assert store.recovered == (), f"round {round_}"
            (draft,) = store.drafts()
            saved, _, text = draft.body.partition(":")
            # The child may have saved once more after its last print: never less.
            assert int(saved) >= acknowledged
            assert len(text) == int(saved)
            outbox = {item.id for item in store.outbox()}
            assert {f"o{n}" for n in range(25, acknowledged + 1, 25)} <= outbox
            assert int(store.get_meta("typed") or 0) >= acknowledged


def _draft(i: int = 1) -> Draft:
    return Draft(
        id=f"d{i}",
        kind="reply",
        conversation_id=7,
        recipients=(Recipient(id="2", name="Jane", kind="user"),),
        subject="Re: lab",
        body=f"draft {i}",
        attachment_paths=("/tmp/notes.pdf",),
        updated_at=datetime(2026, 9, 15, tzinfo=UTC),
    )


def test_drafts_round_trip_newest_first(store: Store) -> None:
    store.save_draft(_draft(1))
    store.save_draft(_draft(2))
    assert [d.id for d in store.drafts()] == ["d2", "d1"]
    store.save_draft(_draft(1))
    assert [d.id for d in store.drafts()] == ["d1", "d2"]
    assert store.draft("d1") == _draft(1)
    store.delete_draft("d1")
    assert store.drafts() == [_draft(2)]
    assert store.draft("d1") is None


def test_outbox_keeps_state_and_reason_in_order(store: Store) -> None:
    first = OutboxItem(id="a", draft=_draft(1), created_at=datetime(2026, 9, 1, tzinfo=UTC))
    second = OutboxItem(id="b", draft=_draft(2), created_at=datetime(2026, 9, 2, tzinfo=UTC))
    store.put_outbox(second)
    store.put_outbox(first)
    failed = OutboxItem(
        id="a",
        draft=_draft(1),
        created_at=first.created_at,
        state="failed",
        attempts=2,
        last_error="Canvas refused: recipients invalid",
    )
    store.put_outbox(failed)
    assert store.outbox() == [failed, second]
    assert store.outbox_item("a") == failed
    store.remove_outbox("a")
    assert store.outbox() == [second]
    assert store.outbox_item("a") is None


def test_cache_changes_never_touch_drafts_or_outbox(disk_store: Store) -> None:
    disk_store.save_draft(_draft())
    item = OutboxItem(id="o", draft=_draft(), created_at=datetime(2026, 9, 1, tzinfo=UTC))
    disk_store.put_outbox(item)
    disk_store.upsert_conversations([conv(7, 1)], scope="inbox", complete=True)
    disk_store.upsert_conversations([], scope="inbox", complete=True)
    disk_store.remove_conversations([7])
    assert disk_store.drafts() == [_draft()]
    assert disk_store.outbox() == [item]


def test_drafts_live_outside_the_cache_file(cache_path: Path) -> None:
    with Store.open(cache_path) as store:
        store.save_draft(_draft())
    # The user (or a cache cleaner) deletes the cache: the drafts remain.
    cache_path.unlink()
    with Store.open(cache_path) as store:
        assert store.drafts() == [_draft()]


def test_two_stores_on_the_same_files_see_each_others_writes(cache_path: Path) -> None:
    # canvas-inbox sync running beside the TUI: two connections, one file each.
    with Store.open(cache_path) as tui, Store.open(cache_path) as sync:
        sync.upsert_conversations([conv(1, 1), conv(2, 2)], scope="inbox", complete=True)
        assert [c.id for c in tui.conversations("inbox")] == [1, 2]
        tui.save_draft(_draft())
        assert sync.drafts() == [_draft()]
        # Revisions only grow, whichever process writes.
        before = tui.revision()
        sync.update_conversation(conv(1, 1, starred=True))
        middle = tui.revision()
        tui.update_conversation(conv(2, 2, starred=True))
        assert before < middle < sync.revision()


def test_a_draft_with_undecodable_terminal_bytes_is_still_saved(store: Store) -> None:
    # A terminal decoding invalid UTF-8 with surrogateescape hands us lone surrogates.
    draft = Draft(id="s", subject="caf\udce9", body="typed \udc80 here")
    store.save_draft(draft)
    assert store.draft("s") == Draft(id="s", subject="caf\ufffd", body="typed \ufffd here")
    store.put_outbox(OutboxItem(id="o", draft=draft, created_at=datetime(2026, 9, 1, tzinfo=UTC)))
    assert store.outbox()[0].draft.body == "typed \ufffd here"
