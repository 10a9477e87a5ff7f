"""users/self, the profile, courses with enrollments and groups, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree yet")

from canvas_inbox.sandbox.runner import RunningSandbox

JANE, BOB, CARA, OLIVE = 1, 2, 3, 9

SEED: dict[str, Any] = {
    "users": [
        {"id": JANE, "name": "Jane Teacher", "short_name": "Jane",
         "sortable_name": "Teacher, Jane", "login_id": "jane@example.edu", "token": "token-jane",
         "pronouns": "she/her"},
        {"id": BOB, "name": "Bob Student", "short_name": "Bob",
         "sortable_name": "Student, Bob", "login_id": "bob@example.edu", "token": "token-bob"},
        {"id": CARA, "name": "Cara Student", "short_name": "Cara",
         "sortable_name": "Student, Cara", "token": "token-cara"},
        {"id": OLIVE, "name": "Olive Parent", "short_name": "Olive",
         "sortable_name": "Parent, Olive", "token": "token-olive"},
    ],
    "courses": [
        {"id": 12, "name": "Biology 101", "course_code": "BIO101", "workflow_state": "available",
         "sections": [{"id": 5, "name": "Section A"}, {"id": 6, "name": "Section B"}],
         "enrollments": [
             {"user_id": JANE, "type": "TeacherEnrollment", "section_id": 5},
             {"user_id": BOB, "type": "StudentEnrollment", "section_id": 5},
             {"user_id": CARA, "type": "StudentEnrollment", "section_id": 6},
             {"user_id": OLIVE, "type": "ObserverEnrollment", "observed_user_id": BOB,
              "section_id": 5}]},
        {"id": 14, "name": "Chemistry 100", "course_code": "CHEM100",
         "workflow_state": "available", "sections": [{"id": 7, "name": "Main"}],
         "enrollments": [
             {"user_id": JANE, "type": "TaEnrollment", "section_id": 7},
             {"user_id": BOB, "type": "StudentEnrollment", "section_id": 7}]},
        {"id": 10, "name": "Summer Writing", "course_code": "WRIT090",
         "workflow_state": "completed", "sections": [{"id": 8, "name": "Summer"}],
         "enrollments": [
             {"user_id": JANE, "type": "TeacherEnrollment", "section_id": 8},
             {"user_id": BOB, "type": "StudentEnrollment", "section_id": 8}]},
    ],
    "groups": [
        {"id": 3, "name": "Lab Team", "course_id": 12, "members": [BOB, CARA]},
        {"id": 4, "name": "Chem Pairs", "course_id": 14, "members": [BOB]},
    ],
}  # fmt: skip


@pytest.fixture
def get(sandbox_factory: Callable[..., RunningSandbox]) -> Callable[..., httpx.Response]:
    sandbox = sandbox_factory(seed=SEED)

    def fetch(path: str, user: int | None = BOB, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if user is not None:
            headers["Authorization"] = f"Bearer {sandbox.token(user)}"
        return httpx.get(f"{sandbox.api}{path}", headers=headers, **kwargs)

    return fetch


def test_users_self_is_the_caller(get: Callable[..., httpx.Response]) -> None:
    answer = get("/users/self", user=JANE)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == JANE
    assert body["name"] == "Jane Teacher"
    assert body["short_name"] == "Jane"
    assert body["sortable_name"] == "Teacher, Jane"
    assert body["login_id"] == "jane@example.edu"
    assert body["pronouns"] == "she/her"
    assert body["effective_locale"] == "en"
    assert body["avatar_url"].startswith("http://127.0.0.1:")
    assert "token-jane" not in answer.text
    assert get(f"/users/{JANE}", user=JANE).json()["id"] == JANE


def test_users_self_needs_a_valid_token(get: Callable[..., httpx.Response]) -> None:
    missing = get("/users/self", user=None)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="canvas-lms"'
    assert missing.json()["status"] == "unauthenticated"
    wrong = get("/users/self", user=None, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": [{"message": "Invalid access token."}]}


def test_string_ids_when_asked(get: Callable[..., httpx.Response]) -> None:
    body = get("/users/self", headers={"Accept": "application/json+canvas-string-ids"}).json()
    assert body["id"] == str(BOB)


def test_the_profile(get: Callable[..., httpx.Response]) -> None:
    body = get("/users/self/profile").json()
    assert body["id"] == BOB
    assert body["primary_email"] == "bob@example.edu"
    assert body["login_id"] == "bob@example.edu"
    assert body["time_zone"]
    assert body["avatar_url"].startswith("http")


def test_courses_list_current_courses_with_the_callers_enrollments(
    get: Callable[..., httpx.Response],
) -> None:
    courses = get("/courses").json()
    assert [c["id"] for c in courses] == [12, 14]
    biology = courses[0]
    assert biology["name"] == "Biology 101"
    assert biology["course_code"] == "BIO101"
    assert biology["workflow_state"] == "available"
    assert biology["enrollments"] == [
        {"type": "student", "role": "StudentEnrollment", "role_id": 3, "user_id": BOB,
         "enrollment_state": "active", "limit_privileges_to_course_section": False}
    ]  # fmt: skip
    jane = get("/courses", user=JANE).json()
    assert [(c["id"], c["enrollments"][0]["type"]) for c in jane] == [(12, "teacher"), (14, "ta")]
    olive = get("/courses", user=OLIVE).json()
    assert olive[0]["enrollments"][0]["type"] == "observer"
    assert olive[0]["enrollments"][0]["associated_user_id"] == BOB


def test_concluded_courses_only_when_asked(get: Callable[..., httpx.Response]) -> None:
    by_state = get("/courses", params={"state[]": "completed"}).json()
    assert [c["id"] for c in by_state] == [10]
    assert by_state[0]["workflow_state"] == "completed"
    by_enrollment = get("/courses", params={"enrollment_state": "completed"}).json()
    assert [c["id"] for c in by_enrollment] == [10]
    both = get("/courses", params=[("state[]", "available"), ("state[]", "completed")]).json()
    assert [c["id"] for c in both] == [10, 12, 14]


def test_course_includes(get: Callable[..., httpx.Response]) -> None:
    params = [("include[]", i) for i in ("total_students", "teachers", "term", "concluded")]
    biology = get("/courses", params=params).json()[0]
    assert biology["total_students"] == 2
    assert [t["display_name"] for t in biology["teachers"]] == ["Jane"]
    assert biology["concluded"] is False
    assert biology["term"]["name"]


def test_courses_are_paginated_with_link_headers(get: Callable[..., httpx.Response]) -> None:
    first = get("/courses", params={"per_page": 1})
    assert [c["id"] for c in first.json()] == [12]
    assert 'rel="next"' in first.headers["link"]
    following = httpx.get(first.links["next"]["url"], headers={"Authorization": "Bearer token-bob"})
    assert [c["id"] for c in following.json()] == [14]
    assert "token-bob" not in first.headers["link"]


def test_groups_of_the_caller(get: Callable[..., httpx.Response]) -> None:
    groups = get("/users/self/groups").json()
    assert [(g["id"], g["name"]) for g in groups] == [(3, "Lab Team"), (4, "Chem Pairs")]
    lab = groups[0]
    assert lab["members_count"] == 2
    assert lab["course_id"] == 12
    assert lab["context_type"] == "Course"
    assert isinstance(lab["group_category_id"], int)
    assert [g["id"] for g in get("/users/self/groups", user=CARA).json()] == [3]
    assert get("/users/self/groups", user=JANE).json() == []
    assert get("/users/self/groups", params={"context_type": "Account"}).json() == []


def test_the_callers_own_id_works_like_self(get: Callable[..., httpx.Response]) -> None:
    assert get(f"/users/{BOB}/profile").json()["id"] == BOB
    assert [g["id"] for g in get(f"/users/{BOB}/groups").json()] == [3, 4]
    assert get(f"/users/{JANE}/profile").status_code == 404
    assert get(f"/users/{JANE}").status_code == 404
