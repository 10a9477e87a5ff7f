"""The conversation list: a line-API widget that renders only the rows on screen.

At 10,000 conversations a widget per row would cost seconds to mount and megabytes of
DOM; a ``ScrollView`` keeps one list of records and draws ``height`` lines per frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import ClassVar, Self

import msgspec
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from canvas_inbox.service import Conversation, Person
from canvas_inbox.ui.clock import Clock, short_date, system_clock
from canvas_inbox.ui.safe_text import one_line

UNREAD, STAR, ATTACHMENT, SELECTED = "●", "★", "+", "✓"
SENDER_WIDTH, DATE_WIDTH, COUNT_WIDTH = 20, 7, 4


def sender_names(conversation: Conversation, me: Person | None) -> str:
    """Participants, most recent author first, the user as "me" (Canvas already orders them)."""
    names = [
        "me" if me is not None and person.id == me.id else one_line(person.name)
        for person in conversation.participants
    ]
    if not names:
        return "(nobody)"
    # Alone in a conversation the user wrote to others: show who it went to.
    if len(names) > 1 and names[0] == "me" and not conversation.last_author_is_me:
        names = [*names[1:], "me"]
    return ", ".join(names)


def _fit(plain: str, width: int) -> str:
    """``plain`` in exactly ``width`` cells, cut with an ellipsis: what ``Text.truncate(width,
    overflow="ellipsis", pad=True)`` makes, done on the string (a row's text is built
    once it fits, which halves the cost of drawing a row the first time)."""
    if plain.isascii():
        # One cell a character (one_line has removed control characters): plain slicing,
        # without rich's per-grapheme walk, for the common case.
        return plain[: width - 1] + "…" if len(plain) > width else plain.ljust(width)
    size = cell_len(plain)
    if size > width:
        return set_cell_size(plain, width - 1) + "…"
    return plain + " " * (width - size)


class InboxList(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "inbox-list--cursor",
        "inbox-list--unread",
        "inbox-list--selected",
        "inbox-list--dim",
        "inbox-list--star",
    }

    @dataclass
    class Highlighted(Message):
        conversation: Conversation | None

    @dataclass
    class Opened(Message):
        conversation: Conversation

    def __init__(
        self, *, clock: Clock = system_clock, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        # A plain attribute, not a reactive: a reactive repaints the whole list on every
        # move, where _move repaints the two rows that changed.
        self.cursor = 0
        self._me: Person | None = None
        self.rows: list[Conversation] = []
        self.selected: set[int] = set()
        self.empty_text = "No conversations here."
        # Rendered rows by (record, width, selected): records are frozen, so a changed
        # conversation is a new key and a stale line can never be drawn.
        self._lines: dict[tuple[Conversation, int, bool], list[Segment]] = {}
        self._strips: dict[tuple[Conversation, int, bool, Style], Strip] = {}
        self._frame: tuple[Style, int, bool] | None = None
        self._styles: dict[str, Style] = {}
        self._index: tuple[list[Conversation], dict[int, int]] | None = None

    @property
    def me(self) -> Person | None:
        return self._me

    @me.setter
    def me(self, person: Person | None) -> None:
        # Rows name the user "me": knowing who that is redraws them.
        if person != self._me:
            self._me = person
            self._lines.clear()
            self._strips.clear()
            self.refresh()

    # --- data ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Conversation], *, keep: int | None = None) -> None:
        """Replace the rows, keeping the cursor on conversation ``keep`` if still shown."""
        old = self.current
        keep = keep if keep is not None else (old.id if old else None)
        self.rows = list(rows)
        self.selected &= {row.id for row in self.rows}
        index = next((i for i, row in enumerate(self.rows) if row.id == keep), None)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self._move(index if index is not None else min(self.cursor, max(len(self.rows) - 1, 0)))
        self.refresh()

    def _positions(self) -> dict[int, int]:
        # Built on first use after set_rows: a sync announces one changed row at a time,
        # and scanning 10,000 rows for it cost a millisecond per announcement.
        if self._index is None or self._index[0] is not self.rows:
            self._index = (self.rows, {row.id: i for i, row in enumerate(self.rows)})
        return self._index[1]

    def replace_rows(self, changed: Iterable[Conversation]) -> None:
        """Swap in changed records (an optimistic change) without rereading anything."""
        positions = self._positions()
        for row in changed:
            index = positions.get(row.id)
            # The service often confirms what is already shown (opening a row marks it
            # read at once, then again when Canvas answers): no repaint for that.
            if index is not None and self.rows[index] != row:
                self.rows[index] = row
                self.refresh_line(index)

    def update_rows(self, ids: Iterable[int], **changes: object) -> None:
        positions = self._positions()
        self.replace_rows(
            msgspec.structs.replace(self.rows[positions[i]], **changes)
            for i in dict.fromkeys(ids)
            if i in positions
        )

    @property
    def current(self) -> Conversation | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def target_ids(self) -> list[int]:
        """What an action applies to: the selection if any, else the row under the cursor."""
        if self.selected:
            return [row.id for row in self.rows if row.id in self.selected]
        return [self.current.id] if self.current else []

    # --- movement -----------------------------------------------------------------------
    def _move(self, index: int) -> None:
        index = max(0, min(index, len(self.rows) - 1)) if self.rows else 0
        previous, self.cursor = self.cursor, index
        self.refresh_line(previous)
        self.refresh_line(index)
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(self.current))

    def move_to(self, index: int) -> None:
        self._move(index)

    def move_to_id(self, conversation_id: int) -> bool:
        for index, row in enumerate(self.rows):
            if row.id == conversation_id:
                self._move(index)
                return True
        return False

    def next_unread(self, step: int) -> bool:
        index = self.cursor + step
        while 0 <= index < len(self.rows):
            if self.rows[index].unread:
                self._move(index)
                return True
            index += step
        return False

    def toggle_selected(self) -> None:
        if self.current is not None:
            self.selected ^= {self.current.id}
            self.refresh_line(self.cursor)

    def select_all(self) -> None:
        everything = {row.id for row in self.rows}
        self.selected = set() if self.selected == everything else everything
        self.refresh()

    def clear_selection(self) -> bool:
        had = bool(self.selected)
        self.selected.clear()
        self.refresh()
        return had

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if index == self.cursor and self.current is not None:
            self.post_message(self.Opened(self.current))
        elif 0 <= index < len(self.rows):
            self._move(index)

    # --- drawing ------------------------------------------------------------------------
    def refresh_line(self, index: int) -> None:
        y = index - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self._lines.clear()
        self._strips.clear()

    def focus(self, scroll_visible: bool = True) -> Self:
        """Widget.focus, minus its repaint of the whole list (``_on_focus`` repaints the
        cursor row, the only one that shows the focus)."""

        def set_focus(widget: Widget) -> None:
            with suppress(NoScreen):
                widget.screen.set_focus(self, scroll_visible=scroll_visible)

        self.app.call_later(set_focus, self)
        return self

    # Widget's own focus handlers repaint the whole list; only the cursor row shows where
    # the focus is, so these replace them (prevent_default) and repaint that row.
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        self.refresh_line(self.cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        self.refresh_line(self.cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def watch_has_focus(self, _has_focus: bool) -> None:
        # Widget's watcher re-applies the whole stylesheet to the list and its scrollbars
        # (~1 ms, on every open and every return to the list), but no rule in app.tcss
        # or Textual's defaults styles a focused InboxList: the cursor row alone shows
        # focus, through its component classes, repainted by _on_focus/_on_blur.
        pass

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Focus changes land here too; cached rows only go stale if a row style changed.
        old, self._styles = self._styles, {}
        for key, style in old.items():
            name, _, partial = key.partition("/")
            if self._style(name, partial == "True") != style:
                self._lines.clear()
                self._strips.clear()
                break

    def _style(self, name: str, partial: bool = True) -> Style:
        key = f"{name}/{partial}"
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(name, partial=partial)
        return style

    def _row_segments(self, row: Conversation, width: int) -> list[Segment]:
        key = (row, width, row.id in self.selected)
        segments = self._lines.get(key)
        if segments is None:
            if len(self._lines) > 4096:
                self._lines.clear()
            segments = list(self.row_text(row, width).render(self.app.console))
            self._lines[key] = segments
        return segments

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of this frame shares, looked up once instead of per line (the
        # widget's style walks its ancestors): a scrolled list redraws every line.
        self._frame = self._frame_now()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_now(self) -> tuple[Style, int, bool]:
        return self.rich_style, self.scrollable_content_region.width, self.has_focus

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        # Without the scrollbar's column, so the date at the end of a row stays whole.
        base, width, focused = self._frame or self._frame_now()
        if not self.rows:
            if y == 1:
                return Strip([Segment(f"  {self.empty_text}".ljust(width)[:width], base)])
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        selected = row.id in self.selected
        style = base
        if selected:
            style = base + self._style("inbox-list--selected", partial=False)
        if index == self.cursor:
            cursor_class = "inbox-list--cursor" if focused else "inbox-list--dim"
            style = base + self._style(cursor_class, partial=False)
        # Finished lines too, by record and style: scrolling one row redraws the others
        # unchanged, and a frozen record and a style are both exact keys.
        key = (row, width, selected, style)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 4096:
                self._strips.clear()
            segments = self._row_segments(row, width)
            strip = Strip(Segment.apply_style(segments, style)).crop_extend(0, width, style)
            self._strips[key] = strip
        return strip

    def row_text(self, row: Conversation, width: int) -> Text:
        selected = row.id in self.selected
        accent = self._style("inbox-list--unread")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        # Glyphs carry the meaning; colour only repeats it.
        star = self._style("inbox-list--star")
        text.append(SELECTED if selected else " ", Style(bold=True))
        text.append(UNREAD if row.unread else " ", accent)
        text.append(STAR if row.starred else " ", star)
        text.append(ATTACHMENT if row.has_attachments else " ")
        text.append(" ")
        date = short_date(row.sort_time, self.clock()).rjust(DATE_WIDTH)
        count = (str(row.message_count) if row.message_count > 1 else "").rjust(COUNT_WIDTH)
        sender_width = min(SENDER_WIDTH, max(8, width // 4))
        middle = max(width - 5 - sender_width - 1 - COUNT_WIDTH - DATE_WIDTH - 1, 4)
        bold = Style(bold=True) if row.unread else Style()
        sender = Text(_fit(sender_names(row, self._me), sender_width), style=bold, end="")
        text.append_text(sender)
        text.append(" ")
        subject = one_line(row.subject) or "(no subject)"
        preview = one_line(row.last_message)
        tail = " — " + preview if preview else ""
        body = Text(_fit(subject + tail, middle), style=bold, end="")
        if tail:
            body.stylize(Style(dim=True), len(subject), len(subject) + len(tail))
        text.append_text(body)
        text.append(count, Style(dim=True))
        text.append(" " + date, bold)
        return text
