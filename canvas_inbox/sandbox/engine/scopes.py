"""Which conversations a scope and filters select, in which order (§4.1, §6.1, §6.5).

The same query answers the index and every ``visible`` flag, so the two never disagree."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from canvas_inbox.sandbox.http import MAX_ID, Params, field_errors
from canvas_inbox.sandbox.roster import Roster

SCOPES = frozenset({"unread", "starred", "sent", "archived"})
_FILTER_RE = re.compile(r"^(course|group|user)_(\d+)$")

_SCOPE_SQL = {
    "inbox": "cp.last_message_at IS NOT NULL AND cp.workflow_state IN ('read', 'unread')",
    "unread": "cp.last_message_at IS NOT NULL AND cp.workflow_state = 'unread'",
    "archived": "cp.last_message_at IS NOT NULL AND cp.workflow_state = 'archived'",
    "starred": "cp.starred = 1",
    "sent": "cp.visible_last_authored_at IS NOT NULL",
}
_ORDER_SQL = {
    "starred": "cp.updated_at DESC, cp.conversation_id DESC",
    "sent": "cp.visible_last_authored_at DESC, cp.conversation_id DESC",
}
_DEFAULT_ORDER = "cp.last_message_at DESC, cp.conversation_id DESC"


@dataclass(frozen=True)
class Selection:
    scope: str = "inbox"
    filters: tuple[str, ...] = field(default_factory=tuple)
    mode: str = "or"


def read_selection(p: Params) -> Selection:
    """``scope``, ``filter[]`` and ``filter_mode``; an invalid filter_mode is a 400."""
    mode = "or"
    if p.has("filter_mode"):
        mode = p.str("filter_mode") or ""
        if mode not in ("or", "and"):
            raise field_errors(("filter_mode", "invalid"))
    scope = p.str("scope") or ""
    raw = p.list("filter") or []
    filters = tuple(str(f) for f in raw if isinstance(f, str | int) and str(f) != "")
    return Selection(scope if scope in SCOPES else "inbox", filters, mode)


def _filter_sql(roster: Roster, code: str) -> tuple[str, list[object]]:
    if code.startswith("uuid:"):
        user_id = roster.by_uuid.get(code[5:])
        if user_id is None:
            return "0", []
        code = f"user_{user_id}"
    match = _FILTER_RE.match(code)
    if match is None:
        return "0", []  # section_X and anything unrecognised match nothing
    if match.group(1) == "user":
        if int(match.group(2)) > MAX_ID:
            return "0", []
        return (
            "EXISTS (SELECT 1 FROM conversation_participants p2 WHERE"
            " p2.conversation_id = cp.conversation_id AND p2.user_id = ?)",
            [int(match.group(2))],
        )
    return "instr(' ' || cp.tags || ' ', ?) > 0", [f" {code} "]


def _query(
    roster: Roster, user_id: int, selection: Selection, only: list[int] | None
) -> tuple[str, list[object]]:
    where = [
        "cp.user_id = ?",
        "cp.message_count > 0",
        _SCOPE_SQL[selection.scope],
    ]
    args: list[object] = [user_id]
    if selection.filters:
        parts = []
        for code in selection.filters:
            sql, extra = _filter_sql(roster, code)
            parts.append(sql)
            args.extend(extra)
        joiner = " AND " if selection.mode == "and" else " OR "
        where.append("(" + joiner.join(parts) + ")")
    if only is not None:
        where.append(f"cp.conversation_id IN ({','.join('?' * len(only))})")
        args.extend(only)
    order = _ORDER_SQL.get(selection.scope, _DEFAULT_ORDER)
    sql = (
        "SELECT cp.conversation_id FROM conversation_participants cp"  # noqa: S608
        f" WHERE {' AND '.join(where)} ORDER BY {order}"
    )
    return sql, args


def select_ids(
    conn: sqlite3.Connection, roster: Roster, user_id: int, selection: Selection
) -> list[int]:
    """The caller's conversation ids in this scope and filter, in the scope's order."""
    sql, args = _query(roster, user_id, selection, None)
    cursor = conn.cursor()
    cursor.row_factory = None
    return [r[0] for r in cursor.execute(sql, args)]


def select_page(
    conn: sqlite3.Connection,
    roster: Roster,
    user_id: int,
    selection: Selection,
    offset: int,
    limit: int,
) -> tuple[int, list[int]]:
    """How many conversations the selection has, and the ids of one page of them.

    Same query and order as ``select_ids``; counting and a LIMIT read a small part of
    what listing every id for each page did (a 2,000-row inbox: ~0.3 ms against ~2 ms)."""
    sql, args = _query(roster, user_id, selection, None)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: no Row object per id
    total = cursor.execute(
        "SELECT count(*) FROM (" + sql + ")",  # noqa: S608 - _query writes only placeholders
        args,
    ).fetchone()[0]
    if offset >= total:
        return int(total), []
    rows = cursor.execute(sql + " LIMIT ? OFFSET ?", [*args, limit, offset])
    return int(total), [r[0] for r in rows]


def visible_map(
    conn: sqlite3.Connection,
    roster: Roster,
    user_id: int,
    selection: Selection,
    conversation_ids: list[int],
) -> dict[int, bool]:
    """``visible`` for each conversation: is it in the list the selection gives?"""
    if not conversation_ids:
        return {}
    sql, args = _query(roster, user_id, selection, conversation_ids)
    found = {r[0] for r in conn.execute(sql, args)}
    return {c: c in found for c in conversation_ids}


def unread_count(conn: sqlite3.Connection, user_id: int) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM conversation_participants WHERE user_id = ?"
            " AND workflow_state = 'unread' AND last_message_at IS NOT NULL",
            (user_id,),
        ).fetchone()[0]
    )
