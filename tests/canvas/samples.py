"""Canvas JSON as the spec shows it, in both [version] flavours."""

from __future__ import annotations

from typing import Any


def participant(uid: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": uid, "name": name, "full_name": f"{name} Smith", "pronouns": None, **extra}


def message(mid: int, author: int, body: str = "sure thing", **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "created_at": "2026-09-02T12:00:00Z",
        "body": body,
        "author_id": author,
        "generated": False,
        "media_comment": None,
        "forwarded_messages": [],
        "attachments": [],
        "participating_user_ids": [1, author],
        **extra,
    }


def conversation(cid: int, **extra: Any) -> dict[str, Any]:
    """Index flavour, recent server."""
    return {
        "id": cid,
        "subject": f"Subject {cid}",
        "workflow_state": "unread",
        "last_message": "Hi all",
        "last_message_at": "2026-09-01T10:00:00Z",
        "last_authored_message": None,
        "last_authored_message_at": None,
        "message_count": 2,
        "subscribed": True,
        "private": False,
        "starred": False,
        "properties": ["attachments"],
        "audience": [2],
        "audience_contexts": {"courses": {"12": ["StudentEnrollment"]}, "groups": {}},
        "avatar_url": "https://school.example.edu/images/messages/avatar-50.png",
        "participants": [participant(1, "Jane"), participant(2, "Bob")],
        "visible": True,
        "context_code": "course_12",
        "context_name": "Biology 101",
        **extra,
    }


def old_conversation(cid: int) -> dict[str, Any]:
    """An older server: no pronouns, starred null, string ids, no context_name."""
    data = conversation(cid)
    data["id"] = str(cid)
    data["starred"] = None
    data["audience"] = ["2"]
    data["participants"] = [{"id": "1", "name": "Jane"}, {"id": "2", "name": "Bob"}]
    del data["context_name"]
    return data


def attachment(fid: int, *, url_tail: str = "verifier=abc") -> dict[str, Any]:
    return {
        "id": fid,
        "uuid": "u-1",
        "folder_id": 7,
        "display_name": "notes.pdf",
        "filename": "notes.pdf",
        "content-type": "application/pdf",
        "url": f"https://school.example.edu/files/{fid}/download?download_frd=1&{url_tail}",
        "size": 1234,
        "created_at": "2026-09-01T10:00:00Z",
        "updated_at": "2026-09-01T10:00:00Z",
        "unlock_at": None,
        "locked": False,
        "hidden": False,
        "lock_at": None,
        "locked_for_user": False,
        "hidden_for_user": False,
        "thumbnail_url": None,
        "modified_at": "2026-09-01T10:00:00Z",
        "mime_class": "pdf",
        "media_entry_id": None,
        "category": "uncategorized",
        "upload_status": "success",
    }


def progress(pid: int, state: str = "queued", message: str | None = None) -> dict[str, Any]:
    return {
        "id": pid,
        "context_id": 1,
        "context_type": "User",
        "user_id": 1,
        "tag": "conversation_batch_update",
        "completion": 0.0 if state == "queued" else 100.0,
        "workflow_state": state,
        "created_at": "2026-09-01T10:00:00Z",
        "updated_at": "2026-09-01T10:00:00Z",
        "message": message,
        "url": f"https://school.example.edu/api/v1/progress/{pid}",
    }
