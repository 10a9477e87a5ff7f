"""One conversation as a single readable page: oldest message first, forwarded
messages indented under the message that carried them.

A line-API widget: the page is drawn to a list of strips once per thread and width, and
a frame only indexes into it. Opening a thread is then a content swap, not a layout of a
child widget whose height depends on the text (that pass cost more than a frame).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from canvas_inbox.service import Attachment, MediaComment, Message, Person, Thread
from canvas_inbox.ui.clock import Clock, long_date, system_clock
from canvas_inbox.ui.safe_text import safe_line, safe_text

HEADING = Style(bold=True)
DIM = Style(dim=True)


def _size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}"
        size = size / 1000  # type: ignore[assignment]
    return f"{size:.1f} GB"


def attachment_line(number: int, attachment: Attachment) -> Text:
    line = Text(f"  [{number}] ", style=DIM)
    line.append_text(safe_line(attachment.display_name or attachment.filename))
    if attachment.size:
        line.append(f"  {_size(attachment.size)}", DIM)
    return line


def _looks_the_same(old: Thread | None, new: Thread | None) -> bool:
    if old is None or new is None:
        return False
    a, b = old.conversation, new.conversation
    return (old.messages, a.subject, a.participants, a.context_name) == (
        new.messages,
        b.subject,
        b.participants,
        b.context_name,
    )


def media_line(media: MediaComment) -> Text:
    line = Text(f"  ▶ {media.media_type} recording: ", style=DIM)
    line.append_text(safe_line(media.display_name or "untitled"))
    line.append("  (v to open)", DIM)
    return line


class ThreadView(ScrollView, can_focus=True):
    """Shows ``thread``; knows the names of the people in it from the conversation."""

    DEFAULT_CSS = """
    ThreadView {
        overflow-x: hidden;
    }
    """

    def __init__(self, *, clock: Clock = system_clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.thread: Thread | None = None
        self.me: Person | None = None
        self._page: RenderableType = Text("Open a conversation with enter.", style=DIM)
        # The page drawn at one width and base style: (width, style) -> strips.
        self._lines: list[Strip] = []
        self._lines_key: tuple[object, ...] | None = None

    # --- drawing --------------------------------------------------------------------------
    def _draw(self, width: int) -> list[Strip]:
        """The page as strips at ``width``, drawn as a ``Static`` would draw it (so the
        page looks the same as when it was one)."""
        visual: Visual = visualize(self, self._page, markup=False)
        style = self.visual_style
        key = (id(self._page), width, style)
        if key != self._lines_key:
            # Fitted to the width here, once, so a frame's lines are ready as they are.
            base = style.rich_style
            self._lines = [
                strip.extend_cell_length(width, base).crop(0, width)
                for strip in Visual.to_strips(self, visual, width, None, style)
            ]
            self._lines_key = key
        return self._lines

    def _lay_out(self) -> None:
        """Draws the page for the pane's width and sets the scrollable height: a second
        time one column narrower when the page is taller than the pane (the scrollbar)."""
        width, height = self.content_region.size
        if width <= 0:
            return
        lines = self._draw(width)
        if len(lines) > height and self.styles.overflow_y != "hidden":
            width = max(width - self.styles.scrollbar_size_vertical, 1)
            lines = self._draw(width)
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # Not the reactive's layout pass: only a scrollbar coming or going moves
            # anything, and _scroll_update asks for a layout exactly then.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def on_resize(self) -> None:
        self._lay_out()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Focus changes land here too (the border colour): the page is redrawn only if
        # its own base style changed, which _draw's key tells.
        if self._lines_key is not None and self._lines_key[2] != self.visual_style:
            self._lay_out()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        style = self.visual_style.rich_style
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(width, style)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._lines_key is None:
            self._lay_out()
        return super().render_lines(crop)

    def show(self, thread: Thread | None, *, keep_scroll: bool = False) -> None:
        old = self.thread
        same = (
            thread is not None and old is not None and thread.conversation.id == old.conversation.id
        )
        self.thread = thread
        if same and keep_scroll and _looks_the_same(old, thread):
            return  # only flags changed (read, starred): nothing shown here differs
        self._page = self.render_thread(thread) if thread else Text("")
        self._lay_out()
        if not (same and keep_scroll):
            self.scroll_home(animate=False)

    def openables(self) -> list[tuple[Text, str]]:
        """Attachments and media recordings, numbered as shown, with their URLs."""
        if self.thread is None:
            return []
        found: list[tuple[Text, str]] = []

        def walk(messages: tuple[Message, ...]) -> None:
            for message in messages:
                for attachment in message.attachments:
                    found.append((attachment_line(len(found) + 1, attachment), attachment.url))
                if message.media_comment is not None:
                    found.append((media_line(message.media_comment), message.media_comment.url))
                walk(message.forwarded)

        walk(self.thread.messages)
        return [(label, url) for label, url in found if url]

    def _author(self, person_id: int) -> Text:
        if self.me is not None and person_id == self.me.id:
            return Text("me", style=HEADING)
        assert self.thread is not None
        for person in self.thread.conversation.participants:
            if person.id == person_id:
                return safe_line(person.name, HEADING)
        return Text(f"user {person_id}", style=HEADING)

    def render_thread(self, thread: Thread) -> RenderableType:
        now = self.clock()
        conversation = thread.conversation
        header = safe_line(conversation.subject or "(no subject)", Style(bold=True, underline=True))
        parts: list[RenderableType] = [header]
        people = Text("With: ", style=DIM)
        for index, person in enumerate(conversation.participants):
            if index:
                people.append(", ")
            is_me = self.me is not None and person.id == self.me.id
            people.append_text(Text("me") if is_me else safe_line(person.name))
        parts.append(people)
        if conversation.context_name:
            parts.append(Text("In: ", style=DIM).append_text(safe_line(conversation.context_name)))
        numbering = itertools.count(1)
        for message in thread.messages:
            parts.append(Rule(style=DIM))
            parts.append(self._message(message, now, numbering))
        return Group(*parts)

    def _message(self, message: Message, now: datetime, numbering: Iterator[int]) -> RenderableType:
        heading = self._author(message.author_id)
        heading.append(f"  {long_date(message.created_at, now)}", DIM)
        lines: list[RenderableType] = [heading, safe_text(message.body)]
        for attachment in message.attachments:
            lines.append(attachment_line(next(numbering), attachment))
        if message.media_comment is not None:
            lines.append(media_line(message.media_comment))
        for forwarded in message.forwarded:
            lines.append(Text("Forwarded:", style=DIM))
            lines.append(Padding(self._message(forwarded, now, numbering), (0, 0, 0, 2), style=DIM))
        return Group(*lines)
