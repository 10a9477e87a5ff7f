"""Files: Canvas's three-step upload into the caller's folders, the File object, downloads.

Step 1 ``POST /api/v1/users/self/files`` (name, size, content_type, parent_folder_path or
parent_folder_id, on_duplicate) answers ``{"upload_url", "upload_params"}``; step 2 is a
multipart POST of those params plus the ``file`` field (last) to ``upload_url``, without
the Canvas token: a one-time ticket in the params stands in for it; it answers 201 with
the File JSON and a ``Location`` (the file's API URL) that step 3 may GET with the token.

Only files in the sender's ``conversation attachments`` folder (a child of "my files")
can be attached to messages (§10): ``attachable_ids`` is that rule, for the engine.
"""

from __future__ import annotations

import json
import mimetypes
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from canvas_inbox.sandbox.db import utc_now
from canvas_inbox.sandbox.http import (
    MAX_BODY_BYTES,
    current_user_id,
    generic_error,
    not_found,
    params,
    render,
    request_token,
    unauthorized,
)

ROOT_FOLDER = "my files"
ATTACHMENTS_FOLDER = "conversation attachments"
MAX_UPLOAD_BYTES = MAX_BODY_BYTES
TICKET_LIFETIME = 30 * 60.0  # seconds an upload_url stays usable
UPLOAD_PATH = "/files_api/upload"

_MIME_CLASSES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xls",
    "text/csv": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt",
    "application/zip": "zip",
    "text/html": "html",
}


def mime_class(content_type: str) -> str:
    """Canvas's coarse file kind, used by clients to pick an icon."""
    if content_type in _MIME_CLASSES:
        return _MIME_CLASSES[content_type]
    kind = content_type.split("/", 1)[0]
    if kind in ("image", "audio", "video", "text"):
        return kind
    return "file"


# ---------------------------------------------------------------- folders and rows


def _folder(conn: sqlite3.Connection, user_id: int, name: str, parent_id: int | None) -> int:
    if parent_id is None:
        row = conn.execute(
            "SELECT id FROM folders WHERE user_id = ? AND parent_id IS NULL AND name = ?",
            (user_id, name),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT id FROM folders WHERE user_id = ? AND parent_id = ? AND name = ?",
            (user_id, parent_id, name),
        ).fetchone()
    if row is not None:
        return int(row[0])
    cursor = conn.execute(
        "INSERT INTO folders (user_id, name, parent_id) VALUES (?, ?, ?)",
        (user_id, name, parent_id),
    )
    return int(cursor.lastrowid or 0)


def root_folder(conn: sqlite3.Connection, user_id: int) -> int:
    """The user's "my files" folder, made on first use (call inside a write)."""
    return _folder(conn, user_id, ROOT_FOLDER, None)


def folder_for_path(conn: sqlite3.Connection, user_id: int, path: str) -> int:
    """A folder by its path below "my files", each missing part created (in a write)."""
    folder = root_folder(conn, user_id)
    for part in PurePosixPath(path.strip()).parts:
        if part in ("/", "", "."):
            continue
        if part == "..":
            raise generic_error("invalid parent_folder_path")
        if part == ROOT_FOLDER and folder == root_folder(conn, user_id):
            continue  # "my files/conversation attachments" names the same folder
        folder = _folder(conn, user_id, part, folder)
    return folder


def attachments_folder(conn: sqlite3.Connection, user_id: int) -> int:
    """The user's "conversation attachments" folder, made on first use (in a write)."""
    return _folder(conn, user_id, ATTACHMENTS_FOLDER, root_folder(conn, user_id))


def _unique_name(conn: sqlite3.Connection, folder_id: int, name: str) -> str:
    taken = {
        row[0]
        for row in conn.execute("SELECT display_name FROM files WHERE folder_id = ?", (folder_id,))
    }
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    counter = 1
    while True:
        candidate = f"{stem}-{counter}.{suffix}" if suffix else f"{stem}-{counter}"
        if candidate not in taken:
            return candidate
        counter += 1


def store_file(
    conn: sqlite3.Connection,
    user_id: int,
    filename: str,
    content_type: str | None,
    data: bytes,
    *,
    folder_id: int | None = None,
    on_duplicate: str = "rename",
    created_at: str | None = None,
) -> int:
    """Save a file for a user (in a write); by default into "conversation attachments".

    The seed loader uses this for seeded attachments, the upload endpoint for uploads.
    """
    if folder_id is None:
        folder_id = attachments_folder(conn, user_id)
    name = _clean_name(filename)
    if on_duplicate == "rename":
        name = _unique_name(conn, folder_id, name)
    kind = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    moment = created_at or utc_now()
    cursor = conn.execute(
        "INSERT INTO files (user_id, folder_id, uuid, display_name, filename, content_type,"
        " size, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (user_id, folder_id, secrets.token_urlsafe(30), name, name, kind, len(data), data,
         moment, moment),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


def _clean_name(name: str) -> str:
    """A display name without path parts or control characters; never empty."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:255] or "file"


def attachable_ids(conn: sqlite3.Connection, user_id: int, ids: list[int]) -> list[int]:
    """The ids among ``ids`` that the user may attach: their own files in their
    "conversation attachments" folder. Order kept, duplicates and the rest dropped (§10)."""
    wanted = []
    for value in ids:
        if isinstance(value, int) and not isinstance(value, bool) and value not in wanted:
            wanted.append(value)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = conn.execute(
        f"SELECT f.id FROM files f JOIN folders d ON d.id = f.folder_id"  # noqa: S608 - only ?s
        f" JOIN folders r ON r.id = d.parent_id"
        f" WHERE f.user_id = ? AND d.user_id = ? AND d.name = ? AND r.parent_id IS NULL"
        f" AND r.name = ? AND f.id IN ({marks})",
        (user_id, user_id, ATTACHMENTS_FOLDER, ROOT_FOLDER, *wanted),
    ).fetchall()
    found = {int(row[0]) for row in rows}
    return [value for value in wanted if value in found]


def file_json(conn: sqlite3.Connection, file_id: int, base_url: str) -> dict[str, Any]:
    """The Canvas File object (§3.3) for a stored file; KeyError when there is none."""
    row = conn.execute(
        "SELECT id, folder_id, uuid, display_name, filename, content_type, size, created_at,"
        " updated_at FROM files WHERE id = ?",
        (file_id,),
    ).fetchone()
    if row is None:
        raise KeyError(file_id)
    base = base_url.rstrip("/")
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "folder_id": row["folder_id"],
        "display_name": row["display_name"],
        "filename": row["filename"],
        "upload_status": "success",
        "content-type": row["content_type"],
        "url": f"{base}/files/{row['id']}/download?download_frd=1&verifier={row['uuid']}",
        "size": row["size"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "unlock_at": None,
        "locked": False,
        "hidden": False,
        "lock_at": None,
        "hidden_for_user": False,
        "thumbnail_url": None,
        "modified_at": row["updated_at"],
        "mime_class": mime_class(row["content_type"]),
        "media_entry_id": None,
        "category": "uncategorized",
        "locked_for_user": False,
    }


def can_read(conn: sqlite3.Connection, user_id: int, file_id: int) -> bool:
    """Owners read their files; so does anyone holding a message that attaches the file,
    directly or inside a forwarded message."""
    owner = conn.execute("SELECT user_id FROM files WHERE id = ?", (file_id,)).fetchone()
    if owner is None:
        return False
    if owner[0] == user_id:
        return True
    pattern = f"%{file_id}%"
    rows = conn.execute(
        "SELECT m.attachment_ids, m.forwarded_message_ids FROM messages m"
        " JOIN message_participants mp ON mp.message_id = m.id"
        " WHERE mp.user_id = ? AND mp.workflow_state = 'active'"
        " AND (m.attachment_ids LIKE ? OR m.forwarded_message_ids != '[]')",
        (user_id, pattern),
    ).fetchall()
    forwarded: set[int] = set()
    for attachments, forwards in rows:
        if file_id in json.loads(attachments):
            return True
        forwarded.update(json.loads(forwards))
    seen: set[int] = set()
    while forwarded - seen:  # forwarded messages nest; follow them down
        batch = list(forwarded - seen)
        seen.update(batch)
        marks = ",".join("?" * len(batch))
        for attachments, forwards in conn.execute(
            f"SELECT attachment_ids, forwarded_message_ids FROM messages WHERE id IN ({marks})",  # noqa: S608
            batch,
        ):
            if file_id in json.loads(attachments):
                return True
            forwarded.update(json.loads(forwards))
    return False


# ---------------------------------------------------------------- upload tickets


@dataclass(frozen=True, slots=True)
class _Ticket:
    user_id: int
    name: str
    content_type: str | None
    folder_id: int
    on_duplicate: str
    expires: float


def _tickets(request: Request) -> dict[str, _Ticket]:
    tickets: dict[str, _Ticket] | None = getattr(request.app.state, "upload_tickets", None)
    if tickets is None:
        tickets = request.app.state.upload_tickets = {}
    return tickets


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# ---------------------------------------------------------------- routes


async def start_upload(request: Request) -> Response:
    """Step 1: where and how to send the bytes."""
    user_id = current_user_id(request)
    p = await params(request)
    name = p.str("name") or p.str("filename")
    if not name or not name.strip():
        raise generic_error("name is required")
    size = p.int("size")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise generic_error("file size exceeds quota", status=400)
    on_duplicate = p.str("on_duplicate") or "overwrite"
    if on_duplicate not in ("overwrite", "rename"):
        raise generic_error("invalid on_duplicate option")
    folder_id_param = p.str("parent_folder_id")
    with request.app.state.db.write() as tx:
        if folder_id_param:
            row = tx.conn.execute(
                "SELECT id FROM folders WHERE id = ? AND user_id = ?",
                (p.int("parent_folder_id"), user_id),
            ).fetchone()
            if row is None:
                raise not_found()
            folder_id = int(row[0])
        else:
            folder_id = folder_for_path(tx.conn, user_id, p.str("parent_folder_path") or "")
    now = time.monotonic()
    tickets = _tickets(request)
    for key in [k for k, t in tickets.items() if t.expires < now]:
        del tickets[key]
    ticket = secrets.token_urlsafe(32)
    content_type = p.str("content_type") or None
    tickets[ticket] = _Ticket(
        user_id, _clean_name(name), content_type, folder_id, on_duplicate,
        now + TICKET_LIFETIME,
    )  # fmt: skip
    upload_params: dict[str, Any] = {"filename": _clean_name(name), "upload_ticket": ticket}
    if content_type:
        upload_params["content_type"] = content_type
    return render(
        request,
        {
            "upload_url": f"{_base(request)}{UPLOAD_PATH}",
            "upload_params": upload_params,
            "file_param": "file",
            "progress": None,
        },
    )


async def receive_upload(request: Request) -> Response:
    """Step 2: the bytes, without the Canvas token (the ticket authorises them once)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise generic_error("Request Entity Too Large", status=413)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise generic_error("the upload must be multipart/form-data")
    try:
        form = await request.form(max_files=1, max_fields=50)
    except Exception as exc:  # python-multipart's parse errors have no common base
        raise generic_error("The request body could not be parsed.") from exc
    try:
        items = form.multi_items()
        ticket_value = form.get("upload_ticket")
        ticket = (
            _tickets(request).pop(ticket_value, None) if isinstance(ticket_value, str) else None
        )
        if ticket is None or ticket.expires < time.monotonic():
            raise generic_error("upload ticket missing, used or expired", status=401)
        upload = items[-1][1] if items else None
        if not items or items[-1][0] != "file" or not isinstance(upload, UploadFile):
            raise generic_error("the file must be sent last, in the field named file")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
    finally:
        await form.close()
    if len(data) > MAX_UPLOAD_BYTES:
        raise generic_error("Request Entity Too Large", status=413)
    content_type = ticket.content_type or upload.content_type
    if content_type in (None, "", "application/octet-stream"):
        content_type = mimetypes.guess_type(ticket.name)[0] or "application/octet-stream"
    with request.app.state.db.write() as tx:
        file_id = store_file(
            tx.conn, ticket.user_id, ticket.name, content_type, data,
            folder_id=ticket.folder_id, on_duplicate=ticket.on_duplicate,
        )  # fmt: skip
        body = file_json(tx.conn, file_id, _base(request))
    location = f"{_base(request)}/api/v1/files/{file_id}"
    return render(request, body, status=201, headers={"Location": location})


def _file_id(request: Request) -> int:
    return int(request.path_params["file_id"])


async def show_file(request: Request) -> Response:
    """``GET /api/v1/files/:id``: for the owner and for those who received it."""
    user_id = current_user_id(request)
    file_id = _file_id(request)
    with request.app.state.db.read() as conn:
        exists = conn.execute("SELECT 1 FROM files WHERE id = ?", (file_id,)).fetchone()
        if exists is None:
            raise not_found()
        if not can_read(conn, user_id, file_id):
            raise unauthorized()
        body = file_json(conn, file_id, _base(request))
    return render(request, body)


async def download(request: Request) -> Response:
    """The bytes: with the file's verifier (as in its ``url``) or as a reader with a token."""
    file_id = _file_id(request)
    with request.app.state.db.read() as conn:
        row = conn.execute(
            "SELECT uuid, display_name, content_type, data FROM files WHERE id = ?", (file_id,)
        ).fetchone()
        if row is None:
            raise not_found()
        verifier = request.query_params.get("verifier")
        if verifier is None or not secrets.compare_digest(verifier, row["uuid"]):
            if request_token(request) is None:
                raise generic_error("user authorization required", status=401)
            if not can_read(conn, current_user_id(request), file_id):
                raise unauthorized()
        name = row["display_name"]
        data = bytes(row["data"])
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data,
        media_type=row["content_type"],
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


async def _own_upload(request: Request) -> Response:
    """``/users/<own id>/files`` (canvasapi's form) is ``/users/self/files``."""
    if request.path_params["user_id"] != current_user_id(request):
        raise unauthorized()
    return await start_upload(request)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/users/self/files", start_upload, methods=["POST"]),
        Route("/api/v1/users/{user_id:int}/files", _own_upload, methods=["POST"]),
        Route(UPLOAD_PATH, receive_upload, methods=["POST"]),
        Route("/api/v1/files/{file_id:int}", show_file, methods=["GET"]),
        Route("/files/{file_id:int}/download", download, methods=["GET"]),
        Route("/api/v1/files/{file_id:int}/download", download, methods=["GET"]),
    ]
