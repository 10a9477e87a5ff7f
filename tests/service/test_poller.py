"""The poller's rhythm on a virtual clock (no sandbox: the rhythm is the service's own),
and the small pure rules the service relies on."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from canvas_inbox.canvas import NetworkError
from canvas_inbox.service import ConnectionChanged, Conversation
from canvas_inbox.service.actions import parse_progress_failures
from canvas_inbox.service.core import Core, ServiceSettings
from canvas_inbox.service.outbox import same_text
from canvas_inbox.service.poller import Poller
from canvas_inbox.service.sync import Sync, is_new_mail


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class CountOnly:
    """A Canvas that answers only the unread count: 3, or fails while ``down``."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.down = False
        self.clock: Clock | None = None

    async def unread_count(self) -> int:
        assert self.clock is not None
        self.asked.append(self.clock.now)
        if self.down:
            raise NetworkError("connection refused", maybe_sent=False)
        return 3

    def iter_conversation_pages(self, **_: Any) -> Any:
        async def pages() -> Any:
            yield []

        return pages()


async def run_for(seconds: float, *, down_until: float = 0.0) -> tuple[CountOnly, Core, list[Any]]:
    clock = Clock()
    settings = ServiceSettings(poll_interval=30, idle_poll_max=300, clock=clock, sleep=clock.sleep)
    core = Core(settings, None)
    api = CountOnly()
    api.clock = clock
    api.down = down_until > 0
    core.client = api  # type: ignore[assignment]
    events: list[Any] = []
    core.callbacks.append(events.append)
    poller = Poller(core, Sync(core))
    task = asyncio.ensure_future(poller.run())
    while clock.now < seconds:
        if api.down and clock.now >= down_until:
            api.down = False
        await asyncio.sleep(0)
    task.cancel()
    core.close_store()
    return api, core, events


async def test_idle_polling_slows_down_to_five_minutes() -> None:
    api, _, _ = await run_for(3600)
    gaps = [b - a for a, b in zip(api.asked, api.asked[1:], strict=False)]
    # The first answer changed the count (nothing known → 3): busy rate once, then doubling.
    assert gaps[:5] == [30, 60, 120, 240, 300]
    assert set(gaps[5:]) == {300}
    assert len(api.asked) <= 16  # an idle hour costs about fifteen small requests


async def test_user_activity_brings_the_busy_rate_back_at_once() -> None:
    clock = Clock()
    settings = ServiceSettings(poll_interval=30, idle_poll_max=300, clock=clock, sleep=clock.sleep)
    core = Core(settings, None)
    api = CountOnly()
    api.clock = clock
    core.client = api  # type: ignore[assignment]
    poller = Poller(core, Sync(core))
    # Block the virtual time so we decide when it moves.
    gate = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        await gate.wait()
        clock.now += seconds

    object.__setattr__(settings, "sleep", held_sleep)
    task = asyncio.ensure_future(poller.run())
    await asyncio.sleep(0.01)
    assert len(api.asked) == 1
    core.touch(wake=True)  # e.g. the user starred something
    await asyncio.sleep(0.01)
    assert len(api.asked) == 2  # polled at once, without waiting out the interval
    assert poller.interval == 30
    task.cancel()
    core.close_store()


async def test_unreachable_canvas_is_retried_with_backoff_then_online_again() -> None:
    api, core, events = await run_for(200, down_until=100)
    first = [t for t in api.asked if t < 100]
    gaps = [b - a for a, b in itertools.pairwise(first)]
    assert gaps[:4] == [2, 4, 8, 16]
    changes = [e for e in events if isinstance(e, ConnectionChanged)]
    assert [c.online for c in changes] == [False, True]
    assert changes[0].reason
    assert "unreachable" in changes[0].reason
    assert core.online


def row(minutes: int, state: str = "unread", mine: bool = False) -> Conversation:
    at = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Conversation(
        id=1, subject="s", workflow_state=state, last_message_at=at, last_author_is_me=mine
    )  # type: ignore[arg-type]


def test_new_mail_is_someone_else_writing_not_a_flag_flip() -> None:
    assert is_new_mail(None, row(0))
    assert is_new_mail(row(0, "read"), row(5))
    assert is_new_mail(row(0, "archived"), row(5))  # a reply brings it out of the archive
    assert not is_new_mail(row(0, "read"), row(0))  # marked unread on the web: no news
    assert not is_new_mail(row(0), row(5, "read"))
    assert not is_new_mail(row(0, "read"), row(5, mine=True))


def test_progress_failures_are_read_per_id() -> None:
    message = (
        "3 conversations processed\n"
        "The user is not participating in this conversation: 77, 78\n"
        "Something else: 9"
    )
    assert parse_progress_failures(message) == {
        77: "The user is not participating in this conversation",
        78: "The user is not participating in this conversation",
        9: "Something else",
    }
    assert parse_progress_failures("1 conversation processed") == {}
    assert parse_progress_failures(None) == {}


def test_sent_bodies_match_through_canvas_html_escaping() -> None:
    assert same_text("Tom &amp; Jerry <3", "Tom & Jerry <3")
    assert same_text("two\n\nlines ", "two lines")
    assert not same_text("yes", "no")


async def test_new_rows_that_failed_to_arrive_are_fetched_next_round() -> None:
    import pytest

    from canvas_inbox.service import ServiceError

    class FlakyPages(CountOnly):
        asked_pages = 0

        def iter_conversation_pages(self, **_: Any) -> Any:
            self.asked_pages += 1
            first = self.asked_pages == 1

            async def pages() -> Any:
                if first:
                    raise NetworkError("connection reset")
                yield []

            return pages()

    clock = Clock()
    core = Core(ServiceSettings(clock=clock, sleep=clock.sleep), None)
    api = FlakyPages()
    api.clock = clock
    core.client = api  # type: ignore[assignment]
    poller = Poller(core, Sync(core))
    with pytest.raises(ServiceError):
        await poller.poll_once()  # the count changed (→3), the rows failed
    assert core.unread == 3
    await poller.poll_once()  # the count is still 3, but the rows are still owed
    assert api.asked_pages == 2
    await poller.poll_once()
    assert api.asked_pages == 2  # nothing owed any more, nothing changed: count only
    core.close_store()
