"""A small school for the service tests, and helpers to look at Canvas (the sandbox)
directly, behind the service's back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from canvas_inbox.sandbox.runner import RunningSandbox
from canvas_inbox.service import Event

TEACHER, SAM, ALEX, LOU = 1, 2, 3, 4
BIO = 12
LAB = 3
TOKENS = {TEACHER: "token-jane", SAM: "token-sam", ALEX: "token-alex", LOU: "token-lou"}
WAIT = 15.0  # seconds a condition may take to become true (not a speed assertion)


def _user(uid: int, first: str, last: str) -> dict[str, Any]:
    return {
        "id": uid,
        "name": f"{first} {last}",
        "short_name": first,
        "sortable_name": f"{last}, {first}",
        "login_id": f"{first.lower()}@example.edu",
        "token": TOKENS[uid],
    }


def school() -> dict[str, Any]:
    """Sam (a student, the user of the app) with a teacher and a classmate; Lou shares
    nothing with anyone. Subjects say what each conversation is for."""
    return {
        "users": [
            _user(TEACHER, "Jane", "Teacher"),
            _user(SAM, "Sam", "Student"),
            _user(ALEX, "Alex", "Lab"),
            _user(LOU, "Lou", "Loner"),
        ],
        "courses": [
            {
                "id": BIO,
                "name": "Biology 101",
                "course_code": "BIO101",
                "workflow_state": "available",
                "enrollments": [
                    {"user_id": TEACHER, "type": "TeacherEnrollment"},
                    {"user_id": SAM, "type": "StudentEnrollment"},
                    {"user_id": ALEX, "type": "StudentEnrollment"},
                ],
            }
        ],
        "groups": [{"id": LAB, "name": "Lab Team", "course_id": BIO, "members": [SAM, ALEX]}],
        "conversations": [
            {
                "from": TEACHER, "to": [str(SAM)], "subject": "Welcome Sam",
                "body": "Welcome to Biology, read chapter one.", "context_code": f"course_{BIO}",
                "created_at": "2026-09-01T10:00:00Z",
            },
            {
                "from": ALEX, "to": [str(SAM)], "subject": "Lab notes",
                "body": "Here are the lab notes about mitochondria.",
                "created_at": "2026-09-02T10:00:00Z",
                "replies": [
                    {"from": SAM, "body": "Thanks Alex", "created_at": "2026-09-02T11:00:00Z"}
                ],
                "read_by": [SAM],
            },
            {
                "from": TEACHER, "to": [str(SAM), str(ALEX)], "subject": "Project groups",
                "body": "Form groups of two.", "group_conversation": True,
                "context_code": f"course_{BIO}", "created_at": "2026-09-03T10:00:00Z",
                "replies": [
                    {"from": ALEX, "body": "I will pair with Sam.",
                     "created_at": "2026-09-03T12:00:00Z"}
                ],
            },
            {
                "from": TEACHER, "to": [str(ALEX)], "subject": "Private for Alex",
                "body": "Sam never sees this.", "created_at": "2026-09-04T10:00:00Z",
            },
            {
                "from": SAM, "to": [str(TEACHER)], "subject": "Homework question",
                "body": "When is the homework due?", "created_at": "2026-09-05T10:00:00Z",
            },
        ],
    }  # fmt: skip


class Recorder:
    """Collects the service's events for assertions."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class Canvas:
    """The sandbox seen directly by one user (what Canvas really holds)."""

    def __init__(self, sandbox: RunningSandbox, user: int) -> None:
        self.sandbox = sandbox
        self.headers = {"Authorization": f"Bearer {TOKENS[user]}"}

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.sandbox.api, headers=self.headers) as client:
            response = await client.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params=params)

    async def conversations(self, scope: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"per_page": 100}
        if scope:
            params["scope"] = scope
        return list(await self.get("/conversations", **params))

    async def find(self, subject: str, scope: str | None = None) -> dict[str, Any]:
        for item in await self.conversations(scope):
            if item["subject"] == subject:
                return dict(item)
        raise AssertionError(f"no conversation {subject!r} in {scope or 'inbox'}")

    async def copies(self, body: str) -> int:
        """How many messages with this body the user can see, in any conversation."""
        found = 0
        for scope in (None, "archived"):
            for item in await self.conversations(scope):
                shown = await self.show(item["id"])
                found += sum(1 for m in shown["messages"] if m["body"] == body)
        return found

    async def show(self, cid: int) -> dict[str, Any]:
        return dict(await self.get(f"/conversations/{cid}", auto_mark_as_read="false"))

    async def status(self, cid: int) -> int:
        async with httpx.AsyncClient(base_url=self.sandbox.api, headers=self.headers) as client:
            response = await client.get(
                f"/conversations/{cid}", params={"auto_mark_as_read": "false"}
            )
        return response.status_code

    async def unread_count(self) -> int:
        return int((await self.get("/conversations/unread_count"))["unread_count"])


async def until(condition: Callable[[], object], what: str, within: float = WAIT) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")
