"""GET /search/recipients and its deprecated alias GET /conversations/find_recipients
(§4.14): contexts first, then users; bookmark pagination."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from canvas_inbox.sandbox.engine.common import base_url, db, roster
from canvas_inbox.sandbox.engine.serialize import GROUP_AVATAR, USER_AVATAR
from canvas_inbox.sandbox.http import (
    Params,
    authenticate,
    link_header,
    page_and_size,
    page_url,
    params,
    render,
)
from canvas_inbox.sandbox.recipients import CODE_RE, expand_code
from canvas_inbox.sandbox.roster import Roster

SYNTHETIC = (
    ("teachers", "Teachers", "TeacherEnrollment"),
    ("tas", "Teaching Assistants", "TaEnrollment"),
    ("students", "Students", "StudentEnrollment"),
    ("observers", "Observers", "ObserverEnrollment"),
)
CONTEXT_KINDS = frozenset({"course", "section", "group"})


@dataclass
class Query:
    me: int
    terms: list[str]
    context: str | None
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


async def search_recipients(request: Request) -> Response:
    me = await authenticate(request)
    p = await params(request)
    team = roster(request)
    query = Query(
        me=me,
        terms=(p.str("search") or "").casefold().split(),
        context=p.str("context") or None,
        exclude={str(x) for x in (p.list("exclude") or [])},
        kinds=_kinds(p),
        permissions=[str(x) for x in (p.list("permissions") or [])],
        fellows=_fellows(request, me, p.int("from_conversation_id")),
    )
    base = base_url(request)
    single = p.int("user_id")
    if single is not None:
        results = _single_user(request, team, query, single)
    else:
        results = _contexts(team, query, base) if query.kinds & CONTEXT_KINDS else []
        # Role entries stand in for a course's users only where contexts were asked for.
        if "user" in query.kinds and not (_synthetic_only(query) and query.kinds & CONTEXT_KINDS):
            results += _users(team, query, base)
    _, per_page = page_and_size(_without_page(p))
    offset = _offset(p.str("page"))
    page = results[offset : offset + per_page]
    current = p.str("page") or "first"
    links = [("current", page_url(request, p, current, per_page))]
    if offset + per_page < len(results):
        links.append(("next", page_url(request, p, _bookmark(offset + per_page), per_page)))
    links.append(("first", page_url(request, p, "first", per_page)))
    return render(request, page, headers={"Link": link_header(links)})


def _without_page(p: Params) -> Params:
    data = {k: v for k, v in p.data.items() if k != "page"}
    return Params(data, p.query_pairs)


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


def _synthetic_only(query: Query) -> bool:
    """``context=course_X`` without a search lists its role groups instead of users."""
    if query.terms or query.context is None:
        return False
    match = CODE_RE.match(query.context)
    return bool(
        match
        and match.group(1) == "course"
        and match.group(3) is None
        and not query.context.endswith("_all")
    )


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
    if user_id not in known or user_id not in team.users or str(user_id) in query.exclude:
        return []
    return [_user_json(team, query.me, user_id, base_url(request))]


def _user_json(team: Roster, me: int, user_id: int, base: str) -> dict[str, Any]:
    user = team.users[user_id]
    return {
        "id": user.id,
        "name": user.short_name,
        "full_name": user.name,
        "pronouns": user.pronouns,
        "common_courses": team.common_courses(me, user_id),
        "common_groups": team.common_groups(me, user_id),
        "avatar_url": user.avatar_url or f"{base}{USER_AVATAR}",
    }


def _users(team: Roster, query: Query, base: str) -> list[dict[str, Any]]:
    if query.context:
        pool = expand_code(team, query.me, query.context)
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


def _permissions(team: Roster, query: Query, kind: str, context_id: int) -> dict[str, bool]:
    result: dict[str, bool] = {}
    for name in query.permissions:
        course_id: int | None = context_id
        if kind == "section":
            course_id = team.sections[context_id].course_id
        elif kind == "group":
            course_id = None
        if name == "send_messages":
            result[name] = (
                team.can_send_messages(query.me, course_id)
                if course_id is not None
                else query.me in team.groups[context_id].members
            )
        elif name == "send_messages_all":
            result[name] = course_id is not None and team.can_send_messages_all(query.me, course_id)
        else:
            result[name] = False
    return result


def _contexts(team: Roster, query: Query, base: str) -> list[dict[str, Any]]:
    if _synthetic_only(query):
        return _synthetic(team, query, base)
    me = query.me
    entries: list[tuple[int, int, str, dict[str, Any]]] = []  # (ended, kind order, name, json)
    show_parent = query.context is None
    inside: int | None = None
    if query.context:
        match = CODE_RE.match(query.context.removesuffix("_sections").removesuffix("_groups"))
        if match is None or match.group(1) != "course":
            return []
        inside = int(match.group(2))
        if query.context.endswith("_sections"):
            query.kinds = query.kinds & {"section"}
        elif query.context.endswith("_groups"):
            query.kinds = query.kinds & {"group"}
    my_courses = sorted({e.course_id for e in team.by_user.get(me, ())})
    for course_id in my_courses:
        if inside is not None and course_id != inside:
            continue
        course = team.courses[course_id]
        ended = int(not course.available)
        users = expand_code(team, me, f"course_{course_id}") or {
            e.user_id for e in team.by_course.get(course_id, ())
        }
        if "course" in query.kinds and inside is None and query.matches(course.name):
            entries.append(
                (
                    ended,
                    0,
                    course.name.casefold(),
                    _context_json(
                        f"course_{course_id}",
                        course.name,
                        base,
                        count=("user_count", len(users)),
                        permissions=_permissions(team, query, "course", course_id),
                    ),
                )
            )
        sections = [s for s in team.sections.values() if s.course_id == course_id]
        if "section" in query.kinds and len(sections) > 1 and team.is_course_admin(me, course_id):
            for section in sorted(sections, key=lambda s: s.id):
                if not query.matches(section.name):
                    continue
                count = len(expand_code(team, me, f"section_{section.id}"))
                entries.append(
                    (
                        ended,
                        1,
                        section.name.casefold(),
                        _context_json(
                            f"section_{section.id}",
                            section.name,
                            base,
                            count=("user_count", count),
                            permissions=_permissions(team, query, "section", section.id),
                            context_name=course.name if show_parent else None,
                        ),
                    )
                )
    if "group" in query.kinds:
        for group in team.groups.values():
            if inside is not None and group.course_id != inside:
                continue
            visible = me in group.members or (
                group.course_id is not None and team.is_instructor(me, group.course_id)
            )
            if not visible or not team.group_active(group) or not query.matches(group.name):
                continue
            parent = team.courses.get(group.course_id) if group.course_id else None
            entries.append(
                (
                    0,
                    2,
                    group.name.casefold(),
                    _context_json(
                        f"group_{group.id}",
                        group.name,
                        base,
                        count=("user_count", len(group.members)),
                        permissions=_permissions(team, query, "group", group.id),
                        context_name=(parent.name if parent else None) if show_parent else None,
                    ),
                )
            )
    entries.sort(key=lambda e: e[:3])
    return [e[3] for e in entries if e[3]["id"] not in query.exclude]


def _synthetic(team: Roster, query: Query, base: str) -> list[dict[str, Any]]:
    assert query.context is not None
    match = CODE_RE.match(query.context)
    assert match is not None
    course_id = int(match.group(2))
    if course_id not in team.courses:
        return []
    pool = expand_code(team, query.me, f"course_{course_id}")
    result = []
    for suffix, name, kind in SYNTHETIC:
        users = pool & team.course_users(course_id, frozenset({kind}))
        if users:
            result.append(
                _context_json(
                    f"course_{course_id}_{suffix}",
                    name,
                    base,
                    count=("user_count", len(users)),
                    permissions={},
                )
            )
    sections = [s for s in team.sections.values() if s.course_id == course_id]
    if len(sections) > 1:
        result.append(
            _context_json(
                f"course_{course_id}_sections",
                "Course Sections",
                base,
                count=("item_count", len(sections)),
                permissions={},
            )
        )
    groups = [g for g in team.groups.values() if g.course_id == course_id]
    if groups:
        result.append(
            _context_json(
                f"course_{course_id}_groups",
                "Student Groups",
                base,
                count=("item_count", len(groups)),
                permissions={},
            )
        )
    return [r for r in result if r["id"] not in query.exclude]
