"""The client over real HTTP against the sandbox: every method, and the sandbox's
--fail-rate, --latency and --throttle modes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from canvas_inbox.canvas import (
    AuthenticationError,
    CanvasClient,
    CanvasError,
    NetworkError,
    NotFound,
    RetryPolicy,
    ServerError,
    Throttled,
    ValidationError,
    _http,
)

pytest.importorskip("canvas_inbox.sandbox.app")

JANE, BOB, CARA, DAN = 1, 2, 3, 4
FAST = RetryPolicy(backoff=0.01, throttle_backoff=0.05, max_throttle_backoff=0.5)


def seed(conversations: int = 3) -> dict[str, Any]:
    people = [
        (JANE, "Jane Teacher", "Jane"),
        (BOB, "Bob Student", "Bob"),
        (CARA, "Cara Student", "Cara"),
        (DAN, "Dan Student", "Dan"),
    ]
    return {
        "users": [
            {
                "id": uid,
                "name": name,
                "short_name": short,
                "sortable_name": f"{name.split()[1]}, {short}",
                "login_id": f"{short}@x.edu",
                "token": f"token-{short.lower()}",
            }
            for uid, name, short in people
        ],
        "courses": [
            {
                "id": 12,
                "name": "Biology 101",
                "course_code": "BIO101",
                "workflow_state": "available",
                "enrollments": [{"user_id": JANE, "type": "TeacherEnrollment"}]
                + [{"user_id": uid, "type": "StudentEnrollment"} for uid in (BOB, CARA, DAN)],
            }
        ],
        "groups": [{"id": 3, "name": "Lab Team", "course_id": 12, "members": [BOB, CARA]}],
        "conversations": [
            {
                "from": BOB if i % 2 else CARA,
                "to": [str(JANE)],
                "subject": f"Question {i}",
                "body": f"Question number {i}",
                "context_code": "course_12",
                "group_conversation": True,  # a new conversation each, not a reused private one
                "created_at": f"2026-09-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
            }
            for i in range(conversations)
        ],
    }


class Counting(httpx.AsyncBaseTransport):
    """A real HTTP transport that records statuses and the most requests in flight."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.statuses: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            response = await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def school(sandbox_factory: Callable[..., Any]) -> Callable[..., Any]:
    def start(conversations: int = 3, **options: Any) -> Any:
        return sandbox_factory(seed=seed(conversations), **options)

    return start


def client(sandbox: Any, user: int, **options: Any) -> CanvasClient:
    options.setdefault("retry", FAST)
    return CanvasClient(sandbox.url, sandbox.token(user), **options)


async def test_who_and_where(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, BOB) as bob:
        me = await bob.get_self()
        profile = await bob.get_profile()
        courses = await bob.list_courses()
        groups = await bob.list_groups()
    assert (me.id, me.name) == (BOB, "Bob Student")
    assert profile.id == BOB
    assert [c.code for c in courses] == ["course_12"]
    assert any(e.user_id == BOB or e.role == "StudentEnrollment" for e in courses[0].enrollments)
    assert [g.code for g in groups] == ["group_3"]


async def test_pages_with_rel_last_match_one_big_page(school: Callable[..., Any]) -> None:
    sandbox = school(conversations=47)
    transport = Counting()
    async with client(sandbox, JANE, transport=transport, max_concurrency=4) as jane:
        paged = await jane.list_conversations(per_page=10)
        whole = await jane.list_conversations(per_page=100)
        ids = await jane.conversation_ids(per_page=1)
    assert len(paged) == 47
    assert [c.id for c in paged] == [c.id for c in whole] == ids.conversation_ids
    assert len(ids.conversations) == 1
    assert transport.most_in_flight > 1  # pages 2..5 went out together
    assert [c.last_message_at for c in paged] == sorted(
        (c.last_message_at for c in paged), reverse=True
    )


async def test_reading_does_not_mark_read_unless_asked(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane:
        assert await jane.unread_count() == 3
        (first, *_rest) = await jane.list_conversations(scope="unread")
        thread = await jane.get_conversation(first.id)
        assert thread.workflow_state == "unread"
        assert thread.messages is not None
        assert thread.messages[0].body.startswith("Question")
        assert await jane.unread_count() == 3
        read = await jane.get_conversation(first.id, auto_mark_as_read=True)
        assert read.workflow_state == "read"
        assert await jane.unread_count() == 2


async def test_send_reply_star_archive_delete(school: Callable[..., Any], tmp_path: Path) -> None:
    sandbox = school()
    notes = tmp_path / "notes.txt"
    notes.write_text("mitochondria")
    async with client(sandbox, JANE) as jane, client(sandbox, BOB) as bob:
        file = await jane.upload_attachment(notes)
        assert file.display_name == "notes.txt"
        assert (await jane.get_file(file.id)).size == len("mitochondria")
        created = await jane.create_conversation(
            [BOB],
            "Please read this",
            subject="Reading",
            attachment_ids=[file.id],
            context_code="course_12",
        )
        (conversation,) = created.conversations
        assert not created.queued
        assert conversation.visible is False  # §13.2: in Sent, not in Jane's inbox
        assert conversation.messages is not None
        assert conversation.messages[0].attachments[0].id == file.id
        sent = await jane.list_conversations(scope="sent")
        assert conversation.id in [c.id for c in sent]

        bobs = await bob.get_conversation(conversation.id)
        assert bobs.workflow_state == "unread"
        reply = await bob.add_message(conversation.id, "Will do")
        assert reply is not None
        assert reply.messages is not None
        assert reply.messages[0].body == "Will do"

        starred = await jane.update_conversation(conversation.id, starred=True)
        assert starred.starred
        archived = await jane.update_conversation(conversation.id, workflow_state="archived")
        assert archived.workflow_state == "archived"
        assert conversation.id in [c.id for c in await jane.list_conversations(scope="archived")]

        deleted = await jane.delete_conversation(conversation.id)
        assert deleted.message_count == 0
        assert deleted.starred is False
        with pytest.raises(NotFound):
            await jane.get_conversation(conversation.id)


async def test_group_conversation_recipients_and_message_removal(
    school: Callable[..., Any],
) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane, client(sandbox, DAN) as dan:
        (group,) = (
            await jane.create_conversation([BOB, CARA], "Lab at 3", group_conversation=True)
        ).conversations
        assert not group.private
        added = await jane.add_recipients(group.id, [DAN])
        assert DAN in [p.id for p in added.participants]
        assert added.messages is not None
        assert added.messages[0].generated

        only_bob = await jane.add_message(group.id, "Bob, see me", recipients=[BOB])
        assert only_bob is not None
        assert only_bob.messages is not None
        private_id = only_bob.messages[0].id
        dans = await dan.get_conversation(group.id)
        assert private_id not in [m.id for m in dans.messages or []]

        after = await jane.remove_messages(group.id, [private_id])
        assert after.id == group.id
        thread = await jane.get_conversation(group.id)
        assert private_id not in [m.id for m in thread.messages or []]


async def test_bulk_sends_sync_and_async(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane:
        bulk = await jane.create_conversation([BOB, CARA, DAN], "Grades are out")
        assert len(bulk.conversations) == 3
        assert all(c.messages is None and c.private for c in bulk.conversations)
        queued = await jane.create_conversation(
            [BOB, CARA], "Field trip", group_conversation=True, bulk_message=True, mode="async"
        )
        assert queued.queued
        assert queued.batch_id
        batches = await jane.list_batches()
        assert all(b.workflow_state in ("created", "sending") for b in batches)


async def test_batch_update_and_mark_all(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane:
        ids = [c.id for c in await jane.list_conversations()]
        progress = await jane.batch_update(ids[:2], "star")
        done = await jane.wait_for_progress(progress, interval=0.05, timeout=10)
        assert done.workflow_state == "completed"
        assert sorted(c.id for c in await jane.list_conversations(scope="starred")) == sorted(
            ids[:2]
        )
        await jane.mark_all_as_read()
        assert await jane.unread_count() == 0


async def test_search_recipients(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane:
        people = await jane.search_recipients(search="bob", types=["user"])
        assert [(p.id, p.is_context) for p in people] == [(BOB, False)]
        alias = await jane.find_recipients(search="bob", types=["user"])
        assert [p.id for p in alias] == [BOB]
        people_in = await jane.search_recipients(context="course_12")
        assert not any(t.is_context for t in people_in)  # a context alone lists people
        targets = await jane.search_recipients(
            context="course_12", synthetic_contexts=True, permissions=["send_messages_all"]
        )
        students = next(t for t in targets if t.recipient_id == "course_12_students")
        assert students.permissions == {"send_messages_all": True}
        assert all(t.is_context for t in targets)
        everyone = await jane.search_recipients(search="student", per_page=1, all_pages=True)
        assert {p.id for p in everyone if not p.is_context} >= {BOB, CARA, DAN}


async def test_canvas_errors_over_the_wire(school: Callable[..., Any]) -> None:
    sandbox = school()
    async with client(sandbox, JANE) as jane:
        jane_inbox = await jane.list_conversations()
    async with client(sandbox, DAN) as dan:
        with pytest.raises(NotFound):
            await dan.get_conversation(jane_inbox[0].id)
        with pytest.raises(ValidationError) as caught:
            await dan.create_conversation(["999"], "Hello?")
        assert str(caught.value) == "recipients: invalid"
        with pytest.raises(ValidationError) as blank:
            await dan.create_conversation([JANE], "")
        assert blank.value.errors[0].attribute == "body"
        with pytest.raises(ValidationError, match="invalid event"):
            await dan.batch_update([1], "explode")  # type: ignore[arg-type]
    async with CanvasClient(sandbox.url, "wrong-token") as stranger:
        with pytest.raises(AuthenticationError):
            await stranger.unread_count()


async def test_gets_survive_the_fail_rate_and_posts_are_never_repeated(
    school: Callable[..., Any],
) -> None:
    sandbox = school(conversations=30, fail_rate=0.3, random_seed=7)
    async with client(sandbox, JANE, retry=RetryPolicy(backoff=0.01, attempts=8)) as jane:
        for _ in range(10):
            assert await jane.unread_count() == 30
        assert len(await jane.list_conversations(per_page=5)) == 30
        outcomes = []
        for i in range(20):
            try:
                await jane.create_conversation([BOB], f"Note {i}", force_new=True)
                outcomes.append("sent")
            except (ServerError, NetworkError):
                outcomes.append("failed")
        sent = await jane.list_conversations(scope="sent")
    assert "failed" in outcomes
    assert "sent" in outcomes
    # Each failure happened before the sandbox acted, and none was retried: the server
    # holds exactly the sends that succeeded.
    assert len(sent) == outcomes.count("sent")


async def test_latency_pages_still_come_in_order(school: Callable[..., Any]) -> None:
    sandbox = school(conversations=40, latency_ms=60)
    transport = Counting()
    async with client(sandbox, JANE, transport=transport, max_concurrency=8) as jane:
        pages = [[c.id for c in page] async for page in jane.iter_conversation_pages(per_page=10)]
    assert [len(p) for p in pages] == [10, 10, 10, 10]
    flat = [i for page in pages for i in page]
    assert len(set(flat)) == 40
    assert transport.most_in_flight == 3  # pages 2, 3 and 4 together


class SentOrder(httpx.AsyncHTTPTransport):
    """A real transport that notes, in one sequence with the caller's own notes, when each
    page's request was written to its connection (httpcore's trace)."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        page = dict(request.url.params).get("page", "1")
        ours = request.extensions.get("trace")

        async def trace(event: str, info: dict[str, Any]) -> None:
            if ours is not None:
                await ours(event, info)
            if event == "http11.send_request_body.complete":
                self.events.append(f"sent {page}")

        request.extensions["trace"] = trace
        return await super().handle_async_request(request)


async def test_later_pages_are_on_the_wire_before_the_caller_gets_page_1(
    school: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A caller reading every page (a sync) writes page 1 to its cache at once: the next
    # requests must already be out (new connections take a few turns of the loop), or
    # their round trips start only after that write. (The wait's safety cap, for a slow
    # network, raised so that a slow CI machine cannot reach it.)
    monkeypatch.setattr(_http, "NETWORK_FIRST_LIMIT", 5.0)
    sandbox = school(conversations=25, latency_ms=100)
    events: list[str] = []
    async with client(sandbox, JANE, transport=SentOrder(events), max_concurrency=3) as jane:
        pages = jane.iter_conversation_pages(per_page=5, all_pages=True)
        first = await anext(pages)
        events.append("page 1 handed over")
        rest = [page async for page in pages]
    assert len(first) == 5
    assert sum(len(p) for p in rest) == 20
    handed = events.index("page 1 handed over")
    assert set(events[:handed]) == {"sent 1", "sent 2", "sent 3", "sent 4"}
    assert "sent 5" in events[handed:]  # the slot of page 2, once it answered


async def test_throttled_gets_back_off_and_all_arrive(school: Callable[..., Any]) -> None:
    # Latency makes requests reach the bucket together, as on a busy real Canvas; a cold
    # client (no open connection yet) sends its burst at once.
    sandbox = school(conversations=40, throttle=True, latency_ms=30)
    async with client(sandbox, JANE) as jane:
        ids = [c.id for c in await jane.list_conversations()]
    transport = Counting()
    async with client(sandbox, JANE, transport=transport, max_concurrency=80) as burst:
        threads = await asyncio.gather(*(burst.get_conversation(i) for i in ids + ids))
    assert [t.id for t in threads] == ids + ids
    assert 403 in transport.statuses  # Canvas did refuse some, and they were retried


async def test_throttled_posts_are_not_retried(school: Callable[..., Any]) -> None:
    sandbox = school(conversations=1, throttle=True, latency_ms=30)
    async with client(sandbox, CARA) as cara:
        (conversation,) = await cara.list_conversations(scope="sent")
    transport = Counting()
    async with client(sandbox, CARA, transport=transport, max_concurrency=80) as burst:
        results = await asyncio.gather(
            *(burst.add_message(conversation.id, f"ping {i}") for i in range(80)),
            return_exceptions=True,
        )
    async with client(sandbox, CARA) as cara:
        thread = await cara.get_conversation(conversation.id)
    refused = [r for r in results if isinstance(r, Throttled)]
    assert refused, "80 at once must overflow the bucket"
    assert all(not isinstance(r, CanvasError) or isinstance(r, Throttled) for r in results)
    assert transport.statuses.count(403) == len(refused)  # one try each, no retry
    assert len(thread.messages or []) == 1 + (80 - len(refused))
