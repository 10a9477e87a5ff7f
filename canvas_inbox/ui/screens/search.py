"""Full-text search over the local cache, as the user types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from canvas_inbox.service import SearchHit
from canvas_inbox.ui.safe_text import one_line

DEBOUNCE = 0.12
MATCH = Style(bold=True, reverse=True)


def hit_label(hit: SearchHit) -> Text:
    """Subject on one line, the snippet with its matches highlighted below it."""
    label = Text(one_line(hit.subject) or "(no subject)", style="bold", end="")
    label.append("\n")
    # Highlights are offsets into the raw snippet, so clean character by character
    # keeping the offsets: a control character becomes a space, never a shift.
    snippet = "".join(ch if one_line(ch) or ch == " " else " " for ch in hit.snippet)
    snippet_text = Text(snippet.replace("\n", " ").replace("\t", " "), style="dim")
    for start, end in hit.highlights:
        snippet_text.stylize(MATCH, start, end)
    label.append_text(snippet_text)
    return label


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[SearchHit, ...]
    index: int


class SearchScreen(ModalScreen[SearchResult | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="search-close"),
        Binding("down", "results", "Results", show=False, id="search-results"),
    ]

    def __init__(self, search: Callable[[str], list[SearchHit]], query: str = "") -> None:
        super().__init__(classes="search")
        self._search = search
        self.query_text = query
        self.hits: list[SearchHit] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Search the cached mail", style="bold"), classes="dialog-title")
            yield Input(self.query_text, placeholder="words to find…", id="search-input")
            yield Label("", id="search-count")
            yield OptionList(id="search-hits")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.query_text:
            self.run_search()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if self._timer is not None:
            self._timer.stop()
        # Wait for a pause in typing: each keystroke would otherwise query the index.
        self._timer = self.set_timer(DEBOUNCE, self.run_search)

    def run_search(self) -> None:
        query = self.query_text.strip()
        self.hits = self._search(query) if query else []
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(hit_label(hit)) for hit in self.hits)
        count = f"{len(self.hits)} found" if query else ""
        self.query_one("#search-count", Label).update(Text(count, style="dim"))
        if self.hits:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.run_search()
        if self.hits:
            index = self.query_one(OptionList).highlighted or 0
            self._open(index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int) -> None:
        self.dismiss(SearchResult(self.query_text, tuple(self.hits), index))

    def action_results(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
