"""Regenerate the README screenshots: the app headless on the demo sandbox, frozen clock.

Run: .venv/bin/python screenshots/make_screenshots.py [--fake]
Writes inbox.svg, thread.svg, search.svg, help.svg and compose.svg (the composer with
recipient autocomplete open; skipped, with a note, when the composer is not installed).
``--fake`` uses the UI tests' in-memory records instead of the sandbox and InboxService,
for when those are not at hand; the pictures then show the test school.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
SIZE = (120, 36)


WAIT = "<wait>"  # let debounces and workers finish before the next key


async def settle(pilot: Any) -> None:
    await pilot.pause(0.4)  # search and recipient debounces, thread fetch
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def shoot(service: Any, name: str, keys: list[str], *, clock_at: datetime) -> bool:
    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.clock import frozen_clock

    app = CanvasInboxApp(service, clock=frozen_clock(clock_at), start_service=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in keys:
            if key == WAIT:
                await settle(pilot)
            else:
                await pilot.press(key)
        await settle(pilot)
        for field in app.screen.query("Input, TextArea"):
            field.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()
        if name == "compose" and app.screen.__class__.__name__ != "ComposeScreen":
            return False
        app.save_screenshot(str(OUT / f"{name}.svg"))
    return True


SHOTS = {
    "inbox": ["j", "j"],
    "thread": ["enter"],
    "search": ["slash", *"lab"],
    "help": ["question_mark"],
}


async def shoot_all(
    service: Any, clock_at: datetime, *, search: str, first_to: str, then_to: str
) -> None:
    # Compose: one recipient chosen (a token), the next one's suggestions open.
    compose = ["c", WAIT, *first_to, WAIT, "enter", *then_to]
    for name, keys in {**SHOTS, "search": ["slash", *search], "compose": compose}.items():
        made = await shoot(service, name, keys, clock_at=clock_at)
        print(f"{name}.svg" if made else f"{name}.svg skipped: the composer is not available")


async def main_fake() -> int:
    from tests.ui.fake_service import NOW, FakeService, make_conversations

    service = FakeService(make_conversations(40))
    await shoot_all(service, NOW, search="chapter 2", first_to="all stu", then_to="jo")
    return 0


async def main() -> int:
    if "--fake" in sys.argv:
        return await main_fake()
    from canvas_inbox.sandbox.demo_school import DEMO_USER_TOKEN
    from canvas_inbox.sandbox.runner import run_sandbox
    from canvas_inbox.service import InboxService, ServiceSettings

    with run_sandbox(seed="demo") as sandbox, tempfile.TemporaryDirectory() as cache:
        service = InboxService(
            base_url=sandbox.url,
            token=DEMO_USER_TOKEN,
            cache_path=Path(cache) / "cache.sqlite3",
            settings=ServiceSettings(),
        )
        await service.start()
        # Let the first sync fill the cache, so every picture shows real threads.
        for _ in range(100):
            if service.cached_conversations("inbox"):
                break
            await asyncio.sleep(0.1)
        rows = service.cached_conversations("inbox")
        newest = max((row.sort_time for row in rows if row.sort_time), default=None)
        clock_at = newest or datetime(2026, 9, 15, 12, tzinfo=UTC)
        if rows:
            await service.open_thread(rows[0].id, mark_read=False)
        await shoot_all(service, clock_at, search="lab", first_to="lab", then_to="el")
        await service.aclose()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
