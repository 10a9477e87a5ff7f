"""§4.12 PUT /conversations (batch_update) and GET /progress/:id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import World
from tests.sandbox.seeds import NO_SUCH_CONVERSATION, SAM, SUE
from tests.sandbox.spec_http import ISO_Z, NOT_FOUND, Caller


def batch(caller: Caller, ids: list[int], event: str) -> dict[str, Any]:
    r = caller.put("conversations", {"conversation_ids": ids, "event": event})
    assert r.status_code == 200, r.text
    return r.json()


def finished(caller: Caller, progress: dict[str, Any]) -> dict[str, Any]:
    """Poll the progress url (the sandbox completes on the first poll, §12)."""
    for _ in range(50):
        r = caller.http.get(progress["url"])
        assert r.status_code == 200, r.text
        body = r.json()
        if body["workflow_state"] in {"completed", "failed"}:
            return body
    raise AssertionError(f"progress never finished: {body}")


def two(tina: Caller) -> list[int]:
    return [
        tina.create([SAM], "a", group_conversation=True)["id"],
        tina.create([SAM], "b", group_conversation=True)["id"],
    ]


# ---- immediate errors, in order --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"event": "star"}, "conversation_ids not specified"),
        ({"conversation_ids": "5", "event": "star"}, "conversation_ids not specified"),
        (
            {"conversation_ids[]": [str(i) for i in range(1, 502)], "event": "star"},
            "conversation batch size limit (500) exceeded",
        ),
        ({"conversation_ids[]": ["1"]}, "event not specified"),
        ({"conversation_ids[]": ["1"], "event": "explode"}, "invalid event"),
        # order: the first failing check wins
        ({"event": "explode"}, "conversation_ids not specified"),
        (
            {"conversation_ids[]": [str(i) for i in range(1, 502)]},
            "conversation batch size limit (500) exceeded",
        ),
    ],
)
def test_4_12_immediate_errors_in_order(sam: Caller, data: dict, message: str) -> None:
    """§4.12: 400 {"message": ...}; ids missing, scalar ids, >500, no event, bad event."""
    r = sam.put("conversations", data)
    assert r.status_code == 400
    assert r.json() == {"message": message}


def test_4_12_500_ids_is_allowed(sam: Caller) -> None:
    """§4.12: exactly 500 ids is within the limit."""
    r = sam.put("conversations", {"conversation_ids": list(range(1, 501)), "event": "mark_as_read"})
    assert r.status_code == 200


# ---- success and Progress ------------------------------------------------------------------


def test_4_12_answers_queued_progress(world: World, tina: Caller, sam: Caller) -> None:
    """§4.12/§13.7: 200 (not 202) with a queued Progress of the documented shape."""
    ids = two(tina)
    progress = batch(sam, ids, "mark_as_read")
    assert progress["context_id"] == SAM
    assert progress["context_type"] == "User"
    assert progress["user_id"] == SAM
    assert progress["tag"] == "conversation_batch_update"
    assert progress["completion"] == 0.0
    assert progress["workflow_state"] == "queued"
    assert progress["message"] is None
    assert ISO_Z.match(progress["created_at"])
    assert ISO_Z.match(progress["updated_at"])
    assert progress["url"] == f"{world.api}/progress/{progress['id']}"
    assert "results" not in progress


def test_4_12_progress_completes_with_message(tina: Caller, sam: Caller) -> None:
    """§4.12: the job ends completed, completion 100.0, "<n> conversations processed"."""
    ids = two(tina)
    done = finished(sam, batch(sam, ids, "mark_as_read"))
    assert done["workflow_state"] == "completed"
    assert done["completion"] == 100.0
    assert done["message"] == "2 conversations processed"


def test_4_12_one_conversation_processed_singular(tina: Caller, sam: Caller) -> None:
    """§4.12: one conversation ⇒ "1 conversation processed"."""
    ids = two(tina)
    assert finished(sam, batch(sam, ids[:1], "star"))["message"] == "1 conversation processed"


def test_4_12_per_id_errors_in_message(tina: Caller, sam: Caller) -> None:
    """§4.12: per-id failures are listed after a newline; partial success is completed."""
    ids = two(tina)
    foreign = tina.create([SUE], "not Sam's", group_conversation=True)["id"]
    done = finished(sam, batch(sam, [*ids, foreign, NO_SUCH_CONVERSATION], "archive"))
    assert done["workflow_state"] == "completed"
    assert done["message"] == (
        "2 conversations processed\n"
        f"The user is not participating in this conversation: {foreign}, {NO_SUCH_CONVERSATION}"
    )


def test_4_12_nothing_processed_is_failed(sam: Caller) -> None:
    """§4.12: no conversation processed ⇒ failed."""
    done = finished(sam, batch(sam, [NO_SUCH_CONVERSATION], "star"))
    assert done["workflow_state"] == "failed"


def test_4_12_progress_get_same_object(tina: Caller, sam: Caller) -> None:
    """§4.12: GET /progress/:id returns the same Progress object."""
    progress = batch(sam, two(tina), "star")
    r = sam.get(f"progress/{progress['id']}")
    assert r.status_code == 200
    got = r.json()
    for key in ("id", "context_id", "context_type", "user_id", "tag", "url", "created_at"):
        assert got[key] == progress[key], key


def test_4_12_progress_only_for_its_owner(tina: Caller, sam: Caller) -> None:
    """§4.12: a progress is readable by the owning user only."""
    progress = batch(sam, two(tina), "star")
    r = tina.get(f"progress/{progress['id']}")
    assert r.status_code in {401, 403, 404}


def test_4_12_unknown_progress_is_404(sam: Caller) -> None:
    """§9: an unknown progress id ⇒ 404."""
    r = sam.get("progress/424242")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


# ---- the events --------------------------------------------------------------------------------


def test_4_12_mark_as_read_and_unread(tina: Caller, sam: Caller) -> None:
    """§4.12: mark_as_read / mark_as_unread set the state; the unread counter follows."""
    ids = two(tina)
    finished(sam, batch(sam, ids, "mark_as_read"))
    assert sam.unread_count() == "0"
    finished(sam, batch(sam, ids[:1], "mark_as_unread"))
    assert sam.unread_count() == "1"
    assert {c["id"]: c["workflow_state"] for c in sam.listing()} == {
        ids[0]: "unread",
        ids[1]: "read",
    }


@pytest.mark.parametrize(
    ("event", "state"), [("mark_as_read", "read"), ("mark_as_unread", "unread")]
)
def test_4_12_mark_events_unarchive(tina: Caller, sam: Caller, event: str, state: str) -> None:
    """§4.12: mark_as_read / mark_as_unread also un-archive."""
    ids = two(tina)
    finished(sam, batch(sam, ids, "archive"))
    assert sorted(sam.ids(scope="archived")) == sorted(ids)
    finished(sam, batch(sam, ids, event))
    assert sam.ids(scope="archived") == []
    assert {c["workflow_state"] for c in sam.listing()} == {state}


def test_4_12_star_unstar_leave_state(tina: Caller, sam: Caller) -> None:
    """§4.12: star/unstar toggle the label only; state untouched."""
    ids = two(tina)
    finished(sam, batch(sam, ids, "star"))
    assert sorted(sam.ids(scope="starred")) == sorted(ids)
    assert {c["workflow_state"] for c in sam.listing()} == {"unread"}
    finished(sam, batch(sam, ids, "unstar"))
    assert sam.ids(scope="starred") == []
    assert sam.unread_count() == "2"


def test_4_12_destroy_is_delete(tina: Caller, sam: Caller) -> None:
    """§4.12/§13.13: destroy = DELETE for the caller (unstars, 404 after); others keep it."""
    ids = two(tina)
    finished(sam, batch(sam, ids, "star"))
    finished(sam, batch(sam, ids, "destroy"))
    assert sam.ids() == []
    assert sam.ids(scope="starred") == []
    assert sam.get(f"conversations/{ids[0]}").status_code == 404
    assert tina.show(ids[0])["message_count"] == 1


def test_4_12_json_body(tina: Caller, sam: Caller) -> None:
    """§1: batch_update accepts a JSON body with an ids array."""
    ids = two(tina)
    r = sam.put("conversations", json={"conversation_ids": ids, "event": "archive"})
    assert r.status_code == 200, r.text
    finished(sam, r.json())
    assert sorted(sam.ids(scope="archived")) == sorted(ids)
