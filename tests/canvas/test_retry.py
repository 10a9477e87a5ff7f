"""Throttling and retries: GETs ride out trouble, POSTs are sent once."""

from __future__ import annotations

import httpx
import pytest

from canvas_inbox.canvas import (
    CanvasClient,
    NetworkError,
    RetryPolicy,
    ServerError,
    Throttled,
)
from canvas_inbox.canvas._throttle import Throttle
from tests.canvas import samples
from tests.canvas.fakes import NO_WAIT, FakeCanvas, json_response

RATE_LIMITED = httpx.Response(
    403,
    text="403 Forbidden (Rate Limit Exceeded)\n",
    headers={"content-type": "text/plain; charset=utf-8", "X-Rate-Limit-Remaining": "0.0"},
)
UNREAD = json_response({"unread_count": "3"}, headers={"X-Rate-Limit-Remaining": "590.5"})


async def test_throttled_get_backs_off_and_succeeds(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations/unread_count"] = [RATE_LIMITED, RATE_LIMITED, UNREAD]
    assert await client.unread_count() == 3
    assert len(canvas.requests) == 3


async def test_throttled_get_gives_up_after_its_tries(
    canvas: FakeCanvas, client_for: object
) -> None:
    canvas.routes["GET /api/v1/conversations/unread_count"] = RATE_LIMITED
    policy = RetryPolicy(backoff=0, throttle_backoff=0, max_delay=0, throttle_attempts=4)
    async with client_for(retry=policy) as client:  # type: ignore[operator]
        with pytest.raises(Throttled):
            await client.unread_count()
    assert len(canvas.requests) == 4


async def test_update_is_idempotent_and_retried_when_throttled(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["PUT /api/v1/conversations/41"] = [
        RATE_LIMITED,
        json_response(samples.conversation(41, starred=True)),
    ]
    assert (await client.update_conversation(41, starred=True)).starred
    assert len(canvas.requests) == 2


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.add_message(41, "hi"),
        lambda c: c.mark_all_as_read(),
        lambda c: c.batch_update([1], "star"),
        lambda c: c.delete_conversation(41),
    ],
    ids=["add_message", "mark_all_as_read", "batch_update", "delete"],
)
async def test_writes_other_than_update_are_never_repeated(
    canvas: FakeCanvas, client: CanvasClient, send: object
) -> None:
    for route in (
        "POST /api/v1/conversations/41/add_message",
        "POST /api/v1/conversations/mark_all_as_read",
        "PUT /api/v1/conversations",
        "DELETE /api/v1/conversations/41",
    ):
        canvas.routes[route] = json_response({"errors": [{"message": "An error occurred."}]}, 502)
    with pytest.raises(ServerError):
        await send(client)  # type: ignore[operator]
    assert len(canvas.requests) == 1


async def test_get_retries_5xx_then_succeeds(canvas: FakeCanvas, client: CanvasClient) -> None:
    failing = json_response({"errors": [{"message": "An error occurred."}]}, 500)
    canvas.routes["GET /api/v1/conversations/unread_count"] = [failing, failing, UNREAD]
    assert await client.unread_count() == 3


async def test_get_gives_up_on_5xx_after_three_tries(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations/unread_count"] = json_response({}, 503)
    with pytest.raises(ServerError):
        await client.unread_count()
    assert len(canvas.requests) == 3


async def test_get_survives_a_dropped_connection() -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return json_response({"unread_count": "1"})

    async with CanvasClient(
        "https://school.example.edu", "t", transport=httpx.MockTransport(flaky), retry=NO_WAIT
    ) as client:
        assert await client.unread_count() == 1
    assert calls == 2


async def test_a_post_whose_connection_dropped_is_not_repeated() -> None:
    calls = 0

    def dropped(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    async with CanvasClient(
        "https://school.example.edu", "t", transport=httpx.MockTransport(dropped), retry=NO_WAIT
    ) as client:
        with pytest.raises(NetworkError) as caught:
            await client.create_conversation([2], "hello")
    assert calls == 1
    assert caught.value.maybe_sent


async def test_low_bucket_slows_new_requests_down(canvas: FakeCanvas, client_for: object) -> None:
    low = json_response({"unread_count": "1"}, headers={"X-Rate-Limit-Remaining": "30.0"})
    canvas.routes["GET /api/v1/conversations/unread_count"] = low
    policy = RetryPolicy(backoff=0, throttle_backoff=0, max_delay=0.01, low_water=300)
    async with client_for(retry=policy) as client:  # type: ignore[operator]
        await client.unread_count()
        assert client._wire.throttle.delays == 0  # nothing known before the first answer
        await client.unread_count()
        await client.unread_count()
        assert client._wire.throttle.delays == 2


def test_delay_grows_as_the_bucket_empties_and_recovers_as_it_drains() -> None:
    throttle = Throttle(RetryPolicy(low_water=300, max_delay=2.0, drain_per_second=10))
    assert throttle.pause() == 0.0
    throttle.observe("600.0")
    assert throttle.pause() == 0.0
    throttle.observe("200")
    moderate = throttle.pause()
    throttle.observe("20")
    severe = throttle.pause()
    assert 0 < moderate < severe <= 2.0
    throttle.observe("nan")  # garbage keeps the last reading
    assert throttle.pause() == pytest.approx(severe, rel=0.05)
    throttle._seen_at -= 60  # a minute later the bucket has drained
    assert throttle.pause() == 0.0


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff=0.5, max_backoff=4.0)
    first = [policy.delay(1) for _ in range(50)]
    third = [policy.delay(3) for _ in range(50)]
    tenth = [policy.delay(10) for _ in range(50)]
    assert all(0.25 <= d <= 0.5 for d in first)
    assert all(1.0 <= d <= 2.0 for d in third)
    assert all(2.0 <= d <= 4.0 for d in tenth)
    assert len(set(first)) > 1  # jittered


def test_our_own_requests_in_flight_do_not_count_as_a_low_bucket() -> None:
    throttle = Throttle(RetryPolicy(low_water=300, max_delay=2.0))
    # Eight requests going at once: 7 others still reserve 50 each when one answers.
    throttle.observe("250.0", others_in_flight=7)
    assert throttle.pause() == 0.0
    throttle.observe("250.0", others_in_flight=0)  # the same level with nothing else going
    assert throttle.pause() > 0.0


def test_slowing_starts_while_all_our_requests_in_flight_still_fit() -> None:
    # Canvas refuses a request arriving while the bucket is at 600. With 8 in flight,
    # the 7 others hold 350 of it: 300 units lasting already leave no room for the 8th.
    eight_wide = Throttle(RetryPolicy(low_water=150, max_delay=2.0), max_in_flight=8)
    one_at_a_time = Throttle(RetryPolicy(low_water=150, max_delay=2.0), max_in_flight=1)
    for throttle in (eight_wide, one_at_a_time):
        throttle.observe("300.0")  # 300 lasting, nothing of ours in flight
    assert eight_wide.pause() == pytest.approx(2.0, rel=0.01)  # the 8th would be refused
    assert one_at_a_time.pause() == 0.0  # a lone request has 300 to spare
    # At rest (nothing lasting) eight in flight are never slowed down.
    eight_wide.observe("250.0", others_in_flight=7)
    assert eight_wide.pause() == 0.0
    # Shortly before the wall: slowed, though not yet stopped.
    eight_wide.observe("500.0")  # 100 lasting: 500 - 350 = 150 of room, at low water
    assert eight_wide.pause() == 0.0
    eight_wide.observe("450.0")
    assert 0.0 < eight_wide.pause() < 2.0


async def test_a_proxys_429_is_treated_as_throttling(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    too_many = httpx.Response(429, text="Too Many Requests")
    canvas.routes["GET /api/v1/conversations/unread_count"] = [too_many, UNREAD]
    assert await client.unread_count() == 3
    canvas.routes["POST /api/v1/conversations/mark_all_as_read"] = too_many
    with pytest.raises(Throttled):
        await client.mark_all_as_read()
