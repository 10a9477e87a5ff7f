"""The thread view's details, dates from the frozen clock, and starting the app."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from canvas_inbox.service import Attachment, MediaComment, Message, Thread
from canvas_inbox.ui.clock import long_date, short_date
from canvas_inbox.ui.launch import run_tui
from canvas_inbox.ui.screens.picker import PickerScreen
from canvas_inbox.ui.widgets.inbox_list import InboxList
from tests.ui.conftest import SIZE, AppFactory, thread_text
from tests.ui.fake_service import FRIEND, NOW, TEACHER, FakeService, make_conversations


def forwarded_service() -> FakeService:
    thread = make_conversations(1)[0]
    original = Message(
        id=77,
        conversation_id=5,
        author_id=FRIEND.id,
        created_at=NOW - timedelta(days=3),
        body="The original lab notes.",
        attachments=(Attachment(id=9, display_name="notes.txt", url="file:///etc/passwd"),),
    )
    carrier = Message(
        id=78,
        conversation_id=thread.conversation.id,
        author_id=TEACHER.id,
        created_at=NOW - timedelta(minutes=30),
        body="Forwarding Alex's notes.",
        forwarded=(original,),
        media_comment=MediaComment(
            media_id="m1", media_type="video", display_name="Walkthrough",
            url="https://canvas.example/media/m1",
        ),
    )  # fmt: skip
    return FakeService(
        [Thread(conversation=thread.conversation, messages=(*thread.messages, carrier))]
    )


async def test_forwarded_messages_nest_and_links_open(
    inbox_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = inbox_app(forwarded_service())
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        text = thread_text(app)
        assert "Forwarding Alex's notes." in text
        assert "Forwarded:\n  Alex Lab  Sat Sep 12, 12:00 (3 d ago)" in text
        assert "  The original lab notes." in text
        assert "▶ video recording: Walkthrough" in text
        await pilot.press("v")
        assert isinstance(app.screen, PickerScreen)
        # chapter-1.pdf and the video; the file: URL is never offered.
        await pilot.press("down", "enter")
        await pilot.pause()
        assert opened == ["https://canvas.example/media/m1"]


def test_dates_are_relative_to_the_clock() -> None:
    now = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
    assert short_date(now - timedelta(hours=3), now) == "09:00"
    assert short_date(now - timedelta(days=2), now) == "Sun"
    assert short_date(datetime(2026, 3, 4, tzinfo=UTC), now) == "Mar 4"
    assert short_date(datetime(2024, 3, 4, tzinfo=UTC), now) == "2024"
    assert short_date(None, now) == ""
    assert long_date(now - timedelta(minutes=5), now) == "Tue Sep 15, 11:55 (5 min ago)"


def test_without_an_account_the_app_says_how_to_log_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No login screen to fall back on: the one line and exit status 1.
    monkeypatch.setattr("canvas_inbox.ui.launch._login_first", lambda: False)
    assert run_tui(argparse.Namespace(profile=None, url=None)) == 1
    err = capsys.readouterr().err
    assert err.startswith("canvas-inbox: Not logged in: run  canvas-inbox login")
    assert err.count("\n") == 1


def test_a_bad_token_source_is_one_line_and_never_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("canvas_inbox.ui.launch._login_first", lambda: False)
    assert run_tui(argparse.Namespace(profile="nope", url=None)) == 1
    assert "No profile named 'nope'" in capsys.readouterr().err


def test_frozen_records_change_by_replacement() -> None:
    # The list's render cache keys on records: a changed conversation must be a new key.
    row = make_conversations(1)[0].conversation
    assert msgspec.structs.replace(row, starred=not row.starred) != row


async def test_narrow_terminal_shows_one_pane_at_a_time(inbox_app: AppFactory) -> None:
    from tests.ui.conftest import inbox_of

    app = inbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = inbox_of(app)
        list_widget = screen.query_one("InboxList")
        assert list_widget.display
        assert not screen.thread_view.display
        await pilot.press("enter")
        await pilot.pause()
        assert screen.thread_view.display
        assert not list_widget.display
        await pilot.press("escape")
        await pilot.pause()
        assert list_widget.display
        assert app.focused is list_widget


async def test_an_unexpected_error_is_one_line_and_the_app_goes_on(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()

    async def broken(ids: object, starred: bool) -> None:
        raise RuntimeError("boom\nwith a second line")

    service.set_starred = broken  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert "Something went wrong: RuntimeError: boom with a second line" in messages
        # The optimistic unstar is taken back: the row shows what the cache holds.
        assert app.screen.query_one(InboxList).rows[0].starred
        await pilot.press("j")
        assert app.is_running


def test_the_inbox_paints_without_loading_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import canvas_inbox.ui.app, canvas_inbox.ui.launch\n"
        "assert 'httpx' not in sys.modules, 'httpx imported before the first paint'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
