"""Start-up, refresh, full sync, polling and new mail, over the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from canvas_inbox.demo import free_port
from canvas_inbox.service import (
    AuthExpired,
    ConnectionChanged,
    NewMail,
    ServiceError,
    SyncProgress,
    ThreadChanged,
    UnreadCountChanged,
)
from tests.service.helpers import ALEX, BIO, SAM, TEACHER, Canvas, school, until


async def test_full_sync_fills_lists_and_threads_without_marking_anything_read(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    unread_before = await canvas.unread_count()
    assert unread_before == 2  # "Welcome Sam" and "Project groups"
    async with make_service(school_sandbox) as (service, events):
        counts = await service.sync()
        inbox = service.cached_conversations("inbox")
        assert [c.subject for c in inbox] == ["Project groups", "Lab notes", "Welcome Sam"]
        assert next(c.subject for c in service.cached_conversations("sent")) == "Homework question"
        assert {c.subject for c in service.cached_conversations("unread")} == {
            "Project groups",
            "Welcome Sam",
        }
        assert counts.threads_fetched == 4  # three in the inbox, one only in sent
        thread = service.cached_thread(inbox[0].id)
        assert thread is not None
        assert [m.body for m in thread.messages] == ["Form groups of two.", "I will pair with Sam."]
        # Offline reading and search work from what the sync stored.
        hits = service.search("mitochondria")
        assert [h.subject for h in hits] == ["Lab notes"]
        assert service.me is not None
        assert service.me.id == SAM
        assert {c.code for c in service.contexts()} == {f"course_{BIO}", "group_3"}
        phases = {(e.phase, e.done == e.total) for e in events.of(SyncProgress)}
        assert ("threads", True) in phases
        # A second sync fetches nothing that did not change.
        again = await service.sync()
        assert again.threads_fetched == 0
        assert again.threads_cached == 4
    assert await canvas.unread_count() == unread_before


async def test_the_cache_paints_before_start_and_offline(
    school_sandbox: Any, make_service: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "shared.sqlite3"
    async with make_service(school_sandbox, cache=cache) as (service, _):
        await service.sync()
    from canvas_inbox.service.inbox import InboxService, ServiceSettings

    dead = f"http://127.0.0.1:{free_port()}"
    service = InboxService(base_url=dead, token="x", cache_path=cache, settings=ServiceSettings())
    # Before start(): the UI's first paint reads the cache.
    assert [c.subject for c in service.cached_conversations("inbox")][:1] == ["Project groups"]
    assert service.unread_count == 2
    seen: list[Any] = []
    service.subscribe(seen.append)
    await service.start(background=False)
    try:
        with pytest.raises(ServiceError, match=r"(?i)offline"):
            await service.refresh()
        assert not service.online
        assert any(isinstance(e, ConnectionChanged) and not e.online for e in seen)
        # Reading a cached thread still works offline.
        first = service.cached_conversations("inbox")[0]
        thread = await service.open_thread(first.id)
        assert thread.messages
    finally:
        await service.aclose()


async def test_unreachable_canvas_is_reported_in_one_line(make_service: Any) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    async with make_service(dead, background=True, offline_retry_max=0.2) as (service, events):
        await until(lambda: not service.online, "the service notices Canvas is unreachable")
        reasons = [e.reason for e in events.of(ConnectionChanged) if not e.online]
        assert reasons
        assert all(r and "\n" not in r and r.startswith("Canvas is unreachable") for r in reasons)


async def test_a_rejected_token_says_auth_expired(school_sandbox: Any, make_service: Any) -> None:
    async with make_service(school_sandbox, token="not-a-token", background=True) as (
        service,
        events,
    ):
        await until(lambda: events.of(AuthExpired), "AuthExpired")
        assert "token" in events.of(AuthExpired)[0].reason.lower()
        with pytest.raises(ServiceError):
            await service.refresh()
        assert len(events.of(AuthExpired)) == 1


async def test_open_thread_marks_read_only_when_asked(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    welcome = await canvas.find("Welcome Sam")
    groups = await canvas.find("Project groups")
    async with make_service(school_sandbox) as (service, events):
        await service.refresh()
        peeked = await service.open_thread(groups["id"], mark_read=False)
        assert peeked.conversation.unread
        assert (await canvas.show(groups["id"]))["workflow_state"] == "unread"
        thread = await service.open_thread(welcome["id"])
        assert [m.body for m in thread.messages] == ["Welcome to Biology, read chapter one."]
        assert (await canvas.show(welcome["id"]))["workflow_state"] == "read"
        row = next(c for c in service.cached_conversations("inbox") if c.id == welcome["id"])
        assert not row.unread
        assert service.cached_thread(welcome["id"]) == thread
        assert ThreadChanged(welcome["id"]) in events.events


async def test_new_mail_when_someone_else_writes(school_sandbox: Any, make_service: Any) -> None:
    alex = Canvas(school_sandbox, ALEX)
    lab = await alex.find("Lab notes", scope="sent")
    async with make_service(
        school_sandbox, background=True, poll_interval=0.2, idle_poll_max=0.4
    ) as (
        service,
        events,
    ):
        await until(lambda: service.cached_conversations("inbox"), "the inbox arrives")
        await until(lambda: service.unread_count == 2, "the first unread count")
        await alex.request(
            "POST", f"/conversations/{lab['id']}/add_message", data={"body": "One more thing"}
        )
        await until(lambda: events.of(NewMail), "NewMail")
        news = events.of(NewMail)[0].conversations
        assert [c.subject for c in news] == ["Lab notes"]
        # The count may come a poll after the list that showed the mail first.
        await until(lambda: UnreadCountChanged(3) in events.events, "the new unread count")
        assert service.unread_count == 3
        top = service.cached_conversations("inbox")[0]
        assert top.subject == "Lab notes"
        assert top.unread
        assert top.last_message == "One more thing"


async def test_search_recipients_offers_people_and_course_targets(
    school_sandbox: Any, make_service: Any
) -> None:
    async with make_service(school_sandbox, user=TEACHER) as (service, _):
        await service.sync(lists_only=True)
        people = await service.search_recipients("sam")
        assert [(r.id, r.kind) for r in people] == [(str(SAM), "user")]
        targets = await service.search_recipients("", f"course_{BIO}")
        ids = {r.id for r in targets}
        assert f"course_{BIO}_students" in ids
        students = next(r for r in targets if r.id == f"course_{BIO}_students")
        assert students.kind == "context"
        assert students.user_count == 2
        assert await service.search_recipients("   ") == []


async def test_a_server_that_is_not_canvas_is_reported_in_one_line(make_service: Any) -> None:
    import asyncio

    async def not_canvas(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        page = b"<html><body>Welcome to our school website</body></html>"
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}"
        writer.write(head.encode() + b"\r\nConnection: close\r\n\r\n" + page)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_canvas, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with make_service(f"http://127.0.0.1:{port}") as (service, _):
            with pytest.raises(ServiceError) as raised:
                await service.refresh()
            assert "\n" not in str(raised.value)
            assert "unexpectedly" in str(raised.value)
            assert not service.online
            assert service.cached_conversations("inbox") == []
    finally:
        server.close()
        await server.wait_closed()


async def test_a_damaged_cache_is_set_aside_and_said_once(
    school_sandbox: Any, make_service: Any, tmp_path: Path
) -> None:
    from canvas_inbox.service import ActionFailed

    cache = tmp_path / "damaged.sqlite3"
    cache.write_bytes(b"this is not a database" * 100)
    async with make_service(school_sandbox, cache=cache) as (service, events):
        failed = events.of(ActionFailed)
        assert len(failed) == 1
        assert "damaged" in failed[0].reason
        await service.sync()
        assert len(service.cached_conversations("inbox")) == 3


async def test_a_concluded_course_is_a_context_marked_concluded(
    sandbox_factory: Any, make_service: Any
) -> None:
    seed = school()
    seed["courses"].append(
        {
            "id": 30, "name": "Writing Lab", "course_code": "WRIT090",
            "workflow_state": "completed",
            "enrollments": [{"user_id": SAM, "type": "StudentEnrollment"}],
        }
    )  # fmt: skip
    async with make_service(sandbox_factory(seed=seed)) as (service, _):
        await service.sync()
        concluded = {c.code: c.concluded for c in service.contexts()}
    assert concluded == {f"course_{BIO}": False, "course_30": True, "group_3": False}
