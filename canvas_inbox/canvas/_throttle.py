"""Staying inside Canvas's rate limit, and backing off when a request fails.

Canvas throttles each token with a leaky bucket (§9): every answer says how much is left
in ``X-Rate-Limit-Remaining`` (600 when idle; each request in flight reserves 50 until it
answers; what requests really cost stays and drains 10 units a second). A request that
would overflow it gets a plain-text 403. Rather than run into that wall, the client
delays new requests in proportion to how low the lasting part is.

The reading is taken net of our own other requests still in flight (their reservations
come back when they answer), so a client that merely keeps eight requests going is not
slowed down; one whose requests are expensive is, before Canvas refuses anything. "Before"
counts our own concurrency: Canvas refuses a request that arrives while the bucket is at
600, so with eight in flight the seven others' 350 must still fit on top of what lasts.
The room left for a new request is therefore the estimate minus those reservations, and
the delays start while that room is still ``low_water`` wide.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

__all__ = ["RetryPolicy", "Throttle"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the client tries. Tests shrink the delays to zero."""

    # GET-like requests: transient network errors and 5xx.
    attempts: int = 3
    backoff: float = 0.25  # first wait in seconds; doubles each time, plus jitter
    max_backoff: float = 4.0
    # Canvas's plain-text 403 (rate limit): idempotent requests only.
    throttle_attempts: int = 6
    throttle_backoff: float = 1.0
    max_throttle_backoff: float = 10.0
    # Slowing down before the bucket empties.
    low_water: float = 150.0  # start delaying when the room left is below this
    max_delay: float = 2.0  # the delay when the bucket is empty
    drain_per_second: float = 10.0
    up_front_cost: float = 50.0  # what Canvas reserves for each request in flight

    def delay(self, attempt: int, *, throttled: bool = False) -> float:
        """The wait before retry number ``attempt`` (1-based): exponential, full jitter
        on the upper half, so concurrent requests do not retry in lockstep."""
        base, cap = (
            (self.throttle_backoff, self.max_throttle_backoff)
            if throttled
            else (self.backoff, self.max_backoff)
        )
        ceiling = min(cap, base * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Throttle:
    """Shared by all requests of one client: remembers the last reported bucket level."""

    def __init__(self, policy: RetryPolicy, *, max_in_flight: int = 1) -> None:
        self._policy = policy
        # What our other requests may hold reserved when a new one reaches Canvas.
        self._others = max(0, max_in_flight - 1) * policy.up_front_cost
        self._remaining: float | None = None
        self._seen_at = 0.0
        self.delays = 0  # how many requests were slowed down (for tests and benchmarks)

    @property
    def remaining(self) -> float | None:
        """What is left once our requests in flight answer, estimated from the last
        answer plus what has drained since."""
        if self._remaining is None:
            return None
        drained = (time.monotonic() - self._seen_at) * self._policy.drain_per_second
        return self._remaining + drained

    def observe(self, header: str | None, *, others_in_flight: int = 0) -> None:
        """Read ``X-Rate-Limit-Remaining`` from an answer that arrived while
        ``others_in_flight`` of our requests were still running."""
        if header is None:
            return
        try:
            value = float(header)
        except ValueError:
            return
        if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
            return
        self._remaining = value + others_in_flight * self._policy.up_front_cost
        self._seen_at = time.monotonic()

    def exhausted(self, *, others_in_flight: int = 0) -> None:
        """A throttled answer without a reading: the bucket is full but for what our
        requests in flight have reserved."""
        self.observe("0", others_in_flight=others_in_flight)

    def pause(self) -> float:
        """How long the next request should wait, given the bucket level."""
        remaining = self.remaining
        low = self._policy.low_water
        if remaining is None or low <= 0:
            return 0.0
        room = remaining - self._others
        if room >= low:
            return 0.0
        share = min(1.0, (low - max(room, 0.0)) / low)
        return share * self._policy.max_delay

    async def wait(self) -> None:
        delay = self.pause()
        if delay > 0:
            self.delays += 1
            await asyncio.sleep(delay)
