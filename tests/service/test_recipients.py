"""The composer's targets over the sandbox (§4.14, §4.2 check 7): built as the web Inbox
builds them, and only what Canvas would accept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from canvas_inbox.service import Recipient
from tests.sandbox import seeds
from tests.sandbox.seeds import BIO, CHEM, LAB_TEAM, SAM, SECTION_A, SECTION_B, TINA

BIO_CODE, CHEM_CODE = f"course_{BIO}", f"course_{CHEM}"


@pytest.fixture
def school(sandbox_factory: Callable[..., RunningSandbox]) -> RunningSandbox:
    return sandbox_factory(seed=seeds.school())


def ids(found: list[Recipient]) -> list[str]:
    return [r.id for r in found]


async def test_a_teacher_browses_a_course_as_the_web_inbox_shows_it(
    school: RunningSandbox, make_service: Any
) -> None:
    async with make_service(school, token=seeds.TOKENS[TINA]) as (service, _):
        await service.sync()
        found = await service.search_recipients("", BIO_CODE)
        # Tina is the only teacher: "Teachers" would reach nobody but herself, and Canvas
        # refuses a message to nobody else.
        assert ids(found) == [
            BIO_CODE,
            f"{BIO_CODE}_tas",
            f"{BIO_CODE}_students",
            f"{BIO_CODE}_observers",
            f"{BIO_CODE}_sections",
            f"{BIO_CODE}_groups",
        ]
        assert found[0].name == "All in Biology 101"
        students = found[2]
        assert (students.name, students.user_count) == ("Students", 3)
        # Chemistry has only its main section and no groups: no folders to open.
        chem = await service.search_recipients("", CHEM_CODE)
        assert ids(chem) == [CHEM_CODE, f"{CHEM_CODE}_students"]


async def test_a_student_is_offered_only_what_canvas_accepts_from_her(
    school: RunningSandbox, make_service: Any
) -> None:
    async with make_service(school, token=seeds.TOKENS[SAM]) as (service, _):
        await service.sync()
        found = await service.search_recipients("", BIO_CODE)
        # Not the course, "Students" or "Observers": Canvas says "restricted by role".
        assert ids(found) == [
            f"{BIO_CODE}_teachers",
            f"{BIO_CODE}_tas",
            f"{BIO_CODE}_sections",
            f"{BIO_CODE}_groups",
        ]
        sections = await service.search_recipients("", f"{BIO_CODE}_sections")
        assert ids(sections) == [f"section_{SECTION_A}", f"section_{SECTION_B}"]
        groups = await service.search_recipients("", f"{BIO_CODE}_groups")
        assert ids(groups) == [f"group_{LAB_TEAM}"]
        # Typing "students" finds no target a student may not use.
        typed = await service.search_recipients("students")
        assert not [r for r in typed if r.kind == "context" and r.id.startswith("course_")]


async def test_role_sets_sections_and_groups_are_found_by_name(
    school: RunningSandbox, make_service: Any
) -> None:
    async with make_service(school, token=seeds.TOKENS[TINA]) as (service, _):
        await service.sync()
        students = await service.search_recipients("students")
        assert {f"{BIO_CODE}_students", f"{CHEM_CODE}_students"} <= set(ids(students))
        narrowed = await service.search_recipients("students bio")
        assert f"{BIO_CODE}_students" in ids(narrowed)
        assert f"{CHEM_CODE}_students" not in ids(narrowed)
        assistants = await service.search_recipients("teaching assistants")
        assert ids(assistants)[0] == f"{BIO_CODE}_tas"
        assert f"{BIO_CODE}_teachers" not in ids(await service.search_recipients("teachers"))
    async with make_service(school, token=seeds.TOKENS[SAM]) as (service, _):
        await service.sync()
        teachers = await service.search_recipients("teachers")
        assert ids(teachers)[0] == f"{BIO_CODE}_teachers"
        section = await service.search_recipients("section b")
        (found,) = [r for r in section if r.id.startswith("section_")]
        assert (found.id, found.detail) == (f"section_{SECTION_B}", "Biology 101")
        lab = await service.search_recipients("lab")
        assert f"group_{LAB_TEAM}" in ids(lab)
        inside = await service.search_recipients("section", BIO_CODE)
        assert ids(inside)[:3] == [
            f"{BIO_CODE}_sections",
            f"section_{SECTION_A}",
            f"section_{SECTION_B}",
        ]
        # With nothing typed and no course chosen: every current course's targets.
        everything = await service.search_recipients("")
        assert f"{BIO_CODE}_teachers" in ids(everything)


@pytest.mark.parametrize("user", [TINA, SAM])
async def test_every_target_offered_is_accepted_by_canvas(
    school: RunningSandbox, make_service: Any, user: int
) -> None:
    async with make_service(school, token=seeds.TOKENS[user]) as (service, _):
        await service.sync()
        offered = await service.search_recipients("", BIO_CODE)
        for folder in [r for r in offered if r.id.endswith(("_sections", "_groups"))]:
            assert await service.search_recipients("", folder.id), folder.name
            offered += await service.search_recipients("", folder.id)
        targets = [r for r in offered if not r.id.endswith(("_sections", "_groups"))]
    headers = {"Authorization": f"Bearer {seeds.TOKENS[user]}"}
    async with httpx.AsyncClient(base_url=school.api, headers=headers) as http:
        for target in targets:
            answer = await http.post(
                "/conversations",
                data={"recipients[]": target.id, "body": "hi", "group_conversation": "1"},
            )
            assert answer.status_code == 201, (target.id, answer.text)
