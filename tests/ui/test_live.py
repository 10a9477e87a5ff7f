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


async def api_get(sandbox: Any, path: str, **params: Any) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {demo_school.DEMO_USER_TOKEN}"}
    async with httpx.AsyncClient(base_url=sandbox.api, headers=headers) as client:
        answer = await client.get(path, params=params)
        return answer.json() if answer.status_code == 200 else answer.status_code


async def filled(app: CanvasInboxApp, pilot: Any) -> InboxList:
    inbox = inbox_of(app).query_one(InboxList)
    await until(pilot, lambda: inbox.rows, "the inbox fills from the sandbox")
    return inbox


async def test_live_reply_reaches_canvas(demo_sandbox: Any, tmp_path: Path) -> None:
    from canvas_inbox.ui.compose import ComposeScreen

    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        inbox = await filled(app, pilot)
        # A conversation Canvas lets this student answer.
        index = next(i for i, row in enumerate(inbox.rows) if not row.cannot_reply)
        target = inbox.rows[index]
        inbox.move_to(index)
        await pilot.press("enter")
        view = inbox_of(app).thread_view
        await until(pilot, lambda: view.thread and view.thread.messages, "the thread loads")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the composer opens")
        await pilot.press(*"Thanks, see you there.", "ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, ComposeScreen), "the reply is sent")
        answer = await api_get(demo_sandbox, f"/conversations/{target.id}")
        bodies = [message["body"] for message in answer["messages"]]
        assert "Thanks, see you there." in bodies


async def test_live_compose_with_suggestions_sends_a_new_conversation(
    demo_sandbox: Any, tmp_path: Path
) -> None:
    from canvas_inbox.ui.compose import ComposeScreen
    from canvas_inbox.ui.compose.recipients import RecipientField

    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        await filled(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the composer opens")
        field = app.screen.query_one(RecipientField)
        await pilot.press(*"lab")
        await until(
            pilot,
            lambda: any(r.name == "Lab Team 4" for r in field.suggestions),
            "Canvas suggests the lab group",
        )
        index = next(i for i, r in enumerate(field.suggestions) if r.name == "Lab Team 4")
        await pilot.press(*["down"] * index, "enter")
        assert [r.id for r in field.recipients] == ["group_201"]
        app.screen.query_one("#subject").focus()
        await pilot.press(*"Saturday sampling", "tab", *"Meet at the pond at 9.", "ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, ComposeScreen), "it is sent")
        sent = await api_get(demo_sandbox, "/conversations", scope="sent")
        assert any(c["subject"] == "Saturday sampling" for c in sent)


async def quiet_inbox(app: CanvasInboxApp, pilot: Any) -> InboxList:
    """Rows in, and the first sync over (no change for a second): the test is about the
    user's change, not about racing the start-up sync."""
    inbox = await filled(app, pilot)
    header = inbox_of(app).query_one(HeaderBar)
    last, still = None, 0
    for _ in range(int(WAIT / 0.1)):
        now = (len(inbox.rows), header.progress)
        still = still + 1 if now == last and not header.progress else 0
        if still >= 10:
            break
        last = now
        await pilot.pause(0.1)
    return inbox


async def test_live_archive_and_delete_with_undo(demo_sandbox: Any, tmp_path: Path) -> None:
    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        inbox = await quiet_inbox(app, pilot)
        first, second = inbox.rows[0], inbox.rows[1]
        await pilot.press("e")
        await until(
            pilot,
            lambda: first.id not in {row.id for row in inbox.rows},
            "the archived row leaves the inbox",
        )
        await app.workers.wait_for_complete()

        async def state_of(conversation_id: int) -> Any:
            answer = await api_get(demo_sandbox, f"/conversations/{conversation_id}")
            return answer["workflow_state"] if isinstance(answer, dict) else answer

        for _ in range(int(WAIT / 0.1)):
            if await state_of(first.id) == "archived":
                break
            await pilot.pause(0.1)
        assert await state_of(first.id) == "archived"
        assert inbox.move_to_id(second.id)
        await pilot.press("d")
        await until(pilot, lambda: second.id not in {row.id for row in inbox.rows}, "hidden")
        await pilot.press("u")
        await until(pilot, lambda: second.id in {row.id for row in inbox.rows}, "undone")
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        assert isinstance(await api_get(demo_sandbox, f"/conversations/{second.id}"), dict)


async def test_live_login_screen_checks_the_token_with_canvas(demo_sandbox: Any) -> None:
    from textual.app import App
    from textual.widgets import Input

    from canvas_inbox import credentials
    from canvas_inbox.ui.screens.login import LoginScreen

    class Only(App[object]):
        def on_mount(self) -> None:
            self.push_screen(LoginScreen(), self.exit)

    app = Only()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#login-url", Input).value = demo_sandbox.url
        screen.query_one("#login-token", Input).value = "not-a-real-token"
        screen.query_one("#login-token", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: not screen.busy, "Canvas answers")
        assert "did not accept that token" in str(screen.query_one("#login-status").render())
        screen.query_one("#login-token", Input).value = demo_school.DEMO_USER_TOKEN
        await pilot.press("enter")
        await until(pilot, lambda: not app.is_running, "the screen closes")
    assert app.return_value == "local"
    assert credentials.get_token("local") == demo_school.DEMO_USER_TOKEN


async def test_live_draft_kept_and_resumed_from_the_cache(
    demo_sandbox: Any, tmp_path: Path
) -> None:
    from textual.widgets import TextArea

    from canvas_inbox.ui.compose import ComposeScreen
    from canvas_inbox.ui.screens.drafts import DraftsScreen

    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        await filled(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the composer opens")
        app.screen.query_one("#body", TextArea).focus()
        await pilot.press(*"Half a thought", "escape")
        await until(pilot, lambda: not isinstance(app.screen, ComposeScreen), "left")
        assert [d.body for d in app.service.drafts()] == ["Half a thought"]
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DraftsScreen), "the drafts list")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "resumed")
        assert app.screen.query_one("#body", TextArea).text == "Half a thought"


async def test_live_a_failing_canvas_is_one_line_never_a_traceback(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    # A day when Canvas worked filled the cache; today every request fails (all of them,
    # so that which action meets a failure does not depend on timing).
    async with live_app(sandbox_factory(seed="demo").url, tmp_path) as (app, pilot):
        await quiet_inbox(app, pilot)
    failing = sandbox_factory(seed="demo", fail_rate=1.0)
    async with live_app(failing.url, tmp_path) as (app, pilot):
        inbox = inbox_of(app).query_one(InboxList)
        await until(pilot, lambda: inbox.rows, "the cached inbox paints")
        changes = [["j", "s"]] * 5  # enough changes that some meet a failure
        for keys in (["enter"], ["h", "j", "s"], ["f5"], *changes, ["j", "e"], ["u"], ["enter"]):
            await pilot.press(*keys)
            await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        for notice in app._notifications:
            line = str(notice.message)
            assert "\n" not in line
            assert "Traceback" not in line
            assert not line.startswith("Something went wrong"), line
        # Failures did happen, and each said why in one line.
        assert any(" failed: " in str(notice.message) for notice in app._notifications)
        header = str(inbox_of(app).query_one(HeaderBar).render())
        assert "\n" not in header
