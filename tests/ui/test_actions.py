"""Changing conversations: optimistic rows, failures that revert, delete with undo, batches."""

from __future__ import annotations

from canvas_inbox.ui.screens.confirm import ConfirmScreen
from canvas_inbox.ui.widgets.inbox_list import InboxList
from tests.ui.conftest import SIZE, AppFactory, inbox_of, row_texts
from tests.ui.fake_service import FakeService


def toasts(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_star_changes_the_row_and_the_service(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s")
        assert row_texts(app)[1].startswith("  ★")
        await pilot.pause()
        assert ("set_starred", ([1001], True)) in service.calls
        await pilot.press("s")
        await pilot.pause()
        assert not service.threads[1001].conversation.starred
        assert row_texts(app)[1].startswith("    ")


async def test_a_refused_change_reverts_with_a_one_line_reason(inbox_app: AppFactory) -> None:
    service = FakeService()
    service.fail_with = "Canvas said: insufficient permissions"
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s")
        await pilot.pause()
        await pilot.pause()
        assert not inbox_of(app).query_one(InboxList).rows[1].starred
        said = [line for line in toasts(app) if "insufficient permissions" in line]
        assert len(said) == 1  # ActionFailed and the ServiceError tell it once


async def test_archive_moves_the_conversation_to_archived(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        inbox = inbox_of(app).query_one(InboxList)
        assert 1000 not in {row.id for row in inbox.rows}
        await pilot.press("5")
        assert [row.id for row in inbox.rows] == [1000]
        await pilot.press("e")  # in Archived, e unarchives
        await pilot.pause()
        assert inbox.rows == []
        assert service.calls[-1] == ("set_archived", ([1000], False))


async def test_delete_hides_at_once_and_undo_brings_it_back(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app).query_one(InboxList)
        await pilot.press("j", "d")
        assert 1001 not in {row.id for row in inbox.rows}
        assert any("Press u to undo" in line for line in toasts(app))
        await pilot.pause()
        assert service.deleted == [[1001]]
        await pilot.press("u")
        await pilot.pause()
        assert 1001 in {row.id for row in inbox.rows}


async def test_batch_select_then_archive(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "j", "space")  # x selects and moves on: 1000 and 1002
        assert row_texts(app)[0].startswith("✓")
        await pilot.press("e")
        await pilot.pause()
        assert ("set_archived", ([1000, 1002], True)) in service.calls
        assert not inbox_of(app).query_one(InboxList).selected
        await pilot.press("asterisk")
        assert len(inbox_of(app).query_one(InboxList).selected) == 10
        await pilot.press("asterisk")
        assert not inbox_of(app).query_one(InboxList).selected


async def test_mark_all_read_asks_first(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert ("mark_all_read", None) not in service.calls
        await pilot.press("A", "y")
        await pilot.pause()
        assert ("mark_all_read", None) in service.calls
        assert service.unread_count == 0


async def test_refresh_asks_the_service(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert ("refresh", "inbox") in service.calls
