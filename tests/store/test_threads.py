"""Threads read offline exactly as Canvas sent them."""

from __future__ import annotations

import msgspec

from canvas_inbox.store import Store
from canvas_inbox.store.records import Thread
from tests.store.factories import conv, message, rich_thread


def test_thread_round_trips_exactly_with_nested_forwards_and_attachments(store: Store) -> None:
    thread = rich_thread()
    store.save_thread(thread)
    back = store.thread(thread.conversation.id)
    assert back == thread
    forwarded = back.messages[0].forwarded[0].forwarded[0]
    assert forwarded.attachments[0].url == "https://canvas.example/files/5/download"
    assert back.messages[0].media_comment is not None
    assert back.messages[0].media_comment.display_name == "Voice note"
    assert back.messages[1].generated
    # Text is kept byte for byte: sanitising for the terminal is the UI's job.
    assert back.messages[2].body == "Thanks! 🎉 <b>not html</b> \x1b[31m"
    assert back.messages[0].created_at.tzinfo is not None


def test_thread_survives_reopening_the_file(disk_store: Store, cache_path) -> None:
    thread = rich_thread()
    disk_store.save_thread(thread)
    disk_store.close()
    with Store.open(cache_path) as reopened:
        assert reopened.thread(thread.conversation.id) == thread
        assert reopened.thread_ids() == {thread.conversation.id}


def test_unfetched_thread_is_none_but_its_row_is_listed(store: Store) -> None:
    store.upsert_conversations([conv(5, 1)])
    assert store.thread(5) is None
    assert store.thread_ids() == set()


def test_saving_again_replaces_the_messages(store: Store) -> None:
    thread = rich_thread()
    store.save_thread(thread)
    shorter = Thread(conversation=thread.conversation, messages=thread.messages[:1])
    store.save_thread(shorter)
    assert store.thread(thread.conversation.id) == shorter


def test_thread_takes_the_rows_current_fields(store: Store) -> None:
    # The list and the open thread must agree after an optimistic change.
    thread = rich_thread()
    store.save_thread(thread)
    starred = msgspec.structs.replace(thread.conversation, starred=True)
    store.update_conversation(starred)
    assert store.thread(thread.conversation.id).conversation.starred


def test_save_thread_updates_the_listed_row(store: Store) -> None:
    store.upsert_conversations([conv(40, 2, state="unread")], scope="inbox", complete=True)
    thread = rich_thread(40)
    store.save_thread(thread)
    assert store.conversation(40) == thread.conversation
    assert [c.id for c in store.conversations("unread")] == []


def test_a_later_listing_keeps_the_cached_thread(store: Store) -> None:
    thread = rich_thread(40)
    store.save_thread(thread)
    store.upsert_conversations([conv(40, 0.5, state="unread")], scope="inbox", complete=True)
    assert store.thread(40).messages == thread.messages
    assert store.thread(40).conversation.unread


def test_remove_conversation_removes_its_thread(store: Store) -> None:
    store.save_thread(rich_thread(40))
    store.save_thread(Thread(conversation=conv(41, 1), messages=(message(1, 41, "hi"),)))
    store.remove_conversations([40])
    assert store.thread(40) is None
    assert store.thread_ids() == {41}


def test_save_threads_writes_many_at_once(store: Store) -> None:
    threads = [
        Thread(conversation=conv(cid, cid), messages=(message(cid * 10, cid, f"body {cid}"),))
        for cid in range(1, 30)
    ]
    store.save_threads(iter(threads))  # any iterable, even a generator
    assert store.thread_ids() == set(range(1, 30))
    assert all(store.thread(t.conversation.id) == t for t in threads)
    assert [h.message_id for h in store.search("body 7")] == [70]
