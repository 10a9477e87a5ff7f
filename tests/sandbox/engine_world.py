"""A small school for SANDBOX-ENGINE's own tests, and an HTTP client per user."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from canvas_inbox.sandbox.runner import RunningSandbox

TEACHER, TA, ANN, BEN, CAT, OBSERVER, STRANGER = 1, 2, 3, 4, 5, 6, 7
COURSE, OLD_COURSE, GROUP = 10, 20, 30

_PEOPLE = {
    TEACHER: "Tom Teacher",
    TA: "Tess Assistant",
    ANN: "Ann Student",
    BEN: "Ben Student",
    CAT: "Cat Student",
    OBSERVER: "Olga Observer",
    STRANGER: "Sid Stranger",
}

SCHOOL: dict[str, Any] = {
    "users": [
        {"id": uid, "name": name, "short_name": name.split()[0], "token": f"tok-{uid}"}
        for uid, name in _PEOPLE.items()
    ],
    "courses": [
        {
            "id": COURSE,
            "name": "Biology",
            "workflow_state": "available",
            "sections": [{"id": 11, "name": "A"}, {"id": 12, "name": "B"}],
            "enrollments": [
                {"user_id": TEACHER, "type": "TeacherEnrollment", "section_id": 11},
                {"user_id": TA, "type": "TaEnrollment", "section_id": 11},
                {"user_id": ANN, "type": "StudentEnrollment", "section_id": 11},
                {"user_id": BEN, "type": "StudentEnrollment", "section_id": 11},
                {"user_id": CAT, "type": "StudentEnrollment", "section_id": 12},
                {"user_id": OBSERVER, "type": "ObserverEnrollment", "observed_user_id": ANN},
            ],
        },
        {
            "id": OLD_COURSE,
            "name": "Old History",
            "workflow_state": "completed",
            "enrollments": [
                {"user_id": TEACHER, "type": "TeacherEnrollment"},
                {"user_id": ANN, "type": "StudentEnrollment"},
            ],
        },
    ],
    "groups": [{"id": GROUP, "name": "Lab", "course_id": COURSE, "members": [ANN, BEN]}],
}


def school(**extra: Any) -> dict[str, Any]:
    seed = copy.deepcopy(SCHOOL)
    seed.update(copy.deepcopy(extra))
    return seed


class Clients:
    """``clients[user_id]`` is an httpx client authenticated as that user."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self._clients: dict[int, httpx.Client] = {}

    def __getitem__(self, user_id: int) -> httpx.Client:
        if user_id not in self._clients:
            self._clients[user_id] = httpx.Client(
                base_url=self.sandbox.api,
                headers={"Authorization": f"Bearer {self.sandbox.token(user_id)}"},
                timeout=10,
            )
        return self._clients[user_id]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def start(factory: Callable[..., RunningSandbox], seed: dict[str, Any] | None = None,
          **options: Any) -> Clients:  # fmt: skip
    return Clients(factory(seed=seed or school(), **options))


def school_clients(factory: Callable[..., RunningSandbox]) -> Iterator[Clients]:
    """For a module's ``clients`` fixture: the small school with no conversations."""
    made = start(factory)
    yield made
    made.close()
