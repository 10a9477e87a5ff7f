"""GET /search/recipients and its deprecated alias GET /conversations/find_recipients
(§4.14): contexts first, then users; bookmark pagination.

The shape of the answer follows ``SearchController#recipients``: nothing without a
search term or a context; ``context=course_X`` lists the course's people, and its role
sets and section/group folders only with ``synthetic_contexts``."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from canvas_inbox.sandbox.engine.common import base_url, db, roster
from canvas_inbox.sandbox.engine.serialize import GROUP_AVATAR, USER_AVATAR
from canvas_inbox.sandbox.http import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    Params,
    authenticate,
    link_header,
    not_found,
    page_url,
    params,
    render,
)
from canvas_inbox.sandbox.recipients import expand_code
from canvas_inbox.sandbox.roster import Roster

SYNTHETIC = (
    ("teachers", "Teachers", "TeacherEnrollment"),
    ("tas", "Teaching Assistants", "TaEnrollment"),
    ("students", "Students", "StudentEnrollment"),
    ("observers", "Observers", "ObserverEnrollment"),
)
CONTEXT_KINDS = frozenset({"course", "section", "group"})
# AddressBook.decompose_context: any lower-case suffix is well-formed (``course_3_groups``).
_CONTEXT_RE = re.compile(r"^(course|section|group)_(\d+)(?:_([a-z]+))?$")


@dataclass
class Query:
    me: int
    terms: list[str]
    context: str | None
    synthetic: bool
    exclude: set[str]
    kinds: set[str]
    permissions: list[str]
    fellows: set[int]  # from_conversation_id: people the caller already writes with

    def matches(self, *names: str) -> bool:
        folded = [n.casefold() for n in names]
        return all(any(t in n for n in folded) for t in self.terms)


def _kinds(p: Params) -> set[str]:
    raw = [str(t) for t in (p.list("types") or []) if isinstance(t, str)]
    if not raw and p.str("type"):
        raw = [p.str("type") or ""]
    if not raw:
        return {"user", *CONTEXT_KINDS}
    kinds: set[str] = set()
    for kind in raw:
        if kind == "context":
            kinds |= CONTEXT_KINDS
        elif kind in ("user", *CONTEXT_KINDS):
            kinds.add(kind)
    return kinds


def _load_context(team: Roster, code: str | None) -> str | None:
    """``AddressBook.load_context``: a malformed code is ignored (None); a well-formed one
    naming no course, section or group is a 404, as ``find`` raises on Canvas."""
    match = _CONTEXT_RE.match(code or "")
    if match is None:
        return None
    kind, context_id = match.group(1), int(match.group(2))
    table: dict[int, Any] = {"course": team.courses, "section": team.sections}.get(
        kind, team.groups
    )
    if context_id not in table:
        raise not_found()
    return code


def _single_id(p: Params, team: Roster) -> int | None:
    """``api_find(User, user_id)``: an id that names no user is a 404."""
    raw = p.str("user_id")
    if raw is None or raw == "":
        return None
    user_id = p.int("user_id")
    if user_id is None or user_id not in team.users:
        raise not_found()
    return user_id


def _per_page(p: Params) -> int:
    """``params[:per_page] = nil if params[:per_page].to_i <= 0``, then the usual clamp."""
    try:
        size = int((p.str("per_page") or "").strip())
    except ValueError:
        size = 0
    return DEFAULT_PER_PAGE if size <= 0 else min(MAX_PER_PAGE, size)


async def search_recipients(request: Request) -> Response:
    me = await authenticate(request)
    p = await params(request)
    team = roster(request)
    single = _single_id(p, team)
    query = Query(
        me=me,
        terms=(p.str("search") or "").casefold().split(),
        context=_load_context(team, p.str("context")),
        # Canvas tests the parameter's presence (any Ruby string is true).
        synthetic=p.has("synthetic_contexts") and p.str("synthetic_contexts") is not None,
        exclude={str(x) for x in (p.list("exclude") or [])},
        kinds=_kinds(p),
        permissions=[str(x) for x in (p.list("permissions") or [])],
        fellows=_fellows(request, me, p.int("from_conversation_id")),
    )
    base = base_url(request)
    results: list[dict[str, Any]] = []
    if single is not None:
        results = _single_user(request, team, query, single)
    elif query.context is not None or query.terms:
        skip_users = False
        if query.kinds & CONTEXT_KINDS:
            found, skip_users = _contexts(team, query, base)
            results += found
        if "user" in query.kinds and not skip_users:
            results += _users(team, query, base)
    per_page = _per_page(p)
    offset = _offset(p.str("page"))
    page = results[offset : offset + per_page]
    current = p.str("page") or "first"
    links = [("current", page_url(request, p, current, per_page))]
    if offset + per_page < len(results):
        links.append(("next", page_url(request, p, _bookmark(offset + per_page), per_page)))
    links.append(("first", page_url(request, p, "first", per_page)))
    return render(request, page, headers={"Link": link_header(links)})


def _bookmark(offset: int) -> str:
    token = base64.urlsafe_b64encode(json.dumps([offset]).encode()).decode().rstrip("=")
    return f"bookmark:{token}"


def _offset(page: str | None) -> int:
    if not page or not page.startswith("bookmark:"):
        return 0
    token = page[len("bookmark:") :]
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return max(0, int(value[0]))
    except (ValueError, TypeError, IndexError, KeyError):
        return 0


def _fellows(request: Request, me: int, conversation_id: int | None) -> set[int]:
    """The participants of a conversation the caller is in (empty otherwise)."""
    if conversation_id is None:
        return set()
    with db(request).read() as conn:
        rows = conn.execute(
            "SELECT user_id FROM conversation_participants WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchall()
    people = {r[0] for r in rows}
    return people if me in people else set()


def _single_user(
    request: Request, team: Roster, query: Query, user_id: int
) -> list[dict[str, Any]]:
    known = set(team.messageable(query.me)) | {query.me} | query.fellows
    if user_id not in known or str(user_id) in query.exclude:
        return []
    return [_user_json(team, query.me, user_id, base_url(request))]


def _own_courses(team: Roster, me: int) -> dict[str, list[str]]:
    """The caller shares every course with itself: its own live enrollment types."""
    courses = sorted({e.course_id for e in team.by_user.get(me, ()) if e.active})
    found = {str(c): team.enrollment_types(me, c) for c in courses}
    return {c: types for c, types in found.items() if types}


def _user_json(team: Roster, me: int, user_id: int, base: str) -> dict[str, Any]:
    user = team.users[user_id]
    if user_id == me:
        courses = _own_courses(team, me)
        groups = {str(g.id): ["Member"] for g in team.groups_of.get(me, ())}
    else:
        courses = team.common_courses(me, user_id)
        groups = team.common_groups(me, user_id)
    return {
        "id": user.id,
        "name": user.short_name,
        "full_name": user.name,
        "pronouns": user.pronouns,
        "common_courses": courses,
        "common_groups": groups,
        "avatar_url": user.avatar_url or f"{base}{USER_AVATAR}",
    }


def _users(team: Roster, query: Query, base: str) -> list[dict[str, Any]]:
    if query.context:
        pool = expand_code(team, query.me, _user_scope(query.context))
    else:
        pool = set(team.messageable(query.me)) | {query.me} | query.fellows
    found = [
        team.users[u]
        for u in pool
        if u in team.users
        and str(u) not in query.exclude
        and query.matches(team.users[u].name, team.users[u].short_name)
    ]
    found.sort(key=lambda u: (u.sortable_name.casefold(), u.id))
    return [_user_json(team, query.me, u.id, base) for u in found]


def _user_scope(context: str) -> str:
    # A folder code names its course's people (``course_3_sections`` → ``course_3``).
    for folder in ("_sections", "_groups"):
        if context.startswith("course_") and context.endswith(folder):
            return context.removesuffix(folder)
    return context


def _context_json(
    code: str,
    name: str,
    base: str,
    *,
    count: tuple[str, int],
    permissions: dict[str, bool],
    context_name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": code,
        "name": name,
        "avatar_url": f"{base}{GROUP_AVATAR}",
        "type": "context",
        count[0]: count[1],
        "permissions": permissions,
    }
    if context_name is not None:
        data["context_name"] = context_name
    return data


def _course_rights(team: Roster, me: int, course_id: int) -> dict[str, bool]:
    return {
        "send_messages": team.can_send_messages(me, course_id),
        "send_messages_all": team.can_send_messages_all(me, course_id),
    }


def _granted(query: Query, rights: dict[str, bool]) -> dict[str, bool]:
    """Only the asked-for permissions the context grants (``slice!`` of the granted set)."""
    return {name: True for name in query.permissions if rights.get(name)}


def _group_rights(team: Roster, me: int, group_id: int) -> dict[str, bool]:
    group = team.groups[group_id]
    if group.course_id is not None and team.is_member(me, group.course_id):
        # A course's group carries the course's rights (SearchController#matching_contexts).
        return _course_rights(team, me, group.course_id)
    member = me in group.members
    return {"send_messages": member, "send_messages_all": member}


@dataclass
class _Entry:
    ended: int  # 0 active, 1 recently ended
    kind: int  # course < section < group
    name: str
    json: dict[str, Any]


def _course_entry(team: Roster, query: Query, course_id: int, base: str) -> _Entry:
    course = team.courses[course_id]
    users = expand_code(team, query.me, f"course_{course_id}")
    return _Entry(
        int(not course.available),
        0,
        course.name,
        _context_json(
            f"course_{course_id}",
            course.name,
            base,
            count=("user_count", len(users)),
            permissions=_granted(query, _course_rights(team, query.me, course_id)),
        ),
    )


def _visible_sections(team: Roster, me: int, course_id: int) -> list[int]:
    """``enrollment_visibility_level_for(…, require_message_permission)``: without the
    course's send_messages the caller is restricted and sees no sections."""
    if not team.can_send_messages(me, course_id):
        return []
    return sorted(s.id for s in team.sections.values() if s.course_id == course_id)


def _section_entry(
    team: Roster, query: Query, section_id: int, base: str, *, parent: bool
) -> _Entry:
    section = team.sections[section_id]
    course = team.courses[section.course_id]
    count = len(expand_code(team, query.me, f"section_{section_id}"))
    return _Entry(
        int(not course.available),
        1,
        section.name,
        _context_json(
            f"section_{section_id}",
            section.name,
            base,
            count=("user_count", count),
            permissions=_granted(query, _course_rights(team, query.me, course.id)),
            context_name=course.name if parent else None,
        ),
    )


def _default_section(team: Roster, course_id: int) -> int | None:
    """The flagged default section, else the first seeded one (where the seed puts
    enrollments that name no section, as Canvas does with its default section)."""
    own = sorted(
        (not s.is_default, s.id) for s in team.sections.values() if s.course_id == course_id
    )
    return own[0][1] if own else None


def _course_groups(team: Roster, course_id: int) -> list[int]:
    # Canvas lists the course's active groups (``context.groups.active``), members or not.
    return sorted(
        g.id for g in team.groups.values() if g.course_id == course_id and team.group_active(g)
    )


def _group_entry(team: Roster, query: Query, group_id: int, base: str, *, parent: bool) -> _Entry:
    group = team.groups[group_id]
    course = team.courses.get(group.course_id) if group.course_id is not None else None
    return _Entry(
        0,
        2,
        group.name,
        _context_json(
            f"group_{group_id}",
            group.name,
            base,
            count=("user_count", len(team.messageable_in_group(query.me, group_id))),
            permissions=_granted(query, _group_rights(team, query.me, group_id)),
            context_name=(course.name if course else None) if parent else None,
        ),
    )


def _everything(team: Roster, query: Query, base: str) -> list[_Entry]:
    """No context: the caller's courses, messageable sections and groups."""
    me = query.me
    entries: list[_Entry] = []
    for course_id in sorted({e.course_id for e in team.by_user.get(me, ())}):
        if "course" in query.kinds:
            entries.append(_course_entry(team, query, course_id, base))
        if "section" in query.kinds and team.is_course_admin(me, course_id):
            sections = _visible_sections(team, me, course_id)
            if len(sections) > 1:
                entries += [_section_entry(team, query, s, base, parent=True) for s in sections]
    if "group" in query.kinds:
        for group in sorted(team.groups.values(), key=lambda g: g.id):
            visible = me in group.members or (
                group.course_id is not None and team.is_instructor(me, group.course_id)
            )
            if visible and team.group_active(group):
                entries.append(_group_entry(team, query, group.id, base, parent=True))
    return entries


def _contexts(team: Roster, query: Query, base: str) -> tuple[list[dict[str, Any]], bool]:
    """The contexts part and whether the users part is skipped (Canvas's @skip_users)."""
    if query.context is None:
        return _finish(query, _everything(team, query, base)), False
    if not query.synthetic:
        return [], False  # a context alone limits the people; it lists no contexts
    found = _synthetic_entries(team, query, base)
    if found is None:
        return [], False
    entries, skip_users, final = found
    if final:  # Canvas returns these as built: no sorting, no exclude
        return [e.json for e in entries], True
    return _finish(query, entries), skip_users


def _finish(query: Query, entries: list[_Entry]) -> list[dict[str, Any]]:
    if query.terms:
        entries.sort(key=lambda e: (e.ended, e.kind, e.name.casefold(), e.json["id"]))
    else:
        entries.sort(key=lambda e: (e.name.casefold(), e.json["id"]))
    return [
        e.json
        for e in entries
        if e.json["id"] not in query.exclude and query.matches(e.json["name"])
    ]


def _synthetic_entries(
    team: Roster, query: Query, base: str
) -> tuple[list[_Entry], bool, bool] | None:
    """``synthetic_contexts`` under a course or section: (entries, skip users, final)."""
    assert query.context is not None
    me = query.me
    course_match = re.match(r"^course_(\d+)(?:_(groups|sections))?$", query.context)
    if course_match:
        course_id = int(course_match.group(1))
        if not team.is_member(me, course_id):
            return None  # not among the caller's contexts
        sections = _visible_sections(team, me, course_id)
        groups = _course_groups(team, course_id)
        folder = course_match.group(2)
        if folder == "sections":
            return (
                [_section_entry(team, query, s, base, parent=False) for s in sections],
                True,
                False,
            )
        if folder == "groups":
            return [_group_entry(team, query, g, base, parent=False) for g in groups], True, False
        if query.terms:  # the course's matching sections and groups, then its people
            entries = [_section_entry(team, query, s, base, parent=False) for s in sections]
            entries += [_group_entry(team, query, g, base, parent=False) for g in groups]
            return entries, False, False
        rights = _granted(query, _course_rights(team, me, course_id))
        entries = _roles(team, query, f"course_{course_id}", course_id, rights, base)
        if any(s != _default_section(team, course_id) for s in sections):
            entries.append(_folder(query.context, "Course Sections", len(sections)))
        if groups:
            entries.append(_folder(query.context, "Student Groups", len(groups)))
        return entries, True, True
    section_match = re.match(r"^section_(\d+)$", query.context)
    if section_match and not query.terms:
        section = team.sections[int(section_match.group(1))]
        if not team.is_member(me, section.course_id):
            return None
        rights = _granted(query, _course_rights(team, me, section.course_id))
        return _roles(team, query, query.context, section.course_id, rights, base), True, True
    return None


def _roles(
    team: Roster, query: Query, code: str, course_id: int, rights: dict[str, bool], base: str
) -> list[_Entry]:
    """Teachers, TAs, Students, Observers: each only when someone in it is messageable.
    They carry the course's permissions, as Canvas's synthetic contexts do."""
    pool = expand_code(team, query.me, code)
    entries = []
    for suffix, name, kind in SYNTHETIC:
        users = {u for u in pool if kind in team.enrollment_types(u, course_id)}
        if users:
            entries.append(
                _Entry(
                    0,
                    0,
                    name,
                    _context_json(
                        f"{code}_{suffix}",
                        name,
                        base,
                        count=("user_count", len(users)),
                        permissions=dict(rights),
                    ),
                )
            )
    return entries


def _folder(code: str, name: str, items: int) -> _Entry:
    """A folder is not a recipient: Canvas's hash has no avatar, count of people or
    permissions, only how many sections or groups it opens onto."""
    suffix = "sections" if name == "Course Sections" else "groups"
    folder = {"id": f"{code}_{suffix}", "name": name, "item_count": items, "type": "context"}
    return _Entry(0, 0, name, folder)
