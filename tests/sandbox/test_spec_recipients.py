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
    items = search(TINA, search="s")
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
        for i in search(TINA, type="context", search="o")
        if i["id"].count("_") == 1 and i["id"] not in concluded
    ]
    kinds = [i["id"].split("_")[0] for i in contexts]
    rank = {"course": 0, "section": 1, "group": 2}
    assert [rank[k] for k in kinds] == sorted(rank[k] for k in kinds)
    active_courses = [
        i["name"] for i in contexts if i["id"] in {f"course_{BIO}", f"course_{seeds.CHEM}"}
    ]
    assert active_courses == ["Biology 101"]
    assert [i["id"] for i in contexts if i["id"].startswith("section_")] == [
        f"section_{seeds.SECTION_A}",
        f"section_{seeds.SECTION_B}",
    ]


def test_4_14_synthetic_course_contexts(search: Any) -> None:
    """§4.14: context=course_X&synthetic_contexts=1 without search gives the synthetic
    course_X_* entries (only non-empty ones, with user_count) plus _sections/_groups
    (with item_count)."""
    items = search(TINA, context=f"course_{BIO}", synthetic_contexts=1)
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
    assert context_ids(search(TINA, type="user", search="s")) == []
    assert user_ids(search(TINA, type="context", search="s")) == []
    assert context_ids(search(TINA, type="context", search="s"))


def test_4_14_types_group(search: Any) -> None:
    """§4.14: types[]=group gives only groups."""
    groups = search(SAM, types=["group"], search="a")
    assert [i["id"] for i in groups] == [f"group_{LAB_TEAM}"]


def test_4_14_exclude(search: Any) -> None:
    """§4.14: exclude[] takes user ids and context codes."""
    items = search(TINA, exclude=[str(SAM), f"course_{BIO}"], search="S")
    assert SAM not in user_ids(items)
    assert SUE in user_ids(items)
    assert context_ids(search(TINA, search="Bio")) == [f"course_{BIO}"]
    assert context_ids(search(TINA, exclude=[f"course_{BIO}"], search="Bio")) == []


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
    assert user_ids(search(LOU, search="Lou")) == [LOU]
    assert user_ids(search(LOU, search="Sam")) == []


def test_4_14_find_recipients_alias(search: Any) -> None:
    """§4.14: GET /conversations/find_recipients is the same answer."""
    assert search(TINA, "conversations/find_recipients", search="Stu") == search(TINA, search="Stu")


def test_4_14_bookmark_pagination(school: RunningSandbox, search: Any) -> None:
    """§4.14/§8: pages by bookmark (page=bookmark:…), a Link header without last; following
    next walks every result once."""
    everything = search(TINA, search="s")
    assert len(everything) > 4
    caller = Caller(school.api, school.token(TINA), TINA)
    try:
        r = caller.get("search/recipients", {"per_page": 2, "search": "s"})
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
        for i in search(TINA, type="context", permissions=["send_messages"], search="Bio")
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
    if not words:  # blank terms are no search: without a context Canvas answers []
        assert found == {}
        return
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
    ids = context_ids(search(TINA, type="context", search="y"))
    ended = f"course_{seeds.HIS}"
    if ended in ids:  # hiding it is also allowed ("inactive hidden unless requested")
        active = [i for i in ids if i not in {ended, "section_201"}]
        assert ids.index(ended) > max(ids.index(i) for i in active)
    assert f"course_{BIO}" in ids


# --- the corrected §4.14 rules, one test each ------------------------------------------------


def status_of(school: RunningSandbox, user: int, **params: Any) -> int:
    caller = Caller(school.api, school.token(user), user)
    try:
        return caller.get("search/recipients", params).status_code
    finally:
        caller.close()


@pytest.mark.parametrize(
    "extra", [{}, {"type": "context"}, {"type": "user"}, {"search": "  "}, {"context": "bogus"}]
)
def test_4_14_without_search_or_context_the_answer_is_empty(
    search: Any, extra: dict[str, Any]
) -> None:
    """§4.14: with neither a search term nor a (well-formed) context Canvas answers [],
    even with type=context; a malformed context is ignored."""
    assert search(TINA, **extra) == []
    assert search(SAM, "conversations/find_recipients", **extra) == []


def test_4_14_a_course_context_alone_lists_its_people(search: Any) -> None:
    """§4.14: context=course_X without synthetic_contexts: no contexts, the course's
    people (caller included)."""
    items = search(TINA, context=f"course_{BIO}")
    assert context_ids(items) == []
    assert set(user_ids(items)) == {
        TINA,
        seeds.TARIQ,
        SAM,
        SUE,
        STAN,
        seeds.OLIVE,
        seeds.DEE,
    }
    assert user_ids(search(TINA, context=f"course_{BIO}", search="Sam")) == [SAM]


def test_4_14_role_sets_exist_only_with_synthetic_contexts(search: Any) -> None:
    """§4.14: Teachers/Students/… and the section and group folders appear only with
    synthetic_contexts=1, never in a plain search or a plain course context."""
    plain = search(TINA, context=f"course_{BIO}") + search(TINA, search="Stud")
    assert not [i for i in context_ids(plain) if i.startswith(f"course_{BIO}_")]
    synthetic = context_ids(search(TINA, context=f"course_{BIO}", synthetic_contexts=1))
    assert f"course_{BIO}_students" in synthetic


def test_4_14_synthetic_search_gives_sections_and_groups_then_people(search: Any) -> None:
    """§4.14: with terms, context=course_X&synthetic_contexts=1 gives the course's matching
    sections and groups, then the matching people."""
    items = search(TINA, context=f"course_{BIO}", synthetic_contexts=1, search="e")
    contexts = context_ids(items)
    assert contexts == [f"section_{seeds.SECTION_A}", f"section_{seeds.SECTION_B}",
                        f"group_{LAB_TEAM}"]  # fmt: skip
    assert all("context_name" not in i for i in items if is_context(i))
    assert set(user_ids(items)) >= {TINA, SUE}
    assert items[: len(contexts)] == [i for i in items if is_context(i)]
    # A student finds the sections as well (she may write to them).
    student = search(SAM, context=f"course_{BIO}", synthetic_contexts=1, search="Section")
    assert context_ids(student) == [f"section_{seeds.SECTION_A}", f"section_{seeds.SECTION_B}"]


def test_4_14_synthetic_folders_list_only_their_sections_or_groups(search: Any) -> None:
    """§4.14: context=course_X_sections (or _groups) with synthetic_contexts lists those
    sections (groups) only, no people; a student sees the sections too."""
    for user in (TINA, SAM):
        sections = search(user, context=f"course_{BIO}_sections", synthetic_contexts=1)
        assert [i["id"] for i in sections] == [
            f"section_{seeds.SECTION_A}",
            f"section_{seeds.SECTION_B}",
        ]
        assert all(i["user_count"] > 0 for i in sections)
    groups = search(SAM, context=f"course_{BIO}_groups", synthetic_contexts=1)
    assert [(i["id"], i["user_count"]) for i in groups] == [(f"group_{LAB_TEAM}", 2)]
    # "Course Sections" only where there are sections beyond the default one, and
    # "Student Groups" only where there are groups (Chemistry has neither).
    chem = context_ids(search(TINA, context=f"course_{seeds.CHEM}", synthetic_contexts=1))
    assert chem == [f"course_{seeds.CHEM}_teachers", f"course_{seeds.CHEM}_students"]


@pytest.mark.parametrize("size", ["0", "-3", "abc"])
def test_4_14_per_page_zero_or_less_means_the_default(search: Any, size: str) -> None:
    """§4.14: per_page ≤ 0 (Ruby's to_i of the text) means the default page size (10)."""
    default = search(TINA, search="s", per_page=10)
    assert len(default) == 10
    assert search(TINA, search="s", per_page=size) == default
    assert len(search(TINA, search="s", per_page=3)) == 3


def test_4_14_unknown_user_id_is_a_404(school: RunningSandbox) -> None:
    """§4.14: a user_id naming no user is a 404 (one that exists but is not messageable
    is [], see test_4_14_user_id_single_lookup)."""
    assert status_of(school, TINA, user_id=seeds.NO_SUCH_USER) == 404
    assert status_of(school, TINA, user_id=LOU) == 200


@pytest.mark.parametrize(
    "context", ["course_777", "section_777", "group_777", "course_777_students", "group_777_x"]
)
def test_4_14_unknown_context_is_a_404(school: RunningSandbox, context: str) -> None:
    """§4.14: a well-formed context naming no course, section or group is a 404."""
    assert status_of(school, TINA, context=context) == 404
    assert status_of(school, TINA, context=context, search="Sam") == 404


def test_4_14_a_context_the_caller_shares_nothing_with_yields_no_one(search: Any) -> None:
    """§4.14: an existing context the caller is not in yields nobody (not a 404)."""
    assert search(LOU, context=f"course_{BIO}") == []
    assert search(LOU, context=f"course_{BIO}", synthetic_contexts=1) == []


def test_4_14_the_callers_own_entry_carries_its_common_courses(search: Any) -> None:
    """§4.14: the caller appears with its own common_courses / common_groups."""
    (me,) = [i for i in search(SAM, search="Sam") if i["id"] == SAM]
    assert me["common_courses"][str(BIO)] == ["StudentEnrollment"]
    assert me["common_groups"] == {str(LAB_TEAM): ["Member"]}
    (tina,) = [i for i in search(TINA, search="Tina") if i["id"] == TINA]
    assert tina["common_courses"][str(BIO)] == ["TeacherEnrollment"]
    assert tina["common_courses"][str(seeds.CHEM)] == ["TeacherEnrollment"]


def test_4_14_permissions_hold_only_granted_ones(search: Any) -> None:
    """§4.14: permissions holds only the requested permissions the context grants:
    a teacher has send_messages_all on the course, a student gets {} for it."""
    wanted = {"permissions": ["send_messages_all", "no_such_right"], "search": "Bio"}
    (teacher,) = [i for i in search(TINA, **wanted) if i["id"] == f"course_{BIO}"]
    assert teacher["permissions"] == {"send_messages_all": True}
    (student,) = [i for i in search(SAM, **wanted) if i["id"] == f"course_{BIO}"]
    assert student["permissions"] == {}


def test_4_14_role_sets_carry_the_courses_permissions(search: Any) -> None:
    """§4.14: synthetic role sets carry the course's granted permissions, which is how a
    client knows a student may not use "Students" (Canvas refuses it: restricted by role)."""
    asked = {"synthetic_contexts": 1, "permissions": ["send_messages_all"]}
    teacher = {i["id"]: i for i in search(TINA, context=f"course_{BIO}", **asked)}
    student = {i["id"]: i for i in search(SAM, context=f"course_{BIO}", **asked)}
    assert teacher[f"course_{BIO}_students"]["permissions"] == {"send_messages_all": True}
    assert student[f"course_{BIO}_students"]["permissions"] == {}
    assert student[f"course_{BIO}_teachers"]["user_count"] == 1
