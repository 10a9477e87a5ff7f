"""What the inbox list shows: membership, order and filters, as the user would see them."""

from __future__ import annotations

import msgspec
import pytest

from canvas_inbox.store import Store, _store
from tests.store.factories import conv, rich_thread


@pytest.fixture(autouse=True)
def _listings_arrive_long_after_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests play a listing as if fetched well after the rows were written; the
    grace for rows changed just now has its own test below."""
    monkeypatch.setattr(_store, "RECENT_SECONDS", 0.0)


def ids(store: Store, scope: str, context_code: str | None = None, limit: int | None = None):
    return [c.id for c in store.conversations(scope, context_code, limit)]  # type: ignore[arg-type]


def test_inbox_is_newest_first_and_ties_break_by_higher_id(store: Store) -> None:
    store.upsert_conversations(
        [conv(1, 5), conv(2, 1), conv(3, 3), conv(4, 1), conv(5, 9, state="unread")]
    )
    assert ids(store, "inbox") == [4, 2, 3, 1, 5]
    assert ids(store, "inbox", limit=2) == [4, 2]
    assert store.count("inbox") == 5


def test_each_scope_holds_the_rows_its_fields_say(store: Store) -> None:
    store.upsert_conversations(
        [
            conv(1, 1, state="unread"),
            conv(2, 2, state="read", starred=True),
            conv(3, 3, state="archived"),
            conv(4, 4, state="archived", starred=True, authored_hours_ago=4),
            conv(5, 5, authored_hours_ago=6),
        ]
    )
    assert ids(store, "inbox") == [1, 2, 5]
    assert ids(store, "unread") == [1]
    assert ids(store, "archived") == [3, 4]
    assert set(ids(store, "starred")) == {2, 4}
    assert ids(store, "sent") == [4, 5]


def test_a_conversation_just_started_is_in_sent_not_inbox(store: Store) -> None:
    # Canvas: last_message_at stays null until someone else writes (spec §6.2).
    store.upsert_conversations([conv(1, 3), conv(2, None, authored_hours_ago=0.1)])
    assert ids(store, "inbox") == [1]
    assert ids(store, "sent") == [2]
    assert ids(store, "unread") == []


def test_sent_is_ordered_by_the_users_own_last_message(store: Store) -> None:
    store.upsert_conversations(
        [
            conv(1, 1, authored_hours_ago=30),
            conv(2, 20, authored_hours_ago=2),
            conv(3, 5, authored_hours_ago=10),
        ]
    )
    assert ids(store, "sent") == [2, 3, 1]


def test_a_row_the_server_lists_under_sent_stays_in_sent_without_an_authored_time(
    store: Store,
) -> None:
    # last_authored_message_at is unreliable in Canvas (spec §13.19).
    store.upsert_conversations([conv(7, 4)], scope="sent", complete=True)
    assert ids(store, "sent") == [7]
    store.upsert_conversations([conv(7, 4)], scope="inbox")
    assert ids(store, "sent") == [7]


@pytest.mark.parametrize(
    ("change", "left", "joined"),
    [
        ({"workflow_state": "archived"}, "inbox", "archived"),
        ({"workflow_state": "read"}, "unread", None),
        ({"starred": False}, "starred", None),
    ],
)
def test_an_optimistic_change_moves_the_row_at_once(
    store: Store, change: dict, left: str, joined: str | None
) -> None:
    row = conv(1, 1, state="unread", starred=True)
    store.upsert_conversations([row, conv(2, 2, state="unread", starred=True)])
    store.upsert_conversations([row], scope=left, complete=False)  # type: ignore[arg-type]
    assert 1 in ids(store, left)
    store.update_conversation(msgspec.structs.replace(row, **change))
    assert 1 not in ids(store, left)
    assert 2 in ids(store, left)
    if joined:
        assert ids(store, joined) == [1]
    # …and the revert puts it back.
    store.update_conversation(row)
    assert 1 in ids(store, left)


def test_unarchived_row_returns_to_the_inbox_in_its_place(store: Store) -> None:
    store.upsert_conversations([conv(1, 1), conv(2, 2, state="archived"), conv(3, 3)])
    store.update_conversation(conv(2, 2, state="read"))
    assert ids(store, "inbox") == [1, 2, 3]
    assert ids(store, "archived") == []


def test_filter_matches_context_code_or_any_code_listed_under(store: Store) -> None:
    store.upsert_conversations(
        [
            conv(1, 1, context_code="course_12"),
            conv(2, 2, context_code="course_14"),
            conv(3, 3, context_code=None),
            conv(4, 4, context_code="group_3"),
        ]
    )
    # The server listed 3 and 4 under course_12 too (group in the course, shared tags).
    store.upsert_conversations(
        [conv(3, 3), conv(4, 4, context_code="group_3")],
        scope="inbox",
        context_code="course_12",
    )
    assert ids(store, "inbox", "course_12") == [1, 3, 4]
    assert ids(store, "inbox", "course_14") == [2]
    assert ids(store, "inbox", "group_3") == [4]
    assert ids(store, "inbox", "course_99") == []
    assert store.count("inbox", "course_12") == 3
    # The tag belongs to the conversation, not to the scope it was seen in.
    store.update_conversation(conv(3, 3, state="archived"))
    assert ids(store, "archived", "course_12") == [3]


def test_complete_listing_drops_rows_the_server_no_longer_lists(store: Store) -> None:
    store.upsert_conversations([conv(i, i) for i in range(1, 6)], scope="inbox", complete=True)
    assert ids(store, "inbox") == [1, 2, 3, 4, 5]
    # Conversation 3 was deleted and 5 archived on the web; the next full listing:
    store.upsert_conversations([conv(i, i) for i in (1, 2, 4)], scope="inbox", complete=True)
    assert ids(store, "inbox") == [1, 2, 4]
    assert store.count("inbox") == 3
    # In no scope any more: forgotten, so search does not find deleted mail either.
    assert store.conversation(3) is None
    assert [h.conversation_id for h in store.search("conversation 3")] == []
    # The archived listing brings 5 back with its new state.
    store.upsert_conversations([conv(5, 5, state="archived")], scope="archived", complete=True)
    assert ids(store, "archived") == [5]


def test_a_row_left_out_of_one_scope_stays_for_the_others(store: Store) -> None:
    store.save_thread(rich_thread(40))
    store.update_conversation(conv(40, 2, starred=True))
    store.upsert_conversations([conv(1, 1)], scope="inbox", complete=True)
    assert ids(store, "inbox") == [1]
    assert ids(store, "starred") == [40]
    assert store.thread(40) is not None


def test_filtered_complete_listing_forgets_nothing(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, context_code="course_12")])
    store.upsert_conversations([], scope="inbox", context_code="course_12", complete=True)
    assert ids(store, "inbox", "course_12") == []
    assert ids(store, "inbox") == [1]


def test_a_listing_requested_before_a_change_cannot_undo_it(store: Store) -> None:
    store.upsert_conversations([conv(1, 3), conv(2, 2)], scope="inbox", complete=True)
    mark = store.revision()  # the full sync asks Canvas for the archived list…
    # …meanwhile the user archives 2, and new mail (3) arrives by a first-page refresh.
    store.update_conversation(conv(2, 2, state="archived"))
    store.upsert_conversations([conv(3, 0.5, state="unread")], scope="inbox")
    # The archived list Canvas returns was made before the archive reached it, and the
    # inbox list before the new mail: neither may drop what happened since.
    store.upsert_conversations([], scope="archived", complete=True, as_of=mark)
    store.upsert_conversations([conv(1, 3)], scope="inbox", complete=True, as_of=mark)
    assert ids(store, "archived") == [2]
    assert ids(store, "inbox") == [3, 1]
    # Without the mark the stale listing wins, which is what as_of is for.
    store.upsert_conversations([], scope="archived", complete=True)
    assert ids(store, "archived") == []


def test_without_a_mark_rows_changed_moments_ago_survive_a_complete_listing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store, "RECENT_SECONDS", 120.0)
    store.upsert_conversations([conv(1, 3), conv(2, 2)], scope="inbox", complete=True)
    # What a complete listing wrote is a snapshot, not a change the next one could miss.
    store.upsert_conversations([conv(1, 3)], scope="inbox", complete=True)
    assert ids(store, "inbox") == [1]
    # The user starts a conversation (in sent only) while the sent list is in flight.
    store.update_conversation(conv(3, None, authored_hours_ago=0))
    store.upsert_conversations([], scope="sent", complete=True)
    assert ids(store, "sent") == [3]
    # Once the grace has passed, the listing settles them as usual.
    monkeypatch.setattr(_store, "RECENT_SECONDS", 0.0)
    store.upsert_conversations([], scope="sent", complete=True)
    assert ids(store, "sent") == []


def test_revision_moves_only_when_data_changes(store: Store) -> None:
    store.upsert_conversations([conv(1, 1)])
    mark = store.revision()
    store.upsert_conversations([conv(1, 1)], scope="inbox")
    assert store.revision() == mark
    store.update_conversation(conv(1, 1, starred=True))
    assert store.revision() > mark


def test_complete_inbox_listing_also_settles_unread(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, state="unread"), conv(2, 2, state="unread")])
    store.upsert_conversations([conv(2, 2, state="unread")], scope="inbox", complete=True)
    assert ids(store, "unread") == [2]


def test_partial_listing_drops_nothing(store: Store) -> None:
    store.upsert_conversations([conv(i, i) for i in range(1, 6)], scope="inbox", complete=True)
    store.upsert_conversations([conv(6, 0.5), conv(1, 1)], scope="inbox")
    assert ids(store, "inbox") == [6, 1, 2, 3, 4, 5]


def test_filtered_complete_listing_only_settles_its_filter(store: Store) -> None:
    store.upsert_conversations(
        [conv(1, 1, context_code="course_12"), conv(2, 2, context_code="course_12"), conv(3, 3)]
    )
    store.upsert_conversations(
        [conv(1, 1, context_code="course_12")],
        scope="inbox",
        context_code="course_12",
        complete=True,
    )
    assert ids(store, "inbox", "course_12") == [1]
    assert ids(store, "inbox") == [1, 2, 3]


def test_a_row_left_out_returns_when_it_changes_locally_or_is_listed_again(
    store: Store,
) -> None:
    store.upsert_conversations([conv(1, 1), conv(2, 2)], scope="inbox", complete=True)
    store.upsert_conversations([conv(1, 1)], scope="inbox", complete=True)
    assert ids(store, "inbox") == [1]
    # New mail in it (fresh data from a first-page refresh) brings it back.
    store.upsert_conversations([conv(2, 0.1, state="unread")], scope="inbox")
    assert ids(store, "inbox") == [2, 1]


def test_starred_follows_the_servers_order_with_new_local_stars_first(store: Store) -> None:
    rows = [conv(i, i, starred=True) for i in (1, 2, 3)]
    # Canvas orders starred by the row's updated_at, which it does not send: trust it.
    store.upsert_conversations([rows[2], rows[0], rows[1]], scope="starred", complete=True)
    assert ids(store, "starred") == [3, 1, 2]
    store.upsert_conversations([conv(4, 9), conv(5, 0.5)])
    store.update_conversation(conv(4, 9, starred=True))
    assert ids(store, "starred") == [4, 3, 1, 2]
    # Touching a starred row moves it to the top, as Canvas does.
    store.update_conversation(conv(1, 1, starred=True, state="unread"))
    # (Rows not in the server's order yet sort newest message first.)
    assert ids(store, "starred") == [1, 4, 3, 2]


def test_starred_first_page_refresh_goes_on_top_of_the_known_order(store: Store) -> None:
    rows = {i: conv(i, i, starred=True) for i in range(1, 6)}
    store.upsert_conversations([rows[i] for i in (1, 2, 3, 4, 5)], scope="starred", complete=True)
    store.upsert_conversations([rows[4], rows[2]], scope="starred")
    assert ids(store, "starred") == [4, 2, 1, 3, 5]


def test_starred_order_survives_unchanged_rows_seen_in_other_listings(store: Store) -> None:
    rows = [conv(i, i, starred=True) for i in (1, 2, 3)]
    store.upsert_conversations([rows[2], rows[1], rows[0]], scope="starred", complete=True)
    store.upsert_conversations(rows, scope="inbox", complete=True)
    assert ids(store, "starred") == [3, 2, 1]


def test_remove_conversations_forgets_them_everywhere(store: Store) -> None:
    store.upsert_conversations(
        [conv(1, 1, starred=True, context_code="course_12"), conv(2, 2)], scope="starred"
    )
    store.remove_conversations([1])
    assert store.conversation(1) is None
    assert ids(store, "inbox") == [2]
    assert ids(store, "starred") == []
    assert ids(store, "inbox", "course_12") == []
    assert {h.conversation_id for h in store.search("Conversation")} == {2}


def test_upsert_replaces_every_field(store: Store) -> None:
    first = conv(1, 1)
    store.upsert_conversations([first])
    changed = msgspec.structs.replace(
        first, subject="New", message_count=9, cannot_reply=True, context_name="Bio"
    )
    store.upsert_conversations([changed])
    assert store.conversation(1) == changed


def test_unknown_scope_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        store.conversations("everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a scope"):
        store.upsert_conversations([conv(1)], complete=True)


def test_contexts_me_and_meta_round_trip(store: Store) -> None:
    from canvas_inbox.store.records import Context
    from tests.store.factories import ME

    contexts = [
        Context(code="course_12", name="Biology", kind="course", roles=("StudentEnrollment",)),
        Context(code="group_3", name="Lab", kind="group", concluded=True),
    ]
    store.save_contexts(contexts)
    assert store.contexts() == contexts
    store.save_contexts(contexts[1:])
    assert store.contexts() == contexts[1:]
    assert store.me() is None
    store.save_me(ME)
    assert store.me() == ME
    store.set_meta("synced_at", "2026-09-15")
    assert store.get_meta("synced_at") == "2026-09-15"
    store.set_meta("synced_at", None)
    assert store.get_meta("synced_at") is None


def test_conversations_by_id_gives_the_current_cached_rows_and_skips_unknown_ids(
    store: Store,
) -> None:
    first, second = conv(1, 1), conv(2, 2)
    store.upsert_conversations([first, second])
    changed = msgspec.structs.replace(first, subject="Renamed", message_count=4)
    store.update_conversation(changed)
    assert store.conversations_by_id([1, 2, 99]) == {1: changed, 2: second}
    assert store.conversations_by_id([]) == {}


def test_a_closing_listing_writes_the_server_rows_over_changes_made_after_its_pages(
    store: Store,
) -> None:
    """Pages written, then a local change to one row, then the listing's closing write
    with the very records the pages wrote: the listing's version is what is cached."""
    mark = store.revision()
    rows = [conv(1, 1), conv(2, 2)]
    store.upsert_conversations(rows)
    store.update_conversation(msgspec.structs.replace(rows[0], subject="Local edit"))
    store.upsert_conversations(rows, scope="inbox", complete=True, as_of=mark)
    assert store.conversation(1) == rows[0]
    assert ids(store, "inbox") == [1, 2]
