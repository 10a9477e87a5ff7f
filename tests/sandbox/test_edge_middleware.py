"""Fault injection and Canvas's throttle, over real HTTP and at the ASGI level."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from canvas_inbox.sandbox.middleware import (
    HIGH_WATER_MARK,
    UP_FRONT_COST,
    FaultMiddleware,
    ThrottleMiddleware,
)
from tests.sandbox.edge_support import serve_asgi

TOKEN = {"Authorization": "Bearer token-a"}


class Counting:
    """A small API whose answers cost a little real work, and which counts its calls."""

    def __init__(self, answer_after: float = 0.0) -> None:
        self.calls = 0
        self.answer_after = answer_after
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE TABLE t (x INTEGER)")
        self.db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
        self.app = Starlette(
            routes=[
                Route("/api/v1/conversations", self.listing),
                Route("/elsewhere", self.listing),
            ]
        )

    async def listing(self, request: Request) -> Response:
        self.calls += 1
        if self.answer_after:
            await asyncio.sleep(self.answer_after)
        total = self.db.execute("SELECT sum(x) FROM t WHERE x % 7 = 0").fetchone()[0]
        return JSONResponse([{"id": 1, "total": total}])


@pytest.fixture
def api() -> Counting:
    return Counting()


@pytest.fixture
def faulty(api: Counting) -> Iterator[str]:
    with serve_asgi(FaultMiddleware(api.app, latency_ms=0, fail_rate=1.0, random_seed=7)) as url:
        yield url


def _outcome(client: httpx.Client, path: str = "/api/v1/conversations") -> str:
    try:
        answer = client.get(path, headers=TOKEN)
    except httpx.TransportError:
        return "dropped"
    return str(answer.status_code)


def test_latency_delays_every_api_answer_by_at_least_the_setting(api: Counting) -> None:
    with (
        serve_asgi(FaultMiddleware(api.app, latency_ms=150, fail_rate=0, random_seed=0)) as url,
        httpx.Client(base_url=url) as client,
    ):
        client.get("/api/v1/conversations", headers=TOKEN)  # connection set up
        for _ in range(3):
            started = time.perf_counter()
            answer = client.get("/api/v1/conversations", headers=TOKEN)
            assert answer.status_code == 200
            assert time.perf_counter() - started >= 0.15


def test_fail_rate_one_gives_both_canvas_500s_and_dropped_connections(
    api: Counting, faulty: str
) -> None:
    outcomes = []
    bodies = []
    for _ in range(30):
        with httpx.Client(base_url=faulty) as client:
            try:
                answer = client.get("/api/v1/conversations", headers=TOKEN)
            except httpx.TransportError:
                outcomes.append("dropped")
                continue
            outcomes.append(str(answer.status_code))
            bodies.append(answer.json())
    assert set(outcomes) == {"500", "dropped"}
    for body in bodies:
        assert body["errors"] == [
            {"message": "An error occurred.", "error_code": "internal_server_error"}
        ]
        assert isinstance(body["error_report_id"], int)
    assert api.calls == 0, "a failed request must not reach the API (no half-done writes)"


def test_faults_leave_non_api_paths_alone(api: Counting, faulty: str) -> None:
    with httpx.Client(base_url=faulty) as client:
        assert all(_outcome(client, "/elsewhere") == "200" for _ in range(10))


def test_fail_rate_zero_never_fails(api: Counting) -> None:
    with (
        serve_asgi(FaultMiddleware(api.app, latency_ms=0, fail_rate=0.0, random_seed=1)) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert [_outcome(client) for _ in range(40)] == ["200"] * 40


def test_a_partial_fail_rate_is_repeatable_with_the_same_seed(api: Counting) -> None:
    runs = []
    for _ in range(2):
        middleware = FaultMiddleware(api.app, latency_ms=0, fail_rate=0.4, random_seed=42)
        with serve_asgi(middleware) as url:
            run = []
            for _ in range(25):
                with httpx.Client(base_url=url) as client:
                    run.append(_outcome(client))
            runs.append(run)
    assert runs[0] == runs[1]
    assert "200" in runs[0]
    assert set(runs[0]) - {"200"}


def test_fault_options_are_checked() -> None:
    with pytest.raises(ValueError, match="fail rate"):
        FaultMiddleware(Counting().app, latency_ms=0, fail_rate=1.5, random_seed=0)


# ---------------------------------------------------------------- throttle over HTTP


async def _hammer(url: str, count: int, concurrency: int, headers: dict[str, str]) -> list[Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> httpx.Response:
            async with gate:
                return await client.get("/api/v1/conversations", headers=headers)

        return await asyncio.gather(*(one() for _ in range(count)))


def test_a_client_hammering_with_twenty_concurrent_requests_is_throttled() -> None:
    # Answers that take a while, as Canvas's do: twenty requests sent together are then
    # in flight together however busy the machine is (with instant answers, a loaded
    # machine could serialise them, and the test would say nothing).
    api = Counting(answer_after=0.2)
    with serve_asgi(ThrottleMiddleware(api.app, enabled=True)) as url:
        answers = asyncio.run(_hammer(url, 60, 20, TOKEN))
    refused = [a for a in answers if a.status_code == 403]
    assert refused, "twenty requests in flight at once must hit the rate limit"
    for answer in refused:
        assert answer.text == "403 Forbidden (Rate Limit Exceeded)\n"
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.headers["x-rate-limit-remaining"] == "0.0"
        assert "x-request-cost" not in answer.headers
    assert any(a.status_code == 200 for a in answers)


def test_a_sequential_client_is_never_throttled_and_sees_the_headers(api: Counting) -> None:
    with (
        serve_asgi(ThrottleMiddleware(api.app, enabled=True)) as url,
        httpx.Client(base_url=url) as client,
    ):
        answers = [client.get("/api/v1/conversations", headers=TOKEN) for _ in range(80)]
        by_query = client.get("/api/v1/conversations", params={"access_token": "token-q"})
    assert {a.status_code for a in answers} == {200}
    for answer in [*answers, by_query]:
        cost = float(answer.headers["x-request-cost"])
        remaining = float(answer.headers["x-rate-limit-remaining"])
        assert 0.0 <= cost < 5.0
        assert 0.0 < remaining <= HIGH_WATER_MARK


def test_without_a_token_there_are_no_throttle_headers(api: Counting) -> None:
    with (
        serve_asgi(ThrottleMiddleware(api.app, enabled=True)) as url,
        httpx.Client(base_url=url) as client,
    ):
        answer = client.get("/api/v1/conversations")
    assert answer.status_code == 200
    assert "x-request-cost" not in answer.headers
    assert "x-rate-limit-remaining" not in answer.headers


def test_throttle_off_never_refuses_but_still_reports_cost(api: Counting) -> None:
    with serve_asgi(ThrottleMiddleware(api.app, enabled=False)) as url:
        answers = asyncio.run(_hammer(url, 120, 20, TOKEN))
    assert {a.status_code for a in answers} == {200}
    assert all("x-request-cost" in a.headers for a in answers)
    assert not any("x-rate-limit-remaining" in a.headers for a in answers)


# ---------------------------------------------------------------- the bucket, exactly


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Gate:
    """An ASGI app whose requests stay in flight until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"[]"})


async def _call(
    app: Any,
    token: str = "token-a",  # noqa: S107 - a test token
) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/conversations",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {token}".encode())],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


async def test_each_request_in_flight_reserves_fifty_until_it_finishes() -> None:
    gate, clock = Gate(), Clock()
    throttle = ThrottleMiddleware(gate, enabled=True, clock=clock)
    allowed = int(HIGH_WATER_MARK // UP_FRONT_COST)  # 12 reservations fill the bucket
    in_flight = [asyncio.create_task(_call(throttle)) for _ in range(allowed)]
    await asyncio.sleep(0.01)
    status, headers, body = await _call(throttle)
    assert (status, headers[b"x-rate-limit-remaining"], body) == (
        403,
        b"0.0",
        b"403 Forbidden (Rate Limit Exceeded)\n",
    )
    gate.release.set()
    results = await asyncio.gather(*in_flight)
    assert {status for status, _, _ in results} == {200}
    status, headers, _ = await _call(throttle)
    assert status == 200
    assert float(headers[b"x-rate-limit-remaining"]) == HIGH_WATER_MARK  # all returned


async def test_buckets_are_per_token_and_drain_ten_a_second() -> None:
    gate, clock = Gate(), Clock()
    throttle = ThrottleMiddleware(gate, enabled=True, clock=clock)
    in_flight = [asyncio.create_task(_call(throttle)) for _ in range(12)]
    await asyncio.sleep(0.01)
    assert (await _call(throttle))[0] == 403
    gate.release.set()
    assert (await _call(throttle, "token-b"))[0] == 200  # another token is not affected
    await asyncio.gather(*in_flight)
    # A request that took 30 s (as Canvas would charge a slow one) costs 30 units ...
    slow_gate = Gate()
    slow = ThrottleMiddleware(slow_gate, enabled=True, clock=clock)
    task = asyncio.create_task(_call(slow))
    await asyncio.sleep(0.01)
    clock.now += 30
    slow_gate.release.set()
    status, headers, _ = await task
    assert status == 200
    assert float(headers[b"x-request-cost"]) == pytest.approx(30.0)
    assert float(headers[b"x-rate-limit-remaining"]) == pytest.approx(HIGH_WATER_MARK - 30)
    # ... which drains at ten units a second.
    clock.now += 2
    _, headers, _ = await _call(slow)
    assert float(headers[b"x-rate-limit-remaining"]) == pytest.approx(HIGH_WATER_MARK - 10)


# ---------------------------------------------------------------- through the sandbox's options

SEED = {"users": [{"id": 1, "name": "Jane Teacher", "token": "token-jane"}]}


def test_the_sandbox_throttle_option_adds_canvas_headers(sandbox_factory: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    sandbox = sandbox_factory(seed=SEED, throttle=True)
    answer = httpx.get(
        f"{sandbox.api}/conversations", headers={"Authorization": "Bearer token-jane"}
    )
    assert answer.status_code == 200
    assert float(answer.headers["x-request-cost"]) >= 0
    assert 0 < float(answer.headers["x-rate-limit-remaining"]) <= HIGH_WATER_MARK
    hammered = asyncio.run(_hammer(sandbox.url, 150, 24, {"Authorization": "Bearer token-jane"}))
    assert 403 in {a.status_code for a in hammered}


def test_the_sandbox_fail_rate_option_fails_api_calls(sandbox_factory: Any) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox app is not in the tree")
    sandbox = sandbox_factory(seed=SEED, fail_rate=1.0, random_seed=3)
    outcomes = set()
    for _ in range(20):
        with httpx.Client(base_url=sandbox.url) as client:
            outcomes.add(_outcome(client, "/api/v1/users/self"))
    assert outcomes == {"500", "dropped"}


def test_a_client_with_eight_requests_in_flight_is_not_throttled(api: Counting) -> None:
    # canvas-inbox's own client keeps at most eight requests in flight: 8 x 50 < 600.
    with serve_asgi(ThrottleMiddleware(api.app, enabled=True)) as url:
        answers = asyncio.run(_hammer(url, 120, 8, TOKEN))
    assert {a.status_code for a in answers} == {200}
