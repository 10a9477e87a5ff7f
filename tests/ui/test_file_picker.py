"""Attaching from the file picker (ctrl+o in the composer): where it opens, moving
through folders by keys, the filter, hidden files, the same checks as a typed path,
listing off the event loop, and hostile file names kept inert."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from canvas_inbox.ui.compose import ComposeScreen
from canvas_inbox.ui.compose import file_picker as picker_module
from canvas_inbox.ui.compose.file_picker import FilePickerScreen
from canvas_inbox.ui.compose.review import summary
from canvas_inbox.ui.screens.help import help_table
from tests.ui.conftest import SIZE, AppFactory, plain


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No folder remembered from another test, and a home of our own."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "essay.txt").write_text("essay")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(FilePickerScreen, "last_folder", None)
    return home


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "week-1.pdf").write_bytes(b"%PDF" * 10)
    (root / "lab-5.pdf").write_bytes(b"x" * 3000)
    (root / "notes.txt").write_text("notes")
    (root / ".secret-notes").write_text("hidden")
    return root


def composer(app: Any) -> ComposeScreen:
    for screen in app.screen_stack:
        if isinstance(screen, ComposeScreen):
            return screen
    raise AssertionError("no composer")


def picker(app: Any) -> FilePickerScreen:
    screen = app.screen
    assert isinstance(screen, FilePickerScreen), f"no picker on screen: {screen!r}"
    return screen


def rows(app: Any) -> list[str]:
    options = picker(app).query_one("#files-list", OptionList)
    return [
        plain(options.get_option_at_index(i).prompt).strip() for i in range(options.option_count)
    ]


def highlighted(app: Any) -> str:
    options = picker(app).query_one("#files-list", OptionList)
    assert options.highlighted is not None
    return rows(app)[options.highlighted]


def picker_status(app: Any) -> str:
    return str(picker(app).query_one("#files-status").render())


async def settle(pilot: Any) -> None:
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_picker(pilot: Any, typed: str = "") -> None:
    await pilot.press("c")
    await pilot.pause()
    if typed:
        composer(pilot.app).query_one("#attach", Input).value = typed
    await pilot.press("ctrl+o")
    await settle(pilot)


async def test_it_opens_in_the_typed_folder_and_enter_attaches_the_filtered_file(
    inbox_app: AppFactory, tree: Path
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        assert picker(app).folder == tree
        # Up first, folders next, then files by name; hidden files are not shown.
        assert rows(app) == [
            "../  (up a folder)",
            "reports/",
            "lab-5.pdf  2.9 KB",
            "notes.txt  5 bytes",
        ]
        assert highlighted(app) == "reports/"
        await pilot.press(*"lab")
        assert rows(app) == ["lab-5.pdf  2.9 KB"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert composer(app).draft.attachment_paths == (str(tree / "lab-5.pdf"),)
        assert "Attached" in str(composer(app).query_one("#compose-status").render())
        assert composer(app).query_one("#attach", Input).value == ""


async def test_enter_opens_folders_and_backspace_or_minus_goes_back_up(
    inbox_app: AppFactory, tree: Path
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        await pilot.press("enter")  # on reports/
        await settle(pilot)
        assert picker(app).folder == tree / "reports"
        assert rows(app) == ["../  (up a folder)", "week-1.pdf  40 bytes"]
        assert "reports" in str(picker(app).query_one("#files-folder").render())
        await pilot.press("backspace")
        await settle(pilot)
        assert picker(app).folder == tree
        assert highlighted(app) == "reports/"  # back where we came from
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("minus")
        await settle(pilot)
        assert picker(app).folder == tree
        # With a filter typed, backspace and "-" edit the filter instead.
        await pilot.press(*"no", "minus", "backspace", "backspace")
        assert picker(app).query_one(Input).value == "n"
        assert picker(app).folder == tree
        await pilot.press("backspace")
        assert highlighted(app) == "reports/"
        await pilot.press("down")  # the list's keys work from the filter line
        assert highlighted(app) == "lab-5.pdf  2.9 KB"
        await pilot.press("up", "enter")
        await settle(pilot)
        assert picker(app).folder == tree / "reports"


async def test_hidden_files_show_with_ctrl_a_or_a_filter_that_starts_with_a_dot(
    inbox_app: AppFactory, tree: Path
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        assert ".secret-notes  6 bytes" not in rows(app)
        assert "1 hidden" in str(picker(app).query_one("#files-list").border_title)
        await pilot.press("ctrl+a")
        assert ".secret-notes  6 bytes" in rows(app)
        await pilot.press("ctrl+a")
        assert ".secret-notes  6 bytes" not in rows(app)
        await pilot.press(*".sec")
        assert rows(app) == [".secret-notes  6 bytes"]


async def test_a_picked_file_meets_the_same_checks_as_a_typed_path(
    inbox_app: AppFactory, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("canvas_inbox.ui.compose.attachments.MAX_BYTES", 1024)
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        await pilot.press(*"lab", "enter")
        await settle(pilot)
        # Over the limit: said in the picker, which stays open for another choice.
        assert "over the 1.0 KB limit" in picker_status(app)
        await pilot.press("ctrl+u", *"notes", "enter")
        await settle(pilot)
        assert composer(app).draft.attachment_paths == (str(tree / "notes.txt"),)
        await pilot.press("ctrl+o")
        await settle(pilot)
        # It opens beside the newest attachment, and will not take the same file twice.
        assert picker(app).folder == tree
        await pilot.press(*"notes", "enter")
        await settle(pilot)
        assert "already attached" in picker_status(app)
        await pilot.press("escape")
        await pilot.pause()
        assert composer(app).draft.attachment_paths == (str(tree / "notes.txt"),)


async def test_escape_cancels_and_a_vanished_folder_is_one_line(
    inbox_app: AppFactory, tree: Path
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        shutil.rmtree(tree / "reports")  # gone between the listing and the key
        await pilot.press("enter")
        await settle(pilot)
        assert "Cannot open reports" in picker_status(app)
        assert picker(app).folder == tree
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert composer(app).draft.attachment_paths == ()


async def test_enter_on_an_empty_path_field_opens_the_picker_at_home_then_where_last_used(
    inbox_app: AppFactory, tree: Path, fresh_session: Path
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+t", "enter")
        await settle(pilot)
        assert picker(app).folder == fresh_session
        assert str(picker(app).query_one("#files-folder").render()) == "In ~"
        # Typing a path into the filter line does nothing odd: it filters.
        await pilot.press(*"Doc", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert composer(app).draft.attachment_paths == (
            str(fresh_session / "Documents" / "essay.txt"),
        )
        await pilot.press("escape")  # leave the composer; the draft is kept
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert picker(app).folder == fresh_session / "Documents"
        assert str(picker(app).query_one("#files-folder").render()) == "In ~/Documents"


async def test_folders_are_listed_off_the_event_loop(
    inbox_app: AppFactory, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = picker_module.list_folder

    def recording(folder: Path) -> list[picker_module.Entry]:
        threads.append(threading.current_thread().name)
        return real(folder)

    monkeypatch.setattr(picker_module, "list_folder", recording)
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(tree))
        await pilot.press("enter")
        await settle(pilot)
    assert len(threads) == 2
    assert threading.main_thread().name not in threads


@pytest.mark.skipif(os.name == "nt", reason="these names are not allowed on Windows")
async def test_hostile_file_names_reach_the_screen_inert(
    inbox_app: AppFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    hostile = [
        "report\x1b]52;c;ZXZpbA==\x07.pdf",  # OSC 52 would write the clipboard
        "\u202egnp.exe",  # a right-to-left override makes "exe.png" read as a picture
        "[link=https:evil.example]click[-link].txt",
        "two\nlines.txt",
    ]
    for name in hostile:
        (folder / name).write_text("x")
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(folder))
        shown = rows(app)
        assert "report.pdf  1 byte" in shown
        assert "gnp.exe  1 byte" in shown
        assert "[link=https:evil.example]click[-link].txt  1 byte" in shown
        assert "two lines.txt  1 byte" in shown
        svg = app.export_screenshot()
        for bad in ("\x1b", "\x07", "\u202e", "ZXZpbA", "href"):
            assert bad not in svg
        await pilot.press(*"gnp", "enter")
        await settle(pilot)
        # The real name is what gets attached; only its display was cleaned.
        assert composer(app).draft.attachment_paths == (str(folder / "\u202egnp.exe"),)
        listed = plain(composer(app).query_one("#attachments").get_option_at_index(0).prompt)
        assert "\u202e" not in listed
        reviewed = plain(summary(composer(app).draft, []), width=200)
        assert "gnp.exe  (1 byte)" in reviewed
        assert "\u202e" not in reviewed


async def test_the_picker_key_is_in_help_the_palette_and_remappable(
    inbox_app: AppFactory, tree: Path
) -> None:
    table = plain(help_table({}), width=120)
    assert "ctrl+o" in table
    assert "compose-pick" in table
    app = inbox_app(keys={"compose-pick": "ctrl+b"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, FilePickerScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"picker")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FilePickerScreen)


async def test_a_huge_folder_draws_a_bounded_list_and_typing_narrows_it(
    inbox_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(picker_module, "SHOWN_LIMIT", 5)
    folder = tmp_path / "downloads"
    folder.mkdir()
    for number in range(12):
        (folder / f"scan-{number:02d}.pdf").write_bytes(b"x")
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_picker(pilot, str(folder))
        shown = rows(app)
        assert len(shown) == 6
        assert shown[-1] == "… 8 more: type to narrow the list"  # 12 files and "../"
        await pilot.press("pagedown", "pagedown")
        assert highlighted(app) == "scan-03.pdf  1 byte"  # the note is not a choice
        await pilot.press(*"11")
        assert rows(app) == ["scan-11.pdf  1 byte"]
        assert "1 of 12 match" in str(picker(app).query_one("#files-list").border_title)


def test_the_start_folder_follows_what_was_typed_then_attached_then_last_used(
    tree: Path, fresh_session: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = picker_module.start_folder
    # A typed file path opens its folder; "~" is the user's home.
    assert start(str(tree / "notes.txt"), ()) == tree
    assert start("~/Documents", ()) == fresh_session / "Documents"
    # Nothing usable typed: beside the newest attachment, then the last folder, then home.
    assert start("/no/such/place/at/all", (str(tree / "reports" / "week-1.pdf"),)) == (
        tree / "reports"
    )
    monkeypatch.setattr(FilePickerScreen, "last_folder", tree)
    assert start("", ()) == tree
    monkeypatch.setattr(FilePickerScreen, "last_folder", tree / "gone")
    assert start("", ()) == fresh_session
