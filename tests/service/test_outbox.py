"""Sending through the outbox: every kind of draft, failures kept with their reason,
and a send of unknown outcome never delivered twice."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx

from canvas_inbox.service import Draft, OutboxChanged, Recipient
from tests.service.helpers import ALEX, BIO, LOU, SAM, TEACHER, Canvas, until

ALEX_R = Recipient(id=str(ALEX), name="Alex Lab", kind="user")
TEACHER_R = Recipient(id=str(TEACHER), name="Jane Teacher", kind="user")


def draft(**fields: Any) -> Draft:
    return Draft(id=uuid.uuid4().hex, **fields)


async def bodies(canvas: Canvas, cid: int) -> list[str]:
    return [m["body"] for m in (await canvas.show(cid))["messages"]]


async def test_a_new_message_goes_to_sent_and_leaves_no_trace_in_the_outbox(
    school_sandbox: Any, make_service: Any
) -> None:
    alex = Canvas(school_sandbox, ALEX)
    async with make_service(school_sandbox) as (service, events):
        new = draft(recipients=(ALEX_R,), subject="Lab tomorrow", body="Bring goggles.",
                    context_code=f"course_{BIO}")  # fmt: skip
        service.save_draft(new)
        item = await service.send(new)
        assert item.state == "sent"
        assert item.sent_conversation_id is not None
        states = [e.item.state for e in events.of(OutboxChanged)]
        assert states[0] == "queued"
        assert "sending" in states
        assert states[-1] == "sent"
        assert service.outbox() == []
        assert service.drafts() == []
        sent = service.cached_conversations("sent")
        assert sent[0].id == item.sent_conversation_id
        # §13.2: not in the sender's inbox.
        inbox = {c.id for c in service.cached_conversations("inbox")}
        assert item.sent_conversation_id not in inbox
        received = await alex.find("Lab tomorrow")
        assert received["workflow_state"] == "unread"


async def test_group_and_individual_sends(school_sandbox: Any, make_service: Any) -> None:
    teacher = Canvas(school_sandbox, TEACHER)
    async with make_service(school_sandbox) as (service, _):
        group = await service.send(
            draft(recipients=(ALEX_R, TEACHER_R), subject="Group one", body="Hello both")
        )
        shown = await Canvas(school_sandbox, SAM).show(group.sent_conversation_id)
        assert shown["private"] is False
        assert set(shown["audience"]) == {ALEX, TEACHER}
        apart = await service.send(
            draft(
                recipients=(ALEX_R, TEACHER_R),
                subject="Separate",
                body="Hello each",
                send_individually=True,
            )
        )
        assert apart.state == "sent"
        mine = await teacher.conversations()
        assert any(c["last_message"] == "Hello each" and c["audience"] == [SAM] for c in mine)


async def test_reply_goes_to_the_author_and_reply_all_to_everyone(
    school_sandbox: Any, make_service: Any
) -> None:
    teacher, alex = Canvas(school_sandbox, TEACHER), Canvas(school_sandbox, ALEX)
    async with make_service(school_sandbox) as (service, _):
        await service.sync()
        groups = next(c for c in service.cached_conversations("inbox")
                      if c.subject == "Project groups")  # fmt: skip
        # The newest message is Alex's: a reply goes to Alex only.
        item = await service.send(
            draft(kind="reply", conversation_id=groups.id, body="Deal, Alex.")
        )
        assert item.state == "sent"
        assert "Deal, Alex." in await bodies(alex, groups.id)
        assert "Deal, Alex." not in await bodies(teacher, groups.id)
        await service.send(draft(kind="reply_all", conversation_id=groups.id, body="Hi all"))
        assert "Hi all" in await bodies(teacher, groups.id)
        assert "Hi all" in await bodies(alex, groups.id)
        # The cached thread catches up with the replies (fetched again after sending).
        await until(
            lambda: "Hi all" in [m.body for m in service.cached_thread(groups.id).messages],
            "the reply in the cached thread",
        )


async def test_forward_creates_a_conversation_embedding_the_messages(
    school_sandbox: Any, make_service: Any
) -> None:
    alex = Canvas(school_sandbox, ALEX)
    teacher = Canvas(school_sandbox, TEACHER)
    async with make_service(school_sandbox) as (service, _):
        await service.sync()
        welcome = next(c for c in service.cached_conversations("inbox")
                       if c.subject == "Welcome Sam")  # fmt: skip
        message_ids = tuple(m.id for m in service.cached_thread(welcome.id).messages)
        item = await service.send(
            draft(kind="forward", conversation_id=welcome.id, recipients=(ALEX_R,),
                  subject="Fwd: Welcome Sam", body="See below", included_message_ids=message_ids)
        )  # fmt: skip
        assert item.state == "sent"
        assert item.sent_conversation_id != welcome.id
        received = await alex.show((await alex.find("Fwd: Welcome Sam"))["id"])
        forwarded = received["messages"][0]["forwarded_messages"]
        assert [f["body"] for f in forwarded] == ["Welcome to Biology, read chapter one."]
        # The teacher, author of the forwarded message, is not told about the forward.
        assert "See below" not in [c["last_message"] for c in await teacher.conversations()]


async def test_attachments_are_uploaded_first(
    school_sandbox: Any, make_service: Any, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("cell membranes")
    alex = Canvas(school_sandbox, ALEX)
    async with make_service(school_sandbox) as (service, _):
        item = await service.send(
            draft(
                recipients=(ALEX_R,),
                subject="With file",
                body="Attached.",
                attachment_paths=(str(notes),),
            )
        )
        assert item.state == "sent"
        # One recipient, no course: Canvas reuses their private conversation (§6.3).
        assert item.sent_conversation_id == (await alex.find("Lab notes"))["id"]
        shown = await alex.show(item.sent_conversation_id)
        assert shown["messages"][0]["body"] == "Attached."
        assert [a["display_name"] for a in shown["messages"][0]["attachments"]] == ["notes.txt"]
        missing = await service.send(
            draft(recipients=(ALEX_R,), body="x", attachment_paths=(str(tmp_path / "gone.pdf"),))
        )
        assert missing.state == "failed"
        assert missing.last_error == "Attachment not found: gone.pdf"


async def test_a_refused_send_stays_in_the_outbox_with_its_reason_and_can_be_retried(
    school_sandbox: Any, make_service: Any
) -> None:
    lou = Recipient(id=str(LOU), name="Lou Loner", kind="user")
    async with make_service(school_sandbox) as (service, _):
        refused = draft(recipients=(lou,), subject="Hi Lou", body="Nobody knows you.")
        service.save_draft(refused)
        item = await service.send(refused)
        assert item.state == "failed"
        assert item.last_error
        assert "recipients" in item.last_error
        assert [i.id for i in service.outbox()] == [item.id]
        assert [d.id for d in service.drafts()] == [refused.id]  # nothing typed is lost
        again = await service.retry(item.id)
        assert again.state == "failed"
        assert again.attempts == 2
        # Edited (Lou replaced by Alex) and sent again: the same outbox item goes out.
        fixed = await service.send(
            Draft(id=refused.id, recipients=(ALEX_R,), subject="Hi Alex", body="Fixed.")
        )
        assert fixed.id == item.id
        assert fixed.state == "sent"
        assert service.outbox() == []


async def test_a_discarded_outbox_item_takes_its_draft_with_it_and_is_never_sent(
    school_sandbox: Any, make_service: Any
) -> None:
    lou = Recipient(id=str(LOU), name="Lou Loner", kind="user")
    async with make_service(school_sandbox) as (service, _):
        refused = draft(recipients=(lou,), subject="Never mind", body="Scrap this one.")
        service.save_draft(refused)
        kept = draft(recipients=(ALEX_R,), subject="Keep me", body="Still writing.")
        service.save_draft(kept)
        item = await service.send(refused)
        assert item.state == "failed"
        service.discard_outbox(item.id)
        assert service.outbox() == []
        assert [d.id for d in service.drafts()] == [kept.id]  # only the discarded one goes
        service.discard_outbox(item.id)  # already gone: nothing to do, no error
        await service.refresh("sent")
        assert all(c.subject != "Never mind" for c in service.cached_conversations("sent"))


class DropAfterPost(httpx.AsyncBaseTransport):
    """Delivers the first POST /conversations to Canvas, then loses the answer (as a
    connection dropped mid-response would)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if (
            request.method == "POST"
            and request.url.path.endswith("/conversations")
            and (not self.dropped)
        ):
            await response.aread()
            self.dropped += 1
            raise httpx.ReadError("connection dropped", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_an_unknown_outcome_is_checked_against_sent_and_never_sent_twice(
    school_sandbox: Any, make_service: Any
) -> None:
    alex = Canvas(school_sandbox, ALEX)
    transport = DropAfterPost()
    async with make_service(school_sandbox, transport=transport) as (service, events):
        item = await service.send(
            draft(recipients=(ALEX_R,), subject="Only once", body="Exactly one copy.")
        )
        assert transport.dropped == 1
        assert item.state == "sent"
        assert "unknown" in [e.item.state for e in events.of(OutboxChanged)]
        assert await alex.copies("Exactly one copy.") == 1


async def test_start_up_finishes_what_a_previous_run_left_in_the_outbox(
    school_sandbox: Any, make_service: Any, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from canvas_inbox.service import OutboxItem
    from canvas_inbox.store import Store

    alex = Canvas(school_sandbox, ALEX)
    sam = Canvas(school_sandbox, SAM)
    cache = tmp_path / "crashed.sqlite3"
    queued_at = datetime.now(UTC)
    # The last run died right after its POST reached Canvas ("sending"), and before it
    # could send a second message at all ("queued").
    await sam.request("POST", "/conversations",
                      data={"recipients[]": [str(ALEX)], "body": "Delivered before the crash",
                            "context_code": f"course_{BIO}"})  # fmt: skip
    store = Store.open(cache)
    delivered = draft(recipients=(ALEX_R,), body="Delivered before the crash",
                      context_code=f"course_{BIO}")  # fmt: skip
    waiting = draft(recipients=(ALEX_R,), body="Still waiting", context_code=f"course_{BIO}")
    store.put_outbox(OutboxItem(id="a", draft=delivered, state="sending", attempts=1,
                                created_at=queued_at))  # fmt: skip
    store.put_outbox(OutboxItem(id="b", draft=waiting, state="queued", created_at=queued_at))
    store.close()
    async with make_service(school_sandbox, cache=cache, background=True) as (service, events):
        sent = {e.item.id for e in events.of(OutboxChanged) if e.item.state == "sent"}
        for _ in range(300):
            sent = {e.item.id for e in events.of(OutboxChanged) if e.item.state == "sent"}
            if sent == {"a", "b"}:
                break
            await asyncio.sleep(0.05)
        assert sent == {"a", "b"}
        assert service.outbox() == []
    assert await alex.copies("Delivered before the crash") == 1
    assert await alex.copies("Still waiting") == 1
