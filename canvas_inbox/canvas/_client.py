"""CanvasClient: one method per Conversations endpoint (and the few others the app needs).

Parameter names are Canvas's. Each method hides the endpoint's pitfalls (§13): create's
list answer and its 202, the string unread count, the ``include_all_conversation_ids``
shape, add_message's 202, batch_update's Progress, show's auto-marking. Ids may be given
as ints or strings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import httpx
import msgspec

from canvas_inbox.canvas import _upload
from canvas_inbox.canvas._errors import UnexpectedResponse
from canvas_inbox.canvas._http import Wire, params
from canvas_inbox.canvas._records import (
    Batch,
    Conversation,
    ConversationIds,
    Course,
    CreateResult,
    File,
    Group,
    Profile,
    Progress,
    RecipientResult,
    User,
)
from canvas_inbox.canvas._throttle import RetryPolicy

__all__ = ["BatchEvent", "CanvasClient"]

Id = int | str
Scope = Literal["unread", "starred", "sent", "archived"] | None
BatchEvent = Literal["mark_as_read", "mark_as_unread", "star", "unstar", "archive", "destroy"]
API = "/api/v1"


class _UnreadCount(msgspec.Struct):
    unread_count: int  # Canvas sends a string ("7"); lax decoding makes it an int


def _id(value: Id) -> str:
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"not a Canvas id: {value!r}")
    return text


def _selection(scope: str | None, filter: Sequence[str], filter_mode: str | None) -> dict[str, Any]:
    # Canvas reads a lone "filter" and "filter[]" alike; the array form is the documented one.
    return {"scope": scope, "filter[]": list(filter), "filter_mode": filter_mode}


class CanvasClient:
    """An async client for one Canvas profile: ``async with CanvasClient(url, token) as c``.

    One ``httpx.AsyncClient`` (HTTP/1.1 keep-alive, at most ``max_concurrency`` requests
    in flight); the token goes only to ``base_url``'s own scheme, host and port. Raises
    only the errors of ``canvas_inbox.canvas`` (see the package docstring).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._wire = Wire(
            base_url,
            token,
            transport=transport,
            timeout=timeout,
            max_concurrency=max_concurrency,
            policy=retry or RetryPolicy(),
        )

    @property
    def base_url(self) -> str:
        return self._wire.base_url

    def __repr__(self) -> str:
        return f"CanvasClient({self.base_url!r})"  # never the token

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._wire.aclose()

    # --- plumbing ------------------------------------------------------------------------

    async def _get(self, path: str, type_: Any, query: dict[str, Any] | None = None) -> Any:
        response = await self._wire.request(
            "GET", API + path, params=params(query or {}), retry=True
        )
        return self._wire.decode(response, type_)

    async def _send(
        self, method: str, path: str, type_: Any, form: dict[str, Any], *, retry: bool = False
    ) -> Any:
        response = await self._wire.request(method, API + path, data=params(form), retry=retry)
        return self._wire.decode(response, type_)

    async def _all(self, path: str, item_type: Any, query: dict[str, Any]) -> list[Any]:
        items: list[Any] = []
        async for page in self._wire.pages(API + path, params(query), item_type):
            items.extend(page)
        return items

    # --- who and where ---------------------------------------------------------------------

    async def get_self(self) -> User:
        """``GET /users/self``: the token's owner (login checks the token with it)."""
        return await self._get("/users/self", User)  # type: ignore[no-any-return]

    async def get_profile(self) -> Profile:
        """``GET /users/self/profile``."""
        return await self._get("/users/self/profile", Profile)  # type: ignore[no-any-return]

    async def list_courses(
        self,
        *,
        enrollment_state: str | None = None,
        state: Sequence[str] = (),
        include: Sequence[str] = (),
        per_page: int = 100,
    ) -> list[Course]:
        """``GET /courses``, every page; each course carries the caller's enrollments.
        ``state=("available", "completed")`` also lists concluded courses."""
        query = {
            "enrollment_state": enrollment_state,
            "state[]": list(state),
            "include[]": list(include),
            "per_page": per_page,
        }
        return await self._all("/courses", Course, query)

    async def list_groups(self, *, per_page: int = 100) -> list[Group]:
        """``GET /users/self/groups``, every page."""
        return await self._all("/users/self/groups", Group, {"per_page": per_page})

    # --- listing conversations -----------------------------------------------------------

    def _list_query(
        self,
        scope: str | None,
        filter: Sequence[str],
        filter_mode: str | None,
        per_page: int,
        include: Sequence[str],
        include_beta: bool | None,
    ) -> dict[str, Any]:
        query = _selection(scope, filter, filter_mode)
        query.update(
            {"include[]": list(include), "include_beta": include_beta, "per_page": per_page}
        )
        return query

    async def list_conversations(
        self,
        *,
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
        per_page: int = 100,
        include: Sequence[str] = (),
        include_beta: bool | None = None,
    ) -> list[Conversation]:
        """``GET /conversations``, every page, in Canvas's order (§4.1).

        A conversation that moves between pages while they are fetched is kept once.
        """
        seen: set[int] = set()
        out: list[Conversation] = []
        async for page in self.iter_conversation_pages(
            scope=scope,
            filter=filter,
            filter_mode=filter_mode,
            per_page=per_page,
            include=include,
            include_beta=include_beta,
        ):
            for conversation in page:
                if conversation.id not in seen:
                    seen.add(conversation.id)
                    out.append(conversation)
        return out

    async def iter_conversation_pages(
        self,
        *,
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
        per_page: int = 100,
        include: Sequence[str] = (),
        include_beta: bool | None = None,
    ) -> AsyncIterator[list[Conversation]]:
        """``GET /conversations`` page by page, in order, as they arrive."""
        query = self._list_query(scope, filter, filter_mode, per_page, include, include_beta)
        async for page in self._wire.pages(API + "/conversations", params(query), Conversation):
            yield page

    async def conversation_ids(
        self,
        *,
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
        per_page: int = 100,
    ) -> ConversationIds:
        """Every conversation id of a scope/filter in one request (``include_all_
        conversation_ids``; §4.1, §13.5), with the first page of conversations."""
        query = self._list_query(scope, filter, filter_mode, per_page, (), None)
        query["include_all_conversation_ids"] = True
        return await self._get("/conversations", ConversationIds, query)  # type: ignore[no-any-return]

    async def get_conversation(
        self,
        id: Id,
        *,
        auto_mark_as_read: bool = False,
        scope: Scope = None,
        filter: Sequence[str] = (),
        filter_mode: Literal["or", "and"] | None = None,
        include: Sequence[str] = (),
        include_participant_contexts: bool | None = None,
        include_beta: bool | None = None,
    ) -> Conversation:
        """``GET /conversations/:id`` with every visible message, newest first (§4.4).

        Unlike Canvas (whose default is true), this does NOT mark the conversation read
        unless ``auto_mark_as_read=True``: the parameter is always sent explicitly.
        """
        query = _selection(scope, filter, filter_mode)
        query.update(
            {
                "auto_mark_as_read": auto_mark_as_read,
                "include[]": list(include),
                "include_participant_contexts": include_participant_contexts,
                "include_beta": include_beta,
            }
        )
        return await self._get(f"/conversations/{_id(id)}", Conversation, query)  # type: ignore[no-any-return]

    async def list_batches(self, *, per_page: int = 100) -> list[Batch]:
        """``GET /conversations/batches``: bulk sends still running (§4.3)."""
        return await self._all("/conversations/batches", Batch, {"per_page": per_page})

    async def unread_count(self) -> int:
        """``GET /conversations/unread_count`` as an int (Canvas sends a string)."""
        answer: _UnreadCount = await self._get("/conversations/unread_count", _UnreadCount)
        return answer.unread_count

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

    # --- people ------------------------------------------------------------------------------

    async def search_recipients(
        self,
        *,
        search: str | None = None,
        context: str | None = None,
        exclude: Sequence[Id] = (),
        type: Literal["user", "context"] | None = None,
        types: Sequence[str] = (),
        user_id: Id | None = None,
        from_conversation_id: Id | None = None,
        permissions: Sequence[str] = (),
        per_page: int | None = None,
        all_pages: bool = False,
    ) -> list[RecipientResult]:
        """``GET /search/recipients`` (§4.14): contexts first, then users.

        One page (Canvas's default size unless ``per_page``), which suits autocomplete;
        ``all_pages=True`` follows the bookmarks to the end.
        """
        query = {
            "search": search,
            "context": context,
            "exclude[]": [str(e) for e in exclude],
            "type": type,
            "types[]": list(types),
            "user_id": user_id,
            "from_conversation_id": from_conversation_id,
            "permissions[]": list(permissions),
            "per_page": per_page,
        }
        if all_pages:
            return await self._all("/search/recipients", RecipientResult, query)
        return await self._get("/search/recipients", list[RecipientResult], query)  # type: ignore[no-any-return]

    # --- files ---------------------------------------------------------------------------

    async def upload_attachment(
        self, path: Path, *, name: str | None = None, content_type: str | None = None
    ) -> File:
        """Upload a file into the caller's "conversation attachments" folder (§10) and
        return it; pass its ``id`` in ``attachment_ids``. The bytes go to Canvas's
        upload URL without the token; the token follows a redirect only to Canvas's
        own host."""
        return await _upload.upload(self._wire, path, name=name, content_type=content_type)

    async def get_file(self, id: Id) -> File:
        """``GET /files/:id``."""
        return await self._get(f"/files/{_id(id)}", File)  # type: ignore[no-any-return]
