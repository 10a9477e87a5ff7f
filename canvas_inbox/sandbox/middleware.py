"""Pure ASGI middlewares that make the sandbox misbehave the way a real Canvas does.

- ``FaultMiddleware``: every API answer is delayed by ``latency_ms``; a ``fail_rate``
  share of API requests fails, either with Canvas's unhandled-error 500 or with the
  connection dropped halfway through the answer (both kinds, chosen by a seeded RNG).
- ``ThrottleMiddleware``: Canvas's leaky bucket per access token (spec §9).

Both touch ``/api/v1/`` paths only: the upload endpoint and downloads are not API calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/v1/"

# §9: the unhandled-error body; error_report_id counts up like Canvas's error reports.
INTERNAL_ERROR_MESSAGE = "An error occurred."
# uvicorn reports a deliberately truncated answer as an error; it is the point here.
_DROP_LOG_LINE = "ASGI callable returned without completing response."

# §9 defaults of Canvas's request throttle.
HIGH_WATER_MARK = 600.0
MAXIMUM = 800.0
OUTFLOW_PER_SECOND = 10.0
UP_FRONT_COST = 50.0
THROTTLED_BODY = b"403 Forbidden (Rate Limit Exceeded)\n"
MIN_IN_FLIGHT = 0.01  # seconds each request is held while throttling (see __call__)


def is_api(scope: Scope) -> bool:
    return scope["type"] == "http" and str(scope.get("path", "")).startswith(API_PREFIX)


def request_token(scope: Scope) -> str | None:
    """The access token of a request, from the Bearer header or ``access_token=``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=False):
        if key == "access_token" and value:
            return value
    return None


class _HideDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_LOG_LINE


class FaultMiddleware:
    """Delay every API answer; fail a share of API requests (500 or dropped connection).

    A failed request never reaches the app, so it changes nothing on the server: a
    client that retries after either kind of failure does not create duplicates.
    """

    def __init__(
        self, app: ASGIApp, *, latency_ms: float, fail_rate: float, random_seed: int
    ) -> None:
        if latency_ms < 0 or not 0.0 <= fail_rate <= 1.0:
            raise ValueError("latency must be >= 0 and fail rate between 0 and 1")
        self.app = app
        self.latency = latency_ms / 1000.0
        self.fail_rate = fail_rate
        self.rng = random.Random(random_seed)
        self.error_reports = 1000
        if fail_rate > 0:
            logging.getLogger("uvicorn.error").addFilter(_HideDeliberateDrops())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_api(scope) or (self.latency <= 0 and self.fail_rate <= 0):
            await self.app(scope, receive, send)
            return
        failure = None
        if self.fail_rate > 0 and self.rng.random() < self.fail_rate:
            failure = "500" if self.rng.random() < 0.5 else "drop"
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if failure is None:
            await self.app(scope, receive, send)
        elif failure == "500":
            await self._internal_error(send)
        else:
            await self._drop(receive, send)

    async def _internal_error(self, send: Send) -> None:
        self.error_reports += 1
        body = json.dumps(
            {
                "errors": [
                    {"message": INTERNAL_ERROR_MESSAGE, "error_code": "internal_server_error"}
                ],
                "error_report_id": self.error_reports,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _drop(self, receive: Receive, send: Send) -> None:
        """Take the whole request, promise a body and stop halfway: the server closes
        the connection (uvicorn does that when an answer is left incomplete)."""
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", b"4096"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b'[{"id":', "more_body": True})


@dataclass(slots=True)
class _Bucket:
    level: float = 0.0
    updated: float = 0.0

    def leak(self, now: float) -> None:
        self.level = max(0.0, self.level - (now - self.updated) * OUTFLOW_PER_SECOND)
        self.updated = now


class ThrottleMiddleware:
    """Canvas's request throttle: a leaky bucket per access token.

    A request is refused (plain-text 403) when its token's bucket is at or above the
    high-water mark. Otherwise it reserves ``UP_FRONT_COST`` while it runs; when it
    answers, the reservation is returned and its real cost (its duration in seconds,
    as Canvas charges CPU and database time) is added. The bucket drains at
    ``OUTFLOW_PER_SECOND`` and never holds more than ``MAXIMUM``. So a client with a
    dozen or more requests in flight at once is throttled; a sequential one never is,
    nor one with Canvas's usual handful (8 in flight reserve 400 of the 600).

    With ``enabled=False`` nothing is refused, but token-authenticated answers still
    carry ``X-Request-Cost``, as on a Canvas whose throttle does not apply to the caller.
    """

    def __init__(
        self, app: ASGIApp, *, enabled: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}

    def _bucket(self, token: str) -> _Bucket:
        # Keyed by a digest so the token itself is not kept around longer than needed.
        key = hashlib.sha256(token.encode()).hexdigest()
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(updated=self.clock())
        return bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = request_token(scope) if is_api(scope) else None
        if token is None:
            await self.app(scope, receive, send)
            return
        bucket = self._bucket(token)
        started = self.clock()
        if self.enabled:
            bucket.leak(started)
            if bucket.level >= HIGH_WATER_MARK:
                await self._refuse(send)
                return
            bucket.level = min(MAXIMUM, bucket.level + UP_FRONT_COST)
        settled = False

        def settle() -> float:
            nonlocal settled
            cost = max(self.clock() - started, 0.0)
            if self.enabled and not settled:
                bucket.leak(self.clock())
                bucket.level = min(MAXIMUM, max(0.0, bucket.level - UP_FRONT_COST) + cost)
            settled = True
            return cost

        async def send_with_cost(message: Message) -> None:
            if message["type"] == "http.response.start" and not settled:
                cost = settle()
                headers = [*message.get("headers", ()), (b"x-request-cost", _number(cost))]
                if self.enabled:
                    remaining = HIGH_WATER_MARK - bucket.level
                    headers.append((b"x-rate-limit-remaining", _number(remaining)))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if self.enabled:
                # Hold every request in flight a little: the sandbox answers in a
                # millisecond where Canvas takes a good part of a second, and concurrency
                # is what Canvas's throttle measures. A sequential client never has more
                # than one in flight.
                await asyncio.sleep(MIN_IN_FLIGHT)
            await self.app(scope, receive, send_with_cost)
        finally:
            if not settled:
                settle()

    @staticmethod
    async def _refuse(send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(THROTTLED_BODY)).encode()),
                    (b"x-rate-limit-remaining", b"0.0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": THROTTLED_BODY})


def _number(value: float) -> bytes:
    """A float as Canvas writes it in headers: always with a decimal point."""
    return repr(round(value, 6)).encode()
