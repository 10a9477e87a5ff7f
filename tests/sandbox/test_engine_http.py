"""The shared HTTP layer: Link pagination, clamping, parameter forms, error shapes."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from canvas_inbox.sandbox.http import _split_key, nest, truthy
from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox.engine_world import ANN, BEN, CAT, TEACHER, Clients, school, start


@pytest.fixture
def busy(sandbox_factory: Callable[..., RunningSandbox]) -> Clients:
    """Ann has five conversations in her inbox."""
    history = [
        {"from": who, "to": [str(ANN)], "body": f"m{n}", "group_conversation": True,
         "created_at": f"2026-09-0{n + 1}T10:00:00Z"}
        for n, who in enumerate([TEACHER, BEN, CAT, TEACHER, BEN])
    ]  # fmt: skip
    return start(sandbox_factory, school(conversations=history))


def test_link_header_is_canvas_shaped(busy: Clients) -> None:
    response = busy[ANN].get(
        "/conversations", params={"scope": "inbox", "page": 2, "per_page": 2, "access_token": "x"}
    )
    assert response.status_code == 200
    base = f"{busy.sandbox.api}/conversations?scope=inbox"
    assert response.headers["Link"] == ",".join(
        [
            f'<{base}&page=2&per_page=2>; rel="current"',
            f'<{base}&page=3&per_page=2>; rel="next"',
            f'<{base}&page=1&per_page=2>; rel="prev"',
            f'<{base}&page=1&per_page=2>; rel="first"',
            f'<{base}&page=3&per_page=2>; rel="last"',
        ]
    )
    assert [c["last_message"] for c in response.json()] == ["m2", "m1"]


@pytest.mark.parametrize(("per_page", "size"), [("0", 1), ("abc", 1), ("500", 5), ("2", 2)])
def test_per_page_is_clamped(busy: Clients, per_page: str, size: int) -> None:
    response = busy[ANN].get("/conversations", params={"per_page": per_page})
    assert len(response.json()) == size


def test_pages_past_the_end_are_empty_and_page_zero_is_not_found(busy: Clients) -> None:
    assert busy[ANN].get("/conversations", params={"page": 9}).json() == []
    assert busy[ANN].get("/conversations", params={"page": 0}).status_code == 404


def test_include_all_conversation_ids_is_a_presence_test(busy: Clients) -> None:
    body = (
        busy[ANN]
        .get("/conversations", params={"include_all_conversation_ids": "false", "per_page": 1})
        .json()
    )
    assert len(body["conversations"]) == 1
    assert len(body["conversation_ids"]) == 5


def test_json_bodies_and_string_ids(busy: Clients) -> None:
    response = busy[ANN].post(
        "/conversations",
        json={"recipients": [str(BEN)], "body": "json"},
        headers={"Accept": "application/json+canvas-string-ids"},
    )
    assert response.status_code == 201, response.text
    [conversation] = response.json()
    assert isinstance(conversation["id"], str)
    assert conversation["audience"] == [str(BEN)]
    assert isinstance(conversation["messages"][0]["author_id"], str)


def test_bad_bodies_get_canvas_errors_not_tracebacks(busy: Clients) -> None:
    malformed = busy[ANN].post(
        "/conversations", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert "message" in malformed.json()["errors"][0]
    huge = busy[ANN].post(
        "/conversations",
        content=json.dumps({"body": "x" * (11 * 1024 * 1024)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    too_long = busy[ANN].post(
        "/conversations", data={"recipients[]": str(BEN), "body": "x" * 70_000}
    )
    assert too_long.status_code == 400
    assert "body" in too_long.json()["errors"]


def test_unknown_api_paths_and_bad_tokens(busy: Clients) -> None:
    missing = busy[ANN].patch("/conversations")
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"message": "The specified resource does not exist."}]}
    bad = httpx.get(f"{busy.sandbox.api}/conversations", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'
    assert bad.json() == {"errors": [{"message": "Invalid access token."}]}
    by_query = httpx.get(
        f"{busy.sandbox.api}/conversations/unread_count",
        params={"access_token": busy.sandbox.token(ANN)},
    )
    assert by_query.json() == {"unread_count": "5"}


def test_rails_parameter_names_nest() -> None:
    assert _split_key("conversation[workflow_state]") == ["conversation", "workflow_state"]
    assert nest([("a[]", "1"), ("a[]", "2"), ("c[d]", "x"), ("plain", "y")]) == {
        "a": ["1", "2"],
        "c": {"d": "x"},
        "plain": "y",
    }
    assert [truthy(v) for v in ("1", "true", "YES", "on", "0", "false", "wat", "")] == [
        True, True, True, True, False, False, False, False,
    ]  # fmt: skip


def test_a_token_may_come_as_a_post_parameter(busy: Clients) -> None:
    response = httpx.post(
        f"{busy.sandbox.api}/conversations/mark_all_as_read",
        data={"access_token": busy.sandbox.token(ANN)},
    )
    assert response.status_code == 200, response.text
    assert busy[ANN].get("/conversations/unread_count").json() == {"unread_count": "0"}
