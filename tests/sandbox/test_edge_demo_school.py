"""The demo school: deterministic, valid, and varied enough to look like a real inbox."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from canvas_inbox.sandbox.demo_school import ACTIVITY, DEMO_USER_ID, DEMO_USER_TOKEN, demo_seed

TODAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return demo_seed()


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _involves_demo_user(conversation: dict[str, Any], seed: dict[str, Any]) -> bool:
    if DEMO_USER_ID in (conversation["from"], *(r["from"] for r in conversation["replies"])):
        return True
    groups = {f"group_{g['id']}": g["members"] for g in seed["groups"]}
    for code in conversation["to"]:
        if code == str(DEMO_USER_ID) or DEMO_USER_ID in groups.get(code, ()):
            return True
        if code.endswith("_students"):
            course_id = int(code.split("_")[1])
            course = next(c for c in seed["courses"] if c["id"] == course_id)
            if any(e["user_id"] == DEMO_USER_ID for e in course["enrollments"]):
                return True
    return False


def test_the_same_school_every_time(seed: dict[str, Any]) -> None:
    assert json.dumps(demo_seed(), sort_keys=True) == json.dumps(seed, sort_keys=True)


def test_it_is_plain_json(seed: dict[str, Any]) -> None:
    assert json.loads(json.dumps(seed)) == seed


def test_users_are_complete_and_unique_and_the_demo_user_is_a_student(
    seed: dict[str, Any],
) -> None:
    users = seed["users"]
    ids = [u["id"] for u in users]
    tokens = [u["token"] for u in users]
    assert len(set(ids)) == len(ids)
    assert len(set(tokens)) == len(tokens)
    for user in users:
        assert user["name"]
        assert user["short_name"]
        assert user["sortable_name"]
        assert user["login_id"].endswith("@example.edu")
    demo = next(u for u in users if u["id"] == DEMO_USER_ID)
    assert demo["token"] == DEMO_USER_TOKEN
    types = {
        e["type"] for c in seed["courses"] for e in c["enrollments"] if e["user_id"] == DEMO_USER_ID
    }
    assert types == {"StudentEnrollment"}


def test_the_school_has_the_people_and_places_of_a_real_term(seed: dict[str, Any]) -> None:
    courses = seed["courses"]
    assert 2 <= len(courses) <= 4
    assert Counter(c["workflow_state"] for c in courses)["completed"] == 1
    assert all(c["sections"] for c in courses)
    assert any(len(c["sections"]) > 1 for c in courses)
    kinds = Counter(e["type"] for c in courses for e in c["enrollments"])
    assert kinds["TeacherEnrollment"] >= 2
    assert kinds["TaEnrollment"] >= 1
    students = {
        e["user_id"] for c in courses for e in c["enrollments"] if e["type"] == "StudentEnrollment"
    }
    assert len(students) >= 24
    observers = [e for c in courses for e in c["enrollments"] if e["type"] == "ObserverEnrollment"]
    assert observers
    assert all(e["observed_user_id"] == DEMO_USER_ID for e in observers)
    assert len(seed["groups"]) >= 2
    assert any(DEMO_USER_ID in g["members"] for g in seed["groups"])
    user_ids = {u["id"] for u in seed["users"]}
    section_ids = {s["id"] for c in courses for s in c["sections"]}
    for course in courses:
        for enrollment in course["enrollments"]:
            assert enrollment["user_id"] in user_ids
            assert enrollment["section_id"] in section_ids
    for group in seed["groups"]:
        assert set(group["members"]) <= user_ids


def test_conversations_refer_to_real_people_contexts_and_earlier_threads(
    seed: dict[str, Any],
) -> None:
    user_ids = {u["id"] for u in seed["users"]}
    codes = {f"course_{c['id']}" for c in seed["courses"]}
    codes |= {f"group_{g['id']}" for g in seed["groups"]}
    for index, conversation in enumerate(seed["conversations"]):
        assert conversation["from"] in user_ids
        assert conversation["body"].strip()
        for code in conversation["to"]:
            known = int(code) in user_ids if code.isdigit() else code.split("_students")[0] in codes
            assert known, code
        if "context_code" in conversation:
            assert conversation["context_code"] in codes
        for key in ("read_by", "starred_by", "archived_by"):
            assert set(conversation[key]) <= user_ids
        if "forwarded_from" in conversation:
            assert 0 <= conversation["forwarded_from"] < index
        moment = _time(conversation["created_at"])
        for reply in conversation["replies"]:
            assert reply["from"] in user_ids
            assert _time(reply["created_at"]) >= moment
            moment = _time(reply["created_at"])


def test_the_term_runs_from_august_to_just_before_today(seed: dict[str, Any]) -> None:
    times = [
        _time(t)
        for c in seed["conversations"]
        for t in (c["created_at"], *(r["created_at"] for r in c["replies"]))
    ]
    assert min(times) >= datetime(2026, 8, 1, tzinfo=UTC)
    assert max(times) < TODAY
    assert (TODAY - max(times)).days < 2, "the newest mail should be from the last day or two"
    starts = [c["created_at"] for c in seed["conversations"]]
    assert starts == sorted(starts), "conversations are seeded in the order they happened"


def test_there_is_a_few_hundred_conversations_of_every_kind(seed: dict[str, Any]) -> None:
    conversations = seed["conversations"]
    assert 200 <= len(conversations) <= 500
    mine = [c for c in conversations if _involves_demo_user(c, seed)]
    assert len(mine) >= 60
    assert sum(1 for c in conversations if c["replies"]) >= 100
    assert any("forwarded_from" in c for c in mine)
    assert any(c["to"] and c["to"][0].startswith("group_") for c in mine)
    assert any(c["group_conversation"] and len(c["to"]) > 1 for c in mine)
    assert any(DEMO_USER_ID in c["starred_by"] for c in mine)
    assert any(DEMO_USER_ID in c["archived_by"] for c in mine)
    attachments = [a for c in mine for a in c.get("attachments", [])]
    attachments += [a for c in mine for r in c["replies"] for a in r.get("attachments", [])]
    assert {"syllabus.pdf", "lab-report-template.docx"} <= {a["filename"] for a in attachments}
    assert all(a["text"] and a["content_type"] for a in attachments)
    assert any("media_comment" in c for c in mine)
    started = [c for c in conversations if c["from"] == DEMO_USER_ID]
    assert len(started) >= 5, "Sent must not be empty"
    assert any(not c["replies"] for c in started), "some of the demo user's mail is unanswered"
    completed = {f"course_{c['id']}" for c in seed["courses"] if c["workflow_state"] == "completed"}
    assert any(c.get("context_code") in completed for c in mine)
    assert any("https://" in c["body"] for c in conversations)
    assert any("\n\n" in c["body"] for c in conversations), "some bodies have paragraphs"


def test_recent_mail_is_unread_and_older_mail_is_mostly_read(seed: dict[str, Any]) -> None:
    mine = [
        c
        for c in seed["conversations"]
        if _involves_demo_user(c, seed) and c["from"] != DEMO_USER_ID
    ]
    unread = [c for c in mine if DEMO_USER_ID not in c["read_by"]]
    assert 3 <= len(unread) <= 25
    old = [c for c in mine if _time(c["created_at"]) < datetime(2026, 11, 1, tzinfo=UTC)]
    assert sum(DEMO_USER_ID in c["read_by"] for c in old) / len(old) > 0.9
    newest = max(mine, key=lambda c: c["created_at"])
    assert DEMO_USER_ID not in newest["read_by"]


def test_subjects_vary(seed: dict[str, Any]) -> None:
    subjects = Counter(c["subject"] for c in seed["conversations"])
    assert len(subjects) >= 60
    assert any("lab" in s.lower() for s in subjects)
    lengths = [len(c["body"]) for c in seed["conversations"]]
    assert min(lengths) < 80 < 400 < max(lengths)


def test_activity_lines_are_ready_to_send() -> None:
    assert len(ACTIVITY) >= 8
    for subject, body in ACTIVITY:
        assert subject.strip()
        assert body.strip()


# ---------------------------------------------------------------- the school, served


def test_the_served_demo_inbox_looks_like_a_real_one(demo_sandbox: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    import httpx

    headers = {"Authorization": f"Bearer {DEMO_USER_TOKEN}"}
    with httpx.Client(base_url=demo_sandbox.api, headers=headers) as client:

        def listing(**params: Any) -> list[dict[str, Any]]:
            answer = client.get("/conversations", params={"per_page": 100, **params})
            assert answer.status_code == 200
            return answer.json()  # type: ignore[no-any-return]

        inbox = listing()
        assert len(inbox) >= 50
        assert inbox[0]["last_message_at"] >= "2026-11-20"
        assert inbox[0]["workflow_state"] == "unread"
        assert int(client.get("/conversations/unread_count").json()["unread_count"]) >= 3
        for scope in ("sent", "starred", "archived"):
            assert listing(scope=scope), scope
        assert {c["context_name"] for c in inbox} >= {
            "BIO 101: Cells to Ecosystems",
            "HIST 210: Revolutions and Republics",
            "Lab Team 4",
        }
        with_files = [c for c in inbox if "attachments" in c["properties"]]
        assert with_files
        thread = client.get(
            f"/conversations/{with_files[0]['id']}", params={"auto_mark_as_read": "false"}
        ).json()
        files = [a for m in thread["messages"] for a in m["attachments"]]
        files += [a for m in thread["messages"] for f in m["forwarded_messages"]
                  for a in f["attachments"]]  # fmt: skip
        assert files
        assert httpx.get(files[0]["url"]).status_code == 200
        threads = [
            client.get(f"/conversations/{c['id']}", params={"auto_mark_as_read": "false"}).json()
            for c in listing(scope="starred")
        ]
        messages = [m for t in threads for m in t["messages"]]
        assert any(m["media_comment"] for m in messages)
        forwarded = [
            client.get(f"/conversations/{c['id']}", params={"auto_mark_as_read": "false"}).json()
            for c in inbox
            if c["subject"].startswith("Fwd:") or "damaged sample" in c["subject"]
        ]
        assert any(m["forwarded_messages"] for t in forwarded for m in t["messages"])
        courses = client.get("/courses").json()
        assert len(courses) == 2
        concluded = client.get("/courses", params={"state[]": "completed"}).json()
        assert [c["course_code"] for c in concluded] == ["WRIT 090"]


def test_activity_brings_new_mail_to_the_demo_user(sandbox_factory: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    import time

    import httpx

    sandbox = sandbox_factory(seed="demo", activity_seconds=0.2)
    headers = {"Authorization": f"Bearer {DEMO_USER_TOKEN}"}
    bodies = {body for _, body in ACTIVITY}
    deadline = time.monotonic() + 20
    seen: set[str] = set()
    while time.monotonic() < deadline and not seen & bodies:
        answer = httpx.get(f"{sandbox.api}/conversations", params={"per_page": 5}, headers=headers)
        seen = {c["last_message"] for c in answer.json()}
        time.sleep(0.1)
    assert seen & bodies, "someone should have written from the ACTIVITY lines"
