"""Recipient search (§4.14), recipient expansion and permissions (§6.4), and --activity."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox.engine_world import (
    ANN,
    BEN,
    CAT,
    COURSE,
    GROUP,
    OBSERVER,
    STRANGER,
    TA,
    TEACHER,
    Clients,
    school_clients,
)


@pytest.fixture
def clients(sandbox_factory: Callable[..., RunningSandbox]) -> Iterator[Clients]:
    yield from school_clients(sandbox_factory)


def test_contexts_come_first_then_users_by_sortable_name(clients: Clients) -> None:
    # "l": Biology, Lab, Old History, and people with an l in their names.
    found = clients[ANN].get("/search/recipients", params={"per_page": 50, "search": "l"}).json()
    kinds = [item.get("type", "user") for item in found]
    assert kinds == sorted(kinds, key=lambda k: k != "context")
    # Active contexts before ended ones, then courses before groups.
    contexts = [c["id"] for c in found if "type" in c]
    assert contexts == [f"course_{COURSE}", f"group_{GROUP}", "course_20"]
    users = [u["id"] for u in found if "type" not in u]
    # Students see their own observer, never people they share nothing with.
    assert STRANGER not in users
    assert OBSERVER in users
    everyone = clients[ANN].get("/search/recipients", params={"search": "s"}).json()
    people = [u["full_name"] for u in everyone if "type" not in u]
    assert people[0] == "Tess Assistant"  # "Assistant, Tess" sorts first
    assert STRANGER not in [u["id"] for u in everyone]


def test_nothing_is_listed_without_a_search_or_a_context(clients: Clients) -> None:
    assert clients[ANN].get("/search/recipients").json() == []
    assert clients[TEACHER].get("/search/recipients", params={"type": "context"}).json() == []


def test_a_course_context_lists_its_roles(clients: Clients) -> None:
    found = clients[TEACHER].get(
        "/search/recipients", params={"context": f"course_{COURSE}", "synthetic_contexts": 1}
    )
    ids = {item["id"]: item for item in found.json()}
    assert list(ids) == [
        f"course_{COURSE}_teachers",
        f"course_{COURSE}_tas",
        f"course_{COURSE}_students",
        f"course_{COURSE}_observers",
        f"course_{COURSE}_sections",
        f"course_{COURSE}_groups",
    ]
    assert ids[f"course_{COURSE}_students"]["user_count"] == 3
    assert ids[f"course_{COURSE}_sections"]["item_count"] == 2


def test_search_pages_by_bookmark(clients: Clients) -> None:
    first = clients[TEACHER].get(
        "/search/recipients", params={"search": "student", "per_page": 2, "type": "user"}
    )
    assert [u["full_name"] for u in first.json()] == ["Ann Student", "Ben Student"]
    assert "last" not in first.links
    follow = first.links["next"]["url"]
    assert "page=bookmark%3A" in follow
    second = clients[TEACHER].get(follow)
    assert [u["full_name"] for u in second.json()] == ["Cat Student"]
    assert "next" not in second.links


def test_students_cannot_target_the_whole_course(clients: Clients) -> None:
    refused = clients[ANN].post(
        "/conversations", data={"recipients[]": f"course_{COURSE}_students", "body": "hi"}
    )
    assert refused.status_code == 400
    assert refused.json() == [{"attribute": "recipients", "message": "restricted by role"}]
    allowed = clients[ANN].post(
        "/conversations", data={"recipients[]": f"course_{COURSE}_teachers", "body": "hi"}
    )
    assert allowed.status_code == 201
    strangers = clients[ANN].post("/conversations", data={"recipients": "7", "body": "hi"})
    assert strangers.json() == [{"attribute": "recipients", "message": "invalid"}]


def test_section_and_group_codes_expand(clients: Clients) -> None:
    section = (
        clients[TEACHER]
        .post(
            "/conversations",
            data={"recipients[]": "section_12", "body": "B only", "group_conversation": 1},
        )
        .json()
    )
    assert section[0]["audience"] == [CAT]
    group = (
        clients[ANN]
        .post(
            "/conversations",
            data={"recipients[]": f"group_{GROUP}", "body": "lab", "group_conversation": 1},
        )
        .json()
    )
    assert group[0]["audience"] == [BEN]
    assert group[0]["audience_contexts"]["groups"] == {str(GROUP): ["Member"]}


def test_activity_writes_to_the_first_user_now_and_then(
    sandbox_factory: Callable[..., RunningSandbox],
) -> None:
    from canvas_inbox.sandbox.activity import target_user, write_once
    from tests.sandbox.engine_world import Clients as _Clients
    from tests.sandbox.engine_world import school

    sandbox = sandbox_factory(seed=school(), activity_seconds=0.05, random_seed=3)
    people = _Clients(sandbox)
    state = sandbox.app.state
    assert target_user(state.roster) == TEACHER  # no demo user here: the first user
    assert write_once(state.db, state.roster, random.Random(1), ANN) is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if int(people[TEACHER].get("/conversations/unread_count").json()["unread_count"]) >= 2:
            break
        time.sleep(0.05)
    inbox = people[TEACHER].get("/conversations").json()
    assert len(inbox) >= 2
    assert all(c["workflow_state"] == "unread" for c in inbox)
    people.close()


def test_a_course_context_lists_people_when_only_people_are_wanted(clients: Clients) -> None:
    found = (
        clients[ANN]
        .get("/search/recipients", params={"context": f"course_{COURSE}", "type": "user"})
        .json()
    )
    assert {u["id"] for u in found} == {TEACHER, TA, ANN, BEN, CAT, OBSERVER}
    assert all("type" not in u for u in found)


def test_a_course_context_without_synthetic_contexts_lists_people(clients: Clients) -> None:
    found = clients[TEACHER].get("/search/recipients", params={"context": f"course_{COURSE}"})
    assert {u["id"] for u in found.json()} == {TEACHER, TA, ANN, BEN, CAT, OBSERVER}


def test_a_student_sees_the_role_sets_with_the_courses_rights(clients: Clients) -> None:
    found = clients[ANN].get(
        "/search/recipients",
        params={
            "context": f"course_{COURSE}",
            "synthetic_contexts": 1,
            "permissions[]": ["send_messages", "send_messages_all"],
        },
    )
    ids = {item["id"]: item for item in found.json()}
    assert ids[f"course_{COURSE}_students"]["permissions"] == {"send_messages": True}
    # A folder is Canvas's bare hash: it opens onto sections, it is no recipient.
    assert ids[f"course_{COURSE}_sections"] == {
        "id": f"course_{COURSE}_sections",
        "name": "Course Sections",
        "item_count": 2,
        "type": "context",
    }
    sections = clients[ANN].get(
        "/search/recipients",
        params={"context": f"course_{COURSE}_sections", "synthetic_contexts": 1},
    )
    assert [(s["id"], s["user_count"]) for s in sections.json()] == [
        ("section_11", 5),
        ("section_12", 1),
    ]
