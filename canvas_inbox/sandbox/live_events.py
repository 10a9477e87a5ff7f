"""Live Events: every event POSTed as JSON, in Canvas's envelope, to one receiver URL.

Canvas publishes its live events to a stream; the sandbox POSTs them to ``url`` instead,
in the same shape: ``{"metadata": {...}, "body": {...}}`` with ids as strings (§11).
Delivery never holds up or breaks an API call: ``emit`` only queues (from any thread),
a task started by ``start()`` sends, and a receiver that is down, slow or failing only
loses its own events. The queue is bounded; when it is full the oldest events go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

MAX_QUEUED = 1000
SEND_TIMEOUT = 2.0  # seconds per delivery; a slow receiver only delays its own events
CLOSE_GRACE = 1.0  # seconds aclose() waits for queued events to go out

ROOT_ACCOUNT_ID = "1"
# One fixed root account: the same uuid on every start, like a real installation.
ROOT_ACCOUNT_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "canvas-inbox-sandbox/root-account"))


def event_time(moment: datetime | None = None) -> str:
    """ISO-8601 UTC with milliseconds and Z, as Canvas writes ``event_time``."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stringify_ids(value: Any) -> Any:
    """Canvas's live event payloads carry every id as a string."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {key: stringify_ids(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stringify_ids(item) for item in value]
    return value


class LiveEventSink:
    """Queue events from anywhere; deliver them from the server's event loop."""

    def __init__(self, url: str | None, *, hostname: str) -> None:
        self.url = url
        self.hostname = hostname
        self._pending: deque[dict[str, Any]] = deque(maxlen=MAX_QUEUED)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: Any = None  # httpx.AsyncClient, imported only when there is a URL
        self._busy = False
        self.delivered = 0
        self.failed = 0

    def envelope(
        self,
        event_name: str,
        body: dict[str, Any],
        *,
        user_id: int | None,
        context_type: str | None = None,
        context_id: int | None = None,
        job_id: str | None = None,
    ) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "event_name": event_name,
            "event_time": event_time(),
            "root_account_id": ROOT_ACCOUNT_ID,
            "root_account_uuid": ROOT_ACCOUNT_UUID,
            "root_account_lti_guid": f"{ROOT_ACCOUNT_UUID}:canvas-lms",
            "hostname": self.hostname,
            "producer": "canvas",
            "request_id": str(uuid.uuid4()),
        }
        if user_id is not None:
            metadata["user_id"] = str(user_id)
        if context_type is not None and context_id is not None:
            metadata["context_type"] = context_type
            metadata["context_id"] = str(context_id)
        if job_id is not None:
            metadata["job_id"] = job_id
        return {"metadata": metadata, "body": stringify_ids(dict(body))}

    def emit(
        self,
        event_name: str,
        body: dict[str, Any],
        *,
        user_id: int | None,
        context_type: str | None = None,
        context_id: int | None = None,
        job_id: str | None = None,
    ) -> None:
        """Queue one event; never blocks and never raises (a no-op without a URL)."""
        if self.url is None:
            return
        try:
            event = self.envelope(
                event_name, body, user_id=user_id,
                context_type=context_type, context_id=context_id, job_id=job_id,
            )  # fmt: skip
            with self._lock:
                self._pending.append(event)
            loop, wake = self._loop, self._wake
            if loop is not None and wake is not None and not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)
        except Exception:  # an event is never worth failing the API call that caused it
            log.debug("could not queue live event %s", event_name, exc_info=True)

    async def start(self) -> None:
        if self.url is None or self._task is not None:
            return
        import httpx

        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=SEND_TIMEOUT, trust_env=False)
        self._task = asyncio.create_task(self._deliver_forever(), name="live-events")
        if self._pending:
            self._wake.set()

    def _take(self) -> dict[str, Any] | None:
        with self._lock:
            return self._pending.popleft() if self._pending else None

    async def _deliver_forever(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while (event := self._take()) is not None:
                self._busy = True
                try:
                    await self._deliver(event)
                finally:
                    self._busy = False

    async def _deliver(self, event: dict[str, Any]) -> None:
        try:
            answer = await self._client.post(self.url, json=event)
            if answer.status_code >= 400:
                raise RuntimeError(f"receiver answered {answer.status_code}")
            self.delivered += 1
        except asyncio.CancelledError:
            raise
        except Exception as error:  # down, slow, refusing: drop this event, keep going
            self.failed += 1
            log.debug("live event %s not delivered: %s", event["metadata"]["event_name"], error)

    async def aclose(self) -> None:
        """Give queued events a moment to go out, then stop."""
        task, self._task = self._task, None
        if task is not None:
            deadline = asyncio.get_running_loop().time() + CLOSE_GRACE
            # Polled: emit() may run on other threads, where an asyncio.Event is unsafe.
            while (self._pending or self._busy) and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
            self._client = None
        self._loop = self._wake = None
