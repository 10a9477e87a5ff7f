"""The spec's rules as invariants over a realistic world: the demo school, read-only, seen by
its demo user (a few hundred conversations with replies, forwards, stars and archives).
Small hand-made worlds prove each rule; this checks they still hold together at scale."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from canvas_inbox.sandbox import demo_school
from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox, run_sandbox
from tests.sandbox.spec_http import ISO_Z, Caller

SCOPES = ("inbox", "unread", "starred", "sent", "archived")


def _people() -> list[int]:
    """The demo user, a teacher, a TA and another student of the demo user's first course."""
    course = demo_school.demo_seed()["courses"][0]
    chosen = [demo_school.DEMO_USER_ID]
    for kind in ("TeacherEnrollment", "TaEnrollment", "StudentEnrollment"):
        chosen += [
            e["user_id"]
            for e in course["enrollments"]
            if e["type"] == kind and e["user_id"] not in chosen
        ][:1]
    return chosen


PEOPLE = _people()


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxOptions(seed="demo")) as sandbox:
        yield sandbox


@pytest.fixture(scope="module", params=PEOPLE, ids=lambda uid: f"user{uid}")
def me(request: pytest.FixtureRequest, demo: RunningSandbox) -> Iterator[Caller]:
    caller = Caller(demo.api, demo.token(request.param), request.param)
    yield caller
    caller.close()


@pytest.fixture(scope="module")
def lists(me: Caller) -> dict[str, list[dict[str, Any]]]:
    """Every scope, whole (never marks anything read: index does not)."""
    return {scope: me.listing(scope=scope) for scope in SCOPES}


def test_demo_world_is_not_trivial(me: Caller, lists: dict[str, list[dict[str, Any]]]) -> None:
    """The invariants below mean something only if the lists have rows (the demo user has
    some in every scope)."""
    assert lists["inbox"]
    assert lists["sent"]
    if me.user_id == demo_school.DEMO_USER_ID:
        for scope in SCOPES:
            assert lists[scope], scope


def _key(conv: dict[str, Any]) -> tuple[str, int]:
    return conv["last_message_at"], conv["id"]


@pytest.mark.parametrize(
    ("scope", "states"),
    [("inbox", {"read", "unread"}), ("unread", {"unread"}), ("archived", {"archived"})],
)
def test_4_1_visible_scopes_membership_and_order(
    lists: dict[str, list[dict[str, Any]]], scope: str, states: set[str]
) -> None:
    """§4.1: inbox/unread/archived hold visible rows in those states, by last_message_at
    desc then id desc."""
    rows = lists[scope]
    assert {c["workflow_state"] for c in rows} <= states
    assert all(c["last_message_at"] is not None for c in rows)
    assert [_key(c) for c in rows] == sorted((_key(c) for c in rows), reverse=True)


def test_4_1_unread_is_the_unread_part_of_the_inbox(
    lists: dict[str, list[dict[str, Any]]],
) -> None:
    """§6.1: unread = visible ∧ unread, in the inbox's order."""
    inbox_unread = [c["id"] for c in lists["inbox"] if c["workflow_state"] == "unread"]
    assert [c["id"] for c in lists["unread"]] == inbox_unread


def test_4_13_unread_count_matches_unread_scope(
    me: Caller, lists: dict[str, list[dict[str, Any]]]
) -> None:
    """§7.4: unread_count = the user's visible unread rows."""
    assert me.unread_count() == str(len(lists["unread"]))


def test_4_1_starred_and_sent_membership(lists: dict[str, list[dict[str, Any]]]) -> None:
    """§4.1: starred rows are starred; sent rows have an own message."""
    assert all(c["starred"] is True for c in lists["starred"])
    assert all(c["last_authored_message"] is not None for c in lists["sent"])
    starred_elsewhere = {c["id"] for s in ("inbox", "archived") for c in lists[s] if c["starred"]}
    assert starred_elsewhere <= {c["id"] for c in lists["starred"]}


def test_4_1_inbox_and_archived_are_disjoint(lists: dict[str, list[dict[str, Any]]]) -> None:
    """§6.1: a visible row is either in the inbox or archived, never both."""
    assert not {c["id"] for c in lists["inbox"]} & {c["id"] for c in lists["archived"]}


@pytest.mark.parametrize("scope", SCOPES)
def test_3_1_row_invariants(me: Caller, lists: dict[str, list[dict[str, Any]]], scope: str) -> None:
    """§3.1/§4.1: every listed row has message_count > 0, visible true, the caller among
    participants but not in audience, ISO Z times, and last_message null exactly when
    last_message_at is."""
    for conv in lists[scope]:
        assert conv["message_count"] > 0
        assert conv["visible"] is True
        assert me.user_id in [p["id"] for p in conv["participants"]]
        assert me.user_id not in conv["audience"]
        assert (conv["last_message"] is None) == (conv["last_message_at"] is None)
        if conv["last_message_at"] is not None:
            assert ISO_Z.match(conv["last_message_at"])
        assert conv["properties"] == [
            p for p in ("last_author", "attachments", "media_objects") if p in conv["properties"]
        ]


@pytest.mark.parametrize("scope", SCOPES)
def test_4_1_all_conversation_ids_match_the_list(
    me: Caller, lists: dict[str, list[dict[str, Any]]], scope: str
) -> None:
    """§4.1: conversation_ids lists the whole scope, in the list's order."""
    r = me.get(
        "conversations", {"scope": scope, "include_all_conversation_ids": "1", "per_page": 5}
    )
    assert r.json()["conversation_ids"] == [c["id"] for c in lists[scope]]


def test_8_walking_next_links_gives_the_whole_list(
    me: Caller, lists: dict[str, list[dict[str, Any]]]
) -> None:
    """§8: following rel=next with a small page size yields exactly the whole inbox."""
    seen: list[int] = []
    url: str | None = f"{me.api}/conversations?per_page=7"
    while url:
        r = me.http.get(url)
        seen += [c["id"] for c in r.json()]
        nxt = [
            p.split(";")[0].strip("<>")
            for p in r.headers["Link"].split(",")
            if p.endswith('rel="next"')
        ]
        url = nxt[0] if nxt else None
    assert seen == [c["id"] for c in lists["inbox"]]


def test_4_4_show_agrees_with_the_list(me: Caller, lists: dict[str, list[dict[str, Any]]]) -> None:
    """§4.4/§2: for every conversation, show (not marking read) lists messages newest first;
    message_count = its non-generated messages; last_message previews the newest of them;
    last_author says whether that one is the caller's; the row fields match the index."""
    rows = {c["id"]: c for scope in SCOPES for c in lists[scope]}
    assert len(rows) > 10
    for cid, row in rows.items():
        shown = me.show(cid)
        messages = shown["messages"]
        keys = [(m["created_at"], m["id"]) for m in messages]
        assert keys == sorted(keys, reverse=True), cid
        human = [m for m in messages if not m["generated"]]
        assert shown["message_count"] == len(human) == row["message_count"], cid
        assert shown["workflow_state"] == row["workflow_state"], cid
        assert shown["starred"] == row["starred"], cid
        if shown["last_message_at"] is not None:
            preview = shown["last_message"]
            assert human[0]["body"].startswith(preview.rstrip("…").rstrip(".").rstrip()), cid
        newest_own = human[0]["author_id"] == me.user_id
        if shown["last_message"] is not None:
            assert ("last_author" in shown["properties"]) == newest_own, cid
        for m in messages:
            assert me.user_id in m["participating_user_ids"], cid


def test_4_1_sent_ordered_by_own_newest_message(
    me: Caller, lists: dict[str, list[dict[str, Any]]]
) -> None:
    """§4.1: sent is ordered by the caller's own newest visible message, newest first, and
    holds exactly the conversations where the caller has one."""
    own_newest = []
    for conv in lists["sent"]:
        mine = [
            m["created_at"]
            for m in me.show(conv["id"])["messages"]
            if m["author_id"] == me.user_id and not m["generated"]
        ]
        assert mine, conv["id"]
        own_newest.append(max(mine))
    assert own_newest == sorted(own_newest, reverse=True)
    sent = {c["id"] for c in lists["sent"]}
    for scope in ("inbox", "archived"):
        for conv in lists[scope]:
            shown = me.show(conv["id"])["messages"]
            has_own = any(m["author_id"] == me.user_id and not m["generated"] for m in shown)
            assert has_own == (conv["id"] in sent), conv["id"]
