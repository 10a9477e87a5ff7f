"""An in-memory InboxAPI for UI tests that need no network: exact control over records,
failures and events. Flows that cross the wire use the sandbox and InboxService."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from canvas_inbox.service import (
    ActionFailed,
    Attachment,
    ConnectionChanged,
    Context,
    Conversation,
    ConversationsChanged,
    Draft,
    Event,
    Message,
    OutboxChanged,
    OutboxItem,
    Person,
    Recipient,
    Scope,
    SearchHit,
    ServiceError,
    Thread,
    UnreadCountChanged,
)

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
ME = Person(id=1, name="Sam Student")
TEACHER = Person(id=2, name="Jane Teacher")
FRIEND = Person(id=3, name="Alex Lab")
CONTEXTS = [
    Context(code="course_12", name="Biology 101", kind="course"),
    Context(code="course_14", name="World History", kind="course"),
    Context(code="group_3", name="Lab Team", kind="group"),
]
CONCLUDED = Context(code="course_9", name="Chemistry 2025", kind="course", concluded=True)
# Whom Sam may message, as Canvas's search/recipients would answer: people and targets.
RECIPIENTS = [
    Recipient(id="2", name="Jane Teacher", kind="user", detail="Biology 101"),
    Recipient(id="3", name="Alex Lab", kind="user", detail="Lab Team"),
    Recipient(id="4", name="Jordan Lee", kind="user", detail="World History"),
    Recipient(id="5", name="Joanna Park", kind="user", detail="Biology 101"),
    Recipient(
        id="course_12_students",
        name="All students in Biology 101",
        kind="context",
        detail="Biology 101",
        user_count=23,
    ),
    Recipient(
        id="course_12_teachers",
        name="All teachers in Biology 101",
        kind="context",
        detail="Biology 101",
        user_count=1,
    ),
    Recipient(id="group_3", name="Lab Team", kind="context", detail="group", user_count=3),
]


def make_conversations(count: int) -> list[Thread]:
    threads = []
    for number in range(count):
        cid = 1000 + number
        author = (TEACHER, FRIEND, ME)[number % 3]
        when = NOW - timedelta(hours=5 * number + 1)
        context = CONTEXTS[number % len(CONTEXTS)]
        first = Message(
            id=cid * 10,
            conversation_id=cid,
            author_id=TEACHER.id,
            created_at=when - timedelta(hours=2),
            body=f"Hello class,\nplease read chapter {number + 1} before Monday.",
            attachments=(
                (
                    Attachment(
                        id=cid,
                        display_name=f"chapter-{number + 1}.pdf",
                        size=120_000,
                        url=f"http://127.0.0.1/files/{cid}",
                    ),
                )
                if number % 4 == 0
                else ()
            ),
        )
        last = Message(
            id=cid * 10 + 1,
            conversation_id=cid,
            author_id=author.id,
            created_at=when,
            body=f"Reply number {number}: thanks, will do.",
        )
        others = [p for p in (TEACHER, FRIEND) if p != author]
        participants = (author, *others) + (() if author == ME else (ME,))
        conversation = Conversation(
            id=cid,
            subject=f"Chapter {number + 1} reading",
            workflow_state="unread" if number % 3 == 0 else "read",
            starred=number % 5 == 0,
            last_message=last.body,
            last_message_at=when,
            message_count=2,
            participants=participants,
            audience=tuple(p.id for p in participants if p != ME),
            context_code=context.code,
            context_name=context.name,
            has_attachments=bool(first.attachments),
            last_author_is_me=author == ME,
        )
        threads.append(Thread(conversation=conversation, messages=(first, last)))
    return threads


class FakeService:
    def __init__(self, threads: Sequence[Thread] | None = None, *, online: bool = True) -> None:
        source = make_conversations(12) if threads is None else threads
        self.threads = {t.conversation.id: t for t in source}
        self.order = [t.conversation.id for t in source]
        self._online = online
        self.callbacks: list[Callable[[Event], None]] = []
        self.calls: list[tuple[str, object]] = []
        self.fail_with: str | None = None
        self.deleted: list[list[int]] = []
        self.started = False
        self.context_list = list(CONTEXTS)
        self.saved_drafts: dict[str, Draft] = {}
        self.draft_saves = 0
        self.outbox_items: dict[str, OutboxItem] = {}
        self.sent: list[Draft] = []
        # What the next send does: None sends; a string fails with that reason; "unknown"
        # leaves the outcome unknown (a timeout); "raise" raises ServiceError.
        self.send_outcome: str | None = None
        self.recipient_queries: list[tuple[str, str | None]] = []
        # Seconds each search waits before answering, by query text (stale-result tests).
        self.recipient_delays: dict[str, float] = {}

    # lifecycle
    async def start(self) -> None:
        self.started = True

    async def aclose(self) -> None:
        pass

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)

    def emit(self, event: Event) -> None:
        for callback in list(self.callbacks):
            callback(event)

    # state
    @property
    def me(self) -> Person | None:
        return ME

    @property
    def unread_count(self) -> int | None:
        return sum(1 for c in self._all() if c.unread)

    @property
    def online(self) -> bool:
        return self._online

    def set_online(self, online: bool, reason: str | None = None) -> None:
        self._online = online
        self.emit(ConnectionChanged(online=online, reason=reason))

    def contexts(self) -> list[Context]:
        return list(self.context_list)

    def _all(self) -> list[Conversation]:
        return [self.threads[i].conversation for i in self.order if i in self.threads]

    def cached_conversations(
        self, scope: Scope, context_code: str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        keep = {
            "inbox": lambda c: c.workflow_state != "archived",
            "unread": lambda c: c.unread,
            "starred": lambda c: c.starred,
            "sent": lambda c: c.last_author_is_me,
            "archived": lambda c: c.workflow_state == "archived",
        }[scope]
        rows = [
            c
            for c in self._all()
            if keep(c) and (context_code is None or c.context_code == context_code)
        ]
        return rows[:limit] if limit is not None else rows

    def cached_thread(self, conversation_id: int) -> Thread | None:
        return self.threads.get(conversation_id)

    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        hits = []
        for thread in self.threads.values():
            for message in thread.messages:
                at = message.body.lower().find(query.lower())
                if at >= 0:
                    hits.append(
                        SearchHit(
                            conversation_id=thread.conversation.id,
                            message_id=message.id,
                            subject=thread.conversation.subject,
                            snippet=message.body,
                            highlights=((at, at + len(query)),),
                            created_at=message.created_at,
                        )
                    )
        return hits[:limit]

    def drafts(self) -> list[Draft]:
        return sorted(self.saved_drafts.values(), key=lambda d: d.updated_at or NOW, reverse=True)

    def save_draft(self, draft: Draft) -> None:
        self.draft_saves += 1
        self.saved_drafts[draft.id] = draft

    def delete_draft(self, draft_id: str) -> None:
        self.saved_drafts.pop(draft_id, None)

    def outbox(self) -> list[OutboxItem]:
        return sorted(self.outbox_items.values(), key=lambda item: item.created_at)

    def discard_outbox(self, outbox_id: str) -> None:
        """As InboxService: the item and its draft go; nothing is said to Canvas."""
        self.calls.append(("discard_outbox", outbox_id))
        item = self.outbox_items.pop(outbox_id, None)
        if item is not None:
            self.saved_drafts.pop(item.draft.id, None)

    # network
    async def refresh(self, scope: Scope = "inbox", context_code: str | None = None) -> None:
        self.calls.append(("refresh", scope))
        if not self._online:
            raise ServiceError("offline: showing cached mail")

    async def open_thread(self, conversation_id: int, *, mark_read: bool = True) -> Thread:
        self.calls.append(("open_thread", (conversation_id, mark_read)))
        if mark_read:
            self._change([conversation_id], "Mark read", workflow_state="read")
        return self.threads[conversation_id]

    async def search_recipients(
        self, text: str, context_code: str | None = None
    ) -> list[Recipient]:
        self.recipient_queries.append((text, context_code))
        delay = self.recipient_delays.get(text)
        if delay:
            await asyncio.sleep(delay)
        if not self._online:
            raise ServiceError("offline: cannot search recipients")
        if context_code is not None and context_code.endswith("_sections"):
            return [Recipient(id="section_5", name="Section A", kind="context", user_count=12)]
        if context_code == "course_12" and not text:
            # Canvas's browse list inside a course: roles, and folders to open.
            return [
                Recipient(id="course_12_teachers", name="Teachers", kind="context", user_count=1),
                Recipient(id="course_12_students", name="Students", kind="context", user_count=23),
                Recipient(id="course_12_sections", name="Course Sections", kind="context"),
            ]
        words = text.lower().split()
        return [r for r in RECIPIENTS if all(w in r.name.lower() for w in words)]

    # actions
    def _change(self, ids: Sequence[int], description: str, **changes: object) -> None:
        before = {i: self.threads[i] for i in ids if i in self.threads}
        for i, thread in before.items():
            conversation = msgspec.structs.replace(thread.conversation, **changes)
            self.threads[i] = msgspec.structs.replace(thread, conversation=conversation)
        self.emit(ConversationsChanged(frozenset(ids)))
        self.emit(UnreadCountChanged(self.unread_count or 0))
        if self.fail_with is not None:
            self.threads.update(before)
            reason, self.fail_with = self.fail_with, None
            self.emit(ConversationsChanged(frozenset(ids)))
            self.emit(ActionFailed(description=description, reason=reason))
            raise ServiceError(reason)

    async def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        self.calls.append(("set_starred", (list(ids), starred)))
        self._change(ids, "Star", starred=starred)

    async def set_archived(self, ids: Sequence[int], archived: bool) -> None:
        self.calls.append(("set_archived", (list(ids), archived)))
        self._change(ids, "Archive", workflow_state="archived" if archived else "read")

    async def set_read(self, ids: Sequence[int], read: bool) -> None:
        self.calls.append(("set_read", (list(ids), read)))
        self._change(ids, "Mark", workflow_state="read" if read else "unread")

    async def delete(self, ids: Sequence[int]) -> None:
        self.calls.append(("delete", list(ids)))
        self.deleted.append([i for i in ids if i in self.threads])
        self._stash = {i: self.threads.pop(i) for i in ids if i in self.threads}
        self.emit(ConversationsChanged(frozenset(ids)))

    async def delete_message(self, conversation_id: int, message_id: int) -> None:
        pass

    async def mark_all_read(self) -> None:
        self.calls.append(("mark_all_read", None))
        self._change(list(self.threads), "Mark all read", workflow_state="read")

    async def undo(self) -> str | None:
        self.calls.append(("undo", None))
        stash = getattr(self, "_stash", {})
        if not stash:
            return None
        self.threads.update(stash)
        self._stash = {}
        self.emit(ConversationsChanged())
        return f"Delete {len(stash)} conversation(s)"

    def _attempt(self, item: OutboxItem) -> OutboxItem:
        outcome, self.send_outcome = self.send_outcome, None
        attempts = item.attempts + 1
        if outcome == "raise":
            raise ServiceError("offline: the message waits in the outbox")
        if outcome is None:
            item = msgspec.structs.replace(item, state="sent", attempts=attempts)
            self.sent.append(item.draft)
            self.outbox_items.pop(item.id, None)
            self.saved_drafts.pop(item.draft.id, None)
        else:
            state = "unknown" if outcome == "unknown" else "failed"
            reason = "the request timed out" if outcome == "unknown" else outcome
            item = msgspec.structs.replace(item, state=state, attempts=attempts, last_error=reason)
            self.outbox_items[item.id] = item
        self.emit(OutboxChanged(item))
        return item

    async def send(self, draft: Draft) -> OutboxItem:
        """As InboxService: the draft is saved first, and sending the same draft again
        (perhaps edited) reuses its outbox item."""
        self.calls.append(("send", draft.id))
        self.save_draft(draft)
        existing = next((i for i in self.outbox_items.values() if i.draft.id == draft.id), None)
        if existing is not None:
            item = msgspec.structs.replace(existing, draft=draft, state="queued")
        else:
            item = OutboxItem(id=uuid.uuid4().hex, draft=draft, created_at=NOW)
        self.outbox_items[item.id] = item
        return self._attempt(item)

    async def retry(self, outbox_id: str) -> OutboxItem:
        self.calls.append(("retry", outbox_id))
        item = self.outbox_items.get(outbox_id)
        if item is None:
            raise ServiceError("That message is no longer in the outbox.")
        return self._attempt(item)

    async def add_recipients(self, conversation_id: int, recipients: Sequence[Recipient]) -> None:
        pass
