"""Each screen at a fixed size with a frozen clock. Update with --snapshot-update after
looking at the report: a changed picture is a changed product."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.conftest import SIZE, AppFactory

Snap = Callable[..., bool]


async def no_blink(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_inbox(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), press=["j", "x", "j"], terminal_size=SIZE)


def test_thread(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), press=["enter"], terminal_size=SIZE)


def test_thread_narrow_light(snap_compare: Snap, inbox_app: AppFactory) -> None:
    app = inbox_app(theme="textual-light")
    assert snap_compare(app, press=["enter"], terminal_size=(80, 24))


def test_inbox_narrow(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), terminal_size=(80, 24))


def test_search(snap_compare: Snap, inbox_app: AppFactory) -> None:
    keys = ["slash", *"chapter 1"]
    assert snap_compare(inbox_app(), press=keys, terminal_size=SIZE, run_before=no_blink)


def test_help(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), press=["question_mark"], terminal_size=SIZE)


def test_palette(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(
        inbox_app(), press=["enter", "colon", *"rep"], terminal_size=SIZE, run_before=no_blink
    )


def test_filter_picker(snap_compare: Snap, inbox_app: AppFactory) -> None:
    assert snap_compare(inbox_app(), press=["backslash"], terminal_size=SIZE)
