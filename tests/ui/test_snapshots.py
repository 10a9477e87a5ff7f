"""Each screen at a fixed size with a frozen clock. Update with --snapshot-update after
looking at the report: a changed picture is a changed product."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Footer, Input

from tests.ui.conftest import SIZE, AppFactory

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
