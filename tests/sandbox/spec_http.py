"""A thin, explicit HTTP caller for the spec tests: one httpx client per seeded user.

Parameters are encoded the way Canvas clients send them (``name[]`` arrays in forms and
query strings, booleans as words), so a test reads like the request it makes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
UNAUTHORIZED = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}

Params = Mapping[str, Any] | None


def form(params: Params) -> list[tuple[str, str]]:
    """Encode ``{"recipients": [1, 2], "group_conversation": True}`` as Canvas form pairs:
    lists become ``name[]`` (unless the key already says how it nests), booleans words."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            name = key if key.endswith("]") else f"{key}[]"
            pairs.extend((name, _word(v)) for v in value)
        else:
            pairs.append((key, _word(value)))
    return pairs


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Caller:
    """One user talking to the sandbox over real HTTP."""

    def __init__(self, api: str, token: str | None, user_id: int | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.api = api
        self.user_id = user_id
        self.http = httpx.Client(base_url=api, headers=headers, timeout=10.0)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: Params = None, **kw: Any) -> httpx.Response:
        return self.http.get(path, params=form(params), **kw)

    def post(
        self, path: str, data: Params = None, *, params: Params = None, **kw: Any
    ) -> httpx.Response:
        return self._send("POST", path, data, params, kw)

    def put(
        self, path: str, data: Params = None, *, params: Params = None, **kw: Any
    ) -> httpx.Response:
        return self._send("PUT", path, data, params, kw)

    def delete(self, path: str, params: Params = None, **kw: Any) -> httpx.Response:
        return self.http.delete(path, params=form(params), **kw)

    def _send(
        self, method: str, path: str, data: Params, params: Params, kw: dict[str, Any]
    ) -> httpx.Response:
        if "json" not in kw and "content" not in kw and "files" not in kw:
            # httpx wants a dict for data=; a list of pairs goes in as an encoded body.
            kw["content"] = urlencode(form(data)).encode() if data else b""
            kw.setdefault("headers", {})
            kw["headers"] = {"Content-Type": "application/x-www-form-urlencoded", **kw["headers"]}
        return self.http.request(method, path, params=form(params), **kw)

    # ---- conveniences used by many tests ------------------------------------------------

    def create(self, to: Iterable[int | str], body: str = "hello", **kw: Any) -> dict[str, Any]:
        """Create and return the single conversation (asserting the 201 + one-item array)."""
        items = self.create_many(to, body, **kw)
        assert len(items) == 1, items
        return items[0]

    def create_many(
        self, to: Iterable[int | str], body: str = "hello", **kw: Any
    ) -> list[dict[str, Any]]:
        r = self.post("conversations", {"recipients": list(to), "body": body, **kw})
        assert r.status_code == 201, (r.status_code, r.text)
        items = r.json()
        assert isinstance(items, list)
        return items

    def reply(self, cid: int, body: str = "a reply", **kw: Any) -> dict[str, Any]:
        r = self.post(f"conversations/{cid}/add_message", {"body": body, **kw})
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    def show(self, cid: int, **params: Any) -> dict[str, Any]:
        """GET show without marking read (unless the test says otherwise)."""
        params.setdefault("auto_mark_as_read", "false")
        r = self.get(f"conversations/{cid}", params)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    def update(self, cid: int, **fields: Any) -> dict[str, Any]:
        data = {f"conversation[{k}]": v for k, v in fields.items()}
        r = self.put(f"conversations/{cid}", data)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    def listing(self, **params: Any) -> list[dict[str, Any]]:
        params.setdefault("per_page", 100)
        r = self.get("conversations", params)
        assert r.status_code == 200, (r.status_code, r.text)
        body = r.json()
        assert isinstance(body, list), body
        return body

    def ids(self, **params: Any) -> list[int]:
        return [c["id"] for c in self.listing(**params)]

    def unread_count(self) -> str:
        r = self.get("conversations/unread_count")
        assert r.status_code == 200, r.text
        return r.json()["unread_count"]

    def find(self, subject: str, **params: Any) -> dict[str, Any]:
        """The conversation with this subject in a listing (seeded ones have no known id)."""
        for conv in self.listing(**params):
            if conv["subject"] == subject:
                return conv
        raise AssertionError(f"no conversation {subject!r} in {params or 'inbox'}")


def participant_ids(conv: Mapping[str, Any]) -> list[int]:
    return [p["id"] for p in conv["participants"]]
