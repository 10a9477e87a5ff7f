"""The app over the real InboxService and a real sandbox: every change crosses the wire.

Skipped until the service and the sandbox are installed in the tree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from canvas_inbox.config import Settings
from canvas_inbox.ui.app import CanvasInboxApp
from canvas_inbox.ui.widgets.inbox_list import InboxList
from canvas_inbox.ui.widgets.status import HeaderBar
from tests.ui.conftest import SIZE, inbox_of, thread_text

pytest.importorskip("canvas_inbox.service.inbox", reason="InboxService not in the tree yet")
pytest.importorskip("canvas_inbox.sandbox.app", reason="the sandbox is not in the tree yet")
demo_school = pytest.importorskip("canvas_inbox.sandbox.demo_school")

WAIT = 15.0  # seconds a condition may take to become true (not a speed assertion)


async def until(pilot: Any, condition: Callable[[], object], what: str) -> None:
    for _ in range(int(WAIT / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def live_app(url: str, cache: Path) -> AsyncIterator[tuple[CanvasInboxApp, Any]]:
    from canvas_inbox.service import InboxService, ServiceSettings

    service = InboxService(
        base_url=url,
        token=demo_school.DEMO_USER_TOKEN,
        cache_path=cache / "cache.sqlite3",
        settings=ServiceSettings(),
    )
    app = CanvasInboxApp(service, Settings())
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot


async def test_live_inbox_opens_and_stars_through_canvas(demo_sandbox: Any, tmp_path: Path) -> None:
    import httpx

    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        inbox = inbox_of(app).query_one(InboxList)
        await until(pilot, lambda: inbox.rows, "the inbox fills from the sandbox")
        first = inbox.rows[0]
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                inbox_of(app).thread_view.thread is not None
                and inbox_of(app).thread_view.thread.messages
            ),
            "the thread's messages arrive",
        )
        assert (first.subject or "(no subject)") in thread_text(app)
        await pilot.press("h", "g", "s")
        await app.workers.wait_for_complete()
        headers = {"Authorization": f"Bearer {demo_school.DEMO_USER_TOKEN}"}
        async with httpx.AsyncClient(base_url=demo_sandbox.api, headers=headers) as client:
            answer = (await client.get(f"/conversations/{first.id}")).json()
        assert answer["starred"] is (not first.starred)


async def test_live_offline_is_marked_and_the_app_keeps_running(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    from canvas_inbox.demo import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with live_app(dead, tmp_path) as (app, pilot):
        header = inbox_of(app).query_one(HeaderBar)
        await until(pilot, lambda: not header.online, "the header says offline")
        assert "offline" in str(header.render())
        await pilot.press("f5", "j", "1")
        assert app.is_running
