"""Bulk sends, batch_update with its Progress, and live events from the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox.edge_support import Receiver, serve_asgi
from tests.sandbox.engine_world import (
    ANN,
    BEN,
    CAT,
    COURSE,
    TEACHER,
    Clients,
    school,
    school_clients,
    start,
)


@pytest.fixture
def clients(sandbox_factory: Callable[..., RunningSandbox]) -> Iterator[Clients]:
    yield from school_clients(sandbox_factory)


def test_bulk_private_send_reuses_and_answers_without_messages(clients: Clients) -> None:
    [existing] = (
        clients[TEACHER]
        .post("/conversations", data={"recipients[]": str(ANN), "body": "first"})
        .json()
    )
    response = clients[TEACHER].post(
        "/conversations", data={"recipients[]": [str(ANN), str(BEN)], "body": "to each"}
    )
    assert response.status_code == 201
    items = response.json()
    assert len(items) == 2
    assert all("messages" not in item for item in items)
    assert existing["id"] in [item["id"] for item in items]
    # The new conversation (no last_message_at) comes first, as PostgreSQL orders NULLs.
    assert items[0]["id"] != existing["id"]
    assert all(set(p) == {"id", "name", "full_name", "pronouns"} for p in items[0]["participants"])


def test_async_bulk_send_answers_202_with_a_batch_id(clients: Clients) -> None:
    response = clients[TEACHER].post(
        "/conversations",
        data={"recipients[]": f"course_{COURSE}_students", "body": "news", "mode": "async"},
    )
    assert response.status_code == 202
    assert response.json() == []
    assert response.headers["X-Conversation-Batch-Id"].isdigit()
    for student in (ANN, BEN, CAT):
        assert clients[student].get("/conversations/unread_count").json()["unread_count"] == "1"
    assert clients[TEACHER].get("/conversations/batches").json() == []  # already sent


def test_batch_update_reports_through_its_progress(clients: Clients) -> None:
    [mine] = (
        clients[BEN].post("/conversations", data={"recipients[]": str(ANN), "body": "hi"}).json()
    )
    response = clients[ANN].put(
        "/conversations",
        data={"conversation_ids[]": [str(mine["id"]), "777"], "event": "star"},
    )
    assert response.status_code == 200
    progress = response.json()
    assert progress["workflow_state"] == "queued"
    assert progress["tag"] == "conversation_batch_update"
    assert progress["url"].endswith(f"/api/v1/progress/{progress['id']}")
    assert clients[BEN].get(f"/progress/{progress['id']}").status_code == 403
    done = clients[ANN].get(f"/progress/{progress['id']}").json()
    assert done["workflow_state"] == "completed"
    assert done["completion"] == 100.0
    assert done["message"] == (
        "1 conversation processed\nThe user is not participating in this conversation: 777"
    )
    [starred] = clients[ANN].get("/conversations", params={"scope": "starred"}).json()
    assert starred["id"] == mine["id"]


def test_batch_update_errors_in_order(clients: Clients) -> None:
    def error(data: dict[str, object]) -> object:
        response = clients[ANN].put("/conversations", data=data)
        assert response.status_code == 400
        return response.json()

    assert error({"conversation_ids": "5", "event": "star"}) == {
        "message": "conversation_ids not specified"
    }
    assert error({"conversation_ids[]": [str(n) for n in range(501)]}) == {
        "message": "conversation batch size limit (500) exceeded"
    }
    assert error({"conversation_ids[]": "5"}) == {"message": "event not specified"}
    assert error({"conversation_ids[]": "5", "event": "explode"}) == {"message": "invalid event"}


def test_live_events_follow_the_commit(sandbox_factory: Callable[..., RunningSandbox]) -> None:
    receiver = Receiver()
    with serve_asgi(receiver.app) as url:
        clients = start(sandbox_factory, school(), live_events_url=f"{url}/events")
        [group] = (
            clients[TEACHER]
            .post(
                "/conversations",
                data={"recipients[]": [str(ANN), str(BEN)], "body": "a", "group_conversation": 1},
            )
            .json()
        )
        clients[TEACHER].post(
            f"/conversations/{group['id']}/add_recipients", data={"recipients[]": str(CAT)}
        )
        refused = clients[ANN].post("/conversations", data={"recipients[]": "9999", "body": "x"})
        assert refused.status_code == 400
        events = receiver.wait_for(4)
    names = [e["metadata"]["event_name"] for e in events]
    assert names == [
        "conversation_created",
        "conversation_message_created",
        "conversation_message_created",  # the generated "was added" message
        "conversation_forwarded",
    ]
    assert events[0]["body"] == {
        "conversation_id": str(group["id"]),
        "updated_at": events[0]["body"]["updated_at"],
    }
    assert events[1]["body"]["author_id"] == str(TEACHER)
    assert events[1]["metadata"]["user_id"] == str(TEACHER)
