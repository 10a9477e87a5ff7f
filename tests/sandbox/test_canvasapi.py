"""canvasapi, the well-known Python client nobody here wrote, driving the sandbox.

If the sandbox speaks Canvas, canvasapi's conversation methods work against it unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree yet")
canvasapi = pytest.importorskip("canvasapi")

from canvasapi import Canvas  # noqa: E402
from canvasapi.exceptions import ResourceDoesNotExist  # noqa: E402

from canvas_inbox.sandbox.runner import RunningSandbox  # noqa: E402

JANE, BOB, CARA, DAN, EVE = 1, 2, 3, 4, 5

SEED: dict[str, Any] = {
    "users": [
        {"id": JANE, "name": "Jane Teacher", "short_name": "Jane",
         "sortable_name": "Teacher, Jane", "login_id": "jane@example.edu", "token": "token-jane"},
        {"id": BOB, "name": "Bob Student", "short_name": "Bob",
         "sortable_name": "Student, Bob", "token": "token-bob"},
        {"id": CARA, "name": "Cara Student", "short_name": "Cara",
         "sortable_name": "Student, Cara", "token": "token-cara"},
        {"id": DAN, "name": "Dan Student", "short_name": "Dan",
         "sortable_name": "Student, Dan", "token": "token-dan"},
        {"id": EVE, "name": "Eve Elsewhere", "short_name": "Eve",
         "sortable_name": "Elsewhere, Eve", "token": "token-eve"},
    ],
    "courses": [
        {"id": 12, "name": "Biology 101", "course_code": "BIO101",
         "workflow_state": "available", "sections": [{"id": 5, "name": "Section A"}],
         "enrollments": [
             {"user_id": JANE, "type": "TeacherEnrollment", "section_id": 5},
             {"user_id": BOB, "type": "StudentEnrollment", "section_id": 5},
             {"user_id": CARA, "type": "StudentEnrollment", "section_id": 5},
             {"user_id": DAN, "type": "StudentEnrollment", "section_id": 5}]},
    ],
    "groups": [{"id": 3, "name": "Lab Team", "course_id": 12, "members": [BOB, CARA]}],
}  # fmt: skip


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., RunningSandbox]) -> RunningSandbox:
    return sandbox_factory(seed=SEED)


@pytest.fixture
def as_user(sandbox: RunningSandbox) -> Callable[[int], Canvas]:
    def make(user_id: int) -> Canvas:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # canvasapi warns about plain http (loopback here)
            return Canvas(sandbox.url, sandbox.token(user_id))

    return make


def test_who_am_i_courses_groups_and_profile(as_user: Callable[[int], Canvas]) -> None:
    bob = as_user(BOB)
    me = bob.get_current_user()
    assert (me.id, me.name) == (BOB, "Bob Student")
    courses = list(bob.get_courses())
    assert [c.name for c in courses] == ["Biology 101"]
    assert courses[0].enrollments[0]["type"] == "student"
    assert [g.name for g in me.get_groups()] == ["Lab Team"]
    assert me.get_profile()["name"] == "Bob Student"


def test_a_private_message_round_trip(as_user: Callable[[int], Canvas]) -> None:
    jane, bob = as_user(JANE), as_user(BOB)
    created = jane.create_conversation(["2"], "Welcome to the course", subject="Hello Bob")
    assert len(created) == 1
    conversation = created[0]
    assert conversation.private is True
    assert conversation.messages[0]["body"] == "Welcome to the course"
    assert conversation.last_message is None  # the sender's own view: not in her inbox yet
    assert bob.conversations_unread_count() == {"unread_count": "1"}
    listed = list(bob.get_conversations())
    assert [(c.id, c.workflow_state) for c in listed] == [(conversation.id, "unread")]
    shown = bob.get_conversation(conversation.id)
    assert shown.workflow_state == "read"
    assert bob.conversations_unread_count() == {"unread_count": "0"}
    reply = shown.add_message("Thanks, see you Monday")
    assert reply.messages[0]["body"] == "Thanks, see you Monday"
    assert reply.messages[0]["author_id"] == BOB
    jane_view = jane.get_conversation(conversation.id, auto_mark_as_read=False)
    assert jane_view.workflow_state == "unread"
    assert [m["body"] for m in jane_view.messages] == [
        "Thanks, see you Monday",
        "Welcome to the course",
    ]
    assert [c.id for c in jane.get_conversations(scope="sent")] == [conversation.id]


def test_starring_archiving_and_batch_updates(as_user: Callable[[int], Canvas]) -> None:
    jane, bob = as_user(JANE), as_user(BOB)
    first = jane.create_conversation(["2"], "one", subject="First")[0]
    second = jane.create_conversation(["2", "3"], "two", subject="Second", group_conversation=True)[
        0
    ]
    shown = bob.get_conversation(first.id)
    assert shown.edit(conversation={"starred": True}) is True
    assert shown.starred is True
    assert [c.id for c in bob.get_conversations(scope="starred")] == [first.id]
    progress = bob.conversations_batch_update([str(first.id), str(second.id)], "archive")
    assert progress.workflow_state in ("queued", "running", "completed")
    done = bob.get_progress(progress.id)
    assert done.workflow_state == "completed"
    assert {c.id for c in bob.get_conversations(scope="archived")} == {first.id, second.id}
    assert list(bob.get_conversations()) == []
    assert bob.conversations_get_running_batches() == []


def test_group_conversation_recipients_and_deleting(as_user: Callable[[int], Canvas]) -> None:
    jane, cara = as_user(JANE), as_user(CARA)
    group = jane.create_conversation(
        ["2", "3"], "Lab tomorrow", subject="Lab", group_conversation=True
    )[0]
    assert group.private is False
    added = group.add_recipients(["4"])
    assert added.messages[0]["generated"] is True
    assert "Dan" in added.messages[0]["body"]
    dan_view = as_user(DAN).get_conversation(group.id)
    assert [m["body"] for m in dan_view.messages if not m["generated"]] == ["Lab tomorrow"]
    group.add_message("Bring goggles")
    cara_view = cara.get_conversation(group.id)
    human = [m for m in cara_view.messages if not m["generated"]]
    assert [m["body"] for m in human] == ["Bring goggles", "Lab tomorrow"]
    cara_view.delete_messages([str(human[0]["id"])])
    after = cara.get_conversation(group.id)
    assert [m["body"] for m in after.messages if not m["generated"]] == ["Lab tomorrow"]
    assert after.delete() is True
    with pytest.raises(ResourceDoesNotExist):
        cara.get_conversation(group.id)
    assert jane.get_conversation(group.id, auto_mark_as_read=False).id == group.id


def test_mark_all_as_read(as_user: Callable[[int], Canvas]) -> None:
    jane, bob = as_user(JANE), as_user(BOB)
    for subject in ("a", "b", "c"):
        jane.create_conversation(["2"], f"body {subject}", subject=subject, group_conversation=True)
    assert bob.conversations_unread_count() == {"unread_count": "3"}
    assert bob.conversations_mark_all_as_read() is True
    assert bob.conversations_unread_count() == {"unread_count": "0"}


def test_pagination_is_followed_through_link_headers(as_user: Callable[[int], Canvas]) -> None:
    jane, bob = as_user(JANE), as_user(BOB)
    made = [
        jane.create_conversation(["2"], f"note {n}", subject=f"n{n}", group_conversation=True)[0]
        for n in range(7)
    ]
    listed = [c.id for c in bob.get_conversations(per_page=2)]
    assert sorted(listed) == sorted(c.id for c in made)
    assert len(listed) == 7


def test_search_recipients_finds_people_and_contexts(as_user: Callable[[int], Canvas]) -> None:
    bob = as_user(BOB)
    found = bob.search_recipients(search="cara")
    assert [(r["id"], r["name"]) for r in found] == [(CARA, "Cara")]
    # §4.14: without a search term Canvas lists nothing; a course context lists its people.
    assert bob.search_recipients(type="user") == []
    everyone = bob.search_recipients(type="user", context="course_12")
    ids = {r["id"] for r in everyone}
    assert {JANE, CARA, DAN} <= ids
    assert EVE not in ids
    contexts = bob.search_recipients(type="context", search="b")
    assert {"course_12", "group_3"} <= {r["id"] for r in contexts}
    roles = bob.search_recipients(context="course_12", synthetic_contexts=1)
    assert "course_12_teachers" in {r["id"] for r in roles}


def test_an_uploaded_file_travels_as_an_attachment(
    as_user: Callable[[int], Canvas], tmp_path: Path
) -> None:
    jane, bob = as_user(JANE), as_user(BOB)
    notes = tmp_path / "lab-notes.txt"
    notes.write_text("Bring goggles.\n")
    ok, uploaded = jane.get_current_user().upload(
        str(notes), parent_folder_path="conversation attachments"
    )
    assert ok is True
    assert uploaded["display_name"] == "lab-notes.txt"
    created = jane.create_conversation(
        ["2"], "Notes attached", subject="Notes", attachment_ids=[uploaded["id"]]
    )[0]
    attachment = created.messages[0]["attachments"][0]
    assert attachment["id"] == uploaded["id"]
    shown = bob.get_conversation(created.id)
    assert shown.messages[0]["attachments"][0]["display_name"] == "lab-notes.txt"
    assert "attachments" in shown.properties
    file = bob.get_file(uploaded["id"])
    assert file.size == len("Bring goggles.\n")
    assert file.get_contents() == "Bring goggles.\n"
