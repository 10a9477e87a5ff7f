"""Reading and per-user state routes: index, show, update, delete, mark_all_as_read,
unread_count, batch_update with its Progress, and the running batches (§4.1–§4.7,
§4.12, §4.13, §4.3)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from canvas_inbox.sandbox.db import Tx, precise_now, utc_now
from canvas_inbox.sandbox.engine import core, scopes
from canvas_inbox.sandbox.engine.common import (
    base_url,
    db,
    includes,
    own_row,
    path_id,
    render_one,
    roster,
)
from canvas_inbox.sandbox.engine.serialize import INDEX, SHOW, UPDATE, Renderer
from canvas_inbox.sandbox.http import (
    MAX_ID,
    authenticate,
    generic_error,
    message_error,
    model_error,
    not_found,
    numbered_links,
    page_and_size,
    paginate,
    params,
    render,
    truthy,
    unauthorized,
)

STATES = frozenset({"read", "unread", "archived"})
BATCH_EVENTS = frozenset({"mark_as_read", "mark_as_unread", "star", "unstar", "archive", "destroy"})
MAX_BATCH_IDS = 500


async def index(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    wanted = includes(p)
    view = replace(
        INDEX,
        participant_avatars="participant_avatars" in wanted,
        include_uuid="uuid" in wanted,
    )
    all_ids = bool(p.str("include_all_conversation_ids"))  # presence, not truth (§4.1)
    with db(request).read() as conn:
        if all_ids:
            ids = scopes.select_ids(conn, roster(request), user_id, selection)
            page_ids, headers = paginate(request, p, ids)
        else:  # only this page's ids are needed, and the count for the Link header
            page, per_page = page_and_size(p)
            total, page_ids = scopes.select_page(
                conn, roster(request), user_id, selection, (page - 1) * per_page, per_page
            )
            headers = {"Link": numbered_links(request, p, page, per_page, total)}
        base = base_url(request)
        renderer = Renderer(conn, roster(request), user_id, base)
        # The roster is fixed once seeded: the rows, the reader, the view and the host
        # (avatar URLs) are all a rendering depends on.
        items = db(request).remembered(
            ("index", user_id, tuple(page_ids), view, base),
            lambda: renderer.conversations(page_ids, view, visible=True),
        )
    body: Any = items
    if all_ids:
        body = {"conversations": items, "conversation_ids": ids}
    return render(request, body, headers=headers)


async def show(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    conversation_id = path_id(request)
    with db(request).write() as tx:
        row = own_row(tx.conn, user_id, conversation_id)
        if row["workflow_state"] == "unread" and p.bool("auto_mark_as_read", default=True):
            _set(tx, row["id"], workflow_state="read")
        view = replace(
            SHOW, participant_contexts=p.bool("include_participant_contexts", default=True)
        )
        body = render_one(request, tx.conn, user_id, conversation_id, view, selection, p)
    return render(request, body)


def _set(tx: Tx, row_id: int, **values: Any) -> None:
    """Change a participant row; any change moves it in the starred order."""
    columns = ", ".join(f"{name} = ?" for name in values)
    tx.conn.execute(
        f"UPDATE conversation_participants SET {columns}, updated_at = ? WHERE id = ?",  # noqa: S608
        (*values.values(), tx.stamp(), row_id),
    )


async def update(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    conversation_id = path_id(request)
    with db(request).write() as tx:
        row = own_row(tx.conn, user_id, conversation_id)
        changes = p.get("conversation")
        if not isinstance(changes, dict):
            raise generic_error("conversation is missing")
        state = changes.get("workflow_state")
        if state is not None and str(state) not in STATES:
            raise model_error("workflow_state", "invalid")
        values: dict[str, Any] = {}
        new_state = row["workflow_state"]
        if "subscribed" in changes and row["private_hash"] is None:
            subscribed = truthy(changes["subscribed"])
            if not subscribed and row["subscribed"]:
                values["subscribed"] = 0
                if new_state == "unread":
                    new_state = "read"
            elif subscribed and not row["subscribed"]:
                values["subscribed"] = 1
                newest = tx.conn.execute(
                    "SELECT max(m.created_at) FROM message_participants mp JOIN messages m"
                    " ON m.id = mp.message_id WHERE mp.user_id = ? AND mp.conversation_id = ?"
                    " AND mp.workflow_state = 'active' AND m.generated = 0 AND m.author_id != ?",
                    (user_id, conversation_id, user_id),
                ).fetchone()[0]
                if newest is not None and (
                    row["last_message_at"] is None or newest > row["last_message_at"]
                ):
                    values["last_message_at"] = newest
                    new_state = "unread"
        if state is not None:  # an explicit state wins over what subscribing did
            new_state = str(state)
        if new_state != row["workflow_state"]:
            values["workflow_state"] = new_state
        if "starred" in changes:
            starred = int(truthy(changes["starred"]))
            if starred != row["starred"]:
                values["starred"] = starred
        if values:
            _set(tx, row["id"], **values)
        body = render_one(request, tx.conn, user_id, conversation_id, UPDATE, selection, p)
    return render(request, body)


async def destroy(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    conversation_id = path_id(request)
    with db(request).write() as tx:
        own_row(tx.conn, user_id, conversation_id)
        core.delete_for_user(tx, conversation_id, user_id, precise_now())
        body = render_one(
            request, tx.conn, user_id, conversation_id, UPDATE, None, p, visible=False
        )
    return render(request, body)


async def mark_all_as_read(request: Request) -> Response:
    user_id = await authenticate(request)
    with db(request).write() as tx:
        rows = tx.conn.execute(
            "SELECT id FROM conversation_participants WHERE user_id = ?"
            " AND workflow_state = 'unread' AND last_message_at IS NOT NULL",
            (user_id,),
        ).fetchall()
        for (row_id,) in rows:
            _set(tx, row_id, workflow_state="read")
    return render(request, {})


async def unread_count(request: Request) -> Response:
    user_id = await authenticate(request)
    with db(request).read() as conn:
        count = scopes.unread_count(conn, user_id)
    return render(request, {"unread_count": str(count)})


# ---------------------------------------------------------------- batch_update, progress


async def batch_update(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    raw_ids = p.get("conversation_ids")
    if not isinstance(raw_ids, list) or not raw_ids:
        raise message_error("conversation_ids not specified")
    if len(raw_ids) > MAX_BATCH_IDS:
        raise message_error("conversation batch size limit (500) exceeded")
    event = p.str("event")
    if not event:
        raise message_error("event not specified")
    if event not in BATCH_EVENTS:
        raise message_error("invalid event")
    now = precise_now()
    with db(request).write() as tx:
        processed = 0
        failures: dict[str, list[str]] = {}
        for raw in raw_ids:
            text = str(raw).strip()
            row = None
            if text.isdigit() and int(text) <= MAX_ID:
                row = tx.conn.execute(
                    "SELECT id, workflow_state, starred FROM conversation_participants"
                    " WHERE user_id = ? AND conversation_id = ?",
                    (user_id, int(text)),
                ).fetchone()
            if row is None:
                failures.setdefault(
                    "The user is not participating in this conversation", []
                ).append(text)
                continue
            _apply_event(tx, row, int(text), user_id, event, now)
            processed += 1
        noun = "conversation" if processed == 1 else "conversations"
        message = f"{processed} {noun} processed"
        for error, ids in failures.items():
            message += f"\n{error}: {', '.join(ids)}"
        cursor = tx.conn.execute(
            "INSERT INTO progresses (user_id, tag, completion, workflow_state, created_at,"
            " updated_at, final_state, final_message)"
            " VALUES (?, 'conversation_batch_update', 0.0, 'queued', ?, ?, ?, ?)",
            (user_id, utc_now(), utc_now(), "completed" if processed else "failed", message),
        )
        progress = tx.conn.execute(
            "SELECT * FROM progresses WHERE id = ?", (cursor.lastrowid,)
        ).fetchone()
    return render(request, _progress_json(request, progress))


def _apply_event(
    tx: Tx, row: Any, conversation_id: int, user_id: int, event: str, now: str
) -> None:
    if event == "destroy":
        core.delete_for_user(tx, conversation_id, user_id, now)
        return
    if event in ("star", "unstar"):
        starred = int(event == "star")
        if row["starred"] != starred:
            _set(tx, row["id"], starred=starred)
        return
    state = {"mark_as_read": "read", "mark_as_unread": "unread", "archive": "archived"}[event]
    if row["workflow_state"] != state:
        _set(tx, row["id"], workflow_state=state)


def _progress_json(request: Request, row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "context_id": row["user_id"],
        "context_type": "User",
        "user_id": row["user_id"],
        "tag": row["tag"],
        "completion": float(row["completion"]),
        "workflow_state": row["workflow_state"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "message": row["message"],
        "url": f"{base_url(request)}/api/v1/progress/{row['id']}",
    }


async def progress(request: Request) -> Response:
    user_id = await authenticate(request)
    progress_id = path_id(request, "progress_id")
    with db(request).write() as tx:
        row = tx.conn.execute("SELECT * FROM progresses WHERE id = ?", (progress_id,)).fetchone()
        if row is None:
            raise not_found()
        if row["user_id"] != user_id:
            raise unauthorized()
        if row["workflow_state"] in ("queued", "running") and row["final_state"]:
            # The job ran when it was queued (§12); the first poll reveals its end.
            tx.conn.execute(
                "UPDATE progresses SET workflow_state = ?, completion = 100.0, message = ?,"
                " updated_at = ? WHERE id = ?",
                (row["final_state"], row["final_message"], utc_now(), progress_id),
            )
            row = tx.conn.execute(
                "SELECT * FROM progresses WHERE id = ?", (progress_id,)
            ).fetchone()
    return render(request, _progress_json(request, row))


async def batches(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    with db(request).read() as conn:
        rows = conn.execute(
            "SELECT * FROM batches WHERE user_id = ? AND workflow_state IN ('created', 'sending')"
            " ORDER BY id",
            (user_id,),
        ).fetchall()
        page, headers = paginate(request, p, rows)
        renderer = Renderer(conn, roster(request), user_id, base_url(request))
        items = []
        for row in page:
            message = renderer.messages_json([row["root_message_id"]])[0]
            message["participating_user_ids"] = []
            recipients = json.loads(row["recipient_ids"])
            done = len(json.loads(row["conversation_message_ids"]))
            items.append(
                {
                    "id": row["id"],
                    "workflow_state": row["workflow_state"],
                    "completion": done / len(recipients) if recipients else 0.0,
                    "recipient_count": len(recipients),
                    "message": message,
                    "tags": json.loads(row["tags"]),
                }
            )
    return render(request, items, headers=headers)
