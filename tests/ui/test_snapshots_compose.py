"""The composer's newer screens at a fixed size with a frozen clock: the file picker and
the outbox's question before discarding a send of unknown outcome. Update with
--snapshot-update after looking at the report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer, Input

from canvas_inbox.service import Draft, OutboxItem, Recipient
from canvas_inbox.ui.compose.file_picker import FilePickerScreen
from tests.ui.conftest import AppFactory
from tests.ui.fake_service import NOW, FakeService

Snap = Callable[..., bool]


def keys(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        for _ in range(20):
            await pilot.pause()
            if pilot.app.query(Footer):
                break
        for press in presses:
            await pilot.press(press)
            await pilot.pause(0.05)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
            field._cursor_visible = True
        await pilot.pause()

    return run


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    documents = home / "Documents"
    (documents / "reports").mkdir(parents=True)
    (documents / "lab-5.pdf").write_bytes(b"x" * 52_000)
    (documents / "notes.txt").write_text("notes")
    (documents / "pond samples.csv").write_text("site,ph\n")
    (documents / ".cache").write_text("hidden")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(FilePickerScreen, "last_folder", documents)
    return home


def test_file_picker_narrow(snap_compare: Snap, inbox_app: AppFactory, home: Path) -> None:
    run = keys("c", "ctrl+o", "down")
    assert snap_compare(inbox_app(), terminal_size=(80, 24), run_before=run)


def test_file_picker_filtered_light(snap_compare: Snap, inbox_app: AppFactory, home: Path) -> None:
    run = keys("c", "ctrl+o", *"pdf")
    app = inbox_app(theme="textual-light")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run)


def test_outbox_discard_of_an_unknown_send(snap_compare: Snap, inbox_app: AppFactory) -> None:
    service = FakeService()
    draft = Draft(
        id="d1",
        recipients=(Recipient(id="course_12_students", name="All students", kind="context"),),
        subject="Field trip forms",
        body="Bring them Monday.",
    )
    service.outbox_items["o1"] = OutboxItem(
        id="o1", draft=draft, state="unknown", attempts=1,
        last_error="the request timed out", created_at=NOW,
    )  # fmt: skip
    run = keys("O", "d")
    assert snap_compare(inbox_app(service), terminal_size=(80, 24), run_before=run)
