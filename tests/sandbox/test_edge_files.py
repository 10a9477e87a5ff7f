"""The three-step upload (§10), File objects, downloads, and who may attach or read what."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from canvas_inbox.sandbox import files
from canvas_inbox.sandbox.db import Database

JANE, BOB, EVE = 1, 2, 5

SEED: dict[str, Any] = {
    "users": [
        {"id": JANE, "name": "Jane Teacher", "short_name": "Jane", "token": "token-jane"},
        {"id": BOB, "name": "Bob Student", "short_name": "Bob", "token": "token-bob"},
        {"id": EVE, "name": "Eve Elsewhere", "short_name": "Eve", "token": "token-eve"},
    ],
    "courses": [
        {"id": 12, "name": "Biology 101", "course_code": "BIO101",
         "sections": [{"id": 5, "name": "Section A"}],
         "enrollments": [
             {"user_id": JANE, "type": "TeacherEnrollment", "section_id": 5},
             {"user_id": BOB, "type": "StudentEnrollment", "section_id": 5}]},
    ],
}  # fmt: skip


TOKENS = {user["id"]: user["token"] for user in SEED["users"]}


def _auth(user: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[user]}"}


class Uploader:
    def __init__(self, api: str) -> None:
        self.api = api

    def start(self, user: int, **fields: Any) -> httpx.Response:
        return httpx.post(f"{self.api}/users/self/files", data=fields, headers=_auth(user))

    def send(
        self, step1: dict[str, Any], content: bytes, name: str = "notes.txt"
    ) -> httpx.Response:
        # The file goes last, without the Canvas token: the ticket in the params is enough.
        return httpx.post(
            step1["upload_url"],
            data=step1["upload_params"],
            files={"file": (name, content, "text/plain")},
        )

    def upload(
        self, user: int, name: str, content: bytes, folder: str = "conversation attachments"
    ) -> dict[str, Any]:
        step1 = self.start(
            user, name=name, size=len(content), content_type="text/plain",
            parent_folder_path=folder,
        )  # fmt: skip
        assert step1.status_code == 200, step1.text
        step2 = self.send(step1.json(), content, name)
        assert step2.status_code == 201, step2.text
        return step2.json()  # type: ignore[no-any-return]


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Any]) -> Any:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    return sandbox_factory(seed=SEED)


@pytest.fixture
def uploader(sandbox: Any) -> Uploader:
    return Uploader(sandbox.api)


def test_the_three_steps_end_to_end(sandbox: Any, uploader: Uploader) -> None:
    step1 = uploader.start(
        JANE, name="lab notes.txt", size=15, content_type="text/plain",
        parent_folder_path="conversation attachments", on_duplicate="rename",
    )  # fmt: skip
    assert step1.status_code == 200
    plan = step1.json()
    assert plan["upload_url"].startswith(sandbox.url)
    assert "token-jane" not in step1.text
    step2 = uploader.send(plan, b"Bring goggles.\n", "lab notes.txt")
    assert step2.status_code == 201
    made = step2.json()
    step3 = httpx.get(step2.headers["location"], headers=_auth(JANE))
    assert step3.status_code == 200
    assert step3.json() == made
    assert made["display_name"] == "lab notes.txt"
    assert made["content-type"] == "text/plain"
    assert made["size"] == 15
    assert made["upload_status"] == "success"
    assert made["mime_class"] == "text"
    assert made["locked"] is False
    download = httpx.get(made["url"])  # the verifier in the URL stands in for a token
    assert download.status_code == 200
    assert download.content == b"Bring goggles.\n"
    assert download.headers["content-type"].startswith("text/plain")
    assert 'filename="lab notes.txt"' in download.headers["content-disposition"]


def test_an_upload_ticket_works_once(uploader: Uploader) -> None:
    plan = uploader.start(JANE, name="a.txt", parent_folder_path="conversation attachments")
    assert uploader.send(plan.json(), b"first").status_code == 201
    again = uploader.send(plan.json(), b"second")
    assert again.status_code == 401
    forged = {**plan.json(), "upload_params": {"upload_ticket": "guess", "filename": "a.txt"}}
    assert uploader.send(forged, b"x").status_code == 401


def test_the_file_field_must_come_last(uploader: Uploader) -> None:
    plan = uploader.start(JANE, name="a.txt").json()
    answer = httpx.post(
        plan["upload_url"],
        files=[
            ("file", ("a.txt", b"x", "text/plain")),
            *((k, (None, str(v))) for k, v in plan["upload_params"].items()),
        ],
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"]


def test_sizes_past_the_limit_are_refused(
    uploader: Uploader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1000)
    assert uploader.start(JANE, name="big.bin", size=5000).status_code == 400
    plan = uploader.start(JANE, name="big.bin").json()
    assert uploader.send(plan, b"x" * 5000).status_code == 413


def test_start_needs_a_name_and_a_token(sandbox: Any, uploader: Uploader) -> None:
    assert uploader.start(JANE).status_code == 400
    anonymous = httpx.post(f"{sandbox.api}/users/self/files", data={"name": "a.txt"})
    assert anonymous.status_code == 401


def test_rename_on_duplicate(uploader: Uploader) -> None:
    first = uploader.upload(JANE, "notes.txt", b"1")
    plan = uploader.start(
        JANE, name="notes.txt", parent_folder_path="conversation attachments",
        on_duplicate="rename",
    ).json()  # fmt: skip
    second = uploader.send(plan, b"2").json()
    assert first["display_name"] == "notes.txt"
    assert second["display_name"] == "notes-1.txt"
    assert second["folder_id"] == first["folder_id"]


def test_only_conversation_attachments_can_be_attached(sandbox: Any, uploader: Uploader) -> None:
    good = uploader.upload(JANE, "syllabus.txt", b"Week 1: cells")
    elsewhere = uploader.upload(JANE, "private.txt", b"my own", folder="homework")
    bobs = uploader.upload(BOB, "bob.txt", b"not jane's")
    answer = httpx.post(
        f"{sandbox.api}/conversations",
        data={
            "recipients[]": str(BOB), "body": "see attached", "subject": "Files",
            "attachment_ids[]": [str(good["id"]), str(elsewhere["id"]), str(bobs["id"])],
        },
        headers=_auth(JANE),
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    attachments = answer.json()[0]["messages"][0]["attachments"]
    assert [a["id"] for a in attachments] == [good["id"]]
    assert attachments[0]["display_name"] == "syllabus.txt"
    # Bob received it, so he may read it; Eve did not.
    assert httpx.get(f"{sandbox.api}/files/{good['id']}", headers=_auth(BOB)).status_code == 200
    refused = httpx.get(f"{sandbox.api}/files/{good['id']}", headers=_auth(EVE))
    assert refused.status_code == 403
    assert refused.json()["status"] == "unauthorized"
    assert httpx.get(f"{sandbox.api}/files/{elsewhere['id']}", headers=_auth(BOB)).status_code == (
        403
    )
    assert httpx.get(f"{sandbox.api}/files/999999", headers=_auth(BOB)).status_code == 404


def test_downloads_need_the_verifier_or_a_reader(sandbox: Any, uploader: Uploader) -> None:
    made = uploader.upload(JANE, "secret.txt", b"quiz answers")
    bare = f"{sandbox.url}/files/{made['id']}/download?download_frd=1"
    assert httpx.get(bare).status_code == 401
    assert httpx.get(f"{bare}&verifier=wrong").status_code == 401
    assert httpx.get(bare, headers=_auth(EVE)).status_code == 403
    assert httpx.get(bare, headers=_auth(JANE)).content == b"quiz answers"


# ---------------------------------------------------------------- the engine's helpers


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    database = Database()
    with database.write() as tx:
        yield tx.conn


def test_attachable_ids_keeps_own_attachment_folder_files_in_order(
    conn: sqlite3.Connection,
) -> None:
    first = files.store_file(conn, JANE, "a.txt", "text/plain", b"a")
    second = files.store_file(conn, JANE, "b.txt", None, b"b")
    elsewhere = files.store_file(
        conn, JANE, "c.txt", "text/plain", b"c", folder_id=files.folder_for_path(conn, JANE, "hw")
    )
    bobs = files.store_file(conn, BOB, "d.txt", "text/plain", b"d")
    wanted = [second, elsewhere, bobs, 4242, first, second, True]
    assert files.attachable_ids(conn, JANE, wanted) == [second, first]
    assert files.attachable_ids(conn, JANE, []) == []


def test_file_json_describes_a_stored_file(conn: sqlite3.Connection) -> None:
    file_id = files.store_file(conn, JANE, "../../etc/report.pdf", None, b"%PDF-1.4")
    body = files.file_json(conn, file_id, "http://127.0.0.1:9/")
    assert body["display_name"] == "report.pdf"
    assert body["content-type"] == "application/pdf"
    assert body["mime_class"] == "pdf"
    assert body["url"] == (
        f"http://127.0.0.1:9/files/{file_id}/download?download_frd=1&verifier={body['uuid']}"
    )
    with pytest.raises(KeyError):
        files.file_json(conn, 999, "http://h")


def test_parent_folder_id_and_bad_options(uploader: Uploader) -> None:
    first = uploader.upload(JANE, "a.txt", b"a")
    by_id = uploader.start(JANE, name="b.txt", parent_folder_id=first["folder_id"])
    assert by_id.status_code == 200
    second = uploader.send(by_id.json(), b"b", "b.txt").json()
    assert second["folder_id"] == first["folder_id"]
    assert uploader.start(BOB, name="x.txt", parent_folder_id=first["folder_id"]).status_code == (
        404
    )
    assert uploader.start(JANE, name="x.txt", on_duplicate="explode").status_code == 400
    assert uploader.start(JANE, name="x.txt", parent_folder_path="../etc").status_code == 400
    nested = uploader.upload(JANE, "c.txt", b"c", folder="my files/conversation attachments")
    assert nested["folder_id"] == first["folder_id"]
