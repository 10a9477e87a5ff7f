"""CanvasClient: one method per Conversations endpoint (and the few others the app needs).
The reading methods live here, the writing ones in ``_actions.py``.

Parameter names are Canvas's. Each method hides the endpoint's pitfalls (§13): create's
list answer and its 202, the string unread count, the ``include_all_conversation_ids``
shape, add_message's 202, batch_update's Progress, show's auto-marking. Ids may be given
as ints or strings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import httpx
import msgspec

from canvas_inbox.canvas import _upload
from canvas_inbox.canvas._actions import BatchEvent, _Actions
from canvas_inbox.canvas._base import API, Id, Scope, _id, _selection
from canvas_inbox.canvas._http import Wire, params
from canvas_inbox.canvas._records import (
    Batch,
    Conversation,
    ConversationIds,
    Course,
    File,
    Group,
    Profile,
    RecipientResult,
    User,
)
from canvas_inbox.canvas._throttle import RetryPolicy

__all__ = ["BatchEvent", "CanvasClient"]


class _UnreadCount(msgspec.Struct):
    unread_count: int  # Canvas sends a string ("7"); lax decoding makes it an int


def _recipient_query(
    *,
    search: str | None = None,
    context: str | None = None,
    exclude: Sequence[Id] = (),
    type: str | None = None,
    types: Sequence[str] = (),
    user_id: Id | None = None,
    from_conversation_id: Id | None = None,
    permissions: Sequence[str] = (),
    per_page: int | None = None,
) -> dict[str, Any]:
    return {
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


class CanvasClient(_Actions):
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

    async def yield_to_network(self) -> None:
        """Wait (briefly) until no request is being written out or having its answer
        read: call it before a few milliseconds of work of your own (a cache write), so
        that work does not hold back requests ready to go or slots about to free."""
        await self._wire.yield_to_network()

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
            all_pages=True,
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
        all_pages: bool = False,
    ) -> AsyncIterator[list[Conversation]]:
        """``GET /conversations`` page by page, in order, as they arrive.

        ``all_pages=True``: the caller will read to the end, so the later pages are
        requested before the first is handed over (a caller that may stop after one page
        leaves it False, and nothing more is sent unless it asks for a second page)."""
        query = self._list_query(scope, filter, filter_mode, per_page, include, include_beta)
        pages = self._wire.pages(
            API + "/conversations", params(query), Conversation, eager=all_pages
        )
        try:
            async for page in pages:
                yield page
        finally:
            await pages.aclose()

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
        synthetic_contexts: bool = False,
    ) -> list[RecipientResult]:
        """``GET /search/recipients`` (§4.14): contexts first, then users.

        One page (Canvas's default size unless ``per_page``), which suits autocomplete;
        ``all_pages=True`` follows the bookmarks to the end. ``synthetic_contexts`` with
        a course ``context`` asks for its role sets and section/group folders (the web
        Inbox's way); Canvas tests the parameter's presence, so it is sent only when true.
        """
        query = _recipient_query(
            search=search,
            context=context,
            exclude=exclude,
            type=type,
            types=types,
            user_id=user_id,
            from_conversation_id=from_conversation_id,
            permissions=permissions,
            per_page=per_page,
        )
        if synthetic_contexts:
            query["synthetic_contexts"] = 1
        return await self._recipients("/search/recipients", query, all_pages)

    async def find_recipients(self, **options: Any) -> list[RecipientResult]:
        """``GET /conversations/find_recipients``: Canvas's deprecated alias of
        search/recipients, for servers that predate it. Same keywords and answer."""
        all_pages = bool(options.pop("all_pages", False))
        query = _recipient_query(**options)
        return await self._recipients("/conversations/find_recipients", query, all_pages)

    async def _recipients(
        self, path: str, query: dict[str, Any], all_pages: bool
    ) -> list[RecipientResult]:
        if all_pages:
            return await self._all(path, RecipientResult, query)
        return await self._get(path, list[RecipientResult], query)  # type: ignore[no-any-return]

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
