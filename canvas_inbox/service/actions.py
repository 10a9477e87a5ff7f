"""Changes the user makes to conversations: applied to the cache at once (optimistic),
then sent to Canvas; a refusal puts the changed field back and is reported. The last
change can be undone for a while (Canvas can reverse every one of them).

Deletes are the exception: Canvas cannot undelete, so a delete hides the conversations
locally and reaches Canvas only when the undo window has passed (or the app closes).
This is aerc's message-store idea: the store between the workers and the UI owns the
pending state, so every view agrees about it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

import msgspec

from canvas_inbox.service import convert
from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.core import Core, log
from canvas_inbox.service.events import ActionFailed, ThreadChanged
from canvas_inbox.service.gateway import Gone, Refused, Unreachable, one_line, talk
from canvas_inbox.store.records import Conversation, Recipient

if TYPE_CHECKING:
    from canvas_inbox.canvas import BatchEvent

Field = str  # "starred" or "workflow_state"

# What Canvas calls each (field, value) in a batch_update, and in a single PUT.
EVENTS: dict[tuple[Field, Any], BatchEvent] = {
    ("starred", True): "star",
    ("starred", False): "unstar",
    ("workflow_state", "read"): "mark_as_read",
    ("workflow_state", "unread"): "mark_as_unread",
    ("workflow_state", "archived"): "archive",
}

_FAILURE_LINE = re.compile(r"^(?P<reason>.+):\s*(?P<ids>\d+(?:\s*,\s*\d+)*)\s*$")


def noun(count: int) -> str:
    return "1 conversation" if count == 1 else f"{count} conversations"


def counts_as_unread(row: Conversation | None) -> bool:
    """Canvas's unread count: unread rows that are visible in the inbox (§7.4)."""
    return row is not None and row.workflow_state == "unread" and row.last_message_at is not None


@dataclass(slots=True)
class PendingDelete:
    ids: tuple[int, ...]
    description: str
    task: asyncio.Task[Any] | None = None
    done: bool = False


@dataclass(slots=True)
class Change:
    description: str
    at: float
    field: Field | None = None  # None for a delete
    previous: dict[int, Any] = dataclass_field(default_factory=dict)
    pending: PendingDelete | None = None


def parse_progress_failures(message: str | None) -> dict[int, str]:
    """Canvas's batch Progress ``message``: "2 conversations processed" then, per
    distinct error, a line "<error>: <id>, <id>" (§4.12)."""
    failures: dict[int, str] = {}
    for line in (message or "").splitlines()[1:]:
        match = _FAILURE_LINE.match(line.strip())
        if match is None:
            continue
        for raw in match["ids"].split(","):
            failures[int(raw)] = one_line(match["reason"])
    return failures


class Actions:
    def __init__(self, core: Core, refresh_soon: Callable[[], None]) -> None:
        self.core = core
        self.refresh_soon = refresh_soon
        self.last: Change | None = None
        self.pending: list[PendingDelete] = []

    # --- the optimistic write -------------------------------------------------------------
    def _apply(self, values: dict[int, Any], name: Field) -> dict[int, Any]:
        """Write ``name = values[id]`` into the cached rows; returns the previous values."""
        store = self.core.store
        previous: dict[int, Any] = {}
        delta = 0
        for cid, value in values.items():
            row = store.conversation(cid)
            if row is None:
                continue
            previous[cid] = getattr(row, name)
            new = msgspec.structs.replace(row, **{name: value})
            delta += counts_as_unread(new) - counts_as_unread(row)
            store.update_conversation(new)
        if delta and self.core.unread is not None:
            self.core.set_unread(self.core.unread + delta)
        self.core.changed(values)
        return previous

    async def change(
        self, description: str, values: dict[int, Any], name: Field, *, undoable: bool = True
    ) -> None:
        self.core.touch()
        if not values:
            return
        previous = self._apply(values, name)
        for cid, value in values.items():
            self.core.in_flight.setdefault(cid, {})[name] = value
        try:
            failures = await self._send(values, name)
        finally:
            for cid in values:
                pending = self.core.in_flight.get(cid, {})
                pending.pop(name, None)
                if not pending:
                    self.core.in_flight.pop(cid, None)
        if failures:
            self._apply({cid: previous[cid] for cid in failures if cid in previous}, name)
            reasons = sorted(set(failures.values()))
            reason = reasons[0] if len(reasons) == 1 else "; ".join(reasons)
            if len(failures) < len(values):
                reason = f"{noun(len(failures))} not changed: {reason}"
            self.core.emit(ActionFailed(description=description, reason=reason))
            self.refresh_soon()
            raise ServiceError(reason)
        if undoable:
            self.last = Change(description, self.core.now(), name, previous)
        self.refresh_soon()

    async def _send(self, values: dict[int, Any], name: Field) -> dict[int, str]:
        """Tell Canvas; returns the ids it did not change, with why."""
        groups: dict[Any, list[int]] = {}
        for cid, value in values.items():
            groups.setdefault(value, []).append(cid)
        failures: dict[int, str] = {}
        for value, ids in groups.items():
            try:
                if len(ids) == 1:
                    await self._put_one(ids[0], name, value)
                else:
                    failures.update(await self._batch(ids, EVENTS[(name, value)]))
            except ServiceError as error:
                failures.update(dict.fromkeys(ids, str(error)))
        return failures

    async def _put_one(self, cid: int, name: Field, value: Any) -> None:
        wire = await talk(self.core, self.core.api.update_conversation(cid, **{name: value}))
        # Canvas's answer is the re-read: e.g. a new message may have made it unread again.
        self._store_row(wire)

    async def _batch(self, ids: Sequence[int], event: BatchEvent) -> dict[int, str]:
        api = self.core.api
        progress = await talk(self.core, api.batch_update(list(ids), event))
        progress = await talk(self.core, api.wait_for_progress(progress))
        if progress.workflow_state == "failed":
            reason = one_line(progress.message or "Canvas could not change them")
            return dict.fromkeys(ids, reason)
        return {cid: why for cid, why in parse_progress_failures(progress.message).items()
                if cid in ids}  # fmt: skip

    def _store_row(self, wire: Any) -> Conversation:
        old = self.core.store.conversation(int(wire.id))
        row = convert.merge(old, convert.conversation(wire))
        self.core.announce([(old, row)])  # Canvas's answer may carry a new message
        was = counts_as_unread(old)
        self.core.store.update_conversation(row)  # inserts it if the cache did not know it
        if was != counts_as_unread(row) and self.core.unread is not None:
            self.core.set_unread(self.core.unread + counts_as_unread(row) - was)
        self.core.changed({row.id})
        return row

    # --- the actions ----------------------------------------------------------------------
    async def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        verb = "Star" if starred else "Unstar"
        await self.change(f"{verb} {noun(len(ids))}", dict.fromkeys(ids, starred), "starred")

    async def set_archived(self, ids: Sequence[int], archived: bool) -> None:
        verb = "Archive" if archived else "Unarchive"
        state = "archived" if archived else "read"
        await self.change(f"{verb} {noun(len(ids))}", dict.fromkeys(ids, state), "workflow_state")

    async def set_read(self, ids: Sequence[int], read: bool) -> None:
        verb = "Mark read" if read else "Mark unread"
        state = "read" if read else "unread"
        await self.change(f"{verb}: {noun(len(ids))}", dict.fromkeys(ids, state), "workflow_state")

    async def mark_all_read(self) -> None:
        self.core.touch()
        store = self.core.store
        unread = [row for row in store.conversations("unread") if row.unread]
        previous = self._apply({row.id: "read" for row in unread}, "workflow_state")
        before = self.core.unread
        self.core.set_unread(0)
        try:
            await talk(self.core, self.core.api.mark_all_as_read())
        except ServiceError as error:
            self._apply(previous, "workflow_state")
            if before is not None:
                self.core.set_unread(before)
            self.core.emit(ActionFailed(description="Mark all read", reason=str(error)))
            raise
        self.last = Change("Mark all read", self.core.now(), "workflow_state", previous)
        self.refresh_soon()

    async def delete(self, ids: Sequence[int]) -> None:
        self.core.touch()
        ids = tuple(dict.fromkeys(ids))
        if not ids:
            return
        store = self.core.store
        unread = sum(counts_as_unread(store.conversation(cid)) for cid in ids)
        self.core.hidden.update(ids)
        if unread and self.core.unread is not None:
            self.core.set_unread(self.core.unread - unread)
        self.core.changed(ids)
        pending = PendingDelete(ids, f"Delete {noun(len(ids))}")
        pending.task = self.core.spawn(self._delete_later(pending), "delete-later")
        self.pending.append(pending)
        self.last = Change(pending.description, self.core.now(), pending=pending)

    async def _delete_later(self, pending: PendingDelete) -> None:
        await self.core.sleep(self.core.settings.delete_delay)
        await self._delete_now(pending)

    async def _delete_now(self, pending: PendingDelete) -> None:
        if pending.done:
            return
        pending.done = True
        if pending in self.pending:
            self.pending.remove(pending)
        ids = list(pending.ids)
        failures: dict[int, str] = {}
        for attempt in range(3):
            try:
                if len(ids) == 1:
                    await talk(self.core, self.core.api.delete_conversation(ids[0]))
                else:
                    failures = await self._batch(ids, "destroy")
                break
            except Gone:
                # Not (any more) ours: deleted here, elsewhere, or by an earlier attempt
                # whose answer was lost. Gone is what the user asked for.
                failures = {}
                break
            except Unreachable as error:
                failures = dict.fromkeys(ids, str(error))
                if self.core.closing or attempt == 2:
                    break
                await self.core.sleep(2.0 * (attempt + 1))
            except ServiceError as error:
                failures = dict.fromkeys(ids, str(error))
                break
        gone = [cid for cid in ids if cid not in failures]
        self.core.store.remove_conversations(gone)
        self.core.hidden.difference_update(ids)
        self.core.changed(ids)
        if failures:
            reason = sorted(set(failures.values()))[0]
            self.core.emit(ActionFailed(description=pending.description, reason=reason))
        self.refresh_soon()

    async def flush(self) -> None:
        """Closing: deletes still inside their undo window go to Canvas now."""
        for pending in list(self.pending):
            if pending.task is not None:
                pending.task.cancel()
            try:
                await asyncio.wait_for(self._delete_now(pending), timeout=10)
            except (TimeoutError, ServiceError):
                log.warning("a pending delete did not reach Canvas before closing")

    async def undo(self) -> str | None:
        self.core.touch()
        last, self.last = self.last, None
        if last is None:
            return None
        if last.pending is not None:
            pending = last.pending
            if pending.done:
                return None  # already on Canvas, which cannot undelete
            pending.done = True
            if pending.task is not None:
                pending.task.cancel()
            if pending in self.pending:
                self.pending.remove(pending)
            self.core.hidden.difference_update(pending.ids)
            back = sum(counts_as_unread(self.core.store.conversation(c)) for c in pending.ids)
            if back and self.core.unread is not None:
                self.core.set_unread(self.core.unread + back)
            self.core.changed(pending.ids)
            return last.description
        if self.core.now() - last.at > self.core.settings.undo_seconds or last.field is None:
            return None
        await self.change(f"Undo {last.description}", last.previous, last.field, undoable=False)
        return last.description

    async def delete_message(self, conversation_id: int, message_id: int) -> None:
        self.core.touch()
        store = self.core.store
        thread = store.thread(conversation_id)
        if thread is not None:
            kept = tuple(m for m in thread.messages if m.id != message_id)
            store.save_thread(msgspec.structs.replace(thread, messages=kept))
            self.core.emit(ThreadChanged(conversation_id))
        try:
            wire = await talk(
                self.core, self.core.api.remove_messages(conversation_id, [message_id])
            )
        except ServiceError as error:
            if thread is not None:
                store.save_thread(thread)
                self.core.emit(ThreadChanged(conversation_id))
            self.core.emit(ActionFailed(description="Delete message", reason=str(error)))
            raise
        if wire is not None and not getattr(wire, "message_count", 1):
            store.remove_conversations([conversation_id])  # nothing of it is left for us
            self.core.changed({conversation_id})
        elif wire is not None:
            row = self._store_row(wire)
            kept_thread = store.thread(conversation_id)
            if kept_thread is not None:
                store.save_thread(msgspec.structs.replace(kept_thread, conversation=row))

    async def add_recipients(self, conversation_id: int, recipients: Sequence[Recipient]) -> None:
        self.core.touch()
        codes = [r.id for r in recipients]
        if not codes:
            return
        try:
            wire = await talk(self.core, self.core.api.add_recipients(conversation_id, codes))
        except Refused as error:
            reason = str(error) or "Canvas would not add them"
            self.core.emit(ActionFailed(description="Add recipients", reason=reason))
            raise ServiceError(reason) from None
        except ServiceError as error:
            self.core.emit(ActionFailed(description="Add recipients", reason=str(error)))
            raise
        self._store_row(wire)
