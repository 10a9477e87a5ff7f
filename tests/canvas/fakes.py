"""A scripted Canvas on httpx.MockTransport: routes answer, every request is recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from canvas_inbox.canvas import RetryPolicy

BASE = "https://school.example.edu"
TOKEN = "secret-token-123"
NO_WAIT = RetryPolicy(backoff=0, throttle_backoff=0, max_delay=0)

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json; charset=utf-8", **(headers or {})},
    )


def form(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's form body (or query) as ordered pairs."""
    if request.method in ("GET", "HEAD"):
        return list(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    return list(parse_qsl(request.content.decode(), keep_blank_values=True))


@dataclass
class FakeCanvas:
    """Routes are ``"METHOD /path"`` → a Response or a function of the request. A list
    of answers is served one per request, the last repeated."""

    routes: dict[str, Answer | list[Answer]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = f"{request.method} {request.url.path}"
        if request.url.host != httpx.URL(BASE).host:
            key = f"{request.method} {request.url.scheme}://{request.url.host}{request.url.path}"
        answer = self.routes.get(key)
        if answer is None:
            return json_response(
                {"errors": [{"message": "The specified resource does not exist."}]}, 404
            )
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        result = answer(request) if callable(answer) else answer
        # A Response can be read once per request: hand out a fresh copy every time.
        return httpx.Response(result.status_code, headers=result.headers, content=result.content)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]
