"""The inbox list: rows, moving, scopes, the course filter, opening threads."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from canvas_inbox.ui.widgets.inbox_list import InboxList, _fit
from canvas_inbox.ui.widgets.status import HeaderBar, ScopeBar
from tests.ui.conftest import SIZE, AppFactory, inbox_of, row_texts, thread_text
from tests.ui.fake_service import FakeService


async def test_rows_show_markers_sender_subject_count_and_date(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = row_texts(app)
        # Conversation 0: unread, starred, with attachment, last written by the teacher today.
        assert rows[0].startswith(" ●★+ Jane Teacher")
        assert "Chapter 1 reading — Reply number 0" in rows[0]
        assert rows[0].rstrip().endswith("2   11:00")
        # Conversation 2: written last by the user, read, plain.
        assert rows[2].startswith("     me, Jane Teacher")
        assert rows[3].rstrip().endswith("Mon")
        assert str(inbox_of(app).query_one(HeaderBar).render()).count("4 unread") == 1


async def test_moving_through_the_list(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app).query_one(InboxList)
        await pilot.press("j", "j", "down")
        assert inbox.cursor == 3
        await pilot.press("k")
        assert inbox.cursor == 2
        await pilot.press("G")
        assert inbox.cursor == 11
        await pilot.press("g")
        assert inbox.cursor == 0
        await pilot.press("right_square_bracket")
        assert inbox.cursor == 3  # the next unread
        await pilot.press("right_square_bracket", "left_square_bracket")
        assert inbox.cursor == 3


async def test_opening_marks_read_and_shows_the_whole_thread(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert ("open_thread", (1000, True)) in service.calls
        text = thread_text(app)
        assert "Chapter 1 reading" in text
        assert "With: Jane Teacher, Alex Lab, me" in text
        assert "In: Biology 101" in text
        # Oldest first, each with its author.
        assert text.index("please read chapter 1") < text.index("Reply number 0")
        assert "[1] chapter-1.pdf  120 kB" in text
        assert not inbox_of(app).query_one(InboxList).rows[0].unread
        assert app.focused is inbox_of(app).thread_view
        await pilot.press("escape")
        assert app.focused is inbox_of(app).query_one(InboxList)


async def test_peek_opens_without_marking_read_and_u_i_mark(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service, peek=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert ("open_thread", (1000, False)) in service.calls
        assert service.threads[1000].conversation.unread
        await pilot.press("h", "I")
        await pilot.pause()
        assert not service.threads[1000].conversation.unread
        await pilot.press("U")
        await pilot.pause()
        assert service.threads[1000].conversation.unread


async def test_scopes_switch_the_list(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app).query_one(InboxList)
        await pilot.press("2")
        assert {row.id for row in inbox.rows} == {1000, 1003, 1006, 1009}
        assert inbox_of(app).query_one(ScopeBar).scope == "unread"
        await pilot.press("3")
        assert all(row.starred for row in inbox.rows)
        await pilot.press("4")
        assert all(row.last_author_is_me for row in inbox.rows)
        await pilot.press("5")
        assert inbox.rows == []
        assert "No conversations in Archived." in inbox.empty_text
        await pilot.press("1")
        assert len(inbox.rows) == 12


async def test_course_filter_from_the_picker(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app).query_one(InboxList)
        await pilot.press("backslash", "down", "down", "enter")
        await pilot.pause()
        assert {row.context_code for row in inbox.rows} == {"course_14"}
        assert inbox_of(app).query_one(ScopeBar).context_name == "World History"
        # Escape keeps the filter; "All" clears it.
        await pilot.press("backslash", "escape")
        assert {row.context_code for row in inbox.rows} == {"course_14"}
        await pilot.press("backslash", "home", "enter")
        await pilot.pause()
        assert len(inbox.rows) == 12


async def test_panes_and_quit(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        assert app.focused is inbox_of(app).thread_view
        await pilot.press("tab")
        assert app.focused is inbox_of(app).query_one(InboxList)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_click_moves_then_opens(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        inbox = inbox_of(app).query_one(InboxList)
        await pilot.click(InboxList, offset=(10, 2))
        assert inbox.cursor == 2
        await pilot.click(InboxList, offset=(10, 2))
        await pilot.pause()
        assert inbox_of(app).thread_view.thread is not None
        assert inbox_of(app).thread_view.thread.conversation.id == 1002


async def test_a_long_list_keeps_the_date_beside_the_scrollbar(inbox_app: AppFactory) -> None:
    from tests.ui.fake_service import make_conversations

    app = inbox_app(FakeService(make_conversations(300)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        inbox = inbox_of(app).query_one(InboxList)
        assert inbox.show_vertical_scrollbar
        strip = inbox.render_line(0)
        # The row fits in what the scrollbar leaves, so its date is not cut off.
        assert strip.cell_length == inbox.scrollable_content_region.width < inbox.size.width
        assert strip.text.rstrip().endswith("11:00")
        await pilot.press("G")
        assert inbox.current is not None
        assert inbox.current.id == 1299
        assert inbox.scroll_offset.y > 0


@pytest.mark.parametrize(
    ("plain", "width", "shown"),
    [
        ("Chapter 1 reading", 10, "Chapter 1…"),  # cut, with the ellipsis in the last cell
        ("Lab", 6, "Lab   "),  # padded to the column
        ("Exactly10!", 10, "Exactly10!"),
        ("Ünïcödé names", 8, "Ünïcödé…"),
        ("日本語の件名です", 7, "日本語…"),  # wide characters: 6 cells + "…", never half a one
        ("日本語", 8, "日本語  "),
    ],
)
def test_a_row_column_is_cut_or_padded_to_its_exact_width(
    plain: str, width: int, shown: str
) -> None:
    fitted = _fit(plain, width)
    assert fitted == shown
    assert cell_len(fitted) == width
