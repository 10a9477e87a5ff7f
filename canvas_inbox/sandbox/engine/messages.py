"""Writing routes: create, add_message, add_recipients, remove_messages (§4.2, §4.8–§4.10)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from canvas_inbox.sandbox.db import precise_now
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
from canvas_inbox.sandbox.engine.create import CreateRequest, create, lookup_context
from canvas_inbox.sandbox.engine.reply import MAX_PARTICIPANTS, Reply, reply
from canvas_inbox.sandbox.engine.serialize import BULK, SINGLE, UPDATE, WITH_MESSAGE, Renderer
from canvas_inbox.sandbox.http import (
    MAX_ID,
    ApiError,
    Params,
    authenticate,
    field_errors,
    generic_error,
    params,
    render,
)
from canvas_inbox.sandbox.recipients import resolve, split_recipients


def media_param(p: Params) -> tuple[str, str] | None:
    """Both media_comment_id and media_comment_type, or nothing (§10)."""
    media_id = p.str("media_comment_id")
    kind = p.str("media_comment_type")
    if media_id and kind in ("audio", "video"):
        return media_id, kind
    return None


def _text(p: Params, name: str) -> str | None:
    value = p.get(name)
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


async def create_route(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    team = roster(request)
    lookup_context(team, p.str("context_code"))  # a missing context is a 404 before all else
    selection = scopes.read_selection(p)
    req = CreateRequest(
        sender=user_id,
        recipients=split_recipients(p.get("recipients")),
        body=_text(p, "body"),
        subject=_text(p, "subject"),
        group_conversation=p.bool("group_conversation"),
        bulk_message=p.bool("bulk_message"),
        force_new=p.bool("force_new"),
        mode_async=p.str("mode") == "async",
        attachment_ids=p.list("attachment_ids") or [],
        media=media_param(p),
        context_code=p.str("context_code"),
        forwarded_ids=p.list("forwarded_message_ids") or [],
    )
    with db(request).write() as tx:
        result = create(tx, team, req, precise_now())
        if result.path == "async":
            return render(
                request,
                [],
                status=202,
                headers={"X-Conversation-Batch-Id": str(result.batch_id)},
            )
        if result.path == "single":
            body = [
                render_one(
                    request,
                    tx.conn,
                    user_id,
                    result.conversation_ids[0],
                    SINGLE,
                    selection,
                    p,
                    messages=[result.message_id or 0],
                )
            ]
            return render(request, body, status=201)
        ids = result.conversation_ids
        marks = ",".join("?" * len(ids))
        # Canvas orders by these columns descending, where PostgreSQL puts NULLs first.
        ordered = [
            r[0]
            for r in tx.conn.execute(
                "SELECT conversation_id FROM conversation_participants"  # noqa: S608
                f" WHERE user_id = ? AND conversation_id IN ({marks}) ORDER BY"
                " visible_last_authored_at IS NULL DESC, visible_last_authored_at DESC,"
                " last_message_at IS NULL DESC, last_message_at DESC, id DESC",
                (user_id, *ids),
            )
        ]
        visible = scopes.visible_map(tx.conn, team, user_id, selection, ordered)
        renderer = Renderer(tx.conn, team, user_id, base_url(request))
        from dataclasses import replace

        view = replace(BULK, include_uuid="uuid" in includes(p))
        body = renderer.conversations(ordered, view, visible=visible)
    return render(request, body, status=201)


async def add_message(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    conversation_id = path_id(request)
    with db(request).write() as tx:
        row = own_row(tx.conn, user_id, conversation_id, allow_deleted=True)
        message_id = reply(
            tx,
            roster(request),
            row,
            Reply(
                author=user_id,
                body=_text(p, "body"),
                recipients=split_recipients(p.get("recipients")),
                included=p.get("included_messages"),
                attachment_ids=p.list("attachment_ids") or [],
                media=media_param(p),
                context_code=p.str("context_code"),
            ),
            precise_now(),
        )
        result = render_one(
            request,
            tx.conn,
            user_id,
            conversation_id,
            WITH_MESSAGE,
            selection,
            p,
            messages=[message_id],
        )
    return render(request, result)


async def add_recipients(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    conversation_id = path_id(request)
    team = roster(request)
    with db(request).write() as tx:
        conn = tx.conn
        row = own_row(conn, user_id, conversation_id)
        entries = split_recipients(p.get("recipients")) or []
        users = resolve(team, user_id, entries).user_ids
        if not users:
            raise ApiError(400, {})
        participants = core.participant_ids(conn, conversation_id)
        if len(set(participants) | set(users)) > MAX_PARTICIPANTS:
            raise field_errors(("recipients", "too many participants for group conversation"))
        if row["private_hash"] is not None:
            # Canvas fails with a 500 here; §12 lets the sandbox answer 400 instead.
            raise generic_error("Cannot add participants to a private conversation")
        core.add_participants(
            tx, team, conversation_id, user_id, users, precise_now(), silent=False
        )
        newest = conn.execute(
            "SELECT m.id FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
            " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'"
            " ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            (user_id, conversation_id),
        ).fetchone()
        result = render_one(
            request,
            conn,
            user_id,
            conversation_id,
            WITH_MESSAGE,
            selection,
            p,
            messages=[newest[0]] if newest else [],
        )
    return render(request, result)


async def remove_messages(request: Request) -> Response:
    user_id = await authenticate(request)
    p = await params(request)
    selection = scopes.read_selection(p)
    conversation_id = path_id(request)
    with db(request).write() as tx:
        own_row(tx.conn, user_id, conversation_id)
        raw = p.get("remove")
        if raw is None:
            return Response(status_code=204)
        values = raw if isinstance(raw, list) else [raw]
        ids = [int(t) for t in (str(v).strip() for v in values) if t.isdigit() and int(t) <= MAX_ID]
        core.remove_messages(tx, conversation_id, user_id, ids, precise_now())
        result = render_one(request, tx.conn, user_id, conversation_id, UPDATE, selection, p)
    return render(request, result)
