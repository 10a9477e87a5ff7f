"""§4.14 GET /search/recipients (and the deprecated /conversations/find_recipients)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox, run_sandbox
from tests.sandbox import seeds
from tests.sandbox.seeds import BIO, LAB_TEAM, LOU, SAM, STAN, SUE, TINA
from tests.sandbox.spec_http import Caller

USER_KEYS = {"id", "name", "full_name", "pronouns", "common_courses", "common_groups", "avatar_url"}


@pytest.fixture(scope="module")
def school() -> Iterator[RunningSandbox]:
    """Read-only: search never changes anything."""
    with run_sandbox(SandboxOptions(seed=seeds.school())) as sandbox:
        yield sandbox


@pytest.fixture
def search(school: RunningSandbox) -> Iterator[Any]:
    callers: dict[int, Caller] = {}

    def run(user: int, path: str = "search/recipients", **params: Any) -> list[dict[str, Any]]:
        if user not in callers:
            callers[user] = Caller(school.api, school.token(user), user)
        params.setdefault("per_page", 100)
        r = callers[user].get(path, params)
        assert r.status_code == 200, r.text
        return r.json()

    yield run
    for caller in callers.values():
        caller.close()


def is_context(item: dict[str, Any]) -> bool:
    return isinstance(item["id"], str)


def user_ids(items: list[dict[str, Any]]) -> list[int]:
    return [i["id"] for i in items if not is_context(i)]


def context_ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items if is_context(i)]


def test_4_14_contexts_first_then_users(search: Any) -> None:
    """§4.14: the answer is an array with contexts first, then users."""
    items = search(TINA)
    kinds = [is_context(i) for i in items]
    assert kinds == sorted(kinds, reverse=True)
    assert any(kinds)
    assert not all(kinds)


def test_4_14_context_object_shape(search: Any) -> None:
    """§4.14: a context entry has id "course_X", name, avatar_url, type context,
    user_count and permissions."""
    (course,) = [i for i in search(TINA, search="Biology") if i["id"] == f"course_{BIO}"]
    assert course["name"] == "Biology 101"
    assert course["type"] == "context"
    assert isinstance(course["user_count"], int)
    assert course["user_count"] >= 6
    assert isinstance(course["avatar_url"], str)
    assert course["permissions"] == {}


def test_4_14_group_context_carries_context_name(search: Any) -> None:
    """§4.14: groups (and sections) carry context_name when no context parameter is given."""
    (group,) = [i for i in search(SAM, search="Lab") if i["id"] == f"group_{LAB_TEAM}"]
    assert group["name"] == "Lab Team"
    assert group["context_name"] == "Biology 101"
    assert group["user_count"] == 2


def test_4_14_contexts_ordered_course_section_group_then_name(search: Any) -> None:
    """§4.14: contexts in the order course < section < group, then name (active courses)."""
    concluded = {f"course_{seeds.HIS}", "section_201"}  # ranked apart (recently ended)
    contexts = [
        i
        for i in search(TINA, type="context")
        if i["id"].count("_") == 1 and i["id"] not in concluded
    ]
    kinds = [i["id"].split("_")[0] for i in contexts]
    rank = {"course": 0, "section": 1, "group": 2}
    assert [rank[k] for k in kinds] == sorted(rank[k] for k in kinds)
    active_courses = [
        i["name"] for i in contexts if i["id"] in {f"course_{BIO}", f"course_{seeds.CHEM}"}
    ]
    assert active_courses == ["Biology 101", "Chemistry 150"]


def test_4_14_synthetic_course_contexts(search: Any) -> None:
    """§4.14: context=course_X without search gives the synthetic course_X_* entries (only
    non-empty ones, with user_count) plus _sections/_groups (with item_count)."""
    items = search(TINA, context=f"course_{BIO}")
    by = {i["id"]: i for i in items}
    assert by[f"course_{BIO}_teachers"]["user_count"] == 1
    assert by[f"course_{BIO}_tas"]["user_count"] == 1
    assert by[f"course_{BIO}_students"]["user_count"] == 3
    assert by[f"course_{BIO}_observers"]["user_count"] == 1
    assert by[f"course_{BIO}_sections"]["item_count"] == 2
    assert by[f"course_{BIO}_groups"]["item_count"] == 1
    assert user_ids(items) == []
    assert all(i["type"] == "context" for i in items)


def test_4_14_search_terms_all_must_match(search: Any) -> None:
    """§4.14: every whitespace-separated term must match (case-insensitive substring)."""
    assert user_ids(search(TINA, search="sa st")) == [SAM]
    assert user_ids(search(TINA, search="SAM")) == [SAM]
    assert user_ids(search(TINA, search="zzz")) == []


def test_4_14_user_object_shape(search: Any) -> None:
    """§4.14: a user entry has id, name (short), full_name, pronouns, common_courses,
    common_groups, avatar_url."""
    (sue,) = [i for i in search(TINA, search="Sue") if i["id"] == SUE]
    assert set(sue) >= USER_KEYS
    assert sue["name"] == "Sue"
    assert sue["full_name"] == "Sue Student"
    assert sue["common_courses"] == {str(BIO): ["StudentEnrollment"]}
    assert sue["common_groups"] == {}
    (mate,) = [i for i in search(SAM, search="Sue") if i["id"] == SUE]
    assert mate["common_groups"] == {str(LAB_TEAM): ["Member"]}


def test_4_14_caller_appears_when_matching(search: Any) -> None:
    """§4.14: the caller appears too when matching."""
    assert TINA in user_ids(search(TINA, search="Tina"))


def test_4_14_users_ordered_by_sortable_name_then_id(search: Any) -> None:
    """§4.14: users are ordered by sortable name ("Student, Sam" < "Student, Stan" <
    "Student, Sue"), then id."""
    assert user_ids(search(TINA, search="Student")) == [SAM, STAN, SUE]


def test_4_14_type_user_and_type_context(search: Any) -> None:
    """§4.14: type=user gives only users; type=context only contexts."""
    assert context_ids(search(TINA, type="user")) == []
    assert user_ids(search(TINA, type="context")) == []
    assert context_ids(search(TINA, type="context"))


def test_4_14_types_group(search: Any) -> None:
    """§4.14: types[]=group gives only groups."""
    groups = search(SAM, types=["group"])
    assert [i["id"] for i in groups] == [f"group_{LAB_TEAM}"]


def test_4_14_exclude(search: Any) -> None:
    """§4.14: exclude[] takes user ids and context codes."""
    items = search(TINA, exclude=[str(SAM), f"course_{BIO}"])
    assert SAM not in user_ids(items)
    assert SUE in user_ids(items)
    assert f"course_{BIO}" not in context_ids(items)


def test_4_14_user_id_single_lookup(search: Any) -> None:
    """§4.14: user_id gives 0 or 1 user: a messageable one, or nothing."""
    assert user_ids(search(TINA, user_id=SAM)) == [SAM]
    assert search(TINA, user_id=LOU) == []
    assert search(LOU, user_id=SAM) == []


def test_4_14_context_limits_users(search: Any) -> None:
    """§4.14: context=group_X with a search limits users to that context."""
    assert user_ids(search(SAM, context=f"group_{LAB_TEAM}", search="S")) == [SAM, SUE]


def test_4_14_unrelated_user_sees_only_self(search: Any) -> None:
    """§6.4/§4.14: Lou shares nothing: nobody else is messageable for him."""
    assert user_ids(search(LOU)) == [LOU]
    assert user_ids(search(LOU, search="Sam")) == []


def test_4_14_find_recipients_alias(search: Any) -> None:
    """§4.14: GET /conversations/find_recipients is the same answer."""
    assert search(TINA, "conversations/find_recipients", search="Stu") == search(TINA, search="Stu")


def test_4_14_bookmark_pagination(school: RunningSandbox, search: Any) -> None:
    """§4.14/§8: pages by bookmark (page=bookmark:…), a Link header without last; following
    next walks every result once."""
    everything = search(TINA)
    caller = Caller(school.api, school.token(TINA), TINA)
    try:
        r = caller.get("search/recipients", {"per_page": 2})
        walked = r.json()
        assert len(walked) == 2
        while True:
            link = r.headers.get("Link", "")
            assert 'rel="last"' not in link
            nxt = [p.split(";")[0].strip("<>") for p in link.split(",") if p.endswith('rel="next"')]
            if not nxt:
                break
            assert "bookmark" in httpx.URL(nxt[0]).params.get("page", "")
            assert "token-" not in nxt[0]
            r = caller.http.get(nxt[0])
            walked += r.json()
        assert walked == everything
    finally:
        caller.close()


def test_4_14_context_section_limits_users(search: Any) -> None:
    """§4.14: context=section_X limits users to that section."""
    assert user_ids(search(TINA, context=f"section_{seeds.SECTION_B}", search="S")) == [STAN]


def test_4_14_suffixed_context(search: Any) -> None:
    """§4.14: suffixed contexts are allowed: course_X_students gives only students."""
    assert user_ids(search(TINA, context=f"course_{BIO}_students", search="s")) == [
        SAM,
        STAN,
        SUE,
    ]


def test_4_14_permissions_reported_per_context(search: Any) -> None:
    """§4.14: permissions[]=send_messages is reported per context."""
    (course,) = [
        i
        for i in search(TINA, type="context", permissions=["send_messages"])
        if i["id"] == f"course_{BIO}"
    ]
    assert course["permissions"] == {"send_messages": True}


def test_4_14_from_conversation_id_makes_fellow_participant_messageable(
    make_world: Any,
) -> None:
    """§4.14: with user_id, from_conversation_id lets a fellow participant count as
    messageable (Sam shares no course with Carl, but a conversation)."""
    world = make_world()
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create([SAM, seeds.CARL], "both of you", group_conversation=True)
    plain = sam.get("search/recipients", {"user_id": seeds.CARL})
    assert plain.json() == []
    r = sam.get("search/recipients", {"user_id": seeds.CARL, "from_conversation_id": conv["id"]})
    assert [u["id"] for u in r.json()] == [seeds.CARL]


def test_4_14_sections_carry_context_name(search: Any) -> None:
    """§4.14: section entries carry context_name (their course) without a context parameter."""
    sections = [i for i in search(TINA, search="Section") if i["id"].startswith("section_")]
    assert [s["id"] for s in sections] == [
        f"section_{seeds.SECTION_A}",
        f"section_{seeds.SECTION_B}",
    ]
    assert {s["context_name"] for s in sections} == {"Biology 101"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    terms=st.lists(
        st.text(alphabet="abcdehilmnorstuACST ", min_size=1, max_size=4), min_size=1, max_size=3
    )
)
def test_4_14_search_terms_property(search: Any, terms: list[str]) -> None:
    """§4.14 (property): every user returned matches every whitespace-separated term as a
    case-insensitive substring of the name or short name; every seeded user who matches
    and is messageable is returned."""
    query = " ".join(terms)
    words = query.lower().split()
    found = {i["id"]: i for i in search(TINA, search=query, type="user")}
    for user in found.values():
        for word in words:
            assert word in user["full_name"].lower() or word in user["name"].lower()
    messageable = {seeds.TINA, seeds.TARIQ, SAM, SUE, STAN, seeds.OLIVE, seeds.DEE, seeds.CARL}
    for user in seeds.USERS:
        hay = (user["name"].lower(), user["short_name"].lower())
        if user["id"] in messageable and all(any(w in h for h in hay) for w in words):
            assert user["id"] in found, (query, user["name"])


def test_4_14_ended_courses_after_active_contexts(search: Any) -> None:
    """§4.14: active contexts come before recently-ended ones (History 200 is completed)."""
    ids = context_ids(search(TINA, type="context"))
    ended = f"course_{seeds.HIS}"
    if ended in ids:  # hiding it is also allowed ("inactive hidden unless requested")
        active = [i for i in ids if i not in {ended, "section_201"}]
        assert ids.index(ended) > max(ids.index(i) for i in active)
    assert f"course_{BIO}" in ids
