"""What every Conversations route needs: the caller, the roster, the :id lookup rule and
rendering with the right ``visible``."""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request

from canvas_inbox.sandbox.db import Database
from canvas_inbox.sandbox.engine import scopes
from canvas_inbox.sandbox.engine.scopes import Selection
from canvas_inbox.sandbox.engine.serialize import Renderer, View
from canvas_inbox.sandbox.http import MAX_ID, Params, not_found
from canvas_inbox.sandbox.roster import Roster


def db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def roster(request: Request) -> Roster:
    return request.app.state.roster  # type: ignore[no-any-return]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def path_id(request: Request, name: str = "conversation_id") -> int:
    raw = str(request.path_params.get(name, ""))
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise not_found()
    return int(raw)


def own_row(
    conn: sqlite3.Connection, user_id: int, conversation_id: int, *, allow_deleted: bool = False
) -> sqlite3.Row:
    """The caller's participant row, or 404 (also when they deleted it, unless allowed)."""
    row = conn.execute(
        "SELECT cp.*, c.private_hash, c.context_type, c.context_id, c.subject"
        " FROM conversation_participants cp JOIN conversations c ON c.id = cp.conversation_id"
        " WHERE cp.user_id = ? AND cp.conversation_id = ?",
        (user_id, conversation_id),
    ).fetchone()
    if row is None or (row["message_count"] == 0 and not allow_deleted):
        raise not_found()
    return row  # type: ignore[no-any-return]


def includes(p: Params) -> set[str]:
    return {str(v) for v in (p.list("include") or []) if isinstance(v, str)}


def render_one(
    request: Request,
    conn: sqlite3.Connection,
    user_id: int,
    conversation_id: int,
    view: View,
    selection: Selection | None,
    p: Params,
    *,
    messages: list[int] | None = None,
    visible: bool | None = None,
) -> dict[str, Any]:
    """One conversation in the caller's view; ``visible`` computed from the selection."""
    from dataclasses import replace

    view = replace(view, include_uuid="uuid" in includes(p))
    team = roster(request)
    if visible is None:
        visible = scopes.visible_map(
            conn, team, user_id, selection or Selection(), [conversation_id]
        )[conversation_id]
    renderer = Renderer(conn, team, user_id, base_url(request))
    rendered = renderer.conversations(
        [conversation_id],
        view,
        visible=visible,
        messages={conversation_id: messages} if messages is not None else None,
    )
    if not rendered:
        raise not_found()
    return rendered[0]
