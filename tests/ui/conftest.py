"""Fixtures for the UI: an app factory over the in-memory fake service (exact control)
and helpers to read what is on screen as plain text."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console, RenderableType

from canvas_inbox.config import Settings
from canvas_inbox.ui.app import CanvasInboxApp
from canvas_inbox.ui.clock import frozen_clock
from canvas_inbox.ui.screens.inbox import InboxScreen
from canvas_inbox.ui.widgets.inbox_list import InboxList
from tests.ui.fake_service import NOW, FakeService

SIZE = (100, 30)

AppFactory = Callable[..., CanvasInboxApp]


@pytest.fixture
def inbox_app() -> AppFactory:
    """``inbox_app(service=None, **settings)``: the app over a FakeService (12 threads by
    default), with a frozen clock, ready for ``run_test(size=SIZE)``."""

    def make(service: Any = None, **settings: Any) -> CanvasInboxApp:
        return CanvasInboxApp(
            service if service is not None else FakeService(),
            Settings(**settings),
            clock=frozen_clock(NOW),
        )

    return make


def plain(renderable: RenderableType, width: int = 80) -> str:
    out = io.StringIO()
    Console(width=width, color_system=None, file=out).print(renderable)
    return out.getvalue()


def inbox_of(app: CanvasInboxApp) -> InboxScreen:
    for screen in app.screen_stack:
        if isinstance(screen, InboxScreen):
            return screen
    raise AssertionError("no inbox screen")


def row_texts(app: CanvasInboxApp, width: int = 100) -> list[str]:
    inbox = inbox_of(app).query_one(InboxList)
    return [inbox.row_text(row, width).plain for row in inbox.rows]


def thread_text(app: CanvasInboxApp) -> str:
    view = inbox_of(app).thread_view
    assert view.thread is not None
    return plain(view.render_thread(view.thread))
