"""Fixtures: the small school on a sandbox, and the service built over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from canvas_inbox.service.inbox import InboxService, ServiceSettings
from tests.service.helpers import SAM, TOKENS, Recorder, school


@pytest.fixture
def school_sandbox(sandbox_factory: Callable[..., RunningSandbox]) -> RunningSandbox:
    return sandbox_factory(seed=school())


ServiceFactory = Callable[..., Any]


@pytest.fixture
def make_service(
    tmp_path: Path,
) -> Callable[..., Any]:
    """``async with make_service(sandbox_or_url, user=SAM, **settings) as (service, events)``.

    Started without the background tasks unless ``background=True``: tests drive sync and
    polling themselves, so what they observe does not depend on timing."""

    @asynccontextmanager
    async def make(
        target: RunningSandbox | str,
        *,
        user: int = SAM,
        token: str | None = None,
        background: bool = False,
        cache: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **settings: Any,
    ) -> AsyncIterator[tuple[InboxService, Recorder]]:
        url = target if isinstance(target, str) else target.url
        settings.setdefault("background_sync", background)
        service = InboxService(
            base_url=url,
            token=token or TOKENS[user],
            cache_path=cache or tmp_path / f"cache-{user}.sqlite3",
            settings=ServiceSettings(**settings),
            transport=transport,
        )
        events = Recorder()
        service.subscribe(events)
        await service.start(background=background)
        try:
            yield service, events
        finally:
            await service.aclose()

    return make
