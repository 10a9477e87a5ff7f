"""The engine's core rules over real HTTP: who sees what, and what moves where (§6, §7)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox.engine_world import (
    ANN,
    BEN,
    CAT,
    COURSE,
    TEACHER,
    Clients,
    school_clients,
)


@pytest.fixture
def clients(sandbox_factory: Callable[..., RunningSandbox]) -> Iterator[Clients]:
    yield from school_clients(sandbox_factory)


def _create(clients: Clients, sender: int, **params: Any) -> list[dict[str, Any]]:
    response = clients[sender].post("/conversations", data=params)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _ids(clients: Clients, user: int, **params: Any) -> list[int]:
    response = clients[user].get("/conversations", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()]


def test_a_new_conversation_is_in_the_senders_sent_list_only(clients: Clients) -> None:
    [mine] = _create(clients, TEACHER, **{"recipients[]": str(ANN), "body": "hi", "subject": "s"})
    assert mine["last_message_at"] is None
    assert mine["visible"] is False
    assert mine["last_authored_message"] == "hi"
    assert mine["properties"] == ["last_author"]
    assert mine["id"] not in _ids(clients, TEACHER)
    assert mine["id"] in _ids(clients, TEACHER, scope="sent")
    [theirs] = clients[ANN].get("/conversations").json()
    assert theirs["id"] == mine["id"]
    assert theirs["workflow_state"] == "unread"
    assert theirs["last_message"] == "hi"
    assert clients[ANN].get("/conversations/unread_count").json() == {"unread_count": "1"}


def test_my_reply_does_not_move_my_row_but_moves_theirs(clients: Clients) -> None:
    [first] = _create(clients, ANN, **{"recipients[]": str(BEN), "body": "one"})
    [second] = _create(clients, ANN, **{"recipients[]": str(CAT), "body": "two"})
    reply = clients[BEN].post(f"/conversations/{first['id']}/add_message", data={"body": "re"})
    assert reply.status_code == 200, reply.text
    clients[CAT].post(f"/conversations/{second['id']}/add_message", data={"body": "re2"})
    assert _ids(clients, ANN) == [second["id"], first["id"]]
    # Ann answers the older one: her own inbox order and state stay as they were.
    clients[ANN].post(f"/conversations/{first['id']}/add_message", data={"body": "again"})
    assert _ids(clients, ANN) == [second["id"], first["id"]]
    assert _ids(clients, ANN, scope="sent") == [first["id"], second["id"]]


def test_a_reply_to_some_is_invisible_to_the_rest(clients: Clients) -> None:
    [group] = _create(
        clients, TEACHER,
        **{"recipients[]": [str(ANN), str(BEN)], "body": "all", "group_conversation": "1"},
    )  # fmt: skip
    response = clients[TEACHER].post(
        f"/conversations/{group['id']}/add_message",
        data={"body": "only ann", "recipients[]": str(ANN)},
    )
    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == ["only ann"]
    ann = clients[ANN].get(f"/conversations/{group['id']}").json()
    ben = clients[BEN].get(f"/conversations/{group['id']}").json()
    assert [m["body"] for m in ann["messages"]] == ["only ann", "all"]
    assert [m["body"] for m in ben["messages"]] == ["all"]
    assert (ann["message_count"], ben["message_count"]) == (2, 1)
    assert ben["last_message"] == "all"


def test_private_conversations_are_reused_per_context(clients: Clients) -> None:
    [plain] = _create(clients, ANN, **{"recipients[]": str(BEN), "body": "a", "subject": "x"})
    [again] = _create(clients, ANN, **{"recipients[]": str(BEN), "body": "b", "subject": "y"})
    [course] = _create(
        clients, ANN, **{"recipients[]": str(BEN), "body": "c", "context_code": f"course_{COURSE}"}
    )
    assert again["id"] == plain["id"]
    assert again["subject"] == "x"  # the subject of a reused conversation is kept
    assert again["message_count"] == 2
    assert course["id"] != plain["id"]
    [group] = _create(
        clients, ANN, **{"recipients[]": str(BEN), "body": "d", "group_conversation": "true"}
    )
    assert group["id"] not in (plain["id"], course["id"])
    assert group["private"] is False


def test_delete_unstars_and_only_new_mail_brings_it_back(clients: Clients) -> None:
    [sent] = _create(clients, ANN, **{"recipients[]": str(BEN), "body": "old"})
    conversation = f"/conversations/{sent['id']}"
    clients[BEN].put(conversation, data={"conversation[starred]": "true"})
    deleted = clients[BEN].delete(conversation).json()
    assert deleted["starred"] is False
    assert deleted["visible"] is False
    assert deleted["message_count"] == 0
    assert clients[BEN].get(conversation).status_code == 404
    assert _ids(clients, BEN, scope="starred") == []
    clients[ANN].post(f"{conversation}/add_message", data={"body": "new"})
    back = clients[BEN].get(conversation).json()
    assert [m["body"] for m in back["messages"]] == ["new"]
    assert back["starred"] is False


def test_adding_people_writes_the_generated_sentence(clients: Clients) -> None:
    [group] = _create(
        clients, TEACHER,
        **{"recipients[]": [str(ANN), str(BEN)], "body": "hello", "group_conversation": "1"},
    )  # fmt: skip
    response = clients[TEACHER].post(
        f"/conversations/{group['id']}/add_recipients", data={"recipients[]": str(CAT)}
    )
    assert response.status_code == 200, response.text
    [event] = response.json()["messages"]
    assert event["generated"] is True
    assert event["body"] == "Cat was added to the conversation by Tom"
    cat = clients[CAT].get(f"/conversations/{group['id']}").json()
    assert [m["body"] for m in cat["messages"]] == [event["body"], "hello"]
    assert cat["message_count"] == 1
    ann = clients[ANN].get("/conversations", params={"scope": "unread"}).json()
    assert ann[0]["last_message"] == "hello"  # a generated message is never the preview


def test_starred_order_follows_the_last_touch(clients: Clients) -> None:
    [one] = _create(clients, ANN, **{"recipients[]": str(BEN), "body": "1"})
    [two] = _create(clients, ANN, **{"recipients[]": str(CAT), "body": "2"})
    for conversation in (one, two):
        clients[ANN].put(f"/conversations/{conversation['id']}", data={"conversation[starred]": 1})
    assert _ids(clients, ANN, scope="starred") == [two["id"], one["id"]]
    clients[ANN].put(f"/conversations/{one['id']}", data={"conversation[workflow_state]": "unread"})
    assert _ids(clients, ANN, scope="starred") == [one["id"], two["id"]]
