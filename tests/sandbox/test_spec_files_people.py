"""§10 attachments and media comments, and the DESIGN contract's people routes
(users/self, users/self/profile, courses with enrollments, users/self/groups)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.conftest import World
from tests.sandbox.seeds import BIO, CHEM, LAB_TEAM, SAM, SUE, TINA
from tests.sandbox.spec_http import Caller

FILE_KEYS = {
    "id",
    "uuid",
    "folder_id",
    "display_name",
    "filename",
    "content-type",
    "url",
    "size",
    "created_at",
    "updated_at",
    "unlock_at",
    "locked",
    "hidden",
    "lock_at",
    "locked_for_user",
    "hidden_for_user",
    "thumbnail_url",
    "modified_at",
    "mime_class",
    "media_entry_id",
    "category",
    "upload_status",
}


def upload(
    caller: Caller,
    data: bytes,
    *,
    name: str = "notes.txt",
    folder: str = "conversation attachments",
) -> dict[str, Any]:
    """The three steps of §10, as a client does them."""
    r = caller.post(
        "users/self/files",
        {
            "name": name,
            "size": len(data),
            "content_type": "text/plain",
            "parent_folder_path": folder,
            "on_duplicate": "rename",
        },
    )
    assert r.status_code == 200, r.text
    ticket = r.json()
    # Step 2 goes without the Canvas token; the file field last.
    fields = [(k, (None, str(v))) for k, v in ticket["upload_params"].items()]
    fields.append(("file", (name, data, "text/plain")))
    step2 = httpx.post(ticket["upload_url"], files=fields, follow_redirects=False, timeout=10)
    if step2.is_redirect or (step2.status_code == 201 and "Location" in step2.headers):
        step3 = caller.http.get(step2.headers["Location"])
        assert step3.status_code in {200, 201}, step3.text
        return step3.json()
    assert step2.status_code in {200, 201}, step2.text
    return step2.json()


def test_10_upload_flow_gives_a_file(tina: Caller) -> None:
    """§10: POST users/self/files ⇒ upload_url + upload_params; multipart POST without the
    token, file last; then the File JSON (Canvas File object keys)."""
    file = upload(tina, b"lab notes")
    assert set(file) >= FILE_KEYS
    assert file["display_name"] == "notes.txt"
    assert file["size"] == len(b"lab notes")
    r = tina.get(f"files/{file['id']}")
    assert r.status_code == 200
    assert r.json()["id"] == file["id"]


def test_10_attachment_on_message(tina: Caller, sam: Caller) -> None:
    """§10/§3.3: an attached file appears in the message's attachments, raises the
    attachments property for every participant, and downloads with its url."""
    file = upload(tina, b"lab notes")
    conv = tina.create([SAM], "see attached", attachment_ids=[file["id"]])
    (att,) = conv["messages"][0]["attachments"]
    assert att["id"] == file["id"]
    assert set(att) >= FILE_KEYS
    assert "/files/" in att["url"]
    assert "download" in att["url"]
    assert conv["properties"] == ["last_author", "attachments"]
    (row,) = sam.listing()
    assert row["properties"] == ["attachments"]
    got = sam.http.get(sam.show(conv["id"])["messages"][0]["attachments"][0]["url"])
    assert got.status_code == 200
    assert got.content == b"lab notes"


def test_10_file_outside_attachments_folder_dropped(tina: Caller, sam: Caller) -> None:
    """§10/§13.17: a file in another folder is silently dropped (201, no attachment)."""
    file = upload(tina, b"private", folder="my stuff")
    conv = tina.create([SAM], "nothing attached", attachment_ids=[file["id"]])
    assert conv["messages"][0]["attachments"] == []
    assert "attachments" not in conv["properties"]


def test_10_other_users_file_dropped(tina: Caller, sam: Caller) -> None:
    """§10: only the sender's own attachments folder counts: another user's file is dropped."""
    theirs = upload(sam, b"Sam's")
    conv = tina.create([SUE], "try to attach", attachment_ids=[theirs["id"], 987654])
    assert conv["messages"][0]["attachments"] == []


def test_10_attachment_on_reply(tina: Caller, sam: Caller) -> None:
    """§10/§4.9: attachment_ids work on add_message too."""
    conv = tina.create([SAM], "hi")
    file = upload(sam, b"homework")
    reply = sam.reply(conv["id"], "here it is", attachment_ids=[file["id"]])
    assert [a["id"] for a in reply["messages"][0]["attachments"]] == [file["id"]]
    assert "attachments" in tina.listing()[0]["properties"]


def test_10_media_comment(world: World, tina: Caller, sam: Caller) -> None:
    """§10/§3.3: media_comment_id + media_comment_type ⇒ a media_comment object with the
    documented url form; the media_objects property."""
    conv = tina.create([SAM], "listen", media_comment_id="0_abc", media_comment_type="audio")
    media = conv["messages"][0]["media_comment"]
    assert media["media_id"] == "0_abc"
    assert media["media_type"] == "audio"
    assert media["content-type"] == "audio/mp4"
    assert "display_name" in media
    assert media["url"] == (
        f"{world.sandbox.url}/users/{TINA}/media_download?entryId=0_abc&redirect=1&type=mp4"
    )
    assert "media_objects" in sam.listing()[0]["properties"]


def test_10_media_comment_needs_both_parts(tina: Caller) -> None:
    """§10: media_comment_id without a type (or a type without an id) is ignored."""
    a = tina.create([SAM], "one", media_comment_id="0_abc")
    b = tina.create([SUE], "two", media_comment_type="video")
    assert a["messages"][0]["media_comment"] is None
    assert b["messages"][0]["media_comment"] is None


# ---- people routes (DESIGN contract) --------------------------------------------------------


def test_contract_users_self(tina: Caller) -> None:
    """DESIGN: GET /users/self names the token's user."""
    r = tina.get("users/self")
    assert r.status_code == 200
    me = r.json()
    assert me["id"] == TINA
    assert me["name"] == "Tina Teacher"
    assert me["short_name"] == "Tina"
    assert me["sortable_name"] == "Teacher, Tina"


def test_contract_profile(sam: Caller) -> None:
    """DESIGN: GET /users/self/profile."""
    r = sam.get("users/self/profile")
    assert r.status_code == 200
    profile = r.json()
    assert profile["id"] == SAM
    assert profile["name"] == "Sam Student"
    assert profile["login_id"] == "sam@example.edu"


def test_contract_courses_with_enrollments(tina: Caller, sam: Caller) -> None:
    """DESIGN: GET /courses lists the caller's courses with their enrollments."""
    r = tina.get("courses", {"per_page": 100})
    assert r.status_code == 200
    courses = {c["id"]: c for c in r.json()}
    assert {BIO, CHEM} <= set(courses)
    assert courses[BIO]["name"] == "Biology 101"
    assert courses[BIO]["course_code"] == "BIO101"
    assert [e["type"] for e in courses[BIO]["enrollments"]] in (["teacher"], ["TeacherEnrollment"])
    sams = {c["id"] for c in sam.get("courses", {"per_page": 100}).json()}
    assert BIO in sams
    assert CHEM not in sams


def test_contract_groups(sam: Caller, tina: Caller) -> None:
    """DESIGN: GET /users/self/groups lists the caller's groups."""
    r = sam.get("users/self/groups")
    assert r.status_code == 200
    assert [(g["id"], g["name"]) for g in r.json()] == [(LAB_TEAM, "Lab Team")]
    assert tina.get("users/self/groups").json() == []
