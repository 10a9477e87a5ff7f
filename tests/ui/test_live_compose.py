"""The composer's newer keys over the real InboxService and a sandbox: a file picked in
the picker reaches Canvas as an attachment, and a message discarded from the outbox is
gone from the drafts file and never reaches Canvas."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from canvas_inbox.service import Draft, Recipient, ServiceError
from tests.ui.test_live import api_get, filled, live_app, until

demo_school = pytest.importorskip("canvas_inbox.sandbox.demo_school")


async def test_live_a_file_from_the_picker_is_sent_as_an_attachment(
    demo_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from canvas_inbox.ui.compose import ComposeScreen
    from canvas_inbox.ui.compose.file_picker import FilePickerScreen
    from canvas_inbox.ui.compose.recipients import RecipientField

    monkeypatch.setattr(FilePickerScreen, "last_folder", None)
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "pond-samples.csv").write_text("site,ph\nA,7.1\nB,6.8\n")
    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        await filled(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the composer opens")
        composer = app.screen
        field = composer.query_one(RecipientField)
        await pilot.press(*"lab")
        await until(
            pilot,
            lambda: any(r.name == "Lab Team 4" for r in field.suggestions),
            "Canvas suggests the lab group",
        )
        index = next(i for i, r in enumerate(field.suggestions) if r.name == "Lab Team 4")
        await pilot.press(*["down"] * index, "tab")  # tab takes the suggestion
        assert [r.id for r in field.recipients] == ["group_201"]
        composer.query_one("#subject").focus()
        await pilot.press(*"Pond data", "tab", *"The readings are attached.")
        composer.query_one("#attach").value = str(folder)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, FilePickerScreen), "the picker opens")
        await until(pilot, lambda: app.screen.shown, "the folder is listed")
        await pilot.press(*"pond", "enter")
        await until(pilot, lambda: app.screen is composer, "the file is attached")
        assert composer.draft.attachment_paths == (str(folder / "pond-samples.csv"),)
        await pilot.press("ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, ComposeScreen), "it is sent")
        sent = await api_get(demo_sandbox, "/conversations", scope="sent")
        conversation = next(c for c in sent if c["subject"] == "Pond data")
        thread = await api_get(demo_sandbox, f"/conversations/{conversation['id']}")
        names = [a["display_name"] for m in thread["messages"] for a in m["attachments"]]
        assert names == ["pond-samples.csv"]


def refused_draft() -> Draft:
    # Nobody by that id shares a course with the demo user: Canvas refuses the send.
    nobody = Recipient(id="987654", name="Nobody Known", kind="user")
    return Draft(
        id=uuid.uuid4().hex, recipients=(nobody,), subject="Never to go", body="Discard me."
    )


async def test_live_a_refused_message_discarded_from_the_outbox_is_gone_for_good(
    demo_sandbox: Any, tmp_path: Path
) -> None:
    from canvas_inbox.service import InboxService, ServiceSettings
    from canvas_inbox.ui.screens.confirm import ConfirmScreen
    from canvas_inbox.ui.screens.outbox import OutboxScreen

    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        await filled(app, pilot)
        service = app.service
        item = await service.send(refused_draft())
        assert item.state == "failed"
        await pilot.press("O")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox opens")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "it asks")
        await pilot.press("y")
        await until(pilot, lambda: service.outbox() == [], "the item leaves the outbox")
        assert service.drafts() == []
    # A new run on the same files: nothing comes back, nothing is sent at start-up.
    again = InboxService(
        base_url=demo_sandbox.url,
        token=demo_school.DEMO_USER_TOKEN,
        cache_path=tmp_path / "cache.sqlite3",
        settings=ServiceSettings(background_sync=False),
    )
    await again.start()
    try:
        assert again.outbox() == []
        assert again.drafts() == []
    finally:
        await again.aclose()
    sent = await api_get(demo_sandbox, "/conversations", scope="sent")
    assert all(c["subject"] != "Never to go" for c in sent)


async def test_live_a_message_in_flight_cannot_be_discarded(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    from canvas_inbox.service import InboxService, ServiceSettings

    slow = sandbox_factory(seed="demo", latency_ms=400)
    service = InboxService(
        base_url=slow.url,
        token=demo_school.DEMO_USER_TOKEN,
        cache_path=tmp_path / "cache.sqlite3",
        settings=ServiceSettings(background_sync=False),
    )
    await service.start()
    try:
        sending = asyncio.create_task(service.send(refused_draft()))
        for _ in range(100):
            if service.outbox():
                break
            await asyncio.sleep(0.01)
        (item,) = service.outbox()
        with pytest.raises(ServiceError, match="being sent"):
            service.discard_outbox(item.id)
        done = await sending
        assert done.state == "failed"
        assert [i.id for i in service.outbox()] == [item.id]  # still there to decide on
        service.discard_outbox(item.id)
        assert service.outbox() == []
    finally:
        await service.aclose()
