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


def where(
    scope: Scope, context_code: str | None, *, members_first: bool = False
) -> tuple[str, dict[str, object]]:
    """The WHERE clause (over ``conversations c``) and its parameters."""
    clauses = [_PREDICATES[check_scope(scope)]]
    params: dict[str, object] = {"scope": scope, "fs": context_code or ""}
    if context_code:
        if not members_first:  # else the FROM clause already holds only members
            clauses.append(_FILTER)
        params["f"] = context_code
    clauses.append(_NOT_EXCLUDED)
    return " AND ".join(clauses), params


# A filter's members (its own context code, or listed under it), for the plan that starts
# from them: see members_first.
_MEMBERS = (
    "(SELECT id FROM conversations WHERE ctx = :f UNION SELECT cid FROM tags WHERE code = :f)"
)
MEMBER_COUNT = (
    "SELECT (SELECT count(*) FROM conversations WHERE ctx = :f)"
    " + (SELECT count(*) FROM tags WHERE code = :f)"
)


def members_first(members: int, limit: int | None) -> bool:
    """Which plan answers a filtered first page faster.

    Walking the scope's index in order stops after ``limit`` matches, but a rare filter
    (a group with 40 conversations among 10,000) walks the whole index to find them:
    ~10 ms. Starting from the filter's members and sorting them costs ~1 µs a member:
    better unless the filter is common, where the walk meets its matches early."""
    return limit is None or members <= 10 * max(limit, 1)


def _source(scope: Scope, members: bool) -> str:
    if members:
        # CROSS JOIN keeps the members as the outer loop (SQLite does not reorder it).
        table = f"{_MEMBERS} AS m CROSS JOIN conversations c ON c.id = m.id"
    else:
        table = "conversations c"
    if scope == "starred":
        # A filtered starred listing, when the server gave one, orders better than the
        # unfiltered one; either is the server's own order.
        return (
            "SELECT c.data, COALESCE("  # noqa: S608 - constants only
            "(SELECT pos FROM listed l WHERE l.scope = 'starred' AND l.filt = :fs"
            " AND l.cid = c.id),"
            "(SELECT pos FROM listed l WHERE l.scope = 'starred' AND l.filt = ''"
            f" AND l.cid = c.id)) AS pos FROM {table}"
        )
    return f"SELECT c.data FROM {table}"  # noqa: S608


def select(
    scope: Scope, context_code: str | None, limit: int | None, *, members: bool = False
) -> tuple[str, dict]:
    """SELECT c.data … for ``Store.conversations``; ``members``: see members_first."""
    members = members and bool(context_code)
    clause, params = where(scope, context_code, members_first=members)
    sql = f"{_source(scope, members)} WHERE {clause} ORDER BY {_ORDERS[scope]}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = max(0, limit)
    return sql, params


def count(scope: Scope, context_code: str | None) -> tuple[str, dict]:
    # A filtered count always starts from the members: never more rows than the walk.
    clause, params = where(scope, context_code, members_first=bool(context_code))
    table = (
        f"{_MEMBERS} AS m CROSS JOIN conversations c ON c.id = m.id"
        if context_code
        else "conversations c"
    )
    return f"SELECT count(*) FROM {table} WHERE {clause}", params  # noqa: S608


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
