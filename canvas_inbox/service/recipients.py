"""Whom the composer may offer: people, courses, sections, groups and role sets.

Built the way the Canvas web Inbox builds its address book (§4.14): a plain search finds
people, courses, sections and groups; a course's role sets ("Teachers", "Students", …)
and its "Course Sections" / "Student Groups" folders come only from
``context=course_X&synthetic_contexts=1``; ``permissions[]=send_messages_all`` says
which whole-course targets Canvas would accept. Only targets Canvas accepts are offered
(a student is never offered "Students": Canvas refuses it with "restricted by role"), a
section or group nobody can be reached in is left out, and a folder is offered only when
it opens onto something.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from canvas_inbox.store.records import Context, Recipient

if TYPE_CHECKING:
    from canvas_inbox.service.core import Core

ALL_RIGHT = "send_messages_all"
# Whole-course targets Canvas checks against send_messages_all (§4.2 check 7); teachers,
# TAs, sections and groups are not checked there.
RESTRICTED_SUFFIXES = ("", "_students", "_observers")
FOLDER_SUFFIXES = ("_sections", "_groups")
FRESH_FOR = 600.0  # seconds: Canvas itself caches a user's contexts for ten minutes
PAGE = 50


@dataclass
class CourseTargets:
    """What a course offers with nothing typed: role sets first, then folders."""

    roles: list[Recipient] = field(default_factory=list)
    folders: dict[str, list[Recipient]] = field(default_factory=dict)  # code → contents
    fetched: float = 0.0

    @property
    def browse(self) -> list[Recipient]:
        return self.roles + [self.folder(code) for code, items in self.folders.items() if items]

    def folder(self, code: str) -> Recipient:
        items = self.folders[code]
        kind = "section" if code.endswith("_sections") else "group"
        name = "Course Sections" if kind == "section" else "Student Groups"
        return Recipient(
            id=code,
            name=name,
            kind="context",
            detail=f"{len(items)} {kind}{'' if len(items) == 1 else 's'}",
        )


def restricted(code: str) -> bool:
    """course_X, course_X_students, course_X_observers: need send_messages_all."""
    if not code.startswith("course_"):
        return False
    rest = code.removeprefix("course_").lstrip("0123456789")
    return rest in RESTRICTED_SUFFIXES


def _matches(text: str, *names: str) -> bool:
    terms = text.casefold().split()
    folded = " ".join(names).casefold()
    return all(term in folded for term in terms)


class RecipientFinder:
    """One per service: remembers each course's role sets and folders for a while."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._courses: dict[str, CourseTargets] = {}

    # --- Canvas --------------------------------------------------------------------------
    async def _ask(self, **query: Any) -> list[Any]:
        from canvas_inbox.service.gateway import talk

        core = self.core
        return list(
            await talk(
                core,
                core.api.search_recipients(permissions=[ALL_RIGHT], per_page=PAGE, **query),
            )
        )

    def _convert(self, wire: Any) -> Recipient:
        from canvas_inbox.service import convert

        names = {c.code: c.name for c in self.core.store.contexts()}
        return convert.recipient(wire, names)

    def _offerable(self, wire: Any) -> bool:
        """Canvas would take it: a person, or a context someone can be reached in whose
        whole-course rights (when Canvas checks them) the user holds."""
        if not wire.is_context:
            return True
        code = wire.recipient_id
        if code.endswith(FOLDER_SUFFIXES):
            return False  # folders are offered only through course_targets
        if restricted(code) and not wire.permissions.get(ALL_RIGHT):
            return False
        return bool(wire.user_count)

    async def _reachable(self, wires: Sequence[Any]) -> list[Any]:
        """The offerable ones, less those that hold only the user: Canvas counts the
        caller in ``user_count``, and a send to nobody else is refused ("invalid")."""
        offerable = [w for w in wires if self._offerable(w)]
        single = [w for w in offerable if w.is_context and w.user_count == 1]
        people = await asyncio.gather(
            *(self._ask(context=w.recipient_id, type="user") for w in single)
        )
        me = self.core.me.id if self.core.me is not None else None
        alone = {
            w.recipient_id for w, found in zip(single, people, strict=True)
            if all(p.id == me for p in found)
        }  # fmt: skip
        return [w for w in offerable if w.recipient_id not in alone]

    async def course_targets(self, course_code: str) -> CourseTargets:
        cached = self._courses.get(course_code)
        if cached is not None and time.monotonic() - cached.fetched < FRESH_FOR:
            return cached
        answer = await self._ask(context=course_code, synthetic_contexts=True)
        targets = CourseTargets(fetched=time.monotonic())
        folder_codes: list[str] = []
        granted = False
        for wire in answer:
            code = wire.recipient_id
            if code.endswith(FOLDER_SUFFIXES):
                if wire.item_count:
                    folder_codes.append(code)
                continue
            granted = granted or bool(wire.permissions.get(ALL_RIGHT))
        targets.roles = [self._convert(w) for w in await self._reachable(answer)]
        if granted:  # the web Inbox's "All in <course>", first as there
            name = next((c.name for c in self.core.store.contexts() if c.code == course_code), "")
            everyone = Recipient(
                id=course_code,
                name=f"All in {name}" if name else "Everyone in the course",
                kind="context",
                detail="everyone in the course",
            )
            targets.roles.insert(0, everyone)
        # A folder must open onto something: ask for its contents now, not on opening.
        contents = await asyncio.gather(
            *(self._ask(context=code, synthetic_contexts=True) for code in folder_codes)
        )
        for code, items in zip(folder_codes, contents, strict=True):
            targets.folders[code] = [self._convert(w) for w in await self._reachable(items)]
        self._courses[course_code] = targets
        return targets

    def _current_courses(self) -> list[Context]:
        return [c for c in self.core.store.contexts() if c.kind == "course" and not c.concluded]

    # --- the composer's one question ---------------------------------------------------------
    async def find(self, text: str, context_code: str | None) -> list[Recipient]:
        text = text.strip()
        if context_code is not None and context_code.endswith(FOLDER_SUFFIXES):
            course = context_code.rsplit("_", 1)[0]
            items = (await self.course_targets(course)).folders.get(context_code, [])
            return [r for r in items if _matches(text, r.name)]
        if context_code is not None and context_code.startswith("course_"):
            return await self._in_course(text, context_code)
        if context_code is not None:  # a group (or section) as the compose context
            return await self._in_context(text, context_code)
        return await self._anywhere(text)

    async def _in_course(self, text: str, course: str) -> list[Recipient]:
        targets = await self.course_targets(course)
        if not text:
            return targets.browse
        name = self._context_name(course)
        found = [r for r in targets.browse if _matches(text, r.name, "in", name)]
        answer = await self._ask(context=course, synthetic_contexts=True, search=text)
        found += [self._convert(w) for w in await self._reachable(answer)]
        return _unique(found)

    async def _in_context(self, text: str, code: str) -> list[Recipient]:
        people = await self._ask(context=code, search=text or None, type="user")
        found = [self._convert(w) for w in people]
        me = self.core.me.id if self.core.me is not None else None
        others = [r for r in found if r.id != str(me)]
        name = self._context_name(code)
        if others and name and _matches(text, name):
            whole = Recipient(id=code, name=name, kind="context", user_count=len(others))
            found.insert(0, whole)
        return found

    async def _anywhere(self, text: str) -> list[Recipient]:
        courses = self._current_courses()
        every = await asyncio.gather(*(self.course_targets(c.code) for c in courses))
        if not text:  # ↓ in an empty field: every course's role sets and folders
            return [r for targets in every for r in targets.browse]
        # Role sets and folders are found by name ("students", "teachers", "sections"),
        # and so are sections and groups inside the folders, which a plain search only
        # shows to a course's teachers.
        found: list[Recipient] = []
        inner: list[Recipient] = []
        for course, targets in zip(courses, every, strict=True):
            found += [r for r in targets.browse if _matches(text, r.name, "in", course.name)]
            for items in targets.folders.values():
                inner += [_with_detail(r, course.name) for r in items if _matches(text, r.name)]
        answer = await self._ask(search=text)
        reachable = await self._reachable([w for w in answer if w.is_context])
        contexts = [self._convert(w) for w in reachable]
        people = [self._convert(w) for w in answer if not w.is_context]
        return _unique(found + contexts + inner + people)

    def _context_name(self, code: str) -> str:
        return next((c.name for c in self.core.store.contexts() if c.code == code), "")


def _with_detail(recipient: Recipient, course_name: str) -> Recipient:
    """A section or group found outside its course says which course it is in."""
    import msgspec

    return msgspec.structs.replace(recipient, detail=course_name)


def _unique(found: Sequence[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    result = []
    for recipient in found:
        if recipient.id not in seen:
            seen.add(recipient.id)
            result.append(recipient)
    return result
