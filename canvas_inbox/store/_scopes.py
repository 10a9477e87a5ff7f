"""The SQL for "which rows are in this scope/filter, in which order".

Kept apart from ``Store`` because it is the one place the membership rules live: the same
predicate decides what ``conversations()`` returns, what ``count()`` counts and which rows
a complete server listing can exclude.
"""

from __future__ import annotations

from canvas_inbox.store.records import Scope

# Each predicate repeats its partial index's WHERE clause word for word: SQLite uses a
# partial index only when the query's WHERE visibly implies the index's.
_PREDICATES: dict[str, str] = {
    # Canvas hides a conversation from the inbox until someone else writes in it
    # (last_message_at NULL: one the user just started is in sent only).
    "inbox": "c.lm_at IS NOT NULL AND c.state != 'archived'",
    "unread": "c.lm_at IS NOT NULL AND c.state = 'unread'",
    "archived": "c.lm_at IS NOT NULL AND c.state = 'archived'",
    # Starred and sent need no visibility (spec §4.1).
    "starred": "c.starred = 1",
    "sent": "c.sent_at IS NOT NULL",
}

_ORDERS: dict[str, str] = {
    "inbox": "c.lm_at DESC, c.id DESC",
    "unread": "c.lm_at DESC, c.id DESC",
    "archived": "c.lm_at DESC, c.id DESC",
    "sent": "c.sent_at DESC, c.id DESC",
    # The server's order; rows starred here since (no position) first, newest first.
    "starred": "pos IS NOT NULL, pos, c.lm_at DESC, c.id DESC",
}

_FILTER = "(c.ctx = :f OR EXISTS (SELECT 1 FROM tags t WHERE t.code = :f AND t.cid = c.id))"

_NOT_EXCLUDED = (
    "NOT EXISTS (SELECT 1 FROM unlisted x WHERE x.cid = c.id AND x.scope = :scope"
    " AND x.filt IN ('', :fs))"
)


def check_scope(scope: str) -> Scope:
    if scope not in _PREDICATES:
        raise ValueError(f"unknown scope {scope!r}")
    return scope  # type: ignore[return-value]


def where(scope: Scope, context_code: str | None) -> tuple[str, dict[str, object]]:
    """The WHERE clause (over ``conversations c``) and its parameters."""
    clauses = [_PREDICATES[check_scope(scope)]]
    params: dict[str, object] = {"scope": scope, "fs": context_code or ""}
    if context_code:
        clauses.append(_FILTER)
        params["f"] = context_code
    clauses.append(_NOT_EXCLUDED)
    return " AND ".join(clauses), params


def select(scope: Scope, context_code: str | None, limit: int | None) -> tuple[str, dict]:
    """SELECT c.data … for ``Store.conversations``."""
    clause, params = where(scope, context_code)
    if scope == "starred":
        # A filtered starred listing, when the server gave one, orders better than the
        # unfiltered one; either is the server's own order.
        source = (
            "SELECT c.data, COALESCE("
            "(SELECT pos FROM listed l WHERE l.scope = 'starred' AND l.filt = :fs"
            " AND l.cid = c.id),"
            "(SELECT pos FROM listed l WHERE l.scope = 'starred' AND l.filt = ''"
            " AND l.cid = c.id)) AS pos FROM conversations c"
        )
    else:
        source = "SELECT c.data FROM conversations c"
    sql = f"{source} WHERE {clause} ORDER BY {_ORDERS[scope]}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = max(0, limit)
    return sql, params


def count(scope: Scope, context_code: str | None) -> tuple[str, dict]:
    clause, params = where(scope, context_code)
    return f"SELECT count(*) FROM conversations c WHERE {clause}", params  # noqa: S608


def exclude_unlisted(scope: Scope, context_code: str | None, as_of: int | None) -> tuple[str, dict]:
    """INSERT the exclusions a complete listing implies (listed ids in temp.listing).

    Rows written after ``as_of`` (the revision when the listing was requested) are
    spared: the listing could not have known about them."""
    clauses = [_PREDICATES[scope]]
    params: dict[str, object] = {"scope": scope, "fs": context_code or ""}
    if context_code:
        clauses.append(_FILTER)
        params["f"] = context_code
    if as_of is not None:
        clauses.append("c.rev <= :as_of")
        params["as_of"] = as_of
    clauses.append("c.id NOT IN (SELECT id FROM temp.listing)")
    # Only this module's constant clauses are formatted in; values are parameters.
    condition = " AND ".join(clauses)
    sql = f"INSERT OR IGNORE INTO unlisted (cid, scope, filt) SELECT c.id, :scope, :fs FROM conversations c WHERE {condition}"  # noqa: E501, S608
    return sql, params


def _in_scope_unfiltered(scope: str) -> str:
    exists = f"SELECT 1 FROM unlisted x WHERE x.cid = c.id AND x.scope = '{scope}'"  # noqa: S608
    return f"({_PREDICATES[scope]} AND NOT EXISTS ({exists} AND x.filt = ''))"


# Rows that an unfiltered complete listing left out and that no scope holds any more:
# deleted on another device (or moved where no listing has shown them yet). They are
# forgotten, so search does not keep finding conversations the user deleted.
GHOSTS = (
    "SELECT c.id FROM conversations c"  # noqa: S608 - constants only
    " WHERE c.id IN (SELECT cid FROM unlisted WHERE scope = :scope AND filt = '')"
    " AND NOT (" + " OR ".join(_in_scope_unfiltered(s) for s in _PREDICATES) + ")"
)
