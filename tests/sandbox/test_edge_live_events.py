"""Live Events: Canvas's envelope, delivered to a real receiver; failures stay contained."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from canvas_inbox.sandbox import live_events
from canvas_inbox.sandbox.live_events import LiveEventSink
from tests.sandbox.edge_support import Receiver, serve_asgi

EVENT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_event_arrives_in_canvas_envelope_with_string_ids() -> None:
    receiver = Receiver()
    with serve_asgi(receiver.app) as url:
        sink = LiveEventSink(f"{url}/events", hostname="127.0.0.1:8765")
        await sink.start()
        sink.emit(
            "conversation_message_created",
            {"author_id": 20, "conversation_id": 7, "message_id": 31,
             "created_at": "2026-11-22T10:00:00Z"},
            user_id=20,
        )  # fmt: skip
        await sink.aclose()
        events = await asyncio.to_thread(receiver.wait_for, 1)
    assert len(events) == 1
    metadata, body = events[0]["metadata"], events[0]["body"]
    assert body == {
        "author_id": "20",
        "conversation_id": "7",
        "message_id": "31",
        "created_at": "2026-11-22T10:00:00Z",
    }
    assert metadata["event_name"] == "conversation_message_created"
    assert EVENT_TIME.match(metadata["event_time"])
    assert metadata["user_id"] == "20"
    assert metadata["root_account_id"] == "1"
    assert metadata["hostname"] == "127.0.0.1:8765"
    assert metadata["producer"] == "canvas"
    uuid.UUID(metadata["request_id"])
    uuid.UUID(metadata["root_account_uuid"])
    assert metadata["root_account_lti_guid"].startswith(metadata["root_account_uuid"])


async def test_events_from_other_threads_arrive_in_order() -> None:
    receiver = Receiver()
    with serve_asgi(receiver.app) as url:
        sink = LiveEventSink(f"{url}/events", hostname="h")
        await sink.start()

        def worker() -> None:
            for number in range(20):
                sink.emit("conversation_created", {"conversation_id": number}, user_id=1)

        thread = threading.Thread(target=worker)
        thread.start()
        await asyncio.to_thread(thread.join)
        events = await asyncio.to_thread(receiver.wait_for, 20)
        await sink.aclose()
    assert [e["body"]["conversation_id"] for e in events] == [str(n) for n in range(20)]
    assert len({e["metadata"]["request_id"] for e in events}) == 20


async def test_a_receiver_that_is_down_costs_nothing_and_breaks_nothing() -> None:
    sink = LiveEventSink(f"http://127.0.0.1:{_free_port()}/events", hostname="h")
    await sink.start()
    started = time.perf_counter()
    for number in range(50):
        sink.emit("conversation_created", {"conversation_id": number}, user_id=1)
    queued_in = time.perf_counter() - started
    await sink.aclose()
    assert sink.delivered == 0
    assert sink.failed >= 1
    assert queued_in < 1.0  # emit only queues; it never waits for the network


async def test_a_failing_receiver_is_counted_not_raised() -> None:
    receiver = Receiver(status=500)
    with serve_asgi(receiver.app) as url:
        sink = LiveEventSink(f"{url}/events", hostname="h")
        await sink.start()
        sink.emit("conversation_created", {"conversation_id": 1}, user_id=None)
        sink.emit("conversation_created", {"conversation_id": 2}, user_id=None)
        await asyncio.to_thread(receiver.wait_for, 2)
        await sink.aclose()
    assert sink.failed == 2
    assert "user_id" not in receiver.events[0]["metadata"]


async def test_the_queue_is_bounded_and_keeps_the_newest() -> None:
    sink = LiveEventSink("http://127.0.0.1:9/events", hostname="h")
    for number in range(live_events.MAX_QUEUED + 500):
        sink.emit("conversation_created", {"conversation_id": number}, user_id=1)
    assert len(sink._pending) == live_events.MAX_QUEUED
    assert sink._pending[-1]["body"]["conversation_id"] == str(live_events.MAX_QUEUED + 499)


async def test_without_a_url_the_sink_does_nothing() -> None:
    sink = LiveEventSink(None, hostname="h")
    await sink.start()
    sink.emit("conversation_created", {"conversation_id": 1}, user_id=1)
    await sink.aclose()
    assert not sink._pending
    assert sink.delivered == sink.failed == 0


def test_ids_are_stringified_all_the_way_down_but_flags_are_not() -> None:
    assert live_events.stringify_ids({"a": 1, "b": [2, {"c": 3}], "d": True, "e": None}) == {
        "a": "1",
        "b": ["2", {"c": "3"}],
        "d": True,
        "e": None,
    }


# ---------------------------------------------------------------- through the sandbox

SEED = {
    "users": [
        {"id": 1, "name": "Jane Teacher", "token": "token-jane"},
        {"id": 2, "name": "Bob Student", "token": "token-bob"},
    ],
    "courses": [
        {"id": 12, "name": "Biology 101", "course_code": "BIO101",
         "enrollments": [{"user_id": 1, "type": "TeacherEnrollment"},
                         {"user_id": 2, "type": "StudentEnrollment"}]},
    ],
}  # fmt: skip


def _send(api: str, **data: str) -> httpx.Response:
    return httpx.post(
        f"{api}/conversations", data=data, headers={"Authorization": "Bearer token-jane"}
    )


def test_creating_a_conversation_publishes_its_events(sandbox_factory: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    receiver = Receiver()
    with serve_asgi(receiver.app) as url:
        sandbox = sandbox_factory(seed=SEED, live_events_url=f"{url}/events")
        answer = _send(sandbox.api, **{"recipients[]": "2", "body": "Hello", "subject": "Hi"})
        assert answer.status_code == 201
        conversation = answer.json()[0]
        events = receiver.wait_for(2)
    by_name = {e["metadata"]["event_name"]: e for e in events}
    assert set(by_name) == {"conversation_created", "conversation_message_created"}
    created = by_name["conversation_created"]
    assert created["body"]["conversation_id"] == str(conversation["id"])
    assert created["metadata"]["user_id"] == "1"
    assert created["metadata"]["hostname"] == sandbox.url.removeprefix("http://")
    message = by_name["conversation_message_created"]["body"]
    assert message["message_id"] == str(conversation["messages"][0]["id"])
    assert message["author_id"] == "1"


def test_the_api_works_while_the_receiver_is_down(sandbox_factory: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    sandbox = sandbox_factory(seed=SEED, live_events_url=f"http://127.0.0.1:{_free_port()}/e")
    for number in range(5):
        answer = _send(
            sandbox.api,
            **{"recipients[]": "2", "body": f"n{number}", "group_conversation": "true"},
        )
        assert answer.status_code == 201
    unread = httpx.get(
        f"{sandbox.api}/conversations/unread_count", headers={"Authorization": "Bearer token-bob"}
    )
    assert unread.json() == {"unread_count": "5"}
