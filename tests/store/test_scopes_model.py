"""The scope rules against a plain-Python statement of them, over random inboxes and
random sequences of optimistic changes (hypothesis)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_inbox.store import Store, _scopes
from canvas_inbox.store._codec import decode_conversation
from canvas_inbox.store.records import SCOPES, Conversation
from tests.store.factories import conv

CODES = ("course_1", "course_2", "group_3", None)


@st.composite
def conversations(draw: st.DrawFn) -> list[Conversation]:
    ids = draw(st.lists(st.integers(1, 60), min_size=0, max_size=25, unique=True))
    rows = []
    for cid in ids:
        rows.append(
            conv(
                cid,
                draw(st.one_of(st.none(), st.integers(0, 8))),  # few values: many ties
                state=draw(st.sampled_from(["read", "unread", "archived"])),
                starred=draw(st.booleans()),
                context_code=draw(st.sampled_from(CODES)),
                authored_hours_ago=draw(st.one_of(st.none(), st.integers(0, 8))),
            )
        )
    return rows


def _key(when: datetime | None) -> float:
    return when.timestamp() if when else float("-inf")


def model(rows: dict[int, Conversation], scope: str, code: str | None) -> list[int]:
    def keep(c: Conversation) -> bool:
        visible = c.last_message_at is not None
        return {
            "inbox": visible and c.workflow_state != "archived",
            "unread": visible and c.workflow_state == "unread",
            "archived": visible and c.workflow_state == "archived",
            "starred": c.starred,
            "sent": c.last_authored_message_at is not None,
        }[scope] and (code is None or c.context_code == code)

    chosen = [c for c in rows.values() if keep(c)]
    if scope == "sent":
        chosen.sort(key=lambda c: (_key(c.last_authored_message_at), c.id), reverse=True)
    elif scope == "starred":
        # No server order was given: all "not yet listed", newest message first.
        chosen.sort(
            key=lambda c: (c.last_message_at is not None, _key(c.last_message_at), c.id),
            reverse=True,
        )
    else:
        chosen.sort(key=lambda c: (_key(c.last_message_at), c.id), reverse=True)
    return [c.id for c in chosen]


changes = st.lists(
    st.tuples(
        st.integers(0, 30),
        st.sampled_from(
            [
                {"workflow_state": "archived"},
                {"workflow_state": "read"},
                {"workflow_state": "unread"},
                {"starred": True},
                {"starred": False},
            ]
        ),
    ),
    max_size=10,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=conversations(), edits=changes, limit=st.one_of(st.none(), st.integers(0, 10)))
def test_scopes_match_the_rules_after_any_optimistic_changes(
    rows: list[Conversation], edits: list[tuple[int, dict]], limit: int | None
) -> None:
    with Store.open(None) as store:
        store.upsert_conversations(rows)
        current = {c.id: c for c in rows}
        for index, change in edits:
            if not rows:
                break
            target = rows[index % len(rows)].id
            current[target] = msgspec.structs.replace(current[target], **change)
            store.update_conversation(current[target])
        for scope in SCOPES:
            for code in CODES:
                expected = model(current, scope, code)
                got = [c.id for c in store.conversations(scope, code, limit)]
                assert got == (expected if limit is None else expected[:limit]), (scope, code)
                # Both query plans (walk the scope's index / start from the filter's
                # members) must give the same rows, whichever the store picks.
                for members in (False, True):
                    sql, params = _scopes.select(scope, code, limit, members=members)
                    rows = store._db.execute(sql, params).fetchall()
                    assert [decode_conversation(r[0]).id for r in rows] == got
                assert store.count(scope, code) == len(expected)
