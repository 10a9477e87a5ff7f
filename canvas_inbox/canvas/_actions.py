"""CanvasClient's writing methods: send, reply, change, delete, batch (§4.2–§4.12).

POSTs are sent once (see NetworkError.maybe_sent); only update_conversation, which just
sets fields, is retried like a GET.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Literal

from canvas_inbox.canvas._base import API, Id, Scope, _Base, _id, _selection
from canvas_inbox.canvas._errors import UnexpectedResponse
from canvas_inbox.canvas._http import params
from canvas_inbox.canvas._records import Conversation, CreateResult, Progress

BatchEvent = Literal["mark_as_read", "mark_as_unread", "star", "unstar", "archive", "destroy"]


class _Actions(_Base):
    # --- writing ---------------------------------------------------------------------------

    async def create_conversation(
        self,
        recipients: Sequence[Id],
        body: str,
        *,
        subject: str | None = None,
        group_conversation: bool = False,
        bulk_message: bool = False,
        force_new: bool = False,
        mode: Literal["sync", "async"] = "sync",
        attachment_ids: Sequence[Id] = (),
        media_comment_id: str | None = None,
        media_comment_type: Literal["audio", "video"] | None = None,
        context_code: str | None = None,
        forwarded_message_ids: Sequence[Id] = (),
        include: Sequence[str] = (),
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
    ) -> CreateResult:
        """``POST /conversations`` (§4.2). Never retried: see NetworkError.maybe_sent.

        Single sends give one conversation (with its message); bulk sends N without
        messages; a queued bulk send (``mode="async"``, 202) gives none and ``batch_id``.
        A new conversation is not in the sender's inbox (``visible`` false) until
        someone replies: it is in ``sent``.
        """
        form = {
            "recipients[]": [str(r) for r in recipients],
            "body": body,
            "subject": subject,
            "group_conversation": group_conversation,
            "bulk_message": bulk_message,
            "force_new": force_new,
            "mode": mode,
            "attachment_ids[]": [_id(a) for a in attachment_ids],
            "media_comment_id": media_comment_id,
            "media_comment_type": media_comment_type,
            "context_code": context_code,
            "forwarded_message_ids[]": [_id(m) for m in forwarded_message_ids],
            "include[]": list(include),
            **_selection(scope, filter, filter_mode),
        }
        response = await self._wire.request("POST", API + "/conversations", data=params(form))
        if response.status_code == 202:
            header = response.headers.get("X-Conversation-Batch-Id", "").strip()
            if not header.isdigit():
                raise UnexpectedResponse(
                    "Canvas queued the message but named no batch",
                    status_code=202,
                    method="POST",
                    path=API + "/conversations",
                )
            return CreateResult(conversations=[], batch_id=int(header))
        conversations = self._wire.decode(response, list[Conversation])
        return CreateResult(conversations=conversations)

    async def update_conversation(
        self,
        id: Id,
        *,
        workflow_state: Literal["read", "unread", "archived"] | None = None,
        subscribed: bool | None = None,
        starred: bool | None = None,
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
    ) -> Conversation:
        """``PUT /conversations/:id`` (§4.5); omitted fields are left alone. Setting
        fields is idempotent, so this one is retried like a GET."""
        fields = {
            "conversation[workflow_state]": workflow_state,
            "conversation[subscribed]": subscribed,
            "conversation[starred]": starred,
        }
        if all(value is None for value in fields.values()):
            raise ValueError("update_conversation needs workflow_state, subscribed or starred")
        form = {**fields, **_selection(scope, filter, filter_mode)}
        return await self._send(  # type: ignore[no-any-return]
            "PUT", f"/conversations/{_id(id)}", Conversation, form, retry=True
        )

    async def mark_all_as_read(self) -> None:
        """``POST /conversations/mark_all_as_read`` (§4.6)."""
        await self._wire.request("POST", API + "/conversations/mark_all_as_read")

    async def delete_conversation(self, id: Id) -> Conversation:
        """``DELETE /conversations/:id``: delete for the caller; also clears the star."""
        response = await self._wire.request("DELETE", f"{API}/conversations/{_id(id)}")
        return self._wire.decode(response, Conversation)  # type: ignore[no-any-return]

    async def add_recipients(self, id: Id, recipients: Sequence[Id]) -> Conversation:
        """``POST /conversations/:id/add_recipients`` (group conversations only)."""
        form = {"recipients[]": [str(r) for r in recipients]}
        return await self._send(  # type: ignore[no-any-return]
            "POST", f"/conversations/{_id(id)}/add_recipients", Conversation, form
        )

    async def add_message(
        self,
        id: Id,
        body: str,
        *,
        recipients: Sequence[Id] | None = None,
        included_messages: Sequence[Id] = (),
        attachment_ids: Sequence[Id] = (),
        media_comment_id: str | None = None,
        media_comment_type: Literal["audio", "video"] | None = None,
        context_code: str | None = None,
        include: Sequence[str] = (),
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
    ) -> Conversation | None:
        """``POST /conversations/:id/add_message`` (§4.9): reply, reply all, forward.

        ``recipients=None`` sends to every participant (reply all); a list sends only
        to those users. Returns the conversation with the new message, or None when
        Canvas queued the message (202, large conversations): refetch it then.
        """
        form = {
            "body": body,
            "recipients[]": None if recipients is None else [str(r) for r in recipients],
            "included_messages[]": [_id(m) for m in included_messages],
            "attachment_ids[]": [_id(a) for a in attachment_ids],
            "media_comment_id": media_comment_id,
            "media_comment_type": media_comment_type,
            "context_code": context_code,
            "include[]": list(include),
            **_selection(scope, filter, filter_mode),
        }
        response = await self._wire.request(
            "POST", f"{API}/conversations/{_id(id)}/add_message", data=params(form)
        )
        if response.status_code == 202:
            return None  # [] on older servers, a placeholder message id 0 on newer ones
        return self._wire.decode(response, Conversation)  # type: ignore[no-any-return]

    async def remove_messages(self, id: Id, message_ids: Sequence[Id]) -> Conversation:
        """``POST /conversations/:id/remove_messages``: delete messages for the caller."""
        if not message_ids:
            raise ValueError("remove_messages needs at least one message id")
        form = {"remove[]": [_id(m) for m in message_ids]}
        return await self._send(  # type: ignore[no-any-return]
            "POST", f"/conversations/{_id(id)}/remove_messages", Conversation, form
        )

    async def batch_update(self, ids: Sequence[Id], event: BatchEvent) -> Progress:
        """``PUT /conversations`` (§4.12): up to 500 conversations at once. Answers a
        Progress at once; ``wait_for_progress`` polls it to the end."""
        form = {"conversation_ids[]": [_id(i) for i in ids], "event": event}
        return await self._send("PUT", "/conversations", Progress, form)  # type: ignore[no-any-return]

    async def get_progress(self, id: Id) -> Progress:
        """``GET /progress/:id``."""
        return await self._get(f"/progress/{_id(id)}", Progress)  # type: ignore[no-any-return]

    async def wait_for_progress(
        self,
        progress: Progress,
        *,
        interval: float = 0.5,
        timeout: float = 120,  # noqa: ASYNC109 (a polling budget, not a cancel scope)
    ) -> Progress:
        """Poll until ``completed`` or ``failed`` (partial success is ``completed``: read
        ``message`` for the ids that failed). After ``timeout`` seconds the last Progress
        is returned unfinished (``done`` False)."""
        deadline = time.monotonic() + timeout
        while not progress.done and time.monotonic() < deadline:
            await asyncio.sleep(interval)
            progress = await self.get_progress(progress.id)
        return progress
