"""Composer keys beyond writing: discarding the draft from the composer (asked first,
gone from disk and from the outbox), and tab in the recipient suggestions."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea

from canvas_inbox.ui.compose import ComposeScreen
from canvas_inbox.ui.compose.screen import SAVE_DELAY
from canvas_inbox.ui.screens.confirm import ConfirmScreen
from canvas_inbox.ui.screens.help import help_table
from canvas_inbox.ui.screens.inbox import InboxScreen
from canvas_inbox.ui.widgets.status import HeaderBar
from tests.ui.conftest import SIZE, AppFactory, inbox_of, plain
from tests.ui.fake_service import FakeService
from tests.ui.test_compose import (
    composer,
    field,
    review_and_send,
    settle,
    status,
    toasts,
    write_new,
)

# --- discarding the draft ----------------------------------------------------------------------


async def test_discard_asks_then_deletes_the_saved_draft_and_closes(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, subject="Lab", body="Never mind")
        await settle(pilot)
        assert len(service.saved_drafts) == 1
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard the draft “Lab”?" in app.screen.question
        await pilot.press("n")  # no: back to writing, nothing lost
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert composer(app).query_one("#body", TextArea).text == "Never mind"
        assert len(service.saved_drafts) == 1
        await pilot.press("f8", "y")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert service.saved_drafts == {}
        assert "Draft discarded." in toasts(app)


async def test_a_save_still_pending_does_not_bring_the_discarded_draft_back(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="x")
        await settle(pilot)
        # A key, then discard at once: the save for that key is still waiting.
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press("y", "ctrl+delete", "y")
        await pilot.pause(SAVE_DELAY * 2)
        assert isinstance(app.screen, InboxScreen)
        assert service.saved_drafts == {}


async def test_discard_with_nothing_written_just_closes(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)  # no question about nothing
        assert service.saved_drafts == {}


async def test_discarding_a_draft_whose_send_failed_takes_its_outbox_copy_too(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="Important")
        service.send_outcome = "recipients: invalid"
        await review_and_send(pilot)
        (item,) = service.outbox()
        header = inbox_of(app).query_one(HeaderBar)
        assert "unsent" in str(header.render())
        await pilot.press("f8")
        await pilot.pause()
        assert "its unsent copy in the outbox" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert ("discard_outbox", item.id) in service.calls
        assert service.outbox() == []
        assert service.saved_drafts == {}
        assert "unsent" not in str(header.render())


async def test_discarding_after_an_unknown_send_says_it_may_have_gone(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        service.send_outcome = "unknown"
        await review_and_send(pilot)
        await pilot.press("f8")
        await pilot.pause()
        assert "may already have been sent" in app.screen.question
        assert "cannot unsend" in app.screen.question
        await pilot.press("escape")
        await pilot.pause()
        assert len(service.outbox()) == 1


async def test_a_draft_that_cannot_be_discarded_stays_open(inbox_app: AppFactory) -> None:
    service = FakeService()

    def broken(draft_id: str) -> None:
        raise OSError("read-only file system")

    service.delete_draft = broken  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="Keep me")
        await pilot.press("f8", "y")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert "Could not discard the draft: read-only file system" in status(app)


async def test_escape_still_keeps_the_draft_and_discard_is_in_help_and_palette(
    inbox_app: AppFactory,
) -> None:
    table = plain(help_table({}), width=140)
    assert "compose-discard" in table
    assert "ctrl+delete / f8" in table
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="Keep")
        await pilot.press("escape")
        await pilot.pause()
        assert [d.body for d in service.saved_drafts.values()] == ["Keep"]
        await pilot.press("D", "enter")
        await pilot.pause()
        await pilot.press("ctrl+p", *"discard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert service.saved_drafts == {}


# --- tab in the recipient suggestions ----------------------------------------------------------


async def suggest(pilot: Any, text: str) -> None:
    await pilot.press("c")
    await pilot.pause()
    await pilot.press(*text)
    await settle(pilot)


async def test_tab_accepts_the_highlighted_suggestion_and_stays_in_to(
    inbox_app: AppFactory,
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await suggest(pilot, "jo")
        names = [r.name for r in field(app).suggestions]
        assert names[:2] == ["Jordan Lee", "Joanna Park"]
        await pilot.press("down", "tab")
        await pilot.pause()
        assert [r.name for r in field(app).recipients] == ["Joanna Park"]
        assert not field(app).is_open
        # Focus stays in To, ready for the next name, and reads as focused.
        assert app.focused is field(app).input
        assert field(app).query_one("#to-row").has_focus_within
        await pilot.press(*"jane")
        await settle(pilot)
        await pilot.press("tab")
        await pilot.pause()
        assert [r.name for r in field(app).recipients] == ["Joanna Park", "Jane Teacher"]
        # With nothing suggested, tab moves on as everywhere else.
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not field(app).input


async def test_tab_on_a_folder_opens_it(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        field(app).context_code = "course_12"
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("up", "tab")  # "Course Sections ›" is last
        await settle(pilot)
        assert [r.name for r in field(app).suggestions] == ["Section A"]
        assert field(app).recipients == []
