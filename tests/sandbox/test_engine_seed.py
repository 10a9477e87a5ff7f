"""The seed loader: seeded mail obeys the API's rules, its extensions land, bad seeds are
one clear line, and --db keeps a sandbox across starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from canvas_inbox.sandbox.app import create_app
from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox
from canvas_inbox.sandbox.seed import SeedError
from tests.sandbox.engine_world import (
    ANN,
    BEN,
    COURSE,
    OLD_COURSE,
    STRANGER,
    TEACHER,
    school,
    start,
)

HISTORY = [
    {
        "from": TEACHER, "to": [str(ANN), str(BEN)], "group_conversation": True,
        "subject": "Lab safety", "body": "Goggles on", "context_code": f"course_{COURSE}",
        "created_at": "2026-09-01T10:00:00Z",
        "attachments": [{"filename": "rules.txt", "content_type": "text/plain",
                         "text": "be careful"}],
        "replies": [{"from": ANN, "body": "ok", "created_at": "2026-09-01T11:00:00Z"}],
        "read_by": [BEN], "starred_by": [ANN],
    },
    {
        "from": BEN, "to": [str(ANN)], "body": "see this", "forwarded_from": 0,
        "created_at": "2026-09-02T09:00:00Z", "archived_by": [ANN],
        "media_comment": {"media_id": "m-1", "media_type": "audio", "display_name": "memo"},
    },
    {
        "from": TEACHER, "to": [str(ANN)], "body": "essay back", "subject": "Essay",
        "context_code": f"course_{OLD_COURSE}", "created_at": "2026-06-01T09:00:00Z",
    },
]  # fmt: skip


def test_seeded_history_shows_through_the_api(
    sandbox_factory: Callable[..., RunningSandbox],
) -> None:
    clients = start(sandbox_factory, school(conversations=HISTORY))
    ann = clients[ANN]
    inbox = ann.get("/conversations").json()
    assert [c["subject"] for c in inbox] == ["Lab safety", "Essay"]
    lab = inbox[0]
    assert lab["starred"] is True
    assert lab["last_message_at"] == "2026-09-01T10:00:00Z"  # her own reply does not count
    assert lab["properties"] == ["last_author", "attachments"]
    assert lab["context_name"] == "Biology"
    ben_lab = clients[BEN].get("/conversations").json()
    assert [(c["subject"], c["workflow_state"]) for c in ben_lab] == [("Lab safety", "read")]

    [archived] = ann.get("/conversations", params={"scope": "archived"}).json()
    shown = ann.get(f"/conversations/{archived['id']}").json()
    [message] = shown["messages"]
    assert message["media_comment"]["media_type"] == "audio"
    assert message["media_comment"]["display_name"] == "memo"
    forwarded = message["forwarded_messages"]
    assert [m["body"] for m in forwarded] == ["ok", "Goggles on"]  # newest first
    assert forwarded[1]["attachments"][0]["display_name"] == "rules.txt"
    assert TEACHER in [p["id"] for p in shown["participants"]]  # an indirect participant


def test_a_concluded_course_keeps_its_mail_but_locks_replies(
    sandbox_factory: Callable[..., RunningSandbox],
) -> None:
    clients = start(sandbox_factory, school(conversations=HISTORY))
    essay = next(c for c in clients[ANN].get("/conversations").json() if c["subject"] == "Essay")
    shown = clients[ANN].get(f"/conversations/{essay['id']}").json()
    assert shown["cannot_reply"] is True
    refused = clients[ANN].post(f"/conversations/{essay['id']}/add_message", data={"body": "x"})
    assert refused.status_code == 403
    assert refused.json()["status"] == "unauthorized"


@pytest.mark.parametrize(
    ("seed", "words"),
    [
        ({"users": "nobody"}, '"users" list'),
        (school(conversations=[{"from": 99, "to": ["1"], "body": "x"}]), "conversations[0]"),
        (school(conversations=[{"from": ANN, "to": [str(STRANGER)], "body": "x"}]),
         "recipients invalid"),
        (school(conversations=[{"from": ANN, "to": [str(BEN)], "body": ""}]), "body blank"),
        ({"users": [{"id": 1, "name": "A"}], "courses": [{"id": 1, "enrollments": [
            {"user_id": 1, "type": "KingEnrollment"}]}]}, "KingEnrollment"),
    ],
)  # fmt: skip
def test_a_bad_seed_is_one_line_naming_the_problem(seed: dict[str, object], words: str) -> None:
    with pytest.raises(SeedError) as caught:
        create_app(SandboxOptions(seed=seed))
    message = str(caught.value)
    assert words in message
    assert "\n" not in message


def test_a_missing_seed_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="not found"):
        create_app(SandboxOptions(seed=tmp_path / "nope.json"))


def test_db_keeps_the_sandbox_across_starts(
    sandbox_factory: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    path = tmp_path / "sandbox.db"
    first = sandbox_factory(seed=school(), db_path=path)
    headers = {"Authorization": f"Bearer {first.token(ANN)}"}
    created = httpx.post(
        f"{first.api}/conversations", data={"recipients[]": str(BEN), "body": "kept"},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201
    second = sandbox_factory(seed="empty", db_path=path)  # the seed is not replayed
    listed = httpx.get(
        f"{second.api}/conversations", params={"scope": "sent"}, headers=headers
    ).json()
    assert [c["last_authored_message"] for c in listed] == ["kept"]
