"""Who is who: users, courses, sections, enrollments and groups, held in memory.

The roster never changes through the API (there are no enrollment endpoints), so it is
read from the database once after seeding and answers every "who may message whom"
question without a query. The rules are the sandbox rule set of the spec (§6.4, §6.6).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

INSTRUCTOR_TYPES = frozenset({"TeacherEnrollment", "TaEnrollment"})
STAFF_TYPES = INSTRUCTOR_TYPES | {"DesignerEnrollment"}
ENROLLMENT_TYPES = (
    "StudentEnrollment",
    "TeacherEnrollment",
    "TaEnrollment",
    "ObserverEnrollment",
    "DesignerEnrollment",
)
SUFFIX_TYPES: dict[str, frozenset[str]] = {
    "students": frozenset({"StudentEnrollment"}),
    "teachers": frozenset({"TeacherEnrollment"}),
    "tas": frozenset({"TaEnrollment"}),
    "observers": frozenset({"ObserverEnrollment"}),
    "designers": frozenset({"DesignerEnrollment"}),
    "admins": INSTRUCTOR_TYPES,
}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    short_name: str
    sortable_name: str
    pronouns: str | None
    uuid: str
    avatar_url: str | None
    login_id: str | None


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    name: str
    course_code: str
    workflow_state: str
    students_can_message: bool

    @property
    def available(self) -> bool:
        return self.workflow_state == "available"


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    course_id: int
    name: str
    is_default: bool


@dataclass(frozen=True, slots=True)
class Enrollment:
    user_id: int
    course_id: int
    section_id: int
    type: str
    workflow_state: str
    observed_user_id: int | None

    @property
    def active(self) -> bool:
        return self.workflow_state == "active"


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    course_id: int | None
    members: frozenset[int]


@dataclass
class Roster:
    users: dict[int, User]
    courses: dict[int, Course]
    sections: dict[int, Section]
    groups: dict[int, Group]
    enrollments: list[Enrollment]
    _memo: dict[tuple[str, int, int], frozenset[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Roster:
        users = {
            r["id"]: User(
                r["id"],
                r["name"],
                r["short_name"],
                r["sortable_name"],
                r["pronouns"],
                r["uuid"],
                r["avatar_url"],
                r["login_id"],
            )
            for r in conn.execute("SELECT * FROM users")
        }
        courses = {
            r["id"]: Course(
                r["id"],
                r["name"],
                r["course_code"],
                r["workflow_state"],
                bool(r["students_can_message"]),
            )
            for r in conn.execute("SELECT * FROM courses")
        }
        sections = {
            r["id"]: Section(r["id"], r["course_id"], r["name"], bool(r["is_default"]))
            for r in conn.execute("SELECT * FROM sections")
        }
        members: dict[int, set[int]] = defaultdict(set)
        for r in conn.execute("SELECT group_id, user_id FROM group_members"):
            members[r[0]].add(r[1])
        groups = {
            r["id"]: Group(r["id"], r["name"], r["course_id"], frozenset(members[r["id"]]))
            for r in conn.execute("SELECT * FROM groups")
        }
        enrollments = [
            Enrollment(
                r["user_id"],
                r["course_id"],
                r["section_id"],
                r["type"],
                r["workflow_state"],
                r["observed_user_id"],
            )
            for r in conn.execute("SELECT * FROM enrollments ORDER BY id")
        ]
        return cls(users, courses, sections, groups, enrollments)

    # ------------------------------------------------------------ indexes

    @cached_property
    def by_user(self) -> dict[int, list[Enrollment]]:
        index: dict[int, list[Enrollment]] = defaultdict(list)
        for e in self.enrollments:
            index[e.user_id].append(e)
        return index

    @cached_property
    def by_course(self) -> dict[int, list[Enrollment]]:
        index: dict[int, list[Enrollment]] = defaultdict(list)
        for e in self.enrollments:
            index[e.course_id].append(e)
        return index

    @cached_property
    def by_uuid(self) -> dict[str, int]:
        return {u.uuid: u.id for u in self.users.values()}

    @cached_property
    def groups_of(self) -> dict[int, list[Group]]:
        index: dict[int, list[Group]] = defaultdict(list)
        for group in sorted(self.groups.values(), key=lambda g: g.id):
            for member in group.members:
                index[member].append(group)
        return index

    # ------------------------------------------------------------ memberships

    def enrollment_types(self, user_id: int, course_id: int, *, live: bool = True) -> list[str]:
        """The user's enrollment types in a course, in Canvas's type order.

        ``live`` counts only enrollments whose own state is active (a completed course
        keeps them, so audience_contexts still names the role)."""
        found = {
            e.type
            for e in self.by_user.get(user_id, ())
            if e.course_id == course_id and (e.active or not live)
        }
        return [t for t in ENROLLMENT_TYPES if t in found]

    def current_types(self, user_id: int, course_id: int) -> set[str]:
        """Types of enrollments that count now: active, in an available course."""
        course = self.courses.get(course_id)
        if course is None or not course.available:
            return set()
        return {
            e.type for e in self.by_user.get(user_id, ()) if e.course_id == course_id and e.active
        }

    def is_member(self, user_id: int, course_id: int) -> bool:
        return any(e.course_id == course_id for e in self.by_user.get(user_id, ()))

    def is_instructor(self, user_id: int, course_id: int) -> bool:
        return bool(self.current_types(user_id, course_id) & INSTRUCTOR_TYPES)

    def is_course_admin(self, user_id: int, course_id: int) -> bool:
        """Teachers and TAs administer their course, concluded or not."""
        return any(
            e.course_id == course_id and e.type in INSTRUCTOR_TYPES
            for e in self.by_user.get(user_id, ())
        )

    def can_send_messages(self, user_id: int, course_id: int) -> bool:
        types = self.current_types(user_id, course_id)
        if types & STAFF_TYPES:
            return True
        course = self.courses[course_id]
        return "StudentEnrollment" in types and course.students_can_message

    def can_send_messages_all(self, user_id: int, course_id: int) -> bool:
        return bool(self.current_types(user_id, course_id) & INSTRUCTOR_TYPES)

    def observees(self, user_id: int, course_id: int | None = None) -> set[int]:
        return {
            e.observed_user_id
            for e in self.by_user.get(user_id, ())
            if e.type == "ObserverEnrollment"
            and e.observed_user_id is not None
            and (course_id is None or e.course_id == course_id)
        }

    def group_active(self, group: Group) -> bool:
        if group.course_id is None:
            return True
        course = self.courses.get(group.course_id)
        return course is not None and course.available

    def contexts_of(self, user_id: int) -> set[str]:
        """Every course and group code the user belongs to (concluded ones too): tags."""
        codes = {f"course_{e.course_id}" for e in self.by_user.get(user_id, ())}
        codes.update(f"group_{g.id}" for g in self.groups_of.get(user_id, ()))
        return codes

    def common_courses(self, viewer: int, other: int) -> dict[str, list[str]]:
        if viewer == other:
            return {}
        mine = {e.course_id for e in self.by_user.get(viewer, ()) if e.active}
        result: dict[str, list[str]] = {}
        for course_id in sorted(mine):
            types = self.enrollment_types(other, course_id)
            if types:
                result[str(course_id)] = types
        return result

    def common_groups(self, viewer: int, other: int) -> dict[str, list[str]]:
        if viewer == other:
            return {}
        return {str(g.id): ["Member"] for g in self.groups_of.get(viewer, ()) if other in g.members}

    # ------------------------------------------------------------ who may message whom

    def course_users(self, course_id: int, types: frozenset[str] | None = None) -> set[int]:
        course = self.courses.get(course_id)
        if course is None or not course.available:
            return set()
        return {
            e.user_id
            for e in self.by_course.get(course_id, ())
            if e.active and (types is None or e.type in types)
        }

    def messageable_in_course(self, sender: int, course_id: int) -> frozenset[int]:
        """Users the sender can see (and so message) in a course, sender included."""
        key = ("course", sender, course_id)
        if key in self._memo:
            return self._memo[key]
        types = self.current_types(sender, course_id)
        result: set[int] = set()
        if types & STAFF_TYPES:
            result = self.course_users(course_id)
        else:
            if "StudentEnrollment" in types:
                # Students see the whole class except other students' observers.
                for e in self.by_course.get(course_id, ()):
                    if not e.active:
                        continue
                    if e.type != "ObserverEnrollment" or e.observed_user_id == sender:
                        result.add(e.user_id)
            if "ObserverEnrollment" in types:
                result |= self.observees(sender, course_id) & self.course_users(course_id)
                result |= self.course_users(course_id, INSTRUCTOR_TYPES)
            if types:
                result.add(sender)
        frozen = frozenset(result)
        self._memo[key] = frozen
        return frozen

    def messageable_in_group(self, sender: int, group_id: int) -> frozenset[int]:
        group = self.groups.get(group_id)
        if group is None or not self.group_active(group):
            return frozenset()
        if sender in group.members or (
            group.course_id is not None and self.is_instructor(sender, group.course_id)
        ):
            return group.members
        return frozenset()

    def messageable(self, sender: int) -> frozenset[int]:
        """Everyone the sender knows through an active course or group."""
        key = ("all", sender, 0)
        if key in self._memo:
            return self._memo[key]
        result: set[int] = set()
        for course_id in {e.course_id for e in self.by_user.get(sender, ())}:
            result |= self.messageable_in_course(sender, course_id)
        for group in self.groups_of.get(sender, ()):
            result |= self.messageable_in_group(sender, group.id)
        frozen = frozenset(result)
        self._memo[key] = frozen
        return frozen

    def replies_locked(
        self, user_id: int, context: tuple[str, int] | None, others: set[int]
    ) -> bool:
        """§6.6 (sandbox form): replies lock in concluded courses, and for users without
        the course's send_messages right unless an instructor is among the others or the
        user observes every other participant."""
        if context is None:
            return False
        kind, context_id = context
        if kind == "Group":
            group = self.groups.get(context_id)
            if group is None or group.course_id is None:
                return False
            course_id = group.course_id
        elif kind == "Course":
            course_id = context_id
        else:
            return False
        course = self.courses.get(course_id)
        if course is None:
            return False
        if not course.available or not self.current_types(user_id, course_id):
            return True
        if self.can_send_messages(user_id, course_id):
            return False
        instructors = self.course_users(course_id, INSTRUCTOR_TYPES)
        if others & instructors:
            return False
        return not (others and others <= self.observees(user_id, course_id))
