"""Polling benchmark: an idle hour, simulated. Prints figures, asserts nothing.

Run: .venv/bin/python tests/benchmarks/bench_poll.py

The service runs as the app runs it (start-up refresh, poller, background sync) against
a sandbox subprocess (``--latency 50``, a generated seed of 200 conversations). Once
start-up has settled, the counters are reset and the service's clock is accelerated: its
sleeps return at once and advance a virtual clock, so an hour of idle polling takes a
few seconds. Requests and bytes (request and response, headers and bodies, as on the
wire) are counted at the transport. Target: ≤ 130 requests and ≤ 100 KB per idle hour.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_sync import ME_TOKEN, generated_seed, sandbox  # noqa: E402

HOUR = 3600.0


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def counting_transport() -> Any:
    import httpx

    class Transport(httpx.AsyncHTTPTransport):
        requests = 0
        bytes = 0
        paths: ClassVar[list[str]] = []

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            await response.aread()
            sent = len(request.method) + len(str(request.url.raw_path)) + 12
            sent += sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + len(request.content)
            got = 17 + sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
            got += len(response.content)
            type(self).requests += 1
            type(self).bytes += sent + got
            type(self).paths.append(request.url.path)
            return response

    return Transport()


async def idle_hour(url: str) -> None:
    from canvas_inbox.service.inbox import InboxService, ServiceSettings

    clock = VirtualClock()
    transport = counting_transport()
    kind = type(transport)
    settings = ServiceSettings(clock=clock, sleep=clock.sleep)
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as cache:
        service = InboxService(
            base_url=url,
            token=ME_TOKEN,
            cache_path=Path(cache) / "cache.sqlite3",
            settings=settings,
            transport=transport,
        )
        service.subscribe(lambda event: None)
        await service.start()
        # Start-up: identity, first page, the count, the full sync. Let it all finish.
        while any(t.get_name() in ("start-up", "outbox-resume") for t in service._core.tasks):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        startup_requests, startup_bytes = kind.requests, kind.bytes
        kind.requests, kind.bytes, kind.paths = 0, 0, []
        clock.now = 0.0
        while clock.now < HOUR:  # noqa: ASYNC110 - the virtual clock moves on its own
            await asyncio.sleep(0.001)
        requests, size = kind.requests, kind.bytes
        paths = sorted(set(kind.paths))
        await service.aclose()
    print(f"  start-up (not counted below): {startup_requests} requests, "
          f"{startup_bytes / 1024:.1f} KB")  # fmt: skip
    print(f"  idle hour: {requests} requests, {size / 1024:.1f} KB ({', '.join(paths)})")
    ok_requests = "meets" if requests <= 130 else "MISSES"
    ok_bytes = "meets" if size <= 100 * 1024 else "MISSES"
    print(f"  {requests / 130:.2f} of the request budget (≤ 130: {ok_requests}); "
          f"{size / (100 * 1024):.2f} of the byte budget (≤ 100 KB: {ok_bytes})")  # fmt: skip


def main() -> None:
    print("3. an idle hour of polling (simulated clock), latency 50 ms")
    with sandbox(generated_seed(200, 1)) as url:
        asyncio.run(idle_hour(url))


if __name__ == "__main__":
    main()
