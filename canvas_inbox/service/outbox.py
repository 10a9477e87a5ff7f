"""Sending, through the outbox: a message is written to the store before anything goes on
the wire, so nothing the user wrote is lost whatever happens next.

States: queued → sending → (gone: sent) | failed (Canvas refused; the reason is kept, to
edit or retry) | unknown (the POST was cut off or Canvas failed mid-way: it may or may
not have been delivered). Before an unknown (or interrupted "sending") item is sent
again, the ``sent`` list is searched for a message of ours with the same body written
after the item was queued; if there is one, the item was delivered and is not sent twice.
"""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from canvas_inbox.service import convert
from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.core import Core
from canvas_inbox.service.events import OutboxChanged, ThreadChanged
from canvas_inbox.service.gateway import Refused, Unreachable, talk
from canvas_inbox.store.records import Draft, OutboxItem

# Our clock and Canvas's may disagree a little; a message this much older than the
# outbox item still counts as possibly ours.
CLOCK_SLACK = timedelta(minutes=2)
SENT_CANDIDATES = 10  # newest conversations of "sent" examined for an unknown send


def same_text(a: str, b: str) -> bool:
    """Recent Canvas sanitises bodies as HTML (§3.3): compare what a reader would see."""

    def norm(text: str) -> str:
        return " ".join(html.unescape(text).split())

    return norm(a) == norm(b)


def _readable(raw: str) -> Path | None:
    path = Path(raw).expanduser()
    return path if path.is_file() else None


class Outbox:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.sending: set[str] = set()

    def _put(self, item: OutboxItem) -> OutboxItem:
        self.core.store.put_outbox(item)
        self.core.emit(OutboxChanged(item))
        return item

    # --- the surface --------------------------------------------------------------------------
    async def send(self, draft: Draft) -> OutboxItem:
        self.core.touch()
        store = self.core.store
        store.save_draft(draft)  # whatever happens, what was typed is on disk
        existing = next((i for i in store.outbox() if i.draft.id == draft.id), None)
        if existing is not None:
            if existing.id in self.sending:
                raise ServiceError("This message is already being sent")
            # Sending the same draft again (perhaps edited) reuses its outbox item; an
            # earlier attempt of unknown outcome is checked before anything goes out.
            if existing.state in ("unknown", "sending"):
                try:
                    found = await self._check(existing)
                except Unreachable as error:
                    return self._put(msgspec.structs.replace(existing, last_error=str(error)))
                if found is not None:
                    return self._sent(existing, found)
            item = self._put(msgspec.structs.replace(existing, draft=draft, state="queued"))
        else:
            item = self._put(
                OutboxItem(
                    id=uuid.uuid4().hex, draft=draft, state="queued", created_at=datetime.now(UTC)
                )
            )
        return await self.deliver(item)

    async def retry(self, outbox_id: str) -> OutboxItem:
        self.core.touch()
        item = self.core.store.outbox_item(outbox_id)
        if item is None:
            raise ServiceError("That message is no longer in the outbox")
        if item.id in self.sending:
            raise ServiceError("This message is already being sent")
        return await self.deliver(item)

    async def resume(self) -> None:
        """At start-up: items a previous run left queued or mid-send."""
        for item in self.core.store.outbox():
            if item.state in ("queued", "sending") and item.id not in self.sending:
                await self.deliver(item)

    # --- delivery ---------------------------------------------------------------------------
    async def deliver(self, item: OutboxItem) -> OutboxItem:
        self.sending.add(item.id)
        try:
            attempts = max(1, self.core.settings.send_attempts)
            for attempt in range(attempts):
                if attempt:
                    await self.core.sleep(min(1.0 * 2**attempt, 8.0))
                if item.state in ("unknown", "sending"):
                    try:
                        found = await self._check(item)
                    except Unreachable as error:
                        item = self._put(msgspec.structs.replace(
                            item, state="unknown", last_error=str(error)
                        ))  # fmt: skip
                        continue
                    if found is not None:
                        return self._sent(item, found)
                item = self._put(
                    msgspec.structs.replace(
                        item, state="sending", attempts=item.attempts + 1, last_error=None
                    )
                )
                try:
                    conversation_id = await self._attempt(item.draft)
                except Unreachable as error:
                    state = "unknown" if error.maybe_sent else "failed"
                    item = self._put(
                        msgspec.structs.replace(item, state=state, last_error=str(error))
                    )
                    continue
                except ServiceError as error:
                    return self._put(
                        msgspec.structs.replace(item, state="failed", last_error=str(error))
                    )
                return self._sent(item, conversation_id)
            return item
        finally:
            self.sending.discard(item.id)

    def _sent(self, item: OutboxItem, conversation_id: int | None) -> OutboxItem:
        done = msgspec.structs.replace(
            item, state="sent", last_error=None, sent_conversation_id=conversation_id
        )
        store = self.core.store
        store.remove_outbox(item.id)
        store.delete_draft(item.draft.id)
        self.core.emit(OutboxChanged(done))
        self.core.changed()
        return done

    async def _attempt(self, draft: Draft) -> int | None:
        """One POST (after the uploads). Returns the conversation it went to."""
        if not draft.body.strip():
            raise ServiceError("The message is empty")
        api = self.core.api
        attachment_ids = [await self._upload(path) for path in draft.attachment_paths]
        if draft.kind in ("new", "forward"):
            targets = [r.id for r in draft.recipients]
            if not targets:
                raise ServiceError("Add at least one recipient")
            several = len(targets) > 1 or any(r.kind == "context" for r in draft.recipients)
            forward = draft.kind == "forward"
            # A forward is a new conversation embedding the messages, as the Canvas UI does
            # (forwarded_message_ids); add_message's included_messages only copies history
            # to people added to the same conversation. To one person it must not land in
            # an existing private conversation with them (§6.3 reuse): force_new.
            result = await talk(
                self.core,
                api.create_conversation(
                    targets,
                    draft.body,
                    subject=draft.subject or None,
                    group_conversation=several and not draft.send_individually,
                    context_code=draft.context_code,
                    attachment_ids=attachment_ids,
                    force_new=forward and not several,
                    forwarded_message_ids=draft.included_message_ids if forward else (),
                ),
            )
            rows = [convert.conversation(c) for c in result.conversations]
            if rows:
                # §13.2: a new conversation is in Sent, not the inbox, until someone replies.
                self.core.store.upsert_conversations(rows, scope="sent")
            return rows[0].id if rows else None
        if draft.conversation_id is None:
            raise ServiceError("This reply has lost its conversation")
        recipients: list[str] | None = None
        if draft.kind == "reply":
            recipients = [r.id for r in draft.recipients] or self._author_of(draft)
        elif draft.recipients and not self._everyone(draft):
            # Reply all with people taken out of To: only those left get it.
            recipients = [r.id for r in draft.recipients]
        wire = await talk(
            self.core,
            api.add_message(
                draft.conversation_id,
                draft.body,
                recipients=recipients,
                attachment_ids=attachment_ids,
                context_code=draft.context_code,
            ),
        )
        if wire is not None:
            old = self.core.store.conversation(int(wire.id))
            self.core.store.update_conversation(convert.merge(old, convert.conversation(wire)))
        self.core.spawn(self._refetch(draft.conversation_id), "refetch-after-reply")
        return draft.conversation_id

    def _everyone(self, draft: Draft) -> bool:
        """Does this reply-all draft still name everyone in the conversation? Then it
        goes without ``recipients[]`` (Canvas: to every participant, §4.9)."""
        row = self.core.store.conversation(draft.conversation_id or 0)
        if row is None:
            return True
        named = {r.id for r in draft.recipients}
        return {str(i) for i in row.audience} <= named

    def _author_of(self, draft: Draft) -> list[str]:
        """Reply goes to the author of the newest message not ours (§13.10)."""
        thread = self.core.store.thread(draft.conversation_id or 0)
        me = self.core.me.id if self.core.me else None
        if thread is not None:
            for message in reversed(thread.messages):
                if not message.generated and message.author_id != me:
                    return [str(message.author_id)]
        raise ServiceError("Whom to reply to is not known; use reply all")

    async def _upload(self, raw: str) -> int:
        path = _readable(raw)
        if path is None:
            raise ServiceError(f"Attachment not found: {Path(raw).name}")
        try:
            file = await talk(self.core, self.core.api.upload_attachment(path))
        except OSError as error:
            raise ServiceError(f"Cannot read {path.name}: {error.strerror}") from None
        except Refused as error:
            raise ServiceError(f"Canvas refused {path.name}: {error}") from None
        return int(file.id)

    async def _refetch(self, conversation_id: int) -> None:
        try:
            wire = await talk(
                self.core, self.core.api.get_conversation(conversation_id, auto_mark_as_read=False)
            )
        except ServiceError:
            return  # the next sync catches up
        self.core.store.save_thread(convert.thread(wire))
        self.core.emit(ThreadChanged(conversation_id))
        self.core.changed({conversation_id})

    # --- was it delivered? ------------------------------------------------------------------
    async def _check(self, item: OutboxItem) -> int | None:
        """The conversation where a message of ours with this body appeared after the item
        was queued, or None if there is none."""
        api = self.core.api
        me = self.core.me
        if me is None:
            me = convert.person(await talk(self.core, api.get_self()))
        since = item.created_at - CLOCK_SLACK
        draft = item.draft
        if draft.kind in ("reply", "reply_all") and draft.conversation_id is not None:
            candidates: list[int] = [draft.conversation_id]
        else:
            pages = api.iter_conversation_pages(scope="sent", per_page=SENT_CANDIDATES)
            try:
                first: list[Any] = await talk(self.core, anext(pages, []))
            finally:
                await self.core.close_pages(pages)
            candidates = [
                int(c.id)
                for c in first
                if c.last_authored_message_at is None or c.last_authored_message_at >= since
            ]
        for cid in candidates:
            try:
                wire = await talk(self.core, api.get_conversation(cid, auto_mark_as_read=False))
            except Refused:
                continue
            for message in wire.messages or ():
                if (
                    message.author_id == me.id
                    and message.created_at is not None
                    and message.created_at >= since
                    and same_text(message.body, draft.body)
                ):
                    return cid
        return None
