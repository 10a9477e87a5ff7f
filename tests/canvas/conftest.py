"""Fixtures for the Canvas client's unit tests (MockTransport, no network)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from canvas_inbox.canvas import CanvasClient
from tests.canvas.fakes import BASE, NO_WAIT, TOKEN, FakeCanvas


@pytest.fixture
def canvas() -> FakeCanvas:
    return FakeCanvas()


@pytest.fixture
def client_for(canvas: FakeCanvas) -> Callable[..., CanvasClient]:
    def make(**options: Any) -> CanvasClient:
        options.setdefault("retry", NO_WAIT)
        return CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(canvas), **options)

    return make


@pytest.fixture
async def client(client_for: Callable[..., CanvasClient]) -> AsyncIterator[CanvasClient]:
    async with client_for() as client:
        yield client
