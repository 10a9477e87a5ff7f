"""ctrl+o in the composer: pick a file to attach without typing its path.

A filtered list rather than a tree: one folder at a time, folders first, and a filter
line that has the focus, so typing narrows the list at once (as fzf and Gmail's
pickers do). Listing a folder and checking the chosen file are disk I/O, done in a
thread; file names are anyone's text (a downloaded file can be called anything), so
they reach the screen only through ``safe_text``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from canvas_inbox.ui.compose.attachments import AttachmentError, check_path, human_size
from canvas_inbox.ui.safe_text import one_line

PAGE = 10  # rows pageup/pagedown move in the list
# Rows drawn at most: building a row costs ~50 µs, so a 5,000-file Downloads folder would
# lag every keystroke of the filter by a quarter second. Typing narrows the rest.
SHOWN_LIMIT = 250
KEYS_HINT = "enter opens or attaches · backspace or - goes up · ctrl+a hidden files · esc cancels"


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    path: str
    is_dir: bool
    size: int | None = None  # files only; None when it cannot be read

    @property
    def hidden(self) -> bool:
        return self.name.startswith(".")


UP = Entry("..", "..", is_dir=True)


def list_folder(folder: Path) -> list[Entry]:
    """Folders first, then files, by name ignoring case. Raises OSError (unreadable,
    gone). Blocking: run it in a thread."""
    entries = []
    with os.scandir(folder) as found:
        for item in found:
            try:
                is_dir = item.is_dir()  # follows links: a link to a folder opens like one
            except OSError:
                is_dir = False
            size = None
            if not is_dir:
                try:
                    size = item.stat().st_size
                except OSError:
                    size = None  # a dangling link: listed, refused with a reason if picked
            entries.append(Entry(item.name, item.path, is_dir, size))
    entries.sort(key=lambda e: (not e.is_dir, e.name.casefold(), e.name))
    return entries


def shown_entries(entries: Sequence[Entry], typed: str, show_hidden: bool) -> list[Entry]:
    """What the filter leaves: every typed word in the name, ignoring case. Hidden
    entries show when asked for, or when the filter itself starts with a dot."""
    words = typed.casefold().split()
    hidden_ok = show_hidden or typed.lstrip().startswith(".")
    return [
        e
        for e in entries
        if (hidden_ok or not e.hidden) and all(w in e.name.casefold() for w in words)
    ]


def entry_text(entry: Entry) -> Text:
    """One row: a folder ends with "/" (readable without colour), a file shows its size."""
    if entry is UP:
        return Text("../  (up a folder)", style="bold", no_wrap=True, end="")
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    name = one_line(entry.name) or "(unprintable name)"
    if entry.is_dir:
        text.append(name + "/", style="bold")
    else:
        text.append(name)
        size = human_size(entry.size) if entry.size is not None else "unreadable"
        text.append(f"  {size}", style="dim")
    return text


def folder_label(folder: Path) -> str:
    """The folder as a shell prompt shows it: under home, from "~"."""
    try:
        inside = folder.relative_to(Path.home())
    except ValueError:
        return one_line(str(folder))
    return "~" if inside == Path() else one_line(f"~{os.sep}{inside}")


def start_folder(typed: str, attached: Sequence[str]) -> Path:
    """Where the picker opens: a folder typed in the path field, else the folder of the
    newest attachment, else the last folder picked from, else home."""
    candidates: list[Path] = []
    if typed.strip():
        path = Path(os.path.expandvars(typed.strip())).expanduser()
        candidates += [path, path.parent]
    if attached:
        candidates.append(Path(attached[-1]).parent)
    if FilePickerScreen.last_folder is not None:
        candidates.append(FilePickerScreen.last_folder)
    candidates.append(Path.home())
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return Path.home()


class FilterInput(Input):
    """The filter line: typing filters; the list's keys act on the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="files-next"),
        Binding("up", "move(-1)", "Previous", show=False, id="files-previous"),
        Binding("pagedown", f"move({PAGE})", "Page down", show=False, id="files-page-down"),
        Binding("pageup", f"move(-{PAGE})", "Page up", show=False, id="files-page-up"),
        # `ls -a`: all files. (ctrl+h is backspace to a terminal.)
        Binding("ctrl+a", "screen.toggle_hidden", "Hidden files", id="files-hidden"),
    ]

    @property
    def picker(self) -> FilePickerScreen:
        screen = self.screen
        assert isinstance(screen, FilePickerScreen)
        return screen

    def action_move(self, step: int) -> None:
        self.picker.move(step)

    def action_delete_left(self) -> None:
        if not self.value and self.cursor_position == 0:
            self.picker.action_go_up()
            return
        super().action_delete_left()

    async def _on_key(self, event: events.Key) -> None:
        # "-" goes up (as in vim's file browsers) when there is no filter to type it into.
        if event.character == "-" and not self.value:
            event.stop()
            event.prevent_default()
            self.picker.action_go_up()
            return
        await super()._on_key(event)


class FilePickerScreen(ModalScreen[str | None]):
    """Dismisses with the absolute path of a file that passed ``check_path``, or None."""

    DEFAULT_CSS = """
    FilePickerScreen {
        align: center middle;
        background: $background 60%;
    }
    FilePickerScreen #files-dialog {
        height: 80%;
    }
    FilePickerScreen #files-folder, FilePickerScreen #files-status {
        width: 1fr;
        height: 1;
    }
    FilePickerScreen #files-filter-row {
        height: 1;
    }
    FilePickerScreen #files-filter-label {
        color: $text-muted;
    }
    FilePickerScreen #files-filter {
        width: 1fr;
    }
    FilePickerScreen #files-list {
        height: 1fr;
        border: round $accent;
    }
    /* The filter keeps the focus, so the list's cursor must stand out on its own:
       bold on the focused cursor's colours, not the faint "blurred" ones. */
    FilePickerScreen #files-list > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: bold;
    }
    FilePickerScreen #files-keys {
        width: 1fr;
        height: auto;
    }
    FilePickerScreen #files-status.-error {
        color: $error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="files-cancel", show=True),
    ]
    # The folder the last file was picked from: the next picker of this session opens there.
    last_folder: ClassVar[Path | None] = None

    def __init__(
        self,
        attached: Sequence[str] = (),
        *,
        typed: str = "",
        start: Path | None = None,
        show_hidden: bool = False,
    ) -> None:
        """Opens in ``start``, or where ``start_folder`` says for the ``typed`` path."""
        super().__init__(classes="file-picker")
        self.start = start
        self.typed = typed
        self.folder = start or Path.home()
        self.attached = tuple(attached)
        self.show_hidden = show_hidden
        self.entries: list[Entry] = []
        self.shown: list[Entry] = []
        self.busy = False
        self._came_from: str | None = None  # the folder just left: highlighted in its parent

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="files-dialog"):
            yield Label(Text("Attach a file", style="bold"), classes="dialog-title")
            yield Label("", id="files-folder")
            with Horizontal(id="files-filter-row"):
                yield Label("Filter ", id="files-filter-label")
                yield FilterInput(placeholder="type to filter", id="files-filter", compact=True)
            yield OptionList(id="files-list")
            yield Label("", id="files-status")
            yield Label(Text(KEYS_HINT, style="dim"), id="files-keys")

    def on_mount(self) -> None:
        self.query_one("#files-list", OptionList).can_focus = False  # the filter keeps focus
        self.query_one(FilterInput).focus()
        self.open_folder(self.start)

    # --- listing ---------------------------------------------------------------------------
    @work(exclusive=True, group="files-listing", exit_on_error=False)
    async def open_folder(self, folder: Path | None) -> None:
        self.busy = True
        if folder is None:  # even finding where to start touches the disk
            folder = await asyncio.to_thread(start_folder, self.typed, self.attached)
            self.folder = folder
        self.status(f"Reading {one_line(str(folder))}…")
        try:
            entries = await asyncio.to_thread(list_folder, folder)
        except OSError as error:
            reason = error.strerror or str(error)
            self.status(f"Cannot open {one_line(folder.name or str(folder))}: {reason}", error=True)
            self._came_from = None
            return
        finally:
            self.busy = False
        self.folder = folder
        self.entries = entries
        self.status("")
        filter_input = self.query_one(FilterInput)
        with filter_input.prevent(Input.Changed):  # a new folder starts unfiltered
            filter_input.value = ""
        self._show()

    def _show(self) -> None:
        self.query_one("#files-folder", Label).update(
            Text.assemble(("In ", "dim"), (folder_label(self.folder), "bold"))
        )
        typed = self.query_one(FilterInput).value
        shown = shown_entries(self.entries, typed, self.show_hidden)
        if not typed.strip() and self.folder.parent != self.folder:
            shown.insert(0, UP)
        beyond = max(0, len(shown) - SHOWN_LIMIT)
        shown = shown[:SHOWN_LIMIT]
        self.shown = shown
        options = self.query_one("#files-list", OptionList)
        options.clear_options()
        options.add_options(Option(entry_text(entry)) for entry in shown)
        if beyond:
            more = Text(f"… {beyond:,} more: type to narrow the list", style="dim italic")
            options.add_option(Option(more, disabled=True))
        if shown:
            came_from = next((i for i, e in enumerate(shown) if e.path == self._came_from), None)
            first_real = 1 if shown[0] is UP and len(shown) > 1 else 0
            options.highlighted = came_from if came_from is not None else first_real
        self._came_from = None
        hidden = sum(1 for e in self.entries if e.hidden)
        matches = len(shown) + beyond - (1 if shown and shown[0] is UP else 0)
        border = (
            f"{matches} of {len(self.entries)} match"
            if typed.strip()
            else f"{len(self.entries)} entries"
        )
        if hidden and not (self.show_hidden or typed.lstrip().startswith(".")):
            border += f", {hidden} hidden"
        options.border_title = border
        if not shown and self.entries and not self.busy:
            self.status(f"Nothing here matches “{one_line(typed)}”.")
        elif not self.entries and not self.busy:
            self.status("This folder is empty.")

    def status(self, line: str, *, error: bool = False) -> None:
        label = self.query_one("#files-status", Label)
        label.update(Text(("✗ " if error else "") + line, style="bold" if error else "dim"))
        label.set_class(error, "-error")

    @on(Input.Changed, "#files-filter")
    def _filtered(self, event: Input.Changed) -> None:
        event.stop()
        self.status("")
        self._show()

    # --- moving and choosing ------------------------------------------------------------
    def move(self, step: int) -> None:
        options = self.query_one("#files-list", OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def highlighted(self) -> Entry | None:
        index = self.query_one("#files-list", OptionList).highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    @on(Input.Submitted, "#files-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(self.highlighted())

    @on(OptionList.OptionSelected, "#files-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(self.shown[event.option_index])

    def choose(self, entry: Entry | None) -> None:
        if entry is None or self.busy:
            return
        if entry is UP:
            self.action_go_up()
        elif entry.is_dir:
            self.open_folder(Path(entry.path))
        else:
            self.attach(entry)

    @work(exclusive=True, group="files-check", exit_on_error=False)
    async def attach(self, entry: Entry) -> None:
        try:
            path, _ = await asyncio.to_thread(check_path, entry.path, self.attached)
        except AttachmentError as error:
            self.status(str(error), error=True)  # stay: another file may do
            return
        FilePickerScreen.last_folder = self.folder
        self.dismiss(path)

    # --- actions ----------------------------------------------------------------------------
    def action_go_up(self) -> None:
        parent = self.folder.parent
        if parent == self.folder or self.busy:
            return
        self._came_from = str(self.folder)
        self.open_folder(parent)

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.status("Hidden files shown." if self.show_hidden else "Hidden files hidden.")
        self._show()

    def action_cancel(self) -> None:
        self.dismiss(None)
