"""What every group of CanvasClient methods shares: id checks, the selection
parameters, and GET/send/all-pages over the Wire."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from canvas_inbox.canvas._http import Wire, params

Id = int | str
Scope = Literal["unread", "starred", "sent", "archived"] | None
API = "/api/v1"


def _id(value: Id) -> str:
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"not a Canvas id: {value!r}")
    return text


def _selection(scope: str | None, filter: Sequence[str], filter_mode: str | None) -> dict[str, Any]:
    # Canvas reads a lone "filter" and "filter[]" alike; the array form is the documented one.
    return {"scope": scope, "filter[]": list(filter), "filter_mode": filter_mode}


class _Base:
    _wire: Wire

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
        async for page in self._wire.pages(API + path, params(query), item_type, eager=True):
            items.extend(page)
        return items
