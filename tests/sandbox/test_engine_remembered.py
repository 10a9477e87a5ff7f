"""Listings answered from the sandbox's remembered renderings are never older than the data."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from canvas_inbox.sandbox.db import Database
from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox.engine_world import ANN, BEN, TEACHER, Clients, school, start


@pytest.fixture
def two(sandbox_factory: Callable[..., RunningSandbox]) -> Clients:
    history = [
        {"from": who, "to": [str(ANN)], "body": f"m{n}", "group_conversation": True,
         "created_at": f"2026-09-0{n + 1}T10:00:00Z"}
        for n, who in enumerate([TEACHER, BEN])
    ]  # fmt: skip
    return start(sandbox_factory, school(conversations=history))


def test_a_listing_read_again_shows_every_change_made_in_between(two: Clients) -> None:
    ann = two[ANN]
    first = ann.get("/conversations").json()
    assert ann.get("/conversations").json() == first  # unchanged: the same answer
    top = first[0]["id"]
    starred = ann.put(f"/conversations/{top}", data={"conversation[starred]": "true"})
    assert starred.status_code == 200
    assert ann.get("/conversations").json()[0]["starred"] is True
    # Another user's write changes Ann's view too (a reply moves the thread and its text).
    older = first[1]["id"]
    reply = two[TEACHER].post(f"/conversations/{older}/add_message", data={"body": "again"})
    assert reply.status_code in (200, 202)
    after = ann.get("/conversations").json()
    assert after[0]["id"] == older
    assert after[0]["last_message"] == "again"
    assert after[0]["workflow_state"] == "unread"


def test_each_reader_and_each_view_get_their_own_rendering(two: Clients) -> None:
    plain = two[ANN].get("/conversations").json()
    with_uuid = two[ANN].get("/conversations", params={"include[]": "uuid"}).json()
    assert "uuid" not in plain[0]["participants"][0]
    assert "uuid" in with_uuid[0]["participants"][0]
    assert two[BEN].get("/conversations").json() != plain


def _add_user(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute(
        "INSERT INTO users (id, name, short_name, sortable_name, uuid, created_at)"
        " VALUES (?, 'N', 'N', 'N', ?, '2026-09-01T00:00:00Z')",
        (user_id, f"uuid-{user_id}"),
    )


def test_remembered_is_recomputed_after_any_row_change() -> None:
    db = Database()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert db.remembered("k", compute) == 1
    assert db.remembered("k", compute) == 1
    with db.write() as tx:
        _add_user(tx.conn, 9)
    assert db.remembered("k", compute) == 2
    db.close()


def test_a_computation_that_writes_is_not_remembered() -> None:
    db = Database()
    made: list[int] = []

    def compute() -> int:
        with db.write() as tx:
            uid = 100 + len(made)
            _add_user(tx.conn, uid)
        made.append(uid)
        return uid

    assert db.remembered("k", compute) == 100
    assert db.remembered("k", compute) == 101
    db.close()
