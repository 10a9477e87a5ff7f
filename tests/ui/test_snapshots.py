"""Each screen at a fixed size with a frozen clock. Update with --snapshot-update after
looking at the report: a changed picture is a changed product."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Footer, Input

from canvas_inbox.service import Draft, OutboxItem
from canvas_inbox.ui.screens.login import LoginScreen
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.fake_service import NOW, RECIPIENTS, FakeService

Snap = Callable[..., bool]


def keys(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the footer (it mounts a frame after the inbox paints), press the keys,
    let debounces and workers finish, and stop every cursor blinking."""

    async def run(pilot: Pilot[Any]) -> None:
        for _ in range(20):
            await pilot.pause()
            if pilot.app.query(Footer):
                break
        await pilot.press(*presses)
        await pilot.pause(0.2)
        await pilot.app.workers.wait_for_complete()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
            field._cursor_visible = True
        await pilot.pause()

    return run


def test_inbox(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=keys("j", "x", "j"))


def test_thread(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=keys("enter"))


def test_thread_narrow_light(snap_compare: Snap, inbox_app: AppFactory) -> None:
    app = inbox_app(theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("enter"))


def test_inbox_narrow(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=(80, 24), run_before=keys())


def test_search(snap_compare: Snap, inbox_app: AppFactory) -> None:
    run = keys("slash", *"chapter 1")
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=run)


def test_help(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=keys("question_mark"))


def test_palette(snap_compare: Snap, inbox_app: AppFactory) -> None:
    run = keys("enter", "colon", *"rep")
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=run)


def test_filter_picker(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=keys("backslash"))


async def quiet(pilot: Pilot[Any]) -> None:
    """Debounces past, workers done, no cursor blinking anywhere."""
    await pilot.pause(0.4)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    for field in pilot.app.screen.query(Input):
        field._cursor_visible = True
    await pilot.pause()


def composing(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await keys()(pilot)
        await pilot.press("c")
        await pilot.pause()
        for press in presses:
            if press == "enter":  # the suggestion list needs its answer first
                await quiet(pilot)
            await pilot.press(press)
        await quiet(pilot)

    return run


def test_compose_autocomplete(snap_compare: Snap, inbox_app: AppFactory) -> None:
    run = composing(*"all", "enter", *"jo")
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=run)


def test_compose_autocomplete_narrow_light(snap_compare: Snap, inbox_app: AppFactory) -> None:
    run = composing(*"jo")
    app = inbox_app(theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_compose_review(snap_compare: Snap, inbox_app: AppFactory) -> None:
    run = composing(
        *"all students", "enter", *"alex", "enter", "tab", "tab", "space", "tab",
        *"Lab tomorrow", "tab", *"Bring goggles and the worksheet.", "ctrl+j",
    )  # fmt: skip
    assert snap_compare(inbox_app(), terminal_size=SIZE, run_before=run)


def test_drafts_list(snap_compare: Snap, inbox_app: AppFactory) -> None:
    service = FakeService()
    for number, (subject, body) in enumerate(
        [("Lab report", "Half-written report"), ("", "Quick question about")]
    ):
        service.save_draft(
            Draft(
                id=f"d{number}",
                kind="new" if number else "reply",
                recipients=(RECIPIENTS[number],),
                subject=subject,
                body=body,
                updated_at=NOW - timedelta(hours=number * 30),
            )
        )
    assert snap_compare(inbox_app(service), terminal_size=SIZE, run_before=keys("D"))


def test_offline_throttled_with_unsent(snap_compare: Snap, inbox_app: AppFactory) -> None:
    service = FakeService(online=False)
    service.outbox_items["o1"] = OutboxItem(
        id="o1",
        draft=Draft(id="d", recipients=(RECIPIENTS[0],), subject="Lab", body="Hi"),
        state="failed",
        attempts=2,
        last_error="Canvas is unreachable",
        created_at=NOW,
    )

    async def run(pilot: Pilot[Any]) -> None:
        await keys()(pilot)
        service.set_online(False, "Canvas is throttling; retrying")
        await quiet(pilot)

    assert snap_compare(inbox_app(service), terminal_size=(80, 24), run_before=run)


def test_outbox(snap_compare: Snap, inbox_app: AppFactory) -> None:
    service = FakeService()
    service.outbox_items["o1"] = OutboxItem(
        id="o1",
        draft=Draft(id="d", recipients=(RECIPIENTS[0],), subject="Lab", body="Hi"),
        state="unknown",
        attempts=1,
        last_error="the request timed out",
        created_at=NOW,
    )
    assert snap_compare(inbox_app(service), terminal_size=SIZE, run_before=keys("O"))


class LoginOnly(App[object]):
    def on_mount(self) -> None:
        self.push_screen(LoginScreen(), self.exit)


def test_login(snap_compare: Snap) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press(*"http://school.edu")
        await quiet(pilot)

    assert snap_compare(LoginOnly(), terminal_size=(80, 24), run_before=run)
