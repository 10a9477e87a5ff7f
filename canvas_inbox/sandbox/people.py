"""Who the caller is and where they belong: users/self, the profile, courses, groups.

Shapes follow Canvas's User, Profile, Course (with ``enrollments``) and Group objects;
lists are paginated with the same numbered ``Link`` header as the conversations index.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from canvas_inbox.sandbox.http import current_user_id, not_found, paginate, params, render

TIME_ZONE = "Etc/UTC"  # the seed's times are UTC; a real school would set its own
DEFAULT_AVATAR = "/images/messages/avatar-50.png"
# Canvas's built-in base roles and their usual ids.
ROLE_IDS = {
    "StudentEnrollment": 3,
    "TeacherEnrollment": 4,
    "TaEnrollment": 5,
    "DesignerEnrollment": 6,
    "ObserverEnrollment": 7,
}
ENROLLMENT_KIND = {
    "StudentEnrollment": "student",
    "TeacherEnrollment": "teacher",
    "TaEnrollment": "ta",
    "DesignerEnrollment": "designer",
    "ObserverEnrollment": "observer",
}
COURSE_STATES = frozenset({"available", "completed", "unpublished", "deleted"})


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _user_row(request: Request) -> sqlite3.Row:
    user_id = current_user_id(request)
    with request.app.state.db.read() as conn:
        row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:  # the token's user vanished between two statements: treat as unknown
        raise not_found()
    return row  # type: ignore[no-any-return]


def _avatar(request: Request, row: sqlite3.Row) -> str:
    return str(row["avatar_url"] or f"{_base(request)}{DEFAULT_AVATAR}")


def _first_last(row: sqlite3.Row) -> tuple[str, str]:
    last, comma, first = str(row["sortable_name"]).partition(", ")
    if not comma:
        first, _, last = str(row["name"]).partition(" ")
    return first, last


async def users_self(request: Request) -> Response:
    """``GET /users/self`` (and ``/users/<own id>``): the User object for the caller."""
    row = _user_row(request)
    first, last = _first_last(row)
    body: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "created_at": row["created_at"],
        "sortable_name": row["sortable_name"],
        "short_name": row["short_name"],
        "first_name": first,
        "last_name": last,
        "sis_user_id": None,
        "integration_id": None,
        "login_id": row["login_id"],
        "avatar_url": _avatar(request, row),
        "email": row["email"] or row["login_id"],
        "locale": None,
        "effective_locale": "en",
        "pronouns": row["pronouns"],
        "uuid": row["uuid"],
        "permissions": {
            "can_update_name": True,
            "can_update_avatar": True,
            "limit_parent_app_web_access": False,
        },
    }
    return render(request, body)


async def profile(request: Request) -> Response:
    """``GET /users/self/profile``."""
    row = _user_row(request)
    body = {
        "id": row["id"],
        "name": row["name"],
        "short_name": row["short_name"],
        "sortable_name": row["sortable_name"],
        "title": None,
        "bio": None,
        "pronunciation": None,
        "primary_email": row["email"] or row["login_id"],
        "login_id": row["login_id"],
        "integration_id": None,
        "sis_user_id": None,
        "lti_user_id": row["uuid"],
        "avatar_url": _avatar(request, row),
        "calendar": {"ics": f"{_base(request)}/feeds/calendars/user_{row['uuid']}.ics"},
        "time_zone": TIME_ZONE,
        "locale": None,
        "k5_user": False,
        "use_classic_font_in_k5": False,
        "pronouns": row["pronouns"],
    }
    return render(request, body)


def _enrollment_json(row: sqlite3.Row, user_id: int) -> dict[str, Any]:
    kind = str(row["type"])
    state = "active" if row["workflow_state"] == "active" else "completed"
    entry: dict[str, Any] = {
        "type": ENROLLMENT_KIND.get(kind, kind.removesuffix("Enrollment").lower()),
        "role": kind,
        "role_id": ROLE_IDS.get(kind, 0),
        "user_id": user_id,
        "enrollment_state": state,
        "limit_privileges_to_course_section": False,
    }
    if row["observed_user_id"] is not None:
        entry["associated_user_id"] = row["observed_user_id"]
    return entry


def _course_state_filter(request: Request, p: Any) -> tuple[set[str] | None, str | None]:
    states = {str(s) for s in (p.list("state") or []) if str(s) in COURSE_STATES} or None
    enrollment_state = p.str("enrollment_state")
    if enrollment_state not in (None, "", "active", "invited_or_pending", "completed"):
        enrollment_state = None
    return states, enrollment_state or None


async def courses(request: Request) -> Response:
    """``GET /courses``: the caller's courses, each with the caller's enrollments in it.

    Canvas lists current courses by default (active enrollments in available courses);
    ``enrollment_state=completed`` or ``state[]=completed`` brings concluded ones.
    """
    user_id = current_user_id(request)
    p = await params(request)
    states, enrollment_state = _course_state_filter(request, p)
    includes = {str(i) for i in (p.list("include") or [])}
    with request.app.state.db.read() as conn:
        enrollments = conn.execute(
            "SELECT e.*, c.workflow_state AS course_state FROM enrollments e"
            " JOIN courses c ON c.id = e.course_id WHERE e.user_id = ? ORDER BY c.id, e.id",
            (user_id,),
        ).fetchall()
        by_course: dict[int, list[sqlite3.Row]] = {}
        for row in enrollments:
            current = row["workflow_state"] == "active" and row["course_state"] == "available"
            if enrollment_state == "invited_or_pending":
                continue  # the sandbox has no invitations
            if enrollment_state == "active" and not current:
                continue
            if enrollment_state == "completed" and current:
                continue
            if enrollment_state is None:
                if states is not None and row["course_state"] not in states:
                    continue
                if states is None and not current:
                    continue
            by_course.setdefault(int(row["course_id"]), []).append(row)
        items = [
            _course_json(request, conn, course_id, rows, user_id, includes)
            for course_id, rows in by_course.items()
        ]
    page, headers = paginate(request, p, items)
    return render(request, page, headers=headers)


def _course_json(
    request: Request,
    conn: sqlite3.Connection,
    course_id: int,
    enrollments: list[sqlite3.Row],
    user_id: int,
    includes: set[str],
) -> dict[str, Any]:
    course = conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
    base = _base(request)
    body: dict[str, Any] = {
        "id": course["id"],
        "name": course["name"],
        "account_id": 1,
        "uuid": course["uuid"],
        "start_at": course["start_at"],
        "grading_standard_id": None,
        "is_public": False,
        "created_at": course["start_at"],
        "course_code": course["course_code"],
        "default_view": "modules",
        "root_account_id": 1,
        "enrollment_term_id": 1,
        "license": "private",
        "grade_passback_setting": None,
        "end_at": course["end_at"],
        "public_syllabus": False,
        "public_syllabus_to_auth": False,
        "storage_quota_mb": 500,
        "is_public_to_auth_users": False,
        "homeroom_course": False,
        "course_color": None,
        "friendly_name": None,
        "apply_assignment_group_weights": False,
        "calendar": {"ics": f"{base}/feeds/calendars/course_{course['uuid']}.ics"},
        "time_zone": TIME_ZONE,
        "blueprint": False,
        "template": False,
        "enrollments": [_enrollment_json(row, user_id) for row in enrollments],
        "hide_final_grades": False,
        "workflow_state": course["workflow_state"],
        "restrict_enrollments_to_course_dates": False,
    }
    if "concluded" in includes:
        body["concluded"] = course["workflow_state"] == "completed"
    if "term" in includes:
        body["term"] = {"id": 1, "name": "Fall 2026", "start_at": None, "end_at": None}
    if "total_students" in includes:
        body["total_students"] = conn.execute(
            "SELECT count(DISTINCT user_id) FROM enrollments"
            " WHERE course_id = ? AND type = 'StudentEnrollment' AND workflow_state = 'active'",
            (course_id,),
        ).fetchone()[0]
    if "teachers" in includes:
        body["teachers"] = [
            {
                "id": row["id"],
                "anonymous_id": format(row["id"], "x"),
                "display_name": row["short_name"],
                "avatar_image_url": row["avatar_url"] or f"{base}{DEFAULT_AVATAR}",
                "html_url": f"{base}/courses/{course_id}/users/{row['id']}",
                "pronouns": row["pronouns"],
            }
            for row in conn.execute(
                "SELECT DISTINCT u.* FROM users u JOIN enrollments e ON e.user_id = u.id"
                " WHERE e.course_id = ? AND e.type = 'TeacherEnrollment' ORDER BY u.id",
                (course_id,),
            )
        ]
    if "sections" in includes:
        body["sections"] = [
            {"id": row["section_id"], "name": row["name"], "start_at": None, "end_at": None,
             "enrollment_role": row["type"]}
            for row in conn.execute(
                "SELECT e.section_id, s.name, e.type FROM enrollments e"
                " JOIN sections s ON s.id = e.section_id"
                " WHERE e.course_id = ? AND e.user_id = ? ORDER BY e.id",
                (course_id, user_id),
            )
        ]  # fmt: skip
    return body


def group_category_id(course_id: int | None) -> int | None:
    """One "Student Groups" category per course (the seed has no categories)."""
    return None if course_id is None else 10_000 + course_id


async def groups(request: Request) -> Response:
    """``GET /users/self/groups``: the caller's groups (``context_type`` may narrow it)."""
    user_id = current_user_id(request)
    p = await params(request)
    context_type = p.str("context_type")
    base = _base(request)
    with request.app.state.db.read() as conn:
        rows = conn.execute(
            "SELECT g.*, c.workflow_state AS course_state,"
            " (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS members_count"
            " FROM groups g JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = ?"
            " LEFT JOIN courses c ON c.id = g.course_id ORDER BY g.id",
            (user_id,),
        ).fetchall()
    items = []
    for row in rows:
        kind = "Course" if row["course_id"] is not None else "Account"
        if context_type in ("Course", "Account") and context_type != kind:
            continue
        item: dict[str, Any] = {
            "id": row["id"],
            "name": row["name"],
            "created_at": None,
            "description": None,
            "is_public": False,
            "followed_by_user": False,
            "join_level": "invitation_only",
            "members_count": row["members_count"],
            "avatar_url": None,
            "context_type": kind,
            "role": None,
            "group_category_id": group_category_id(row["course_id"]),
            "sis_group_id": None,
            "sis_import_id": None,
            "storage_quota_mb": 50,
            "uuid": row["uuid"],
            "html_url": f"{base}/groups/{row['id']}",
            "permissions": {"create_discussion_topic": True, "create_announcement": True},
            "concluded": row["course_state"] == "completed",
        }
        if kind == "Course":
            item["course_id"] = row["course_id"]
        else:
            item["account_id"] = 1
        items.append(item)
    page, headers = paginate(request, p, items)
    return render(request, page, headers=headers)


def _own(handler: Any) -> Any:
    """``/users/<own id>/…`` is the same as ``/users/self/…`` (canvasapi uses the id);
    other users' records are not the sandbox's business."""

    async def endpoint(request: Request) -> Response:
        if request.path_params["user_id"] != current_user_id(request):
            raise not_found()
        return await handler(request)  # type: ignore[no-any-return]

    return endpoint


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/users/self", users_self, methods=["GET"]),
        Route("/api/v1/users/self/profile", profile, methods=["GET"]),
        Route("/api/v1/users/self/groups", groups, methods=["GET"]),
        Route("/api/v1/users/{user_id:int}", _own(users_self), methods=["GET"]),
        Route("/api/v1/users/{user_id:int}/profile", _own(profile), methods=["GET"]),
        Route("/api/v1/users/{user_id:int}/groups", _own(groups), methods=["GET"]),
        Route("/api/v1/courses", courses, methods=["GET"]),
    ]
